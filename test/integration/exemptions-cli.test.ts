/**
 * `mfa-config-rules exemptions add|list|remove` (issue 18), the real binary against the registry
 * table in moto: what it writes, what `list --expiring-within` shows, and for each bad input one
 * line on stderr, exit 2 and nothing written.
 */
import { runCli } from '../support/cli';
import { seedUsers, TEST_ACCOUNT_ID, type SeededUser } from '../support/moto';
import {
  createRegistryTable,
  inDays,
  putRegistryEntries,
  registryClient,
} from '../support/registry';
import { scanEntries } from '../../cli/exemption-store';
import { DEFAULT_EXEMPTION_TABLE } from '../../rules/runtime/exemption-registry';
import { useMoto } from '../support/use-moto';

const OTHER_ACCOUNT = '210987654321';

interface Listed {
  accountId: string;
  userId: string;
  rule: string;
  until: string;
  status: string;
  daysLeft: number;
  reason: string;
  grantedBy: string;
}

describe('mfa-config-rules exemptions', () => {
  const endpoint = useMoto();
  const aws = (): string[] => ['--endpoint-url', endpoint(), '--region', 'us-east-1'];
  let bob: SeededUser;

  beforeEach(async () => {
    await createRegistryTable(endpoint());
    [bob = { name: '', userId: '', arn: '' }] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'bob', consolePassword: true },
    ]);
  });

  const entries = () => scanEntries(registryClient(endpoint()), DEFAULT_EXEMPTION_TABLE);
  const list = async (...args: string[]) => {
    const out = await runCli(['exemptions', 'list', ...aws(), '--output', 'json', ...args]);
    expect([out.code, out.stderr]).toEqual([0, '']);
    return JSON.parse(out.stdout) as Listed[];
  };

  it('adds by id and by name (resolved with the caller’s own credentials), lists and removes', async () => {
    // Act
    const byId = await runCli([
      'exemptions',
      'add',
      ...aws(),
      '--account',
      TEST_ACCOUNT_ID,
      '--user-id',
      bob.userId,
      '--rule',
      'iam-user-console-mfa',
      '--until',
      inDays(30),
      '--reason',
      'hardware key on order',
    ]);
    const byName = await runCli([
      'exemptions',
      'add',
      ...aws(),
      '--account',
      TEST_ACCOUNT_ID,
      '--user',
      'bob',
      '--rule',
      'iam-user-mfa',
      '--until',
      inDays(5),
      '--reason',
      'rotating to a role',
    ]);

    // Assess
    expect([byId.code, byId.stderr]).toEqual([0, '']);
    expect([byName.code, byName.stderr]).toEqual([0, '']);
    const listed = await list();
    expect(listed.map((e) => [e.userId, e.rule, e.until, e.status, e.daysLeft])).toEqual([
      [bob.userId, 'iam-user-mfa', inDays(5), 'active', 5],
      [bob.userId, 'iam-user-console-mfa', inDays(30), 'active', 30],
    ]);
    for (const e of listed) expect(e.grantedBy).toMatch(/^arn:aws:(sts|iam)::123456789012:/);

    const remove = () =>
      runCli([
        'exemptions',
        'remove',
        ...aws(),
        '--account',
        TEST_ACCOUNT_ID,
        '--user-id',
        bob.userId,
        '--rule',
        'iam-user-mfa',
      ]);
    const removed = await remove();
    expect([removed.code, removed.stderr]).toEqual([0, '']);
    expect((await list()).map((e) => e.rule)).toEqual(['iam-user-console-mfa']);
    const again = await remove();
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /^mfa-config-rules: (InvalidInputError: )?no exemption for user AIDA\w+ in account/,
    );
  });

  it('list --expiring-within 14 shows only the active ones ending within 14 days', async () => {
    await putRegistryEntries(endpoint(), [
      { accountId: TEST_ACCOUNT_ID, userId: bob.userId, rule: '*', until: inDays(5), reason: 'a' },
      {
        accountId: OTHER_ACCOUNT,
        userId: 'AIDAAAAAAAAAAAAAAAAAB',
        rule: 'iam-user-mfa',
        until: inDays(30),
        reason: 'b',
      },
      {
        accountId: OTHER_ACCOUNT,
        userId: 'AIDAAAAAAAAAAAAAAAAAC',
        rule: 'iam-user-mfa',
        until: inDays(-2),
        reason: 'c',
      },
    ]);
    const soon = await list('--expiring-within', '14');
    expect(soon.map((e) => [e.accountId, e.until, e.reason])).toEqual([
      [TEST_ACCOUNT_ID, inDays(5), 'a'],
    ]);
    expect((await list()).map((e) => e.status)).toEqual(['expired', 'active', 'active']);
    expect((await list('--account', OTHER_ACCOUNT)).map((e) => e.reason)).toEqual(['c', 'b']);
  });

  const base = () => [
    'exemptions',
    'add',
    ...aws(),
    '--account',
    TEST_ACCOUNT_ID,
    '--rule',
    'iam-user-mfa',
    '--reason',
    'why',
  ];
  const withId = () => ['--user-id', bob.userId];

  it.each<[string, () => string[], RegExp]>([
    ['a past date', () => [...withId(), '--until', inDays(-1)], /--until \S+ is in the past/],
    [
      'a date 366 days ahead',
      () => [...withId(), '--until', inDays(366)],
      /is 366 days ahead, more than the 365 allowed/,
    ],
    [
      'a date beyond --max-days',
      () => [...withId(), '--until', inDays(31), '--max-days', '30'],
      /more than the 30 allowed/,
    ],
    [
      'a day that is not in the calendar',
      () => [...withId(), '--until', '2027-02-30'],
      /--until '2027-02-30' is not a calendar day/,
    ],
    [
      'an empty reason',
      () => [...withId(), '--until', inDays(3), '--reason', '  '],
      /--reason is required and may not be empty/,
    ],
    [
      'an unknown rule',
      () => [...withId(), '--until', inDays(3), '--rule', 'iam-user-mfaa'],
      /--rule: unknown rule 'iam-user-mfaa'/,
    ],
    [
      'a root rule',
      () => [...withId(), '--until', inDays(3), '--rule', 'root-account-mfa'],
      /root-account-mfa evaluates the account's root user, which no exemption covers/,
    ],
    [
      'a malformed account',
      () => [...withId(), '--until', inDays(3), '--account', '12345'],
      /--account '12345' is not a 12-digit AWS account id/,
    ],
    [
      'a name given as an id',
      () => ['--user-id', 'bob', '--until', inDays(3)],
      /--user-id 'bob' is not an IAM user id .*give --user NAME/,
    ],
    [
      'a name that cannot be resolved (another account, no aggregator)',
      () => ['--user', 'bob', '--until', inDays(3), '--account', OTHER_ACCOUNT],
      /cannot resolve user 'bob': the credentials belong to account 123456789012, not 210987654321; give --aggregator NAME or --user-id/,
    ],
    [
      'a name IAM does not know',
      () => ['--user', 'nobody', '--until', inDays(3)],
      /no IAM user 'nobody' in account 123456789012/,
    ],
    [
      'an id and a name together',
      () => [...withId(), '--user', 'bob', '--until', inDays(3)],
      /give --user-id or --user, not both/,
    ],
  ])(
    'refuses %s with one line, exit 2, nothing written',
    async (_name, args, message) => {
      // The last --account / --rule / --reason given wins (commander), so each case overrides base.
      const out = await runCli([...base(), ...args()]);
      expect(out.code).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(out.stderr).toMatch(message);
      expect(await entries()).toEqual([]);
    },
    30_000,
  );
});
