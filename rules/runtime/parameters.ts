/** Rule parameters: the runtime's own (`ExecutionRoleName`) plus each rule's, nothing else. */
import * as z from 'zod';
import { InvalidInputError } from './errors';
import { formatIssues } from './event';
import type { AnyRule } from './types';

/** IAM role names: 1–64 of `A-Za-z0-9+=,.@_-`. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export const runtimeParameters = {
  /** Role assumed in the evaluated account (organization deployments). Empty string = none. */
  ExecutionRoleName: z
    .string()
    .refine((value) => value === '' || ROLE_NAME.test(value), 'not a valid IAM role name')
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
};

export interface RuntimeParams {
  ExecutionRoleName?: string | undefined;
}

export function parseParameters(
  rule: AnyRule,
  raw: Record<string, unknown>,
): RuntimeParams & Record<string, unknown> {
  const schema = z.object({ ...rule.parameters, ...runtimeParameters }).strict();
  const result = schema.safeParse(raw);
  if (!result.success) {
    const accepted = Object.keys({ ...rule.parameters, ...runtimeParameters }).join(', ');
    throw new InvalidInputError(
      `invalid rule parameters for ${rule.metadata.name}: ${formatIssues(result.error)} (accepted: ${accepted})`,
    );
  }
  return result.data;
}
