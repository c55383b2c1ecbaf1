/**
 * The commands that call AWS, behind one door: main.ts's command definitions load this module
 * (and with it the rules, zod and the AWS SDK) only when one of them runs. In the CLI's bundle it
 * is its own file (scripts/build.ts).
 */
export { runEvaluate as evaluate } from './evaluate';
export { runInvoke as invoke } from './invoke';
export { runReportCommand as report } from './report';
