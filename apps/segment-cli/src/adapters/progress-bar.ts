import type { SegmentProgress } from '../application/segment-customers';

export interface ProgressDisplay {
  update(event: SegmentProgress): void;
  /** Clears the line. */
  done(): void;
}

export const NO_PROGRESS: ProgressDisplay = { update: () => undefined, done: () => undefined };

interface Terminal {
  write(text: string): unknown;
  readonly columns?: number;
}

const WIDTH = 24;
const INTERVAL_MS = 100;

function bar(share: number): string {
  const filled = Math.max(0, Math.min(WIDTH, Math.round(share * WIDTH)));
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

function megabytes(bytes: number): string {
  return (bytes / 1_048_576).toFixed(1);
}

/**
 * A one-line progress bar redrawn in place with a carriage return, for a terminal: bytes read
 * out of the file size while reading, then the k-means sweep. At most one redraw per 100 ms.
 */
export function createProgressBar(terminal: Terminal, totalBytes: number, bytesRead: () => number, now: () => number = Date.now): ProgressDisplay {
  let last = 0;
  let shown = false;
  const draw = (text: string, force: boolean): void => {
    const t = now();
    if (!force && t - last < INTERVAL_MS) return;
    last = t;
    const width = Math.max(20, (terminal.columns ?? 80) - 1);
    terminal.write(`\r${text.slice(0, width)}\x1b[K`);
    shown = true;
  };
  return {
    update(event) {
      if (event.phase === 'reading') {
        const read = bytesRead();
        const share = totalBytes > 0 ? read / totalBytes : 0;
        draw(`reading   ${bar(share)}  ${megabytes(read)}/${megabytes(totalBytes)} MB  ${event.rowsRead.toLocaleString('en-US')} rows`, false);
      } else if (event.phase === 'sweeping') {
        draw(`k-means   ${bar(event.done / event.total)}  k = ${event.k} (${event.done}/${event.total})`, true);
      } else {
        draw('profiling segments', true);
      }
    },
    done() {
      if (shown) terminal.write('\r\x1b[K');
      shown = false;
    },
  };
}
