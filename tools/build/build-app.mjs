// Bundles one app (apps/<name>/src/main.ts, or the entry given as a second argument relative to the
// app) into dist/apps/<name>/main.js with esbuild, and its worker threads' entries next to it.
// Workspace libraries (@seg/*) are TypeScript sources and are bundled in; third-party packages
// stay external and load from node_modules, except ESM-only math packages that a CommonJS
// bundle cannot require on every Node 20 release.
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

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

// Worker threads' entries (src/**/<name>.worker.ts) are bundled next to main.js as <name>.worker.js.
const workers = readdirSync(join(root, projectRoot, 'src'), { recursive: true })
  .filter((file) => String(file).endsWith('.worker.ts'))
  .map((file) => ({ in: join(root, projectRoot, 'src', String(file)), out: basename(String(file), '.ts') }));

const started = Date.now();
await build({
  entryPoints: [{ in: join(root, projectRoot, entry), out: 'main' }, ...workers],
  outdir: join(root, 'dist', projectRoot),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external,
  logLevel: 'warning',
});
const outputs = ['main', ...workers.map((worker) => worker.out)].map((name) => `dist/${projectRoot}/${name}.js`);
console.log(`built ${projectRoot} in ${Date.now() - started} ms -> ${outputs.join(', ')}`);
