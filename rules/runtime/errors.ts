/**
 * Errors the runtime throws on purpose. Each message is one line that says what is wrong, so AWS
 * Config shows it on the rule and the CLI prints it as is. Throwing means nothing is reported.
 */

/** The Config event, a rule parameter or a CLI argument is not acceptable. Not retryable. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** Facts could not be read completely; no verdict is sent from partial data. */
export class DataLoadError extends Error {
  override readonly name = 'DataLoadError';
}

/** The invocation would outlive its deadline; it stopped before sending more. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** The identity whose credentials were obtained does not own the account the event names. */
export class AccountMismatchError extends Error {
  override readonly name = 'AccountMismatchError';
}

/**
 * The event names an account this function may not read: STS refused the execution role (an
 * account outside the organization, or one whose role is missing or altered). Logged as a refused
 * account, not as a failure of the pack; nothing is read and nothing is reported.
 */
export class AccountRefusedError extends Error {
  override readonly name = 'AccountRefusedError';
}

/** Name and message of any thrown value, on one line, for logs and CLI output. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const message = error.message.replace(/\s+/g, ' ').trim();
    return error.name && error.name !== 'Error' ? `${error.name}: ${message}` : message;
  }
  return String(error).replace(/\s+/g, ' ').trim();
}

/** The `name` of an SDK service exception (or any Error), compared by name so it holds across bundles. */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
