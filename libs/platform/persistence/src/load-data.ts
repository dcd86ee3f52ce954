import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';

// `LOAD DATA LOCAL INFILE` from memory. The server answers the statement by asking the client for
// the file by name, and mysql2 hands that name to the pool's `infileStreamFactory`. Ours serves
// only buffers this process registered itself, each under a random one-time name, and refuses
// every other name: a server (or a statement) asking for anything else, a path on this machine
// included, gets an error and an empty file. The filesystem is never read.

/** Bytes per data packet sent to the server (the last one may be shorter). */
const PACKET_BYTES = 64 * 1024;

/** The buffers one data source may send, each under a one-time name. */
export class InfileBuffers {
  private readonly buffers = new Map<string, Buffer>();

  /** Registers a buffer; returns the unguessable name under which it is served, once. */
  register(data: Buffer): string {
    const name = `seg-infile-${randomUUID()}`;
    this.buffers.set(name, data);
    return name;
  }

  /** Forgets a name (served or not); harmless when it is gone already. */
  release(name: string): void {
    this.buffers.delete(name);
  }

  /**
   * mysql2's `infileStreamFactory`: the registered buffer of that name, once, or a stream that
   * fails (mysql2 then sends the server an empty file and rejects the query with the error).
   */
  readonly open = (name: string): Readable => {
    const data = this.buffers.get(name);
    if (data === undefined) {
      const refused = new Readable({ read: () => undefined });
      refused.destroy(new Error(`refusing LOAD DATA LOCAL INFILE ${JSON.stringify(name)}: only buffers this process registered are sent, each once`));
      return refused;
    }
    this.buffers.delete(name);
    let offset = 0;
    return new Readable({
      read() {
        if (offset >= data.length) {
          this.push(null);
          return;
        }
        this.push(data.subarray(offset, offset + PACKET_BYTES));
        offset += PACKET_BYTES;
      },
    });
  };
}

const infilesOf = new WeakMap<DataSource, InfileBuffers>();

/** Gives a data source the buffers its pool serves to LOAD DATA LOCAL (createDataSource does). */
export function attachInfileBuffers(dataSource: DataSource, buffers: InfileBuffers): void {
  infilesOf.set(dataSource, buffers);
}

/** The server would not run LOAD DATA LOCAL: local_infile is OFF there, or the client did not offer it. */
export class LoadDataRefusedError extends Error {
  constructor(cause: unknown) {
    super(
      `the database server refuses LOAD DATA LOCAL INFILE (error ${String((cause as { errno?: unknown }).errno)}: ${String((cause as { message?: unknown }).message)}); ` +
        'MariaDB allows it by default, MySQL needs local_infile=1 on the server',
      { cause },
    );
    this.name = 'LoadDataRefusedError';
  }
}

/**
 * Error numbers of a server refusing LOAD DATA LOCAL: MariaDB 10.5+ (client or server without
 * local infile; mysql2 has no name for it), older MariaDB and MySQL 5.7, MySQL 8.
 */
const REFUSED = new Set([4166, 1148, 3948]);

const SPECIAL = /[\0\t\n\r\\]/;
const SPECIALS = /[\0\t\n\r\\]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\0': '\\0', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\\': '\\\\' };
const escapeOne = (c: string): string => ESCAPES[c] ?? c;

/**
 * A text value as a field of a {@link loadDataLocal} file: backslash, tab, newline, carriage
 * return and NUL escaped with a backslash, everything else as it is (the file is UTF-8). A field
 * so escaped never reads as NULL (`\N`) nor splits a row.
 */
export function infileField(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIALS, escapeOne) : value;
}

/**
 * A {@link loadDataLocal} file of one row per item: `row` gives the item's fields, each escaped by
 * {@link infileField} (numbers as they are), separated by tabs; rows end in a newline. UTF-8.
 * Written row by row into one buffer, about twice as fast as encoding one concatenated string.
 */
export function infileOf<T>(items: readonly T[], row: (item: T) => string): Buffer {
  let buffer = Buffer.allocUnsafe(Math.max(1_024, items.length * 160));
  let length = 0;
  for (const item of items) {
    const text = row(item);
    // At most 3 bytes of UTF-8 per UTF-16 code unit, and the newline.
    if (length + 3 * text.length + 1 > buffer.length) {
      const larger = Buffer.allocUnsafe(2 * buffer.length + 3 * text.length + 1);
      buffer.copy(larger, 0, 0, length);
      buffer = larger;
    }
    length += buffer.write(text, length, 'utf8');
    buffer[length++] = 0x0a;
  }
  return buffer.subarray(0, length);
}

export interface LoadDataStatement {
  /** The table, as written in SQL (a plain identifier from code, never from data). */
  readonly table: string;
  /** The file's fields in order: column names, or user variables (`@name`) that `set` uses. */
  readonly fields: readonly string[];
  /** Assignments after SET, e.g. `line_id = UNHEX(@line_id)`. */
  readonly set?: string;
}

/**
 * Runs `LOAD DATA LOCAL INFILE ... IGNORE INTO TABLE` on the transaction's connection, from
 * `file` (built by {@link infileOf}: one line per row, fields separated by tabs, each escaped by
 * {@link infileField}, UTF-8). With IGNORE a row whose key is stored already is skipped, as in
 * INSERT IGNORE. Returns the rows stored. Throws {@link LoadDataRefusedError} when the server
 * refuses the statement; the transaction then goes on (a refused statement changes nothing).
 */
export async function loadDataLocal(tx: EntityManager, statement: LoadDataStatement, file: Buffer): Promise<number> {
  const buffers = infilesOf.get(tx.dataSource);
  if (buffers === undefined) throw new Error('LOAD DATA LOCAL needs a data source from createDataSource (it serves the in-memory files)');
  const name = buffers.register(file);
  try {
    const result: { affectedRows?: number } = await tx.query(
      `LOAD DATA LOCAL INFILE '${name}' IGNORE INTO TABLE ${statement.table} CHARACTER SET utf8mb4
         FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'
         (${statement.fields.join(', ')})${statement.set ? ` SET ${statement.set}` : ''}`,
    );
    return result.affectedRows ?? 0;
  } catch (error) {
    // TypeORM's QueryFailedError carries the driver's errno.
    if (REFUSED.has(Number((error as { errno?: unknown }).errno))) throw new LoadDataRefusedError(error);
    throw error;
  } finally {
    buffers.release(name);
  }
}
