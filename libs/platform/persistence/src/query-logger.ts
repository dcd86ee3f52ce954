import type { Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from 'pino';

/** Characters of a failed statement kept in the log: enough to recognise it, not a whole batch's rows. */
const SQL_CHARS = 300;

/**
 * TypeORM's log through the service's JSON logger. A failed statement is logged at `warn` with
 * its first characters and the number of parameters, never their values: parameters carry
 * customer ids and other personal data, and the caller, which retries or fails, logs the outcome.
 */
export class QueryLogger implements TypeOrmLogger {
  constructor(private readonly logger: Logger) {}

  logQuery(): void {
    // Statements that succeed are not logged.
  }

  logQueryError(error: string | Error, query: string, parameters?: unknown[] | object): void {
    const count = Array.isArray(parameters) ? parameters.length : parameters ? Object.keys(parameters).length : 0;
    const { code, errno } = (typeof error === 'string' ? {} : error) as { code?: unknown; errno?: unknown };
    const message = typeof error === 'string' ? error : error.message;
    this.logger.warn({ code, errno, sql: oneLine(query).slice(0, SQL_CHARS), parameters: count }, `query failed: ${message}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ ms: time, sql: oneLine(query).slice(0, SQL_CHARS) }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}

const oneLine = (sql: string): string => sql.replace(/\s+/g, ' ').trim();
