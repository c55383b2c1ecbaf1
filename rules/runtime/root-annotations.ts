import type { RootFacts } from './facts/account';

/**
 * The NOT_APPLICABLE annotation every root rule gives when the root user has no credentials;
 * `consequence` says what that means for the rule's control (e.g. "MFA does not apply").
 */
export function noRootCredentials(root: RootFacts, consequence: string): string {
  return `Root user of account ${root.accountId} has no password, access key or signing certificate (e.g. removed by Organizations centralized root access), so it cannot sign in or call AWS: ${consequence} (IAM account summary, read live).`;
}
