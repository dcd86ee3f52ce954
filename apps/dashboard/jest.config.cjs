/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'dashboard',
  // Pure helpers of the browser app (src/lib) and the static server (server/); the pages are
  // covered by the browser test in apps/e2e.
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/server/**/*.spec.ts'],
};
