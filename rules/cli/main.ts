/**
 * mfa-config-rules: the pack's rules from a laptop or a pipeline, with the same gather/evaluate
 * code as the Lambda functions and the default AWS credential chain.
 *
 * Exit codes: 0 = ran, nothing NON_COMPLIANT; 1 = ran, something NON_COMPLIANT (a pipeline gate);
 * 2 = usage error or failure, with one line on stderr.
 */
import { readFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { findRule, RULE_NAMES, RULES } from '../catalog';
import { clampAnnotation } from '../runtime/annotation';
import { describeError, InvalidInputError } from '../runtime/errors';
import type * as Handler from '../runtime/handler';
import type * as Logger from '../runtime/logger';
import type * as Parameters from '../runtime/parameters';
import type { AnyRule, Evaluation } from '../runtime/types';
import { FORMATTERS, OUTPUT_FORMATS, type OutputFormat, type Row } from './format';
import { clientProvider, type AwsOptions } from './aws';
import { defineReportCommand } from './report';
import { defineDoctorCommand } from './doctor';
import { formatRules, RULES_OUTPUT_FORMATS, type RulesOutputFormat } from './rules-output';
import { packageVersion } from './version';

export const EXIT = { OK: 0, NON_COMPLIANT: 1, ERROR: 2 } as const;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
}

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/**
 * The runtime the commands that call AWS need (the handler, its zod schemas, the Powertools
 * logger), loaded on first use: `rules`, `--version` and the usage start without it.
 */
