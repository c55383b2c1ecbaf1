/**
 * Runs one approach once against an endpoint and prints one JSON line:
 *   {"ms": …, "calls": {"ListUsers": …}, "peakRssMb": …, "nonCompliant": …}
 *
 * Usage: node --import tsx bench/worker.ts <approach> <endpoint>
 *   handler            the rule's Lambda handler in-process (BENCH_RULE, default iam-user-console-mfa)
 *   per-user           the seed's per-user loop (console rule)
 *   floor              the console rule's floor
 *   floor-user-mfa     iam-user-mfa's floor, exemption tags read per user (ListUserTags)
 *   floor-user-mfa-bulk-tags  the same, tags read in bulk (GetAccountAuthorizationDetails)
 * Each run is its own process, so peak RSS belongs to that approach alone.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListMFADevicesCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { functionSizing } from '../infra/settings';
import { findRule } from '../rules/catalog';
import { ClientProvider } from '../rules/runtime/clients';
import { getCredentialReportCommand } from '../rules/runtime/facts/report-download';
import { DEFAULT_CONCURRENCY } from '../rules/runtime/facts/users';
import { createHandler } from '../rules/runtime/handler';
import { mapPool } from '../rules/runtime/pool';
import { lambdaContext, REGION, RULE, periodicTestEvent, type WorkerResult } from './events';

export type Approach =
  'handler' | 'per-user' | 'floor' | 'floor-user-mfa' | 'floor-user-mfa-bulk-tags';

/** The exemption tag every user rule reads by default. */
const EXEMPTION_TAG = 'mfa-exemption';

const calls: Record<string, number> = {};

/**
 * Counts every command any IAM, Config or STS client of this process sends, by operation: a
 * middleware (initialize step, so once per command, not per retry) is added to each client the
 * first time it sends; the clients the rule's runtime creates are reached through the prototypes.
 */
function countCalls(): void {
  const counted = new WeakSet<object>();
  const counter: InitializeMiddleware<object, MetadataBearer> = (next, context) => (args) => {
    const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
    calls[name] = (calls[name] ?? 0) + 1;
    return next(args);
  };
  for (const client of [IAMClient, ConfigServiceClient, STSClient]) {
    const proto = client.prototype as unknown as {
      send: (this: Counted, ...args: unknown[]) => unknown;
    };
    const original = proto.send;
    proto.send = function (this: Counted, ...args: unknown[]): unknown {
      if (!counted.has(this)) {
        this.middlewareStack.add(counter, { step: 'initialize', name: 'benchCallCounter' });
        counted.add(this);
      }
      return original.apply(this, args);
    };
  }
}

interface Counted {
  middlewareStack: {
    add(middleware: InitializeMiddleware<object, MetadataBearer>, options: object): void;
  };
}

async function runHandler(endpoint: string): Promise<number> {
  const name = process.env.BENCH_RULE ?? RULE;
  const rule = findRule(name);
  if (!rule) throw new Error(`${name} is not in the catalog`);
  const handler = createHandler(rule, {
    clients: new ClientProvider({ endpoint, region: REGION }),
  });
  const summary = await handler(
    periodicTestEvent(name),
    lambdaContext(functionSizing(name).timeoutSeconds, name),
  );
  return summary.counts.NON_COMPLIANT;
}

