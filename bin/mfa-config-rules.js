#!/usr/bin/env node
// The command runs the compiled JavaScript of the package (dist/, `npm run build`): no TypeScript
// loader at run time. See rules/cli/process.ts for how the exit code and the output are handled.
'use strict';
let cli;
try {
  cli = require('../dist/rules/cli/process.js');
} catch (error) {
  process.stderr.write(
    `mfa-config-rules: cannot load dist/rules/cli/process.js (${error && error.code ? error.code : String(error)}): run \`npm run build\` in a checkout\n`,
  );
  process.exitCode = 2;
}
if (cli) void cli.runCli(process.argv.slice(2));
