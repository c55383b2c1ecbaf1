/** `invoke`: a rule's Lambda handler in-process on a Config event, PutEvaluations included. */
import { readFile } from 'node:fs/promises';
import { findRule, RULE_NAMES } from '../rules/catalog';
import { describeError, InvalidInputError } from '../rules/runtime/errors';
import { createHandler } from '../rules/runtime/handler';
import { logger } from '../rules/runtime/logger';
import type { Evaluation } from '../rules/runtime/types';
import { clientProvider } from './aws';
import { EXIT, type Io } from './context';
import { parseJsonObject } from './evaluate';
import type { InvokeOptions } from './options';

export async function runInvoke(options: InvokeOptions, io: Io): Promise<number> {
  logger.setLogLevel('SILENT');
  const rule = findRule(options.rule);
  if (!rule) {
    throw new InvalidInputError(`unknown rule '${options.rule}' (rules: ${RULE_NAMES.join(', ')})`);
  }
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
  const handler = createHandler(rule, {
    clients: clientProvider(options),
    onEvaluations: (all) => (verdicts = all),
  });
  const deadline = Date.now() + timeoutMs;
  const summary = await handler(event, { getRemainingTimeInMillis: () => deadline - Date.now() });
  io.stdout(`${JSON.stringify({ ...summary, verdicts }, null, 2)}\n`);
  return EXIT.OK;
}
