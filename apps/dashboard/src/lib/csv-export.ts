// The segment's CSV export: a GET on the gateway that needs the Authorization header, so it is
// fetched (not linked) and handed to the browser as a file.

export function exportPath(segmentId: string): string {
  return `/exports/segments/${encodeURIComponent(segmentId)}/customers.csv`;
}

/** A file name safe on every system: letters, digits, dots, dashes and underscores. */
export function safeFileName(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return cleaned.length > 0 ? cleaned.slice(0, 120) : 'export';
}

export function defaultExportName(segmentName: string): string {
  return `${safeFileName(`segment-${segmentName.toLowerCase()}`)}-customers.csv`;
}

/** The file name a Content-Disposition header gives (filename* first, RFC 6266), made safe; else the fallback. */
export function fileNameFromDisposition(header: string | null | undefined, fallback: string): string {
  if (!header) return fallback;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended?.[1]) {
    try {
      return safeFileName(decodeURIComponent(extended[1].trim()));
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(header);
  const name = plain?.[2] ?? plain?.[1];
  return name ? safeFileName(name.trim()) : fallback;
}
