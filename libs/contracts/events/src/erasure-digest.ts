import { createHash } from 'node:crypto';

/**
 * What a service keeps of an erased customer's id: the SHA-256 of its UTF-8 bytes, as 64
 * lower-case hex digits (MariaDB's `SHA2(id, 256)` on a utf8mb4 column gives the same). Enough to
 * recognise the customer's later lines or events, not to list who was erased without guessing ids.
 */
export function erasedCustomerDigest(customerId: string): string {
  return createHash('sha256').update(customerId, 'utf8').digest('hex');
}
