/**
 * `doctor`'s run (its checks and the Lambda, Organizations and Security Hub clients), behind its
 * own door: the CLI's bundle (scripts/build.ts) makes it a third file, so neither the commands
 * that make no AWS call nor `evaluate` and `report` load or parse it.
 */
export { runDoctor as doctor } from './doctor';
