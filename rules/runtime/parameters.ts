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

/** IAM tag keys: 1–128 of letters, digits, spaces and `_.:/=+-@` (empty here: the feature is off). */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,128}$/u;

// The shapes rules build their parameters from. Config passes every value as a string; absent,
// the documented default applies (test/unit/catalog.test.ts checks the two agree).

/** A whole number written in digits, from `min` to `max`, parsed to a number. */
export function wholeNumber(name: string, min: number, max: number, fallback: number) {
  return z._default(
    z.pipe(
      z
        .string()
        .check(
          z.refine(
            (value) => /^\s*\d{1,6}\s*$/.test(value) && +value >= min && +value <= max,
            `${name} must be a whole number from ${min} to ${max}`,
          ),
        ),
      z.transform((value: string) => Number(value.trim())),
    ),
    fallback,
  );
}

/** An IAM tag key, or empty to turn the feature it names off. */
export function tagKey(name: string, fallback: string) {
  return z._default(
    z
      .string()
      .check(
        z.refine(
          (value) => TAG_KEY.test(value),
          `${name} must be an IAM tag key (up to 128 letters, digits, spaces and _.:/=+-@) or empty`,
        ),
      ),
    fallback,
  );
}

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
