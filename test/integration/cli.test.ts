/** The real CLI binary (bin/mfa-config-rules.js) as a child process, against moto. */
import { RULE_METADATA } from '../../rules/catalog';
import type { RuleMetadata } from '../../rules/runtime/types';
import { runCli } from '../support/cli';
import { scheduledEvent } from '../support/events';
import { seedUsers, setRootState, TEST_ACCOUNT_ID } from '../support/moto';
import { useMoto } from '../support/use-moto';

interface JsonRow {
  rule: string;
  resourceName: string;
  compliance: string;
}

describe('mfa-config-rules CLI', () => {
  const endpoint = useMoto({ env: { MOTO_EXT_REPORT_DELAY_MS: '100' } });
  const aws = (): string[] => ['--endpoint-url', endpoint(), '--region', 'us-east-1'];

  describe('evaluate', () => {
    it('prints one JSON array and exits 1 when a user is NON_COMPLIANT', async () => {
      // Prepare
      await setRootState(endpoint(), { mfaEnabled: true }); // only the user fails
      await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'alice', consolePassword: true, mfa: 'virtual' },
        { name: 'bob', consolePassword: true },
      ]);

      // Act
      const out = await runCli(['evaluate', ...aws(), '--output', 'json']);

      // Assess
      expect(out.code).toBe(1);
      const rows = JSON.parse(out.stdout) as JsonRow[];
      expect(Array.isArray(rows)).toBe(true);
      const users = rows.filter((row) => row.rule === 'iam-user-console-mfa');
      expect(users.map((row) => [row.resourceName, row.compliance]).sort()).toEqual([
        ['alice', 'COMPLIANT'],
        ['bob', 'NON_COMPLIANT'],
      ]);
      // bob fails every rule that asks every console user (or every user) for MFA, nothing else.
      expect(
        rows
          .filter((row) => row.compliance === 'NON_COMPLIANT')
          .map((row) => [row.rule, row.resourceName])
          .sort(),
      ).toEqual([
        ['iam-user-console-mfa', 'bob'],
        ['iam-user-mfa', 'bob'],
      ]);
    }, 90_000);

    it('exits 0 for a fully compliant account', async () => {
      // Prepare
      await setRootState(endpoint(), { mfaEnabled: true, virtualMfaSerial: null });
      await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'alice', consolePassword: true, mfa: 'virtual' },
        { name: 'carol', consolePassword: true, mfa: 'hardware' },
        // API only, with MFA (iam-user-mfa asks every user for it).
        { name: 'robot', consolePassword: false, mfa: 'virtual' },
      ]);

      // Act
      const out = await runCli(['evaluate', ...aws(), '--output', 'json']);

      // Assess
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      const rows = JSON.parse(out.stdout) as JsonRow[];
      expect(rows.filter((row) => row.compliance === 'NON_COMPLIANT')).toEqual([]);
      // one row per account rule, one per seeded user (3) for each user rule: from the catalog
      const users = (m: RuleMetadata) => (m.resourceTypes.includes('AWS::IAM::User') ? 3 : 1);
      expect(rows).toHaveLength(RULE_METADATA.reduce((sum, m) => sum + users(m), 0));
    }, 90_000);

    it('prints a table with the user names', async () => {
      // Prepare
      await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'alice', consolePassword: true, mfa: 'virtual' },
        { name: 'bob', consolePassword: true },
      ]);

      // Act
      const out = await runCli(['evaluate', ...aws(), '--output', 'table']);

      // Assess
      expect(out.code).toBe(1);
      expect(out.stdout).toContain(`Account ${TEST_ACCOUNT_ID}`);
      expect(out.stdout).toContain('alice');
      expect(out.stdout).toContain('bob');
      expect(out.stdout).toMatch(/\d+ evaluations: \d+ NON_COMPLIANT/);
    }, 90_000);

    it('exits 2 with one line on stderr for an unknown flag', async () => {
      // Prepare
      const args = ['evaluate', '--bogus-flag'];

      // Act
      const out = await runCli(args);

      // Assess
      expect(out.code).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(out.stderr).toContain('--bogus-flag');
    }, 90_000);
  });

  describe('invoke', () => {
    it('runs the handler on a TESTMODE event from stdin and prints a summary', async () => {
      // Prepare
      await seedUsers(endpoint(), TEST_ACCOUNT_ID, [{ name: 'bob', consolePassword: true }]);
      const event = scheduledEvent('iam-user-console-mfa', { resultToken: 'TESTMODE' });

      // Act
      const out = await runCli(
        ['invoke', ...aws(), '--rule', 'iam-user-console-mfa', '--event', '-'],
        { stdin: JSON.stringify(event) },
      );

      // Assess
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      const summary = JSON.parse(out.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({
        rule: 'iam-user-console-mfa',
        accountId: TEST_ACCOUNT_ID,
        testMode: true,
        evaluations: 1,
        counts: { COMPLIANT: 0, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 },
      });
      expect(summary).not.toHaveProperty('results');
    }, 90_000);

    it('exits 2 with one line and no stack trace for a malformed event', async () => {
      // Prepare
      const malformed = '{"invokingEvent": 42, "accountId": "nope"';

      // Act
      const out = await runCli(
        ['invoke', ...aws(), '--rule', 'iam-user-console-mfa', '--event', '-'],
        { stdin: malformed },
      );

      // Assess
      expect(out.code).toBe(2);
      expect(out.stdout).toBe('');
      const lines = out.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^mfa-config-rules: /);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    }, 90_000);

    it('exits 2 with one line for an event that is JSON but not a Config event', async () => {
      // Prepare
      const wrongShape = JSON.stringify({ invokingEvent: 42, accountId: 'nope' });

      // Act
      const out = await runCli(
        ['invoke', ...aws(), '--rule', 'iam-user-console-mfa', '--event', '-'],
        { stdin: wrongShape },
      );

      // Assess
      expect(out.code).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    }, 90_000);
  });
});
