/**
 * Suites: unit (mocked SDK), integration (against a local moto server), infra (CDK assertions),
 * reliability (fault injection and property tests), consumer (the packed tarball in fresh CDK apps).
 * The global setup builds dist/ first when a source is newer than the last build.
 */
const tsJest = ['ts-jest', { diagnostics: false }]; // transpile only (tsconfig: isolatedModules); tsc type-checks
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/test/build-once.js',
  // Every core: test files are independent (each integration file starts its own moto server on a
  // free port; see test/support/use-moto.ts). Jest's default leaves one of two cores idle.
  maxWorkers: '100%',
  // A hang catcher, not a speed check: no test here is about how fast the machine is, and a shared
  // or slow machine must not fail a test that would pass. Tests about time set their own limits.
  testTimeout: 15 * 60_000,
  // Quiet by default: the totals, and every failing test in full (no line per passing file).
  // `npx jest --reporters=default` shows a line per file.
  reporters: [['summary', { summaryThreshold: 0 }]],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    // Headless Chromium (Debian's chromium) reading the CLI's HTML page.
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
    {
      ...common,
      displayName: 'reliability',
      testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
    },
    { ...common, displayName: 'consumer', testMatch: ['<rootDir>/test/consumer/**/*.test.ts'] },
  ],
};
