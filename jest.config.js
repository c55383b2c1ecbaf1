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
