const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

/** FNV-1a, 32 bits, over the UTF-8 bytes of the text: small, stable and easy to reproduce in SQL or other languages. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/**
 * MurmurHash3's 32-bit finaliser. Plain FNV-1a of keys that differ in one early byte (campaign
 * 'a' vs 'b') stays correlated in its high bits, which would put the same customers in the
 * holdout of every campaign; the finaliser spreads each input bit over the whole word.
 */
export function fmix32(hash: number): number {
  let h = hash >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The holdout draw of a customer in a campaign, uniform in [0, 1): fmix32(FNV-1a 32 of `${campaignId}:${customerId}`) / 2^32. */
export function holdoutDraw(customerId: string, campaignId: string): number {
  return fmix32(fnv1a32(`${campaignId}:${customerId}`)) / 4294967296;
}

/**
 * Whether a customer is in a campaign's holdout (control) group: {@link holdoutDraw} < holdoutShare.
 * Deterministic, so a customer stays in or out for the life of a campaign, independent between
 * campaigns, and a larger share contains a smaller one.
 */
export function isInHoldout(customerId: string, campaignId: string, holdoutShare: number): boolean {
  if (!(holdoutShare >= 0 && holdoutShare <= 1)) throw new RangeError(`holdoutShare must be in [0, 1], got ${holdoutShare}`);
  return holdoutDraw(customerId, campaignId) < holdoutShare;
}
