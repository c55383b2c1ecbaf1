// Jest global setup: builds dist/ (compiled package and the rules' Lambda bundles) when a source is
// newer than the last build, so every test runs against the current sources; and keeps the log of a
// green run quiet. Environment set here reaches the test workers and every process they spawn.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

module.exports = function buildOnce() {
  // The SDK's documented switch for its seven-line "upgrade to Node 22" warning on Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // The handlers' structured logs: silent unless a test turns them on to assert on them (logger.setLogLevel).
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const root = path.join(__dirname, '..');
  const run = spawnSync(
    process.execPath,
    [require.resolve('tsx/cli', { paths: [root] }), 'scripts/build.ts', '--if-stale'],
    { cwd: root, stdio: 'inherit' },
  );
  if (run.status !== 0) throw new Error('npm run build failed; see above');
};
