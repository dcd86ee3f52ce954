import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs, one line per event, with the service name on every line. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** Turns anything thrown into a short message and a code, the one place that normalises errors. */
export function describeError(error: unknown): { readonly code: string; readonly message: string } {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : error.name, message: error.message };
  }
  return { code: 'UNKNOWN', message: String(error) };
}