function iamClient(endpoint: string): IAMClient {
  return new IAMClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

async function listUsers(iam: IAMClient, maxItems?: number): Promise<{ name: string }[]> {
  const users: { name: string }[] = [];
  let marker: string | undefined;
  do {
    const out = await iam.send(
      new ListUsersCommand({
        ...(maxItems ? { MaxItems: maxItems } : {}),
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    for (const user of out.Users ?? []) users.push({ name: user.UserName ?? '' });
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return users;
}

/** What the seed CLI loop does: list every user, then two calls per user, one after another. */
async function runPerUser(endpoint: string): Promise<number> {
  const iam = iamClient(endpoint);
  const users = await listUsers(iam);
  let nonCompliant = 0;
  for (const user of users) {
    let password = true;
    try {
      await iam.send(new GetLoginProfileCommand({ UserName: user.name }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchEntityException') throw error;
      password = false;
    }
    const mfa = await iam.send(new ListMFADevicesCommand({ UserName: user.name }));
    if (password && (mfa.MFADevices ?? []).length === 0) nonCompliant += 1;
  }
  return nonCompliant;
}

/** Minimal CSV split (the credential report has no quoted commas in the columns used). */
function reportRows(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trim().split('\n');
  const columns = (header ?? '').split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? '']));
  });
}

/** The three bulk reads every user rule starts from: users, credential report, virtual devices. */
async function bulkReads(iam: IAMClient) {
  return Promise.all([
    listUsers(iam, 1000),
    (async () => {
      for (;;) {
        const generated = await iam.send(new GenerateCredentialReportCommand({}));
        if (generated.State === 'COMPLETE') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // The rule's own download path (Content as CDATA), so the floor pays no more for it.
      const out = await iam.send(getCredentialReportCommand());
      return reportRows(new TextDecoder().decode(out.Content));
    })(),
    (async () => {
      const assigned = new Set<string>();
      let marker: string | undefined;
      do {
        const out = await iam.send(
          new ListVirtualMFADevicesCommand({
            AssignmentStatus: 'Assigned',
            MaxItems: 1000,
            ...(marker ? { Marker: marker } : {}),
          }),
        );
        for (const device of out.VirtualMFADevices ?? []) {
          if (device.User?.Arn) assigned.add(device.User.Arn);
        }
        marker = out.IsTruncated ? out.Marker : undefined;
      } while (marker);
      return assigned;
    })(),
  ]);
}

/** Whether the user holds the exemption tag (one ListUserTags page holds every tag a user has). */
async function exemptionTagOf(iam: IAMClient, userName: string): Promise<string | undefined> {
  const out = await iam.send(new ListUserTagsCommand({ UserName: userName, MaxItems: 100 }));
  return out.Tags?.find((tag) => tag.Key === EXEMPTION_TAG)?.Value;
}

/**
 * The floor: bulk reads only, plus GetLoginProfile + ListMFADevices per user the report flags,
 * ListMFADevices per console user the report shows with MFA that no virtual device assigned now
 * explains (a hardware/FIDO device, or a virtual one removed since: issue 22; one found without a
 * device is then checked like a flagged user), and ListUserTags (the exemption tag) per user still
 * without MFA.
 */
async function runFloor(endpoint: string): Promise<number> {
  const iam = iamClient(endpoint);
  const [, report, virtual] = await bulkReads(iam);
  const rows = report.filter(
    (row) => row.user !== '<root_account>' && row.password_enabled === 'true',
  );
  const flagged = rows.filter((row) => row.mfa_active === 'false' && !virtual.has(row.arn ?? ''));
  const unconfirmed = rows.filter(
    (row) => row.mfa_active === 'true' && !virtual.has(row.arn ?? ''),
  );
  // Both facts of a flagged user, live: the password first, then the MFA devices (which also
  // proves the user still exists when there is no password).
  const check = async (row: (typeof rows)[number]): Promise<boolean> => {
    let password = true;
    try {
      await iam.send(new GetLoginProfileCommand({ UserName: row.user }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchEntityException') throw error;
      password = false;
    }
    const out = await iam.send(new ListMFADevicesCommand({ UserName: row.user }));
    if (!password || (out.MFADevices ?? []).length > 0) return false;
    return (await exemptionTagOf(iam, row.user ?? '')) === undefined;
  };
  const jobs = [
    ...flagged.map((row) => ({ row, confirm: false })),
    ...unconfirmed.map((row) => ({ row, confirm: true })),
  ];
  const confirmed = await mapPool(jobs, DEFAULT_CONCURRENCY, async ({ row, confirm }) => {
    if (!confirm) return check(row);
    const out = await iam.send(new ListMFADevicesCommand({ UserName: row.user }));
    return (out.MFADevices ?? []).length > 0 ? false : check(row);
  });
  return confirmed.filter(Boolean).length;
}

/**
 * iam-user-mfa's floor: the bulk reads, ListMFADevices per user the report shows without MFA (and
 * no virtual device clears), then the exemption tag of each user still without MFA: per user
 * (ListUserTags), or in bulk (GetAccountAuthorizationDetails, Filter User, whose user entries
 * carry their tags).
 */
async function runUserMfaFloor(endpoint: string, bulkTags: boolean): Promise<number> {
  const iam = iamClient(endpoint);
  const [, report, virtual] = await bulkReads(iam);
  // Every user the report shows without MFA that no virtual device clears, and every user it shows
  // with MFA that no virtual device explains (issue 22): ListMFADevices each.
  const flagged = report.filter(
    (row) => row.user !== '<root_account>' && !virtual.has(row.arn ?? ''),
  );
  const withoutMfa = (
    await mapPool(flagged, DEFAULT_CONCURRENCY, async (row) => {
      const out = await iam.send(new ListMFADevicesCommand({ UserName: row.user }));
      return (out.MFADevices ?? []).length === 0 ? (row.user ?? '') : undefined;
    })
  ).filter((name): name is string => name !== undefined);
  if (!bulkTags) {
    const tags = await mapPool(withoutMfa, DEFAULT_CONCURRENCY, (name) =>
      exemptionTagOf(iam, name),
    );
    return tags.filter((value) => value === undefined).length;
  }
  const exempt = new Set<string>();
  let marker: string | undefined;
  do {
    const out = await iam.send(
      new GetAccountAuthorizationDetailsCommand({
        Filter: ['User'],
        MaxItems: 1000,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    for (const user of out.UserDetailList ?? []) {
      if (user.UserName && user.Tags?.some((tag) => tag.Key === EXEMPTION_TAG)) {
        exempt.add(user.UserName);
      }
    }
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return withoutMfa.filter((name) => !exempt.has(name)).length;
}

async function main(): Promise<void> {
  const [approach, endpoint] = process.argv.slice(2) as [Approach | undefined, string | undefined];
  if (!endpoint) throw new Error('usage: worker.ts <handler|per-user|floor> <endpoint>');
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  process.env.AWS_REGION ??= REGION;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  countCalls();
  const run = {
    handler: runHandler,
    'per-user': runPerUser,
    floor: runFloor,
    'floor-user-mfa': (at: string) => runUserMfaFloor(at, false),
    'floor-user-mfa-bulk-tags': (at: string) => runUserMfaFloor(at, true),
  }[approach ?? 'handler'];
  const started = performance.now();
  const nonCompliant = await run(endpoint);
  const ms = performance.now() - started;
  const result: WorkerResult = {
    ms,
    calls,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    nonCompliant,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