function runtime() {
  /* eslint-disable @typescript-eslint/no-require-imports -- deliberately lazy */
  const loaded = {
    ...(require('../runtime/handler') as typeof Handler),
    ...(require('../runtime/logger') as typeof Logger),
    ...(require('../runtime/parameters') as typeof Parameters),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  loaded.logger.setLogLevel('SILENT');
  return loaded;
}

function ruleByName(name: string): AnyRule {
  const rule = findRule(name);
  if (!rule)
    throw new InvalidInputError(`unknown rule '${name}' (rules: ${RULE_NAMES.join(', ')})`);
  return rule;
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${what} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

async function evaluate(
  options: AwsOptions & {
    rule?: string[];
    parameters?: string;
    output: OutputFormat;
    accountId?: string;
  },
  io: Io,
): Promise<number> {
  const rules = options.rule?.length ? [...new Set(options.rule)].map(ruleByName) : [...RULES];
  const raw = options.parameters ? parseJsonObject(options.parameters, '--parameters') : {};
  const { evaluateRule, parseParameters } = runtime();
  const params = rules.map((rule) => parseParameters(rule, parametersFor(rule, rules, raw)));
  const clients = clientProvider(options);
  const access = await clients.forAccount(options.accountId, params[0]?.ExecutionRoleName, {
    rules: rules.map((rule) => rule.metadata),
  });
  const rows: Row[] = [];
  for (const [index, rule] of rules.entries()) {
    const evaluations = await evaluateRule(
      rule,
      access,
      params[index] ?? {},
      { kind: 'all' },
      {
        remainingMs: () => Number.POSITIVE_INFINITY,
      },
    );
    for (const evaluation of evaluations) {
      rows.push({
        rule: rule.metadata.name,
        ...evaluation,
        annotation: clampAnnotation(evaluation.annotation),
      });
    }
  }
  io.stdout(FORMATTERS[options.output]({ accountId: access.identity.accountId, rows }));
  return rows.some((row) => row.compliance === 'NON_COMPLIANT') ? EXIT.NON_COMPLIANT : EXIT.OK;
}

/**
 * The `--parameters` one rule gets. With one rule, all of them (an unknown key is that rule's
 * error). With several, each rule gets the keys it takes (and `ExecutionRoleName`, which all take),
 * so `{"GracePeriodDays":"7"}` reaches the console rule while the root rules run as usual; a key no
 * selected rule takes is refused.
 */
function parametersFor(
  rule: AnyRule,
  rules: readonly AnyRule[],
  raw: Record<string, unknown>,
): Record<string, unknown> {
  if (rules.length === 1) return raw;
  const takes = (candidate: AnyRule, key: string) =>
    key === 'ExecutionRoleName' || candidate.metadata.parameters.some((p) => p.name === key);
  const unknown = Object.keys(raw).filter((key) => !rules.some((r) => takes(r, key)));
  if (unknown.length > 0) {
    const known = rules
      .filter((r) => r.metadata.parameters.length > 0)
      .map((r) => `${r.metadata.parameters.map((p) => p.name).join(', ')} (${r.metadata.name})`)
      .join('; ');
    throw new InvalidInputError(
      `--parameters: no selected rule takes ${unknown.map((key) => `'${key}'`).join(', ')} (every rule takes ExecutionRoleName; ${known || 'no rule takes more'})`,
    );
  }
  return Object.fromEntries(Object.entries(raw).filter(([key]) => takes(rule, key)));
}

async function invoke(
  options: AwsOptions & { rule: string; event: string; timeout: string },
  io: Io,
): Promise<number> {
  const rule = ruleByName(options.rule);
  const timeoutMs = Number(options.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidInputError(`--timeout must be a positive number of seconds`);
  }
  let text: string;
  try {
    text = options.event === '-' ? await io.readStdin() : await readFile(options.event, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read --event ${options.event}: ${describeError(error)}`);
  }
  const event = parseJsonObject(text, `--event ${options.event}`);
  // The handler returns counts only; the verdicts come from this process's own side.
  let verdicts: readonly Evaluation[] = [];
  const handler = runtime().createHandler(rule, {
    clients: clientProvider(options),
    onEvaluations: (all) => (verdicts = all),
  });
  const deadline = Date.now() + timeoutMs;
  const summary = await handler(event, { getRemainingTimeInMillis: () => deadline - Date.now() });
  io.stdout(`${JSON.stringify({ ...summary, verdicts }, null, 2)}\n`);
  return EXIT.OK;
}

function program(io: Io, run: (code: Promise<number>) => void): Command {
  const cmd = new Command('mfa-config-rules')
    .description('AWS Config rules for the CIS AWS Foundations MFA controls, run locally.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: () => undefined })
    .showSuggestionAfterError(false);
  const aws = (c: Command) =>
    c
      .option(
        '--endpoint-url <url>',
        'send every AWS call (IAM, STS, Config) to this endpoint, e.g. a local emulator',
      )
      .option('--region <region>', 'AWS Region for STS and Config (IAM is global)');

  aws(
    cmd
      .command('evaluate')
      .description('evaluate the account read-only (nothing is sent to AWS Config)')
      .exitOverride()
      .option(
        '--rule <name>',
        `a rule to run, repeatable (default: all of ${RULE_NAMES.join(', ')})`,
        collect,
      )
      .option(
        '--parameters <json>',
        'rule parameters as a JSON object, e.g. {"GracePeriodDays":"7"}; with several rules, each gets the keys it takes',
      )
      .option('--account-id <id>', 'with ExecutionRoleName: the account whose role to assume')
      .addOption(
        new Option('--output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'),
      ),
  ).action((options: Parameters<typeof evaluate>[0]) => {
    run(evaluate(options, io));
  });

  aws(
    cmd
      .command('invoke')
      .description(
        "run a rule's Lambda handler in-process on an AWS Config event (PutEvaluations included)",
      )
      .exitOverride()
      .requiredOption('--rule <name>', `the rule (${RULE_NAMES.join(', ')})`)
      .requiredOption('--event <file>', 'the Config event as JSON: a file, or - for standard input')
      .option(
        '--timeout <seconds>',
        'the deadline the handler sees, as Lambda would give it',
        '900',
      ),
  ).action((options: Parameters<typeof invoke>[0]) => {
    run(invoke(options, io));
  });

  defineReportCommand(cmd.command('report'), io, run);
  defineDoctorCommand(cmd.command('doctor'), io, run);

  cmd
    .command('rules')
    .description('list the rules with their CIS (every version) and Security Hub controls')
    .exitOverride()
    .addOption(
      new Option('--output <format>', 'output format')
        .choices(RULES_OUTPUT_FORMATS)
        .default('table'),
    )
    .action((options: { output: RulesOutputFormat }) => {
      io.stdout(formatRules(options.output));
      run(Promise.resolve(EXIT.OK));
    });
  return cmd;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** One line for stderr, with a hint where the cause has a known fix. */
function failureLine(error: unknown): string {
  const message = describeError(error);
  if (/region is missing/i.test(message)) {
    return 'no AWS Region: pass --region REGION or set AWS_REGION (IAM is global; STS and Config are regional)';
  }
  return message;
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let pending: Promise<number> | undefined;
  try {
    const cli = program(io, (code) => {
      pending = code;
    });
    if (argv.length === 0) {
      io.stderr(cli.helpInformation());
      return EXIT.ERROR;
    }
    await cli.parseAsync([...argv], { from: 'user' });
    if (!pending) return EXIT.OK;
    return await pending;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.OK;
      io.stderr(
        `mfa-config-rules: ${error.message
          .replace(/^error: /, '')
          .replace(/\s*\n\s*/g, ' ')
          .trim()}\n`,
      );
      return EXIT.ERROR;
    }
    io.stderr(`mfa-config-rules: ${failureLine(error)}\n`);
    return EXIT.ERROR;
  }
}
