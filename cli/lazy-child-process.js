// commander requires node:child_process when it loads (for executable subcommands, which this CLI
// does not have), and loading it is a tenth of the command's start-up. The CLI's bundle
// (scripts/build.ts) aliases node:child_process to this: the real module, loaded on first use.
'use strict';
let real;
module.exports = new Proxy(
  {},
  {
    get: (_target, key) => {
      real ??= require('child_process');
      return real[key];
    },
  },
);
