import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { BodyAborted, BodyTooLarge, copyRequestBody, declaredBodyLength, discardRequestBody, hasRole, type InternalRoutes } from '@seg/platform-subgraph';
import type { UserError } from '../../application/import-jobs';

/** `POST /internal/imports?name=<file name>`: a CSV upload, forwarded by the gateway's `POST /imports`. */
export const UPLOAD_PATH = '/internal/imports';

/** Uploaded files are named `<uuid>.upload` in the upload folder; nothing else there is touched. */
const UPLOAD_SUFFIX = '.upload';
const MAX_NAME_LENGTH = 200;

/**
 * The job source of an upload: `upload:` and the file name the client gave, reduced to its last
 * path part, without control characters, at most 200 characters (`upload:unnamed.csv` without one).
 */
export function uploadSource(name: string | null): string {
  const last = (name ?? '').split(/[/\\]/).pop() ?? '';
  const printable = [...last]
    .filter((c) => {
      const code = c.codePointAt(0) ?? 0;
      return code >= 0x20 && (code < 0x7f || code > 0x9f);
    })
    .join('')
    .trim()
    .slice(0, MAX_NAME_LENGTH);
  return `upload:${printable.length > 0 ? printable : 'unnamed.csv'}`;
}

/** The job fields an upload's answer shows. */
export interface UploadedJob {
  readonly id: string;
  readonly status: string;
  readonly source: string;
  readonly error: string | null;
}

export interface ImportUploadsOptions {
  /** The upload folder (created when missing). */
  readonly dir: string;
  /** Bytes as sent (compressed or not); more is refused with 413. */
  readonly maxBytes: number;
  /** Files in the folder untouched for this long, and used by no import of this process, are leftovers. */
  readonly staleMs: number;
  readonly imports: { startStored(path: string, source: string, release: () => Promise<void>): Promise<{ job: UploadedJob | null; userErrors: readonly UserError[] }> };
  readonly logger: Logger;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

/** A refusal before or while the body is read: the rest of the body is dropped, never stored. */
function refuse(request: IncomingMessage, response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(response, status, { errors: [{ message, extensions: { code } }] }, headers);
  discardRequestBody(request);
}

/**
 * CSV uploads: the body is streamed into a file of the upload folder (never held in memory, at
 * most `maxBytes`), then imported by the same code as `startImport` (progress, cancel, rejected
 * rows, erased customers), and the file is deleted once the job is over. A partial file (too
 * large, the client gone) is deleted at once; files a stopped process left behind by {@link sweep}.
 */
export class ImportUploads {
  /** Files being written or imported by this process. */
  private readonly inUse = new Set<string>();

  constructor(private readonly options: ImportUploadsOptions) {}

  /** The ingest service's internal routes (the gateway's secret is checked before them). */
  readonly routes: InternalRoutes = async (request, response, url, context) => {
    if (url.pathname !== UPLOAD_PATH) return false;
    const { dir, maxBytes, logger } = this.options;
    if (request.method !== 'POST') {
      refuse(request, response, 405, 'METHOD_NOT_ALLOWED', 'use POST', { allow: 'POST' });
      return true;
    }
    if (!hasRole(context.role, 'admin')) {
      refuse(request, response, 403, 'FORBIDDEN', `uploads need the admin role; you have ${context.role}`);
      return true;
    }
    const tooLarge = `the upload is larger than ${maxBytes} bytes (SEG_MAX_UPLOAD_BYTES)`;
    if ((declaredBodyLength(request) ?? 0) > maxBytes) {
      refuse(request, response, 413, 'PAYLOAD_TOO_LARGE', tooLarge);
      return true;
    }
    const source = uploadSource(url.searchParams.get('name'));
    const log = logger.child({ correlationId: context.correlationId, source });

    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${randomUUID()}${UPLOAD_SUFFIX}`);
    this.inUse.add(file);
    const remove = async (): Promise<void> => {
      await rm(file, { force: true }).catch((error: unknown) => log.warn(`could not delete the uploaded file ${file}: ${String(error)}`));
      this.inUse.delete(file);
    };
    const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    let bytes: number;
    try {
      bytes = await copyRequestBody(request, out, maxBytes);
      if (!out.closed) await once(out, 'close');
    } catch (error) {
      out.destroy();
      await remove();
      if (error instanceof BodyTooLarge) {
        log.info({ maxBytes }, 'upload refused: too large');
        refuse(request, response, 413, 'PAYLOAD_TOO_LARGE', tooLarge);
        return true;
      }
      if (error instanceof BodyAborted) {
        log.info(`upload abandoned: ${error.message}`);
        response.destroy();
        return true;
      }
      // The file could not be written (a full disk, no permission).
      log.error(`upload could not be stored in ${dir}: ${error instanceof Error ? error.message : String(error)}`);
      refuse(request, response, 500, 'INTERNAL_SERVER_ERROR', 'the upload could not be stored: see the ingest service\'s log');
      return true;
    }
    if (bytes === 0) {
      await remove();
      refuse(request, response, 400, 'EMPTY_BODY', 'the request has no body: send the CSV file (plain or gzip) as the body');
      return true;
    }

    log.info({ bytes }, 'upload stored');
    const started = await this.options.imports.startStored(file, source, remove);
    const { job, userErrors } = started;
    if (!job) throw new Error(`the import of ${source} has no job`);
    if (userErrors.length > 0) {
      // The job exists and is FAILED with the reason, as for a path import (missing column, empty or unreadable file).
      sendJson(response, 422, { job: { id: job.id, status: job.status, source: job.source, error: job.error }, errors: userErrors.map((e) => ({ message: e.message, extensions: { code: e.code } })) });
      return true;
    }
    sendJson(response, 202, { job: { id: job.id, status: job.status, source: job.source } });
    return true;
  };

  /**
   * Deletes uploads a stopped process left behind (a crash between storing and the end of the
   * import): files of the folder that no import of this process uses and that nothing wrote to for
   * `staleMs` (a file still being uploaded to another process sharing the folder is newer; one
   * that another process is importing stays readable to it, as it holds the file open).
   * Returns how many were deleted.
   */
  async sweep(now = Date.now()): Promise<number> {
    const { dir, staleMs } = this.options;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(dir, name);
      if (!name.endsWith(UPLOAD_SUFFIX) || this.inUse.has(path)) continue;
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile() || now - info.mtimeMs < staleMs) continue;
      await rm(path, { force: true });
      removed++;
    }
    return removed;
  }
}
