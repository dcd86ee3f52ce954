import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '@seg/platform-subgraph';

export const ROLES: readonly Role[] = ['viewer', 'marketer', 'admin'];
export const MIN_API_KEY_LENGTH = 16;

/** One accepted key. Only its digest is kept, so every comparison has the same length. */
export interface ApiKey {
  readonly role: Role;
  readonly digest: Buffer;
}

export type ApiKeyring = readonly ApiKey[];

export type ApiKeysParse = { readonly keys: ApiKeyring } | { readonly error: string };

function digestOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * Parses SEG_API_KEYS, `role:key[,role:key...]`. Errors name the entry by position and role but
 * never echo the key, so a typo in a real key does not end up in a log.
 */
export function parseApiKeys(text: string): ApiKeysParse {
  const entries = text.split(',').map((entry) => entry.trim());
  const keys: ApiKey[] = [];
  const seen = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const position = index + 1;
    if (entry.length === 0) continue;
    const colon = entry.indexOf(':');
    if (colon < 0) return { error: `entry ${position} is not of the form role:key` };
    const role = entry.slice(0, colon).trim();
    const key = entry.slice(colon + 1).trim();
    const label = `entry ${position} (role "${role}")`;
    if (!isRole(role)) return { error: `${label}: unknown role; expected one of ${ROLES.join(', ')}` };
    if (key.length < MIN_API_KEY_LENGTH) return { error: `${label}: the key has ${key.length} characters; keys need at least ${MIN_API_KEY_LENGTH}` };
    if (!/^[\x21-\x7e]+$/.test(key)) return { error: `${label}: the key may contain only printable ASCII characters without spaces` };
    const earlier = seen.get(key);
    if (earlier !== undefined) return { error: `${label}: the key repeats the key of entry ${earlier}` };
    seen.set(key, position);
    keys.push({ role, digest: digestOf(key) });
  }
  if (keys.length === 0) return { error: 'no keys given; expected role:key[,role:key...]' };
  return { keys };
}

/**
 * The role of a presented API key, or undefined when no key matches. Every configured key is
 * compared in constant time and the loop never stops early, so timing reveals neither which key
 * matched nor how much of a guess was right.
 */
export function authenticate(keyring: ApiKeyring, presented: string | undefined): Role | undefined {
  if (presented === undefined || presented.length === 0) return undefined;
  const digest = digestOf(presented);
  let role: Role | undefined;
  for (const key of keyring) {
    if (timingSafeEqual(key.digest, digest)) role = key.role;
  }
  return role;
}
