import { authenticate, parseApiKeys, type ApiKeyring } from './api-keys';

const VIEWER_KEY = 'viewer-key-0000000001';
const ADMIN_KEY = 'admin-key-000000000002';

function keyring(text: string): ApiKeyring {
  const parsed = parseApiKeys(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.keys;
}

describe('parseApiKeys', () => {
  it('reads role:key entries, tolerating spaces and a trailing comma', () => {
    const keys = keyring(` viewer:${VIEWER_KEY} , admin:${ADMIN_KEY},`);
    expect(keys.map((key) => key.role)).toEqual(['viewer', 'admin']);
  });

  it('keeps a colon inside a key', () => {
    const keys = keyring('marketer:abc:defghijklmnopqrstu');
    expect(authenticate(keys, 'abc:defghijklmnopqrstu')).toBe('marketer');
  });

  it.each([
    ['', 'no keys given'],
    [' , ', 'no keys given'],
    [`viewer:${VIEWER_KEY},${ADMIN_KEY}`, 'entry 2 is not of the form role:key'],
    [`owner:${ADMIN_KEY}`, 'entry 1 (role "owner"): unknown role; expected one of viewer, marketer, admin'],
    ['admin:short-key', 'entry 1 (role "admin"): the key has 9 characters; keys need at least 16'],
    ['admin:', 'entry 1 (role "admin"): the key has 0 characters'],
    ['admin:key with spaces 123456', 'entry 1 (role "admin"): the key may contain only printable ASCII characters without spaces'],
    ['admin:clé-non-ascii-123456789', 'only printable ASCII'],
    [`viewer:${VIEWER_KEY},admin:${VIEWER_KEY}`, 'entry 2 (role "admin"): the key repeats the key of entry 1'],
  ])('refuses %j with a message naming the entry', (text, message) => {
    const parsed = parseApiKeys(text);
    expect('error' in parsed && parsed.error).toContain(message);
  });

  it('never echoes a key in an error', () => {
    const parsed = parseApiKeys(`viewer:${VIEWER_KEY},boss:${ADMIN_KEY}`);
    expect('error' in parsed && parsed.error).not.toContain(ADMIN_KEY);
    expect('error' in parsed && parsed.error).not.toContain(VIEWER_KEY);
  });
});

describe('authenticate', () => {
  const keys = keyring(`viewer:${VIEWER_KEY},admin:${ADMIN_KEY}`);

  it('maps a known key to its role', () => {
    expect(authenticate(keys, VIEWER_KEY)).toBe('viewer');
    expect(authenticate(keys, ADMIN_KEY)).toBe('admin');
  });

  it('refuses unknown, missing, empty, prefix and extended keys', () => {
    expect(authenticate(keys, 'someone-elses-key-000')).toBeUndefined();
    expect(authenticate(keys, undefined)).toBeUndefined();
    expect(authenticate(keys, '')).toBeUndefined();
    expect(authenticate(keys, ADMIN_KEY.slice(0, -1))).toBeUndefined();
    expect(authenticate(keys, `${ADMIN_KEY}x`)).toBeUndefined();
    expect(authenticate(keys, ADMIN_KEY.toUpperCase())).toBeUndefined();
  });

  it('keeps only digests of the keys', () => {
    for (const key of keys) expect(key.digest.toString('utf8')).not.toContain('key');
  });
});
