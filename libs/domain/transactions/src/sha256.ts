import { hash } from 'node:crypto';

/** SHA-256 of the UTF-8 encoding of `text`, as 64 lower-case hex digits (OpenSSL's, one call per text). */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
