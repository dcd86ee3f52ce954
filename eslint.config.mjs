import nx from '@nx/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Node built-ins and I/O-bound packages a pure domain library must never import.
const ioPackages = ['kafkajs', 'typeorm', 'mysql2', 'graphql', 'graphql-tag', '@apollo/*', 'pino', 'csv-parse', 'node:*', 'fs', 'path', 'http', 'https', 'net', 'crypto', 'zlib', 'child_process'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '.local/**', 'coverage/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            // Layers: apps wire adapters; platform adapts infrastructure; domain is pure.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:platform', 'type:testing'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:contracts', 'type:platform', 'type:domain'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:domain'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: ioPackages },
            // Scopes: a service sees its own domain and the shared libraries; the clustering and
            // profiling domains build on the RFM conventions; the clustering service profiles its
            // clusters where the features live (profiling's summaries) and publishes them.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:ingest', 'scope:shared'] },
            { sourceTag: 'scope:rfm', onlyDependOnLibsWithTags: ['scope:rfm', 'scope:shared'] },
            { sourceTag: 'scope:clustering', onlyDependOnLibsWithTags: ['scope:clustering', 'scope:profiling', 'scope:rfm', 'scope:shared'] },
            { sourceTag: 'scope:profiling', onlyDependOnLibsWithTags: ['scope:profiling', 'scope:rfm', 'scope:shared'] },
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:rfm', 'scope:clustering', 'scope:profiling', 'scope:shared'] },
            // The dashboard is a client of the gateway's API: nothing of the services' domains. Its
            // static server (server/) uses the shared platform config and logging; the browser app
            // (src/) imports no workspace library at all (rule below).
            { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: ['scope:dashboard', 'scope:shared'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Node built-ins are not "external" to the project graph, so the boundary rule cannot ban
    // them; this keeps the domain libraries free of I/O (their tests may read fixtures).
    // node:crypto is allowed: hashing is computation (the line identity's SHA-256).
    files: ['libs/domain/**/*.ts'],
    ignores: ['libs/domain/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(node:(?!crypto$)|fs$|path$|http$|https$|net$|zlib$|child_process$|os$)', message: 'domain libraries are pure: no Node I/O' }] }],
    },
  },
  {
    files: ['**/*.spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The browser app talks to the gateway over HTTP only: no workspace library (they are Node
    // code, and the services' domains are theirs), no Node built-ins.
    files: ['apps/dashboard/src/**/*.ts', 'apps/dashboard/src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(@seg/|node:|fs$|path$|http$|https$|net$|crypto$|zlib$|child_process$|os$)', message: 'the dashboard\'s browser code uses the gateway\'s API only: no workspace libraries, no Node built-ins' }] }],
    },
  },
];
