import type { RootFacts } from './facts/account';

/** The NOT_APPLICABLE annotation both root rules give when the root user has no credentials. */
export function noRootCredentials(root: RootFacts): string {
  return `Root user of account ${root.accountId} has no password, access key or signing certificate (e.g. removed by Organizations centralized root access), so it cannot sign in: MFA does not apply.`;
}
