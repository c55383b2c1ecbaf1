/**
 * The catalog's metadata for the parts of the CLI that run no rule (`rules`, `--help`, usage
 * errors, the reports' labels). From source (and from dist/rules/) it is the catalog's; the CLI's
 * bundle (scripts/build.ts) defines `CLI_BUNDLE_RULE_METADATA` as the same metadata in JSON at
 * build time, esbuild drops the other branch, and those commands load neither the rules nor zod
 * nor the AWS SDK.
 */
import type * as Catalog from '../rules/catalog';
import type { RuleMetadata } from '../rules/runtime/types';

declare const CLI_BUNDLE_RULE_METADATA: string | undefined;

export const RULE_METADATA: readonly RuleMetadata[] =
  typeof CLI_BUNDLE_RULE_METADATA === 'string'
    ? (JSON.parse(CLI_BUNDLE_RULE_METADATA) as RuleMetadata[])
    : // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
      (require('../rules/catalog') as typeof Catalog).RULE_METADATA;
