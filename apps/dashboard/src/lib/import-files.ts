// Uploading a CSV file to import and downloading an import's rejected rows: both go to the
// gateway's /imports routes with the key in the Authorization header (this origin's server forwards
// them), admin only.
import { describeHttpStatus, type ApiProblem } from './api-errors';
import { safeFileName } from './csv-export';
import { formatBytes } from './format';

/** `POST /imports?name=<file name>`, the file as the body. */
export function uploadPath(fileName: string): string {
  return `/imports?name=${encodeURIComponent(fileName)}`;
}

/** `GET /imports/<job id>/rejected.csv` */
export function rejectedRowsPath(jobId: string): string {
  return `/imports/${encodeURIComponent(jobId)}/rejected.csv`;
}

/** The file name when the gateway sends none. */
export function defaultRejectedRowsName(jobId: string): string {
  return `${safeFileName(`import-${jobId}`)}-rejected.csv`;
}

/** What the upload control says while the file goes: "Uploading december.csv.gz: 42% (1.2 MiB of 2.9 MiB)". */
export function uploadProgressText(fileName: string, loaded: number, total: number): string {
  if (total <= 0) return `Uploading ${fileName}…`;
  if (loaded >= total) return `Uploaded ${fileName} (${formatBytes(total)}); starting the import…`;
  const percent = Math.floor((Math.max(0, loaded) / total) * 100);
  return `Uploading ${fileName}: ${percent}% (${formatBytes(loaded)} of ${formatBytes(total)})`;
}

export interface UploadedJob {
  readonly id: string;
  readonly status: string;
  readonly source: string;
}

export type UploadOutcome = { readonly ok: true; readonly job: UploadedJob } | { readonly ok: false; readonly problem: ApiProblem };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function firstError(body: unknown): { message: string; code?: string } | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  const first = Array.isArray(errors) ? (errors[0] as { message?: unknown; extensions?: { code?: unknown } } | undefined) : undefined;
  if (typeof first?.message !== 'string') return undefined;
  return { message: first.message, ...(typeof first.extensions?.code === 'string' ? { code: first.extensions.code } : {}) };
}

/**
 * Reads the gateway's answer to an upload: 202 with the started job, or a problem a person can
 * act on (the file too large or empty, a missing column, the role, the gateway away).
 */
export function readUploadAnswer(status: number, text: string): UploadOutcome {
  const body = parseJson(text);
  const job = (body as { job?: Partial<UploadedJob> } | undefined)?.job;
  if (status === 202 && job && typeof job.id === 'string') return { ok: true, job: { id: job.id, status: String(job.status ?? 'RUNNING'), source: String(job.source ?? '') } };
  const error = firstError(body);
  if (status === 413) return { ok: false, problem: { kind: 'invalid', code: 'PAYLOAD_TOO_LARGE', message: `The file is too large: ${error?.message ?? 'the gateway refused it (HTTP 413)'}.` } };
  if (status === 400 || status === 422) {
    const what = status === 422 && job && typeof job.id === 'string' ? ` (import ${job.id} failed)` : '';
    return { ok: false, problem: { kind: 'invalid', ...(error?.code ? { code: error.code } : {}), message: `The file cannot be imported${what}: ${error?.message ?? `HTTP ${status}`}` } };
  }
  return { ok: false, problem: describeHttpStatus(status, text) };
}

/**
 * Sends a file to the gateway. XMLHttpRequest rather than fetch: it reports the upload's
 * progress, which fetch does not. The browser reads the file from disk as it sends it.
 */
export function sendUpload(file: File, apiKey: string, onProgress: (loaded: number, total: number) => void): Promise<{ readonly status: number; readonly body: string }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', uploadPath(file.name));
    request.setRequestHeader('authorization', `Bearer ${apiKey}`);
    request.setRequestHeader('content-type', 'application/octet-stream');
    request.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    request.onload = () => resolve({ status: request.status, body: request.responseText });
    // A TypeError, as fetch's network failures are: the pages describe it as the gateway being away.
    request.onerror = () => reject(new TypeError('the upload failed: network error'));
    request.onabort = () => reject(new TypeError('the upload was aborted'));
    request.send(file);
  });
}
