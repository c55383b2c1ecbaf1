/**
 * What an account administrator might do to a user to slip past the user rules, against moto:
 * rename it (or re-use its name) after Config captured its item, re-create its console password
 * to renew a grace period, or spell the exemption tag in another case. Change events go through
 * the CLI's `invoke`, as Config would deliver them to the function.
 */
import {
  AttachUserPolicyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  IAMClient,
  TagUserCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { RULE_METADATA } from '../../rules/catalog';
import { logger } from '../../rules/runtime/logger';
import { runCli } from '../support/cli';
import { changeEvent } from '../support/events';
import { motoClientConfig, seedUsers, TEST_ACCOUNT_ID } from '../support/moto';
import { ADMINISTRATOR_ACCESS, HARDWARE_MOTO_ENV, setUserCreated } from '../support/moto-hardware';
import { motoHandler, nextTime, periodicEvent } from '../support/rule-runs';
import { storedEvaluations } from '../support/stored';
import { useMoto } from '../support/use-moto';

const USER_RULES = RULE_METADATA.filter((rule) => rule.resourceTypes.includes('AWS::IAM::User'));
const DAY_MS = 86_400_000;

interface Verdict {
  resourceId: string;
  resourceName: string;
  compliance: string;
  annotation: string;
}

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

describe('users are known by id, grace is for new users, tags match in any case', () => {
  const endpoint = useMoto({ env: { ...HARDWARE_MOTO_ENV, MOTO_EXT_REPORT_DELAY_MS: '50' } });
  let iam: IAMClient;

  beforeEach(() => {
    iam = new IAMClient(motoClientConfig(endpoint()));
  });

  afterEach(() => {
    iam.destroy();
  });

  /** A change event for (id, name as the item captured it), through `mfa-config-rules invoke`. */
  async function invoke(rule: string, userId: string, userName: string): Promise<Verdict[]> {
    const event = changeEvent(
      rule,
      { resourceId: userId, resourceName: userName, status: 'OK', captureTime: nextTime() },
      { resultToken: 'TESTMODE' },
    );
    const out = await runCli(
      [
        'invoke',
        '--rule',
        rule,
        '--event',
        '-',
        '--endpoint-url',
        endpoint(),
        '--region',
        'us-east-1',
      ],
      { stdin: JSON.stringify(event) },
    );
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    return (JSON.parse(out.stdout) as { verdicts: Verdict[] }).verdicts;
  }

  /** The verdict a periodic run gives each user id, by rule. */
  async function periodicVerdicts(rule: string): Promise<Map<string, string>> {
    await motoHandler(endpoint(), rule)(periodicEvent(rule));
    const stored = await storedEvaluations(endpoint(), rule);
    return new Map(stored.map((e) => [e.resourceId, e.compliance]));
  }

  it('a user renamed after its item was captured, its old name now someone else’s: every user rule gives the periodic verdict', async () => {
    // Prepare: alice (console password, AdministratorAccess, virtual MFA) is renamed, and a new
    // user takes the name alice (console password, no MFA, no privilege).
    const [alice] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'alice', consolePassword: true, mfa: 'virtual' },
    ]);
    if (!alice) throw new Error('not seeded');
    await iam.send(
      new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: ADMINISTRATOR_ACCESS }),
    );
    await iam.send(new UpdateUserCommand({ UserName: 'alice', NewUserName: 'alice-renamed' }));
    const [impostor] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'alice', consolePassword: true },
    ]);
    if (!impostor) throw new Error('not seeded');

    for (const rule of USER_RULES) {
      // Act
      const verdicts = await invoke(rule.name, alice.userId, 'alice');
      const periodic = await periodicVerdicts(rule.name);

      // Assess
      expect(verdicts.map((v) => [v.resourceId, v.resourceName, v.compliance])).toEqual([
        [alice.userId, 'alice-renamed', periodic.get(alice.userId)],
      ]);
      expect(periodic.get(alice.userId)).not.toBe('NOT_APPLICABLE');
    }
    // The renamed administrator holds a virtual device only: the hardware rule fails it.
    expect((await invoke('iam-user-hardware-mfa', alice.userId, 'alice'))[0]?.compliance).toBe(
      'NON_COMPLIANT',
    );
  });

  it('a user deleted and its name re-used: the old id is NOT_APPLICABLE, the new one gets its own verdict', async () => {
    // Prepare
    const [old] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'carol', consolePassword: true },
    ]);
    if (!old) throw new Error('not seeded');
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'carol' }));
    await iam.send(new DeleteUserCommand({ UserName: 'carol' }));
    const [renewed] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'carol', consolePassword: true },
    ]);
    if (!renewed) throw new Error('not seeded');

    for (const rule of ['iam-user-console-mfa', 'iam-user-mfa']) {
      // Act
      const [gone] = await invoke(rule, old.userId, 'carol');
      const [now] = await invoke(rule, renewed.userId, 'carol');

      // Assess
      expect(gone).toMatchObject({ resourceId: old.userId, compliance: 'NOT_APPLICABLE' });
      expect(gone?.annotation).toContain(`the name now belongs to user ${renewed.userId}`);
      expect(now).toMatchObject({ resourceId: renewed.userId, compliance: 'NON_COMPLIANT' });
    }
  });

  it('GracePeriodDays runs from the user’s creation: a re-created password renews nothing', async () => {
    // Prepare: veteran was created 400 days ago; its console password is deleted and re-created
    // today. newcomer was created today.
    await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'veteran', consolePassword: true },
      { name: 'newcomer', consolePassword: true },
    ]);
    await setUserCreated(endpoint(), 'veteran', new Date(Date.now() - 400 * DAY_MS));
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'veteran' }));
    await iam.send(
      new CreateLoginProfileCommand({ UserName: 'veteran', Password: 'N3w-Passw0rd!' }),
    );

    // Act
    const rule = 'iam-user-console-mfa';
    await motoHandler(
      endpoint(),
      rule,
    )(periodicEvent(rule, { parameters: { GracePeriodDays: '30' } }));
    const stored = await storedEvaluations(endpoint(), rule);

    // Assess
    const byName = (name: string) => stored.find((e) => e.annotation?.startsWith(`User ${name} `));
    expect(byName('veteran')?.compliance).toBe('NON_COMPLIANT');
    expect(byName('newcomer')?.compliance).toBe('NOT_APPLICABLE');
    expect(byName('newcomer')?.annotation).toMatch(
      /MFA due by \d{4}-\d\d-\d\d .*30-day grace for new users, from the user's creation on /,
    );
  });

  it('MFA-Exemption=<date> <reason> exempts like mfa-exemption, on every user rule', async () => {
    // Prepare
    await iam.send(new CreateUserCommand({ UserName: 'traveller' }));
    await iam.send(
      new CreateLoginProfileCommand({ UserName: 'traveller', Password: 'Passw0rd-1!' }),
    );
    const until = new Date(Date.now() + 10 * DAY_MS).toISOString().slice(0, 10);
    await iam.send(
      new TagUserCommand({
        UserName: 'traveller',
        Tags: [{ Key: 'MFA-Exemption', Value: `${until} key lost abroad, SEC-7` }],
      }),
    );

    for (const rule of ['iam-user-console-mfa', 'iam-user-mfa']) {
      // Act
      await motoHandler(endpoint(), rule)(periodicEvent(rule));
      const [stored] = await storedEvaluations(endpoint(), rule);

      // Assess
      expect(stored?.compliance).toBe('NOT_APPLICABLE');
      expect(stored?.annotation).toContain(`is exempt until ${until}`);
    }
  });
});
