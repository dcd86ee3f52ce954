import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';

/**
 * One long-lived infrastructure process (a broker, a database server) started by a test: its
 * output goes to a log file, and it is killed when the test process exits, whatever happened.
 */
export class InfraProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: readonly string[],
    readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** How the last run ended, for error messages. */
  describeExit(): string {
    if (!this.child) return 'never started';
    if (this.running) return `running (pid ${this.child.pid})`;
    return this.child.signalCode ? `killed by ${this.child.signalCode}` : `exited with code ${this.child.exitCode}`;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.child?.pid})`);
    const out = openSync(this.logFile, 'a');
    try {
      const child = spawn(this.command, [...this.args], { stdio: ['ignore', out, out] });
      this.child = child;
      // A command that cannot be run at all (ENOENT) reports through 'error'.
      this.exited = new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.once('error', () => resolve());
      });
      liveProcesses.add(this);
      void this.exited.then(() => liveProcesses.delete(this));
    } finally {
      closeSync(out);
    }
  }

  /** SIGTERM (a clean shutdown), then SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL, as a crash or a power cut would. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** Synchronous last resort, for the exit hook. */
  killNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }

  /** The last lines of the log, to explain a failure. */
  tail(lines = 15): string {
    if (!existsSync(this.logFile)) return '(no log)';
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }
}

const liveProcesses = new Set<InfraProcess>();
let exitHookInstalled = false;

/** Kills every infrastructure process still running when the test process exits. */
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of liveProcesses) p.killNow();
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Fails with a clear message when one of the ports is taken. */
export async function assertPortsFree(what: string, ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    if (await portInUse(port)) throw new Error(`cannot start ${what}: port ${port} on 127.0.0.1 is already in use`);
  }
}
