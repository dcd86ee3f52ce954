// The API key a person types in lives in sessionStorage only: it is gone when the tab closes, it is
// never part of the bundle, and it is sent only to this origin (which forwards it to the gateway).

export type Role = 'viewer' | 'marketer' | 'admin';

export const CREDENTIAL_STORAGE_KEY = 'seg.dashboard.apiKey';

type KeyStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The key as typed: surrounding spaces and a pasted "Bearer " prefix dropped; undefined when it cannot be a key. */
export function normaliseApiKey(input: string): string | undefined {
  const key = input.trim().replace(/^Bearer\s+/i, '');
  return key.length > 0 && !/\s/.test(key) ? key : undefined;
}

export function readCredential(storage: KeyStorage): string | undefined {
  try {
    return storage.getItem(CREDENTIAL_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveCredential(storage: KeyStorage, key: string): void {
  storage.setItem(CREDENTIAL_STORAGE_KEY, key);
}

export function clearCredential(storage: KeyStorage): void {
  try {
    storage.removeItem(CREDENTIAL_STORAGE_KEY);
  } catch {
    // Storage may be unavailable (private mode); nothing was stored then.
  }
}

/**
 * The role a key announces by the prefix the platform's generated keys carry (adm_, mkt_, vwr_).
 * Only a hint for greying out controls until the gateway answers `me { role }`; the gateway decides
 * every action, and a refusal lowers the assumed role.
 */
export function roleHint(key: string): Role | undefined {
  if (key.startsWith('adm_')) return 'admin';
  if (key.startsWith('mkt_')) return 'marketer';
  if (key.startsWith('vwr_')) return 'viewer';
  return undefined;
}

const RANK: Readonly<Record<Role, number>> = { viewer: 0, marketer: 1, admin: 2 };

/** Whether a role (undefined: unknown) may try an action that needs `needed`. */
export function mayTry(role: Role | undefined, needed: Role): boolean {
  return role === undefined || RANK[role] >= RANK[needed];
}

const BELOW: Readonly<Record<Role, Role>> = { admin: 'marketer', marketer: 'viewer', viewer: 'viewer' };

/**
 * The role to assume after the gateway refused an action that needs `needed`: below it, and never
 * above what was assumed before (an unknown role becomes the highest one below `needed`).
 */
export function roleAfterRefusal(role: Role | undefined, needed: Role): Role {
  const cap = BELOW[needed];
  if (role === undefined) return cap;
  return RANK[role] < RANK[cap] ? role : cap;
}

/** A short key for display: "mkt_1a2b…9f". */
export function maskKey(key: string): string {
  return key.length <= 10 ? '•'.repeat(key.length) : `${key.slice(0, 6)}…${key.slice(-2)}`;
}
