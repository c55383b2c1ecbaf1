#!/usr/bin/env node
// The command runs the CLI's bundle (dist/cli/, `npm run build`): no TypeScript loader and no
// module resolution at run time. See cli/process.ts for how the exit code and the output are
// handled, and scripts/build.ts for why the bundle is two files.
'use strict';
// Node.js >= 22.1 keeps the compiled bundle in its compile cache (os.tmpdir()/node-compile-cache, or
// NODE_COMPILE_CACHE): a quiet speed-up of later starts that never throws. Absent on Node.js 20.
require('node:module').enableCompileCache?.();
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
