/** What the users-facts suites share (users-facts*.test.ts, credential-report.test.ts): gatherUsers with the console rule's check, the mocked bulk reads. */
import { iam, mockUserReads } from './aws-mocks';
import { consoleCheck } from '../../rules/iam-user-console-mfa/rule';
import { gatherUsers as gatherWith, type UsersFacts } from '../../rules/runtime/facts/users';
import type { GatherContext, Scope } from '../../rules/runtime/types';
import type { TestUser } from './helpers';

export const gatherUsers = (ctx: GatherContext, scope: Scope): Promise<UsersFacts> =>
  gatherWith(ctx, scope, consoleCheck({ ExemptionTagKey: '' }));

export { iam };
export const GENERATED = new Date('2026-01-01T00:00:00Z');
export const ALL = { kind: 'all' } as const;

/** The bulk reads (aws-mocks.ts), the report generated at GENERATED. */
export function mockBulk(
  users: TestUser[],
  rows: string[],
  virtual: Record<string, string> = {},
): void {
  mockUserReads(users, rows, { generated: GENERATED, virtual });
}

export function expectOnly(
  command: abstract new (...args: never[]) => object,
  input: object,
): void {
  const calls = iam.calls().filter((call) => call.args[0] instanceof command);
  expect(calls).toHaveLength(1);
  expect(calls[0]?.args[0].input).toEqual(input);
}

export function byName(facts: UsersFacts, name: string) {
  return facts.users.find((u) => u.userName === name);
}
