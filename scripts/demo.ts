/**
 * `npm run demo`: the whole pack against a local moto server, no AWS account needed.
 * Seeds a sample account, runs every rule through its real Lambda handler (PutEvaluations
 * included), prints what AWS Config recorded, then shows that fixes and deletions show up on the
 * next run even though the IAM credential report is a snapshot.
 * Exit codes: 0 = demo ran; 2 = failure (one line on stderr).
 */
import {
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  EnableMFADeviceCommand,
  IAMClient,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import { RULES } from '../rules/catalog';
import { formatCounts, formatTable } from '../cli/format';
import { sortReportRows, storedRow, type ReportRow } from '../cli/report-model';
import { silenceNodeVersionWarning } from '../cli/process';
import { ClientProvider } from '../rules/runtime/clients';
import { describeError } from '../rules/runtime/errors';
import { createHandler, type InvocationSummary } from '../rules/runtime/handler';
import { logger } from '../rules/runtime/logger';
import type { AnyRule } from '../rules/runtime/types';
import { scheduledEvent } from '../test/support/events';
import { storedEvaluations } from '../test/support/stored';
import {
  motoClientConfig,
  startMoto,
  TEST_ACCOUNT_ID,
  type MotoServer,
} from '../test/support/moto';
import { DEMO_ACCOUNT, describeScenario, seedScenario } from '../test/support/scenarios';

const USER_RULE = 'iam-user-console-mfa';

function heading(text: string): void {
  process.stdout.write(`\n== ${text}\n\n`);
}

class Demo {
  /** Resource id → name, from the handler summaries (Config records ids only). */
  private readonly names = new Map<string, string>();
  private readonly clients: ClientProvider;

  constructor(private readonly endpoint: string) {
    this.clients = new ClientProvider({ endpoint, region: 'us-east-1' });
  }

  async run(rule: AnyRule): Promise<InvocationSummary> {
    // The handler returns counts only; the demo keeps the names it saw from its own side.
    const handler = createHandler(rule, {
      clients: this.clients,
      tuning: { pollIntervalMs: 50 },
      onEvaluations: (evaluations) => {
        for (const result of evaluations) {
          // A cleared (vanished) resource comes back named by its id: keep the name seen earlier.
          if (result.resourceName !== result.resourceId || !this.names.has(result.resourceId)) {
            this.names.set(result.resourceId, result.resourceName);
          }
        }
      },
    });
    const summary = await handler(scheduledEvent(rule.metadata.name));
    return summary;
  }

  async rows(rules: readonly AnyRule[]): Promise<ReportRow[]> {
    const rows: ReportRow[] = [];
    for (const rule of rules) {
      for (const stored of await storedEvaluations(this.endpoint, rule.metadata.name)) {
        rows.push(
          storedRow({
            accountId: TEST_ACCOUNT_ID,
            region: 'us-east-1',
            rule: rule.metadata.name,
            resourceType: stored.resourceType,
            resourceId: stored.resourceId,
            resourceName: this.names.get(stored.resourceId) ?? stored.resourceId,
            compliance: stored.compliance,
            annotation: stored.annotation ?? '',
            recordedAt: '',
          }),
        );
      }
    }
    return sortReportRows(rows);
  }

  print(rows: ReportRow[]): void {
    process.stdout.write(`${formatCounts(rows)}\n${formatTable(rows)}\n`);
  }
}

async function demo(moto: MotoServer): Promise<void> {
  const iam = new IAMClient(motoClientConfig(moto.endpoint));
  try {
    heading(`Seeding account ${TEST_ACCOUNT_ID} in a local moto server`);
    await seedScenario(moto.endpoint, DEMO_ACCOUNT);
    process.stdout.write(describeScenario(DEMO_ACCOUNT) + '\n');

    heading('Running every rule through its Lambda handler (scheduled notification)');
    const app = new Demo(moto.endpoint);
    for (const rule of RULES) {
      const summary = await app.run(rule);
      process.stdout.write(
        `${rule.metadata.name}: ${String(summary.evaluations)} evaluation(s) sent in ${String(summary.putEvaluationsCalls)} PutEvaluations call(s)\n`,
      );
    }

    heading('What AWS Config recorded (GetComplianceDetailsByConfigRule)');
    app.print(await app.rows(RULES));

    const userRule = RULES.filter((rule) => rule.metadata.name === USER_RULE);
    heading('bob enables a hardware MFA key; rerun iam-user-console-mfa');
    await iam.send(
      new EnableMFADeviceCommand({
        UserName: 'bob',
        SerialNumber: 'GAHT00004242',
        AuthenticationCode1: '123456',
        AuthenticationCode2: '654321',
      }),
    );
    for (const rule of userRule) await app.run(rule);
    app.print(await app.rows(userRule));
    process.stdout.write(
      'bob is COMPLIANT at once, though the credential report still predates the fix: the rule re-checks flagged users live.\n',
    );

    const everyUserRule = RULES.filter((rule) => rule.metadata.name === 'iam-user-mfa');
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    heading(`deploy-bot (API only, no MFA) is exempted until ${until}; rerun iam-user-mfa`);
    await iam.send(
      new TagUserCommand({
        UserName: 'deploy-bot',
        Tags: [{ Key: 'mfa-exemption', Value: `${until} moving to an IAM role by then` }],
      }),
    );
    for (const rule of everyUserRule) await app.run(rule);
    app.print(await app.rows(everyUserRule));
    process.stdout.write(
      'deploy-bot is NOT_APPLICABLE until the end of that day (UTC), then NON_COMPLIANT again with "exemption expired on …": nobody has to remember to revoke it.\n',
    );

    heading('dave is deleted; rerun iam-user-console-mfa');
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'dave' }));
    await iam.send(new DeleteUserCommand({ UserName: 'dave' }));
    for (const rule of userRule) await app.run(rule);
    app.print(await app.rows(userRule));
    process.stdout.write(
      "dave's earlier NON_COMPLIANT verdict is replaced by NOT_APPLICABLE, so it no longer counts against the account.\n",
    );
  } finally {
    iam.destroy();
  }
}

async function main(): Promise<number> {
  logger.setLogLevel('SILENT');
  // On Node.js < 22 the AWS SDK prints a 7-line NodeVersionSupportWarning; the CLI filters it too.
  silenceNodeVersionWarning();
  // The handlers use the SDK's default credential chain: give it moto's dummy credentials, never
  // whatever real ones the shell may hold.
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_REGION = 'us-east-1';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  let moto: MotoServer | undefined;
  try {
    moto = await startMoto({ env: { MOTO_EXT_REPORT_DELAY_MS: '100' } });
    await demo(moto);
    return 0;
  } catch (error) {
    process.stderr.write(`demo failed: ${describeError(error).split('\n')[0] ?? ''}\n`);
    return 2;
  } finally {
    await moto?.stop();
  }
}

void main().then((code) => {
  process.exit(code);
});
