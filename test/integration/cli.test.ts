/** The real CLI binary (bin/mfa-config-rules.js) as a child process, against moto. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULE_METADATA } from '../../rules/catalog';
import { ROW_FIELDS } from '../../cli/report-model';
import type { RuleMetadata } from '../../rules/runtime/types';
import { IAMClient, TagUserCommand } from '@aws-sdk/client-iam';
import { BIN, runCli } from '../support/cli';
import { scheduledEvent } from '../support/events';
import {
  motoClientConfig,
  seedUsers,
  setRootState,
  takeCallCounts,
  TEST_ACCOUNT_ID,
} from '../support/moto';
import { useMoto } from '../support/use-moto';

interface JsonRow {
  rule: string;
  resourceName: string;
  compliance: string;
  region: string;
}

describe('mfa-config-rules CLI', () => {
  const endpoint = useMoto({
    env: { MOTO_EXT_REPORT_DELAY_MS: '100', MOTO_EXT_COUNT_CALLS: '1' },
  });
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
    });

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
    });

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
    });

    it('--failed --output json through python3 -m json.tool: NON_COMPLIANT rows only, every field', async () => {
      // Prepare: bob fails; dave is exempt (not the same as a user without a password).
      await setRootState(endpoint(), { mfaEnabled: true });
      await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'alice', consolePassword: true, mfa: 'virtual' },
        { name: 'bob', consolePassword: true },
        { name: 'dave', consolePassword: true },
        { name: 'robot', consolePassword: false, mfa: 'virtual' },
      ]);
      const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
      const iam = new IAMClient(motoClientConfig(endpoint()));
      await iam.send(
        new TagUserCommand({
          UserName: 'dave',
          Tags: [{ Key: 'mfa-exemption', Value: `${until} waiting for a key` }],
        }),
      );
      iam.destroy();

      // Act
      const out = spawnSync(
        'bash',
        [
          '-c',
          `set -o pipefail; node "${BIN}" evaluate ${aws().join(' ')} --failed --output json | python3 -m json.tool`,
        ],
        {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH ?? '',
            HOME: os.tmpdir(),
            AWS_ACCESS_KEY_ID: 'testing',
            AWS_SECRET_ACCESS_KEY: 'testing',
          },
        },
      );
      const all = await runCli(['evaluate', ...aws(), '--output', 'json']);

      // Assess
      expect(out.stderr).toBe('');
      expect(out.status).toBe(1);
      const rows = JSON.parse(out.stdout) as Record<string, unknown>[];
      expect(rows.map((row) => [row.rule, row.resourceName])).toEqual([
        ['iam-user-console-mfa', 'bob'],
        ['iam-user-mfa', 'bob'],
      ]);
      for (const row of rows) {
        expect(Object.keys(row)).toEqual([...ROW_FIELDS]);
        expect(row).toMatchObject({
          accountId: TEST_ACCOUNT_ID,
          region: 'us-east-1',
          severity: 'MEDIUM',
          compliance: 'NON_COMPLIANT',
          evidenceSource: 'live',
        });
      }
      const dave = (JSON.parse(all.stdout) as Record<string, unknown>[]).filter(
        (row) => row.resourceName === 'dave' && row.rule === 'iam-user-console-mfa',
      );
      expect(dave).toEqual([
        expect.objectContaining({
          compliance: 'NOT_APPLICABLE',
          complianceWithoutExemption: 'NON_COMPLIANT',
          exemptionStatus: 'honoured',
          exemptionUntil: until,
          exemptionReason: 'waiting for a key',
        }),
      ]);
    });

    it('--output-dir writes four files from one evaluation: the AWS calls of one run', async () => {
      // Prepare
      await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'alice', consolePassword: true, mfa: 'virtual' },
        { name: 'bob', consolePassword: true },
      ]);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-cli-dir-'));
      await runCli(['evaluate', ...aws(), '--output', 'json']); // the report exists for both runs
      await takeCallCounts(endpoint());
      await runCli(['evaluate', ...aws(), '--output', 'json']);
      const oneRun = await takeCallCounts(endpoint());

      // Act
      const out = await runCli(['evaluate', ...aws(), '--output-dir', dir]);
      const calls = await takeCallCounts(endpoint());

      // Assess
      expect(out.stderr).toBe('');
      expect(out.code).toBe(1);
      expect(calls).toEqual(oneRun);
      const paths = out.stdout.trimEnd().split('\n').slice(-4);
      expect(fs.readdirSync(dir).sort()).toEqual(paths.map((p) => path.basename(p)).sort());
      expect(paths.map((p) => path.extname(p))).toEqual(['.txt', '.json', '.csv', '.html']);
      const json = JSON.parse(fs.readFileSync(paths[1] ?? '', 'utf8')) as JsonRow[];
      const bob = json.filter((row) => row.resourceName === 'bob');
      expect(bob.filter((row) => row.compliance === 'NON_COMPLIANT')).toHaveLength(2);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('--profile takes the profile credentials and Region over the environment', async () => {
      // Prepare: a home with one profile; static keys in the environment that must not be used.
      await seedUsers(endpoint(), TEST_ACCOUNT_ID, [{ name: 'alice', consolePassword: true }]);
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-profile-home-'));
      fs.mkdirSync(path.join(home, '.aws'));
      fs.writeFileSync(
        path.join(home, '.aws', 'credentials'),
        '[audit]\naws_access_key_id = testing\naws_secret_access_key = testing\n',
      );
      fs.writeFileSync(path.join(home, '.aws', 'config'), '[profile audit]\nregion = eu-west-3\n');

      // Act
      const out = await runCli(
        ['evaluate', '--endpoint-url', endpoint(), '--profile', 'audit', '--output', 'json'],
        {
          env: { HOME: home, AWS_ACCESS_KEY_ID: 'AKIAWRONG', AWS_SECRET_ACCESS_KEY: 'x' },
          unset: ['AWS_REGION'],
        },
      );
      const missing = await runCli(
        ['evaluate', '--endpoint-url', endpoint(), '--profile', 'nope'],
        { env: { HOME: home }, unset: ['AWS_REGION'] },
      );

      // Assess
      expect(out.stderr).toBe('');
      expect(out.code).toBe(1);
      const rows = JSON.parse(out.stdout) as JsonRow[];
      expect(new Set(rows.map((row) => row.region))).toEqual(new Set(['eu-west-3']));
      expect(missing.code).toBe(2);
      expect(missing.stdout).toBe('');
      expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
      fs.rmSync(home, { recursive: true, force: true });
    });

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
    });
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
    });

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
    });

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
    });
  });
});
