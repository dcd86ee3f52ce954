/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'e2e',
  // The whole platform runs as real processes on the real MariaDB and Kafka: allow minutes, not
  // seconds (testTimeout is a global option, so it is set per file here).
  setupFilesAfterEnv: ['<rootDir>/jest.setup.ts'],
};
