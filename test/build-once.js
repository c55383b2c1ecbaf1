// Jest global setup: builds dist/ (compiled package and the rules' Lambda bundles) when a source is
// newer than the last build, so every test runs against the current sources.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

module.exports = function buildOnce() {
  const root = path.join(__dirname, '..');
  const run = spawnSync(
    process.execPath,
    [require.resolve('tsx/cli', { paths: [root] }), 'scripts/build.ts', '--if-stale'],
    { cwd: root, stdio: 'inherit' },
  );
  if (run.status !== 0) throw new Error('npm run build failed; see above');
};
