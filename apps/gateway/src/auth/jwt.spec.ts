import { createHmac } from 'node:crypto';
import { SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { looksLikeJwt, verifyJwt, type JwtSettings } from './jwt';

const SECRET = 'jwt-secret-for-tests-0123456789abcdef';
const key = new TextEncoder().encode(SECRET);
const settings: JwtSettings = { secret: key, issuer: undefined, audience: undefined };
const now = () => Math.floor(Date.now() / 1000);

/** A token signed here, as an identity provider would sign it. */
function token(payload: JWTPayload, options: { secret?: Uint8Array; alg?: string; expiresIn?: number | null } = {}): Promise<string> {
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt().setSubject('user-7');
  if (options.expiresIn !== null) jwt.setExpirationTime(now() + (options.expiresIn ?? 300));
  return jwt.sign(options.secret ?? key);
}

describe('looksLikeJwt', () => {
  it('tells a compact JWT from an API key', async () => {
    expect(looksLikeJwt(await token({ role: 'viewer' }))).toBe(true);
    expect(looksLikeJwt('vwr_0123456789abcdef0123456789abcdef')).toBe(false);
    expect(looksLikeJwt('a.b.c')).toBe(false);
    expect(looksLikeJwt('eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYWRtaW4ifQ')).toBe(false);
  });
});

describe('verifyJwt', () => {
  it.each(['viewer', 'marketer', 'admin'] as const)('gives the %s role of a valid token', async (role) => {
    expect(await verifyJwt(settings, await token({ role }))).toEqual({ role, subject: 'user-7' });
  });

  it('checks issuer and audience when configured', async () => {
    const strict: JwtSettings = { ...settings, issuer: 'https://id.example.com', audience: 'seg-api' };
    const good = await token({ role: 'marketer', iss: 'https://id.example.com', aud: ['other', 'seg-api'] });
    expect(await verifyJwt(strict, good)).toEqual({ role: 'marketer', subject: 'user-7' });
    expect(await verifyJwt(strict, await token({ role: 'marketer', iss: 'https://evil.example.com', aud: 'seg-api' }))).toEqual({ error: 'the token\'s "iss" claim is not accepted' });
    expect(await verifyJwt(strict, await token({ role: 'marketer', iss: 'https://id.example.com', aud: 'other' }))).toEqual({ error: 'the token\'s "aud" claim is not accepted' });
    expect(await verifyJwt(strict, await token({ role: 'marketer', aud: 'seg-api' }))).toEqual({ error: 'the token has no "iss" claim' });
  });

  it('refuses an expired token, and one without an expiry', async () => {
    expect(await verifyJwt(settings, await token({ role: 'admin' }, { expiresIn: -120 }))).toEqual({ error: 'the token has expired' });
    expect(await verifyJwt(settings, await token({ role: 'admin' }, { expiresIn: null }))).toEqual({ error: 'the token has no "exp" claim' });
  });

  it('refuses a token not yet valid', async () => {
    expect(await verifyJwt(settings, await token({ role: 'admin', nbf: now() + 600 }))).toEqual({ error: 'the token\'s "nbf" claim is not accepted' });
  });

  it('refuses a token signed with another secret, or tampered with', async () => {
    const other = new TextEncoder().encode('another-secret-of-at-least-32-bytes!!');
    expect(await verifyJwt(settings, await token({ role: 'admin' }, { secret: other }))).toEqual({ error: 'the token signature does not verify' });
    const [header, , signature] = (await token({ role: 'viewer' })).split('.');
    const forged = Buffer.from(JSON.stringify({ role: 'admin', exp: now() + 300 })).toString('base64url');
    expect(await verifyJwt(settings, `${header}.${forged}.${signature}`)).toEqual({ error: 'the token signature does not verify' });
  });

  it('refuses other algorithms, unsigned tokens included', async () => {
    expect(await verifyJwt(settings, await token({ role: 'admin' }, { alg: 'HS512' }))).toEqual({ error: 'the token must be signed with HS256' });
    const unsecured = new UnsecuredJWT({ role: 'admin' }).setExpirationTime(now() + 300).encode();
    expect(await verifyJwt(settings, unsecured)).toEqual({ error: 'the token must be signed with HS256' });
  });

  it('requires a known role claim', async () => {
    expect(await verifyJwt(settings, await token({}))).toEqual({ error: 'the token\'s "role" claim must be one of viewer, marketer, admin' });
    expect(await verifyJwt(settings, await token({ role: 'owner' }))).toEqual({ error: 'the token\'s "role" claim must be one of viewer, marketer, admin' });
    expect(await verifyJwt(settings, await token({ role: ['admin'] }))).toEqual({ error: 'the token\'s "role" claim must be one of viewer, marketer, admin' });
  });

  it('refuses a signed token whose payload is not JSON', async () => {
    const signingInput = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('not json').toString('base64url')}`;
    const signature = createHmac('sha256', key).update(signingInput).digest('base64url');
    expect(await verifyJwt(settings, `${signingInput}.${signature}`)).toEqual({ error: 'the token is malformed' });
    expect(await verifyJwt(settings, 'eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln')).toEqual({ error: 'the token signature does not verify' });
  });
});
