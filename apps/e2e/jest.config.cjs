/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'e2e',
  // The whole platform runs as real processes on the real MariaDB and Kafka.
  testTimeout: 180_000,
};
