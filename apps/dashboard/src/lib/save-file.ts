// Downloads that need the Authorization header cannot be plain links: they are fetched, then handed
// to the browser as a file.
import { fileNameFromDisposition } from './csv-export';

export type FetchedFile = { readonly ok: true; readonly blob: Blob; readonly fileName: string } | { readonly ok: false; readonly status: number; readonly body: string };

/** Fetches a CSV download of the gateway with the key; the file name is the server's, else `fallbackName`. */
export async function fetchCsv(path: string, apiKey: string, fallbackName: string): Promise<FetchedFile> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${apiKey}`, accept: 'text/csv' }, credentials: 'omit' });
  if (!response.ok) return { ok: false, status: response.status, body: await response.text() };
  return { ok: true, blob: await response.blob(), fileName: fileNameFromDisposition(response.headers.get('content-disposition'), fallbackName) };
}

/** Hands a fetched file to the browser as a download. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
