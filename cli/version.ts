/** The package's version, read from its package.json (the same code runs from dist/ and from source). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'mfa-config-rules';

/** Set by the CLI's bundle (scripts/build.ts): the version of the package it was built from. */
declare const CLI_BUNDLE_VERSION: string | undefined;

export function packageVersion(from: string = __dirname): string {
  if (typeof CLI_BUNDLE_VERSION === 'string') return CLI_BUNDLE_VERSION;
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no (readable) package.json here: look further up
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
