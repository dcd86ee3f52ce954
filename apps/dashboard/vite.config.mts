import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
const workspace = resolve(root, '..', '..');
// `vite` (development) forwards the API to a running gateway; the production build is served by
// server/main.ts, which does the same.
const gateway = process.env['SEG_DASHBOARD_GATEWAY_URL'] ?? `http://127.0.0.1:${process.env['SEG_GATEWAY_PORT'] ?? '4000'}`;

export default defineConfig({
  root,
  // Only VITE_-prefixed variables could reach the bundle; the app reads none, so nothing from the
  // environment (keys, secrets) is ever compiled in.
  envDir: resolve(root, 'no-env'),
  plugins: [react()],
  cacheDir: resolve(workspace, 'node_modules', '.vite', 'dashboard'),
  build: {
    outDir: resolve(workspace, 'dist', 'apps', 'dashboard', 'public'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    host: '127.0.0.1',
    port: 4005,
    proxy: { '/graphql': gateway, '/exports': gateway, '/imports': gateway },
  },
});
