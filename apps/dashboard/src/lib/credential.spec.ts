import { clearCredential, CREDENTIAL_STORAGE_KEY, maskKey, mayTry, normaliseApiKey, readCredential, roleAfterRefusal, roleHint, saveCredential } from './credential';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
  };
}

describe('the API key', () => {
  it('is normalised from what a person pastes', () => {
    expect(normaliseApiKey('  mkt_abc  ')).toBe('mkt_abc');
    expect(normaliseApiKey('Bearer vwr_abc')).toBe('vwr_abc');
    expect(normaliseApiKey('   ')).toBeUndefined();
    expect(normaliseApiKey('two words')).toBeUndefined();
  });

  it('is kept in the given storage under one name and removed on sign-out', () => {
    const storage = memoryStorage();
    expect(readCredential(storage)).toBeUndefined();
    saveCredential(storage, 'mkt_abc');
    expect(storage.items.get(CREDENTIAL_STORAGE_KEY)).toBe('mkt_abc');
    expect(readCredential(storage)).toBe('mkt_abc');
    clearCredential(storage);
    expect(readCredential(storage)).toBeUndefined();
  });

  it('hints at its role from the generated prefixes only', () => {
    expect(roleHint('adm_0123')).toBe('admin');
    expect(roleHint('mkt_0123')).toBe('marketer');
    expect(roleHint('vwr_0123')).toBe('viewer');
    expect(roleHint('0123abcd')).toBeUndefined();
  });

  it('lets a role try what its rank allows, and an unknown role try anything', () => {
    expect(mayTry('viewer', 'marketer')).toBe(false);
    expect(mayTry('marketer', 'marketer')).toBe(true);
    expect(mayTry('marketer', 'admin')).toBe(false);
    expect(mayTry('admin', 'marketer')).toBe(true);
    expect(mayTry(undefined, 'admin')).toBe(true);
  });

  it('is taken down a rank when the gateway refuses', () => {
    expect(roleAfterRefusal(undefined, 'marketer')).toBe('viewer');
    expect(roleAfterRefusal(undefined, 'admin')).toBe('marketer');
    expect(roleAfterRefusal('admin', 'admin')).toBe('marketer');
    expect(roleAfterRefusal('viewer', 'admin')).toBe('viewer');
    expect(mayTry(roleAfterRefusal(undefined, 'marketer'), 'marketer')).toBe(false);
  });

  it('is masked for display', () => {
    expect(maskKey('mkt_0123456789abcdef')).toBe('mkt_01…ef');
    expect(maskKey('short')).toBe('•••••');
  });
});
