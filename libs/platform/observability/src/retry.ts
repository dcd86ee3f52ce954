import type { Logger } from 'pino';
import { describeError } from './logger';

export interface RetryOptions {
  /** What is being reached, for the log line: "database seg_rfm at 127.0.0.1:3306". */
  readonly what: string;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Give up after this many attempts; unlimited by default (a service waits for its dependencies). */
  readonly maxAttempts?: number;
  readonly signal?: AbortSignal;
}

/**
 * Runs `attempt` until it succeeds, with exponential backoff, logging one clear line per failure
 * instead of a stack trace. Used when a service starts before its database or broker is ready.
 */
export async function retryWithBackoff<T>(attempt: () => Promise<T>, logger: Logger, options: RetryOptions): Promise<T> {
  const initial = options.initialDelayMs ?? 500;
  const max = options.maxDelayMs ?? 10_000;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const { code, message } = describeError(error);
      if ((options.maxAttempts !== undefined && n >= options.maxAttempts) || options.signal?.aborted) throw error;
      const delay = Math.min(max, initial * 2 ** (n - 1));
      logger.warn({ attempt: n, code, retryInMs: delay }, `cannot reach ${options.what}: ${message}; retrying in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
