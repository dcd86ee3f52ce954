import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT, waitFor } from './environment';

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

/**
 * How the services run (tools/start.sh and docker/app-entrypoint.sh pass the same flags): stack
 * traces point into the sources, and a young generation of 32 MiB semispaces instead of 16: a
 * service's batches (thousands of lines in flight) then die young instead of being copied into the
 * old generation, which halved the time spent collecting garbage in the import path (bench/README.md).
 */
export const SERVICE_NODE_FLAGS = ['--enable-source-maps', '--max-semi-space-size=32'] as const;

/**
 * Starts one built app (dist/apps/<name>/main.js, from `nx run-many -t build`) as a real
 * process with the given environment, and waits until its /ready endpoint answers 200.
 */
export async function startServiceProcess(name: string, env: Record<string, string>, readyUrl: string, logDir: string): Promise<ServiceProcess> {
  const main = join(WORKSPACE_ROOT, 'dist', 'apps', name, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npx nx run-many -t build)`);
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, main], { cwd: WORKSPACE_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // Both streams share the log: neither may end it; it closes when the child's stdio has closed.
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once('close', () => log.end());
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      `${name} to be ready (log: ${logFile})`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
        const response = await fetch(readyUrl).catch(() => undefined);
        return response?.ok ? true : undefined;
      },
      60_000,
    );
  } catch (error) {
    await stop(1_000);
    throw error;
  }
  return {
    name,
    child,
    logFile,
    stop,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
