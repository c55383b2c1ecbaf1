/**
 * The doors to the code that calls AWS, opened on first use (their own files of the CLI's bundle,
 * scripts/build.ts). Apart from options.ts, which that code imports, so that nothing imports back.
 */
import type * as AwsCommands from './aws-commands';
import type * as DoctorCommands from './doctor-commands';

/**
 * The code of the commands that call AWS (and the rules, zod, the SDK), loaded on first use:
 * `rules`, `--version`, `--help` and usage errors start without it. In the CLI's bundle this is a
 * second file (scripts/build.ts).
 */
export function awsCommands(): typeof AwsCommands {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
  return require('./aws-commands') as typeof AwsCommands;
}

/** `doctor`'s run, loaded on first use (in the CLI's bundle: dist/cli/doctor-commands.js). */
export function doctorCommands(): typeof DoctorCommands {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
  return require('./doctor-commands') as typeof DoctorCommands;
}
