#!/usr/bin/env node
// The command runs the CLI's bundle (dist/cli/, `npm run build`): no TypeScript loader and no
// module resolution at run time. See rules/cli/process.ts for how the exit code and the output are
// handled, and scripts/build.ts for why the bundle is two files.
'use strict';
let cli;
try {
  cli = require('../dist/cli/mfa-config-rules.js');
} catch (error) {
  process.stderr.write(
    `mfa-config-rules: cannot load dist/cli/mfa-config-rules.js (${error && error.code ? error.code : String(error)}): run \`npm run build\` in a checkout\n`,
  );
  process.exitCode = 2;
}
if (cli) void cli.runCli(process.argv.slice(2));
