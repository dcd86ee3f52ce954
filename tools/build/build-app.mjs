// Bundles one app (apps/<name>/src/main.ts, or the entry given as a second argument relative to the
// app) into dist/apps/<name>/main.js with esbuild.
// Workspace libraries (@seg/*) are TypeScript sources and are bundled in; third-party packages
// stay external and load from node_modules, except ESM-only math packages that a CommonJS
// bundle cannot require on every Node 20 release.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const projectRoot = process.argv[2];
if (!projectRoot) {
  console.error('usage: node tools/build/build-app.mjs apps/<name> [entry, default src/main.ts]');
  process.exit(2);
}
const entry = process.argv[3] ?? join('src', 'main.ts');
const root = resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bundled = new Set(['ml-kmeans']);
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => !bundled.has(name));

const started = Date.now();
await build({
  entryPoints: [join(root, projectRoot, entry)],
  outfile: join(root, 'dist', projectRoot, 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external,
  logLevel: 'warning',
});
console.log(`built ${projectRoot} in ${Date.now() - started} ms -> dist/${projectRoot}/main.js`);
