import { describeError } from './logger';

export interface RunningService {
  /** Stops accepting work, drains, closes connections. */
  close(): Promise<void>;
}

/**
 * Runs a service's composition root. A configuration or startup failure prints one line saying
 * what is wrong (no stack trace) and exits 1; SIGINT/SIGTERM close the service cleanly.
 */
export function runService(name: string, start: () => Promise<RunningService>): void {
  start()
    .then((service) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.error(`${name}: ${signal} received, shutting down`);
        service.close().then(
          () => process.exit(0),
          (error: unknown) => {
            console.error(`${name}: unclean shutdown: ${describeError(error).message}`);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    })
    .catch((error: unknown) => {
      const { code, message } = describeError(error);
      console.error(code === 'ConfigError' ? `${name}: ${message}` : `${name} failed to start (${code}): ${message}`);
      process.exit(1);
    });
}
