/** Three projects: fast unit tests, CDK assertion tests, and integration tests on DynamoDB Local + the simulator. */
const tsJest = ['ts-jest', { tsconfig: { allowJs: true } }];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.[tj]sx?$': tsJest },
  // middy 6 ships ESM only
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
};
module.exports = {
  // Two workers on the 2-core machines: integration files run in parallel, each with its own
  // tables, simulator, ports and virtual clock (DynamoDB Local is shared).
  maxWorkers: 2,
  // A guard against hangs, not a speed limit: a loaded machine (a CI runner shared with other jobs)
  // must not turn jest's 5 s default into a red test. (A per-project testTimeout is not an option.)
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'infra',
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
      // Synthesizes each app configuration once (cdk-nag and the Control Tower checks included) for all the files.
      globalSetup: '<rootDir>/test/infra/global-setup.ts',
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
  ],
};
