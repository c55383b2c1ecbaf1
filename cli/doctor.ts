/**
 * `mfa-config-rules doctor`: a read-only preflight of the account and Region it runs in, before
 * the first deployment (and after it, `--deployed`). One line per check, ✔ or ✘ (or ! for a
 * warning that does not fail), what was read and what to do. Exit 0 when every check passes, 1
 * when any fails, 2 on a usage error. The checks: cli/doctor-checks.ts.
 */
import type * as ConfigService from '@aws-sdk/client-config-service';
import type * as Iam from '@aws-sdk/client-iam';
import type * as Lambda from '@aws-sdk/client-lambda';
import type * as Organizations from '@aws-sdk/client-organizations';
import type * as SecurityHub from '@aws-sdk/client-securityhub';
import type * as Sts from '@aws-sdk/client-sts';
import { InvalidInputError } from '../rules/runtime/errors';
import type { RuleMetadata } from '../rules/runtime/types';
import type * as Checks from './doctor-checks';
import { RULE_METADATA } from './metadata';

/** The rules' names from the metadata (the command's definition loads no rule code). */
export const RULE_NAMES = RULE_METADATA.map((rule) => rule.name);

export interface DoctorCliOptions {
  organization?: boolean;
  deployed?: boolean;
  output: 'table' | 'json';
  region?: string;
  endpointUrl?: string;
  ruleDeployment: 'conformancePack' | 'configRules';
  reservedConcurrency?: string;
  expectedAccounts?: string;
  securityHubAutomation?: boolean;
  organizationId?: string;
  targetOus?: string;
  aggregator?: string;
  rule?: string[];
}

const MARK: Record<Checks.CheckStatus, string> = { pass: '✔', fail: '✘', warn: '!' };

/** The report as text: one line per check (the fix on the next line, indented). */
export function formatDoctor(
  results: readonly Checks.CheckResult[],
  where: { accountId: string; region: string },
): string {
  const lines = results.flatMap((r) => [
    `${MARK[r.status]} ${r.title}: ${r.read}`,
    ...(r.fix ? [`    fix: ${r.fix}`] : []),
  ]);
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  return [
    `mfa-config-rules doctor — account ${where.accountId}, Region ${where.region}`,
    ...lines,
    `${String(results.length)} checks: ${String(results.length - failed - warned)} passed, ${String(failed)} failed, ${String(warned)} warnings`,
    '',
  ].join('\n');
}

function wholeNumber(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min) {
    throw new InvalidInputError(
      `${flag} must be a whole number of at least ${String(min)}, not '${value}'`,
    );
  }
  return n;
}

/** Options → the checks' options; a usage error throws InvalidInputError (exit 2). */
export function doctorOptions(options: DoctorCliOptions): Checks.DoctorOptions {
  const organization = options.organization === true;
  for (const [flag, given] of [
    ['--expected-accounts', options.expectedAccounts],
    ['--organization-id', options.organizationId],
    ['--target-ous', options.targetOus],
    ['--aggregator', options.aggregator],
  ] as const) {
    if (given !== undefined && !organization) {
      throw new InvalidInputError(`${flag} needs --organization`);
    }
  }
  const reserved = wholeNumber(options.reservedConcurrency, '--reserved-concurrency', 1);
  const expected = wholeNumber(options.expectedAccounts, '--expected-accounts', 1);
  const targets = options.targetOus
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  for (const id of targets ?? []) {
    if (!/^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/.test(id)) {
      throw new InvalidInputError(`--target-ous: '${id}' is not an OU id (ou-…) or root id (r-…)`);
    }
  }
  if (options.organizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(options.organizationId)) {
    throw new InvalidInputError(
      `--organization-id: '${options.organizationId}' is not an AWS Organizations id (o-…)`,
    );
  }
  const rules: RuleMetadata[] = (options.rule ?? []).map((name) => {
    const rule = RULE_METADATA.find((m) => m.name === name);
    if (!rule)
      throw new InvalidInputError(`unknown rule '${name}' (rules: ${RULE_NAMES.join(', ')})`);
    return rule;
  });
  return {
    organization,
    deployed: options.deployed === true,
    ruleDeployment: options.ruleDeployment,
    securityHubAutomation: options.securityHubAutomation === true,
    ...(reserved !== undefined ? { reservedConcurrency: reserved } : {}),
    ...(expected !== undefined ? { expectedAccounts: expected } : {}),
    ...(options.organizationId ? { organizationId: options.organizationId } : {}),
    ...(targets?.length ? { targetOuIds: targets } : {}),
    ...(options.aggregator ? { aggregator: options.aggregator } : {}),
    ...(rules.length ? { rules } : {}),
  };
}

/** SDK clients from the default credential chain, each pointed at `--endpoint-url` if given. */
function doctorClients(options: DoctorCliOptions): {
  clients: Checks.DoctorClients;
  sts: Sts.STSClient;
} {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, as the CLI's other AWS commands */
  const config = require('@aws-sdk/client-config-service') as typeof ConfigService;
  const iam = require('@aws-sdk/client-iam') as typeof Iam;
  const lambda = require('@aws-sdk/client-lambda') as typeof Lambda;
  const organizations = require('@aws-sdk/client-organizations') as typeof Organizations;
  const securityHub = require('@aws-sdk/client-securityhub') as typeof SecurityHub;
  const sts = require('@aws-sdk/client-sts') as typeof Sts;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const base = (region = options.region) => ({
    ...(region ? { region } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    maxAttempts: 5,
  });
  const regional = new Map<string, ConfigService.ConfigServiceClient>();
  return {
    sts: new sts.STSClient(base()),
    clients: {
      config: new config.ConfigServiceClient(base()),
      configIn: (region) => {
        let client = regional.get(region);
        if (!client) {
          client = new config.ConfigServiceClient(base(region));
          regional.set(region, client);
        }
        return client;
      },
      iam: new iam.IAMClient(base()),
      lambda: new lambda.LambdaClient(base()),
      // Organizations is served from one Region per partition; the SDK picks its endpoint.
      organizations: new organizations.OrganizationsClient(base()),
      securityHub: new securityHub.SecurityHubClient(base()),
    },
  };
}

/** Runs the checks and writes the report; resolves to the exit code. */
export async function runDoctor(
  options: DoctorCliOptions,
  io: { stdout: (text: string) => void },
  make: (options: DoctorCliOptions) => {
    clients: Checks.DoctorClients;
    sts: Sts.STSClient;
  } = doctorClients,
): Promise<number> {
  const checkOptions = doctorOptions(options);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
  const checks = require('./doctor-checks') as typeof Checks;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
  const { GetCallerIdentityCommand } = require('@aws-sdk/client-sts') as typeof Sts;
  const { clients, sts } = make(options);
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  const accountId = identity.Account ?? '';
  const region = await clients.config.config.region();
  const results = await checks.runChecks({ accountId, region, clients, options: checkOptions });
  io.stdout(
    options.output === 'json'
      ? `${JSON.stringify({ accountId, region, ok: results.every((r) => r.status !== 'fail'), checks: results }, null, 2)}\n`
      : formatDoctor(results, { accountId, region }),
  );
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
