/** Rule parameters: the runtime's own (`ExecutionRoleName`) plus each rule's, nothing else. */
import * as z from 'zod/mini';
import { InvalidInputError } from './errors';
import { formatIssues } from './event';
import type { AnyRule } from './types';

/** IAM role names: 1–64 of `A-Za-z0-9+=,.@_-`. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export const runtimeParameters = {
  /** Role assumed in the evaluated account (organization deployments). Empty string = none. */
  ExecutionRoleName: z.optional(
    z
      .string()
      .check(
        z.refine((value) => value === '' || ROLE_NAME.test(value), 'not a valid IAM role name'),
      ),
  ),
};

export interface RuntimeParams {
  ExecutionRoleName?: string | undefined;
}

export function parseParameters(
  rule: AnyRule,
  raw: Record<string, unknown>,
): RuntimeParams & Record<string, unknown> {
  const shape: z.core.$ZodShape = {
    ...(rule.parameters as z.core.$ZodShape),
    ...runtimeParameters,
  };
  const schema = z.strictObject(shape);
  const result = schema.safeParse(raw);
  if (!result.success) {
    const accepted = Object.keys(shape).join(', ');
    throw new InvalidInputError(
      `invalid rule parameters for ${rule.metadata.name}: ${formatIssues(result.error)} (accepted: ${accepted})`,
    );
  }
  const params: RuntimeParams & Record<string, unknown> = { ...result.data };
  if (params.ExecutionRoleName === '') params.ExecutionRoleName = undefined;
  return params;
}
