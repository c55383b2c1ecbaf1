#!/usr/bin/env node
// The CLI runs the TypeScript sources directly (tsx), so it is always the code the Lambdas run.
'use strict';
const fail = (error) => {
  process.stderr.write(
    `mfa-config-rules: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(2);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
require('tsx/cjs');
require('../rules/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code), fail);
