import { isAscii, isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

/** How a file's bytes are read: `auto` = UTF-8 unless the bytes are not valid UTF-8, then ISO-8859-1. */
export type CsvEncoding = 'auto' | 'utf8' | 'latin1';

export const CSV_ENCODINGS: readonly CsvEncoding[] = ['auto', 'utf8', 'latin1'];

/** What the decoder found (for reports). */
export interface EncodingReport {
  readonly requested: CsvEncoding;
  /** The encoding the text was read in (from `switchedAtByte` on, when that is set). */
  readonly used: 'utf-8' | 'iso-8859-1';
  /** Auto mode only: offset of the first byte that is not valid UTF-8, where reading switched to ISO-8859-1. */
  readonly switchedAtByte: number | null;
  /**
   * Auto mode only: valid non-ASCII UTF-8 came before the switch, so text before that byte may
   * be read differently from the rest (a file mixing both encodings).
   */
  readonly mixed: boolean;
}

/**
 * Length of the valid UTF-8 prefix of `bytes` (Unicode's well-formed byte sequences: no overlong
 * forms, no surrogates, nothing above U+10FFFF). `invalidAt` is the offset of the first ill-formed
 * byte, or null when the only problem is a sequence cut off by the end of `bytes` (it starts at `validLength`).
 */
export function validUtf8Prefix(bytes: Uint8Array): { validLength: number; invalidAt: number | null; nonAscii: boolean } {
  const n = bytes.length;
  let i = 0;
  let nonAscii = false;
  while (i < n) {
    const b0 = bytes[i] ?? 0;
    if (b0 < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) need = 1;
    else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      if (b0 === 0xe0) low = 0xa0;
      else if (b0 === 0xed) high = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      if (b0 === 0xf0) low = 0x90;
      else if (b0 === 0xf4) high = 0x8f;
    } else return { validLength: i, invalidAt: i, nonAscii };
    for (let j = 1; j <= need; j++) {
      if (i + j >= n) return { validLength: i, invalidAt: null, nonAscii };
      const b = bytes[i + j] ?? 0;
      const ok = j === 1 ? b >= low && b <= high : b >= 0x80 && b <= 0xbf;
      if (!ok) return { validLength: i, invalidAt: i, nonAscii };
    }
    nonAscii = true;
    i += need + 1;
  }
  return { validLength: n, invalidAt: null, nonAscii };
}

/** How many bytes at the end of `data` begin a UTF-8 sequence that the chunk cuts off (0 to 3). */
function cutSequenceLength(data: Uint8Array): number {
  const n = data.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const byte = data[n - back] ?? 0;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return length > back ? back : 0;
    }
  }
  return 0;
}

/** Turns byte chunks into text; `report()` tells how they were read. */
export interface TextDecoderState {
  /** Text of the next chunk; a character cut at the chunk's end comes with the next call. */
  write(chunk: Uint8Array): string;
  /** The text still held back at the end of the input. */
  end(): string;
  report(): EncodingReport;
}

/**
 * Decodes a byte stream. `utf8` reads UTF-8 (ill-formed bytes become U+FFFD); `latin1` reads
 * ISO-8859-1; `auto` reads UTF-8 and, at the first ill-formed byte, switches to ISO-8859-1 for
 * the rest. Every byte below 0x80 means the same in both, so a Latin-1 file is read correctly
 * from its first accented character on, and a UTF-8 file is never misread.
 */
export function createTextDecoder(requested: CsvEncoding): TextDecoderState {
  const utf8 = new StringDecoder('utf8');
  let latin1 = requested === 'latin1';
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0; // input bytes before `carry`
  let switchedAtByte: number | null = null;
  let sawNonAscii = false;

  return {
    write(chunk: Uint8Array): string {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (requested === 'utf8') return utf8.write(bytes);
      if (latin1) return bytes.toString('latin1');
      const data = carry.length === 0 ? bytes : Buffer.concat([carry, bytes]);
      // The native check passes almost every chunk; the byte scan only runs to find where a file stops being UTF-8.
      const whole = data.length - cutSequenceLength(data);
      if (isUtf8(data.subarray(0, whole))) {
        sawNonAscii ||= !isAscii(data.subarray(0, whole));
        carry = Buffer.from(data.subarray(whole));
        offset += whole;
        return data.toString('utf8', 0, whole);
      }
      const scan = validUtf8Prefix(data);
      sawNonAscii ||= scan.nonAscii;
      if (scan.invalidAt !== null) {
        latin1 = true;
        switchedAtByte = offset + scan.invalidAt;
        carry = Buffer.alloc(0);
        offset += data.length;
        return data.toString('utf8', 0, scan.invalidAt) + data.toString('latin1', scan.invalidAt);
      }
      // Hold back a sequence cut off by the chunk's end until the next chunk completes it.
      carry = Buffer.from(data.subarray(scan.validLength));
      offset += scan.validLength;
      return data.toString('utf8', 0, scan.validLength);
    },
    end(): string {
      if (requested === 'utf8') return utf8.end();
      if (carry.length === 0) return '';
      // A sequence cut off by the end of the file is not UTF-8 either.
      if (!latin1) {
        latin1 = true;
        switchedAtByte = offset;
      }
      const tail = carry.toString('latin1');
      carry = Buffer.alloc(0);
      return tail;
    },
    report: (): EncodingReport => ({
      requested,
      used: latin1 ? 'iso-8859-1' : 'utf-8',
      switchedAtByte,
      mixed: switchedAtByte !== null && sawNonAscii,
    }),
  };
}
