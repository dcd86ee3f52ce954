// Every project's Jest config in one run, so that the test command prints one summary.
// (Named so that the Nx Jest plugin does not take it for a project of its own.)
/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  projects: ['<rootDir>/libs/*/*/jest.config.cjs', '<rootDir>/libs/testing/jest.config.cjs', '<rootDir>/apps/*/jest.config.cjs'],
};
