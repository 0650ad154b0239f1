// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const swcTransform = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  // Extensions: some hoisted ESM dependencies of @grafana/data (d3-color) resolve to .mjs files.
  transform: { ...base.transform, '^.+\\.mjs$': swcTransform },
  // The browser test (test/browser) runs in real Chromium through its own runner, not jest.
  // jsdom would pick yaml's ESM "browser" build; tests read provisioning files with its Node build.
  moduleNameMapper: { ...base.moduleNameMapper, '^yaml$': require.resolve('yaml') },
  // The Loki/Prometheus test peers have their own tests beside them; test/engineering checks the
  // package, versions and docs (Node environment).
  testMatch: [...base.testMatch, '<rootDir>/test/peers/**/*.test.ts', '<rootDir>/test/engineering/**/*.test.ts'],
  testTimeout: 30000,
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/', '<rootDir>/dist/'],
};
