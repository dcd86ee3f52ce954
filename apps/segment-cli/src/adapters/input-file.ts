import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { err, ok, type Result } from '@seg/domain-transactions';

/** An input file opened for streaming. */
export interface InputFile {
  readonly path: string;
  /** Size on disk in bytes (compressed, for a gzip file). */
  readonly size: number;
  readonly gzip: boolean;
  /** The file's bytes, decompressed; throws an {@link InputReadError} if reading fails midway. */
  readonly chunks: AsyncIterable<Buffer>;
  /** Bytes read from disk so far, for progress. */
  bytesRead(): number;
}

export interface InputOpenError {
  readonly code: 'CANNOT_READ';
  readonly message: string;
}

/** Reading failed after the file was opened (a truncated or corrupt gzip stream, an I/O error). */
export class InputReadError extends Error {
  override readonly name = 'InputReadError';
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
};

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const known = typeof code === 'string' ? REASONS[code] : undefined;
  if (known !== undefined) return known;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens a CSV file for streaming; gzip is recognised by its first bytes (1f 8b), whatever the
 * file is called. Fails with a one-line reason when the file cannot be opened or is a directory.
 */
export async function openInputFile(path: string): Promise<Result<InputFile, InputOpenError>> {
  const cannot = (reason: string): Result<InputFile, InputOpenError> => err({ code: 'CANNOT_READ', message: `cannot read "${path}": ${reason}` });
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error: unknown) {
    return cannot(reasonOf(error));
  }
  let size: number;
  let gzip: boolean;
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    size = stat.size;
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } catch (error: unknown) {
    await handle.close();
    return cannot(reasonOf(error));
  }

  const file = handle.createReadStream({ start: 0, highWaterMark: 256 * 1024 });
  const source = gzip ? pipeline(file, createGunzip(), () => undefined) : file;
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) yield chunk;
    } catch (error: unknown) {
      throw new InputReadError(`cannot read "${path}": ${gzip ? 'gzip data: ' : ''}${reasonOf(error)}`);
    } finally {
      file.destroy();
    }
  }
  return ok({ path, size, gzip, chunks: chunks(), bytesRead: () => file.bytesRead });
}
