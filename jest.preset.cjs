// Shared Jest settings. TypeScript is stripped by SWC (types are checked by the `typecheck`
// targets); ml-kmeans and its ml-* dependencies, and jose, ship ESM only, so they are transformed too.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(ml-[^/]+|is-any-array|median-quickselect|num-sort|jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  // Jest 30 soft-deletes test globals between files and prints a deprecation warning when
  // anything touches them afterwards; keep the summary readable.
  testEnvironmentOptions: { globalsCleanup: 'off' },
};
