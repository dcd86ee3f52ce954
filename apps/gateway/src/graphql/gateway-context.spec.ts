import { SignJWT } from 'jose';
import { GraphQLError } from 'graphql';
import { parseApiKeys } from '../auth/api-keys';
import type { JwtSettings } from '../auth/jwt';
import { resolveGatewayContext, type GatewayAuth } from './gateway-context';

const MARKETER_KEY = 'marketer-key-00000001';
const JWT_SECRET = new TextEncoder().encode('gateway-context-test-secret-0123456789');

function apiKeys() {
  const parsed = parseApiKeys(`marketer:${MARKETER_KEY}`);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.keys;
}

const jwt: JwtSettings = { secret: JWT_SECRET, issuer: undefined, audience: undefined };
const keysOnly: GatewayAuth = { apiKeys: apiKeys(), jwt: undefined };
const keysAndJwt: GatewayAuth = { apiKeys: apiKeys(), jwt };

const headers = (values: Record<string, string>) => (name: string) => values[name];

function signed(role: string, expiresInSeconds = 300): Promise<string> {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(JWT_SECRET);
}

async function refusal(auth: GatewayAuth, values: Record<string, string>): Promise<GraphQLError> {
  try {
    await resolveGatewayContext(auth, headers(values));
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('resolveGatewayContext', () => {
  it('gives an authenticated caller the role of its key and keeps a valid correlation id', async () => {
    const context = await resolveGatewayContext(keysOnly, headers({ authorization: `Bearer ${MARKETER_KEY}`, 'x-correlation-id': 'order-17' }));
    expect(context).toEqual({ role: 'marketer', correlationId: 'order-17' });
  });

  it('takes the role from the key only, never from a header the client sent', async () => {
    const context = await resolveGatewayContext(keysOnly, headers({ 'x-api-key': MARKETER_KEY, 'x-seg-role': 'admin' }));
    expect(context.role).toBe('marketer');
    expect(context.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['no key', {}, 'missing API key'],
    ['an unknown key', { authorization: 'Bearer not-a-configured-key-123' }, 'unknown API key'],
    ['a key in another scheme', { authorization: `Basic ${MARKETER_KEY}` }, 'missing API key'],
  ])('refuses %s with UNAUTHENTICATED and HTTP 401', async (_, values: Record<string, string>, message) => {
    const error = await refusal(keysAndJwt, values);
    expect(error.message).toContain(message);
    expect(error.extensions['code']).toBe('UNAUTHENTICATED');
    expect(error.extensions['http']).toMatchObject({ status: 401 });
  });

  it('takes the role of a bearer JWT from its role claim', async () => {
    const token = await signed('viewer');
    expect(await resolveGatewayContext(keysAndJwt, headers({ authorization: `Bearer ${token}`, 'x-correlation-id': 'c-1' }))).toEqual({ role: 'viewer', correlationId: 'c-1' });
    expect((await resolveGatewayContext(keysAndJwt, headers({ authorization: `Bearer ${await signed('admin')}` }))).role).toBe('admin');
  });

  it('keeps API keys working when JWTs are enabled', async () => {
    expect((await resolveGatewayContext(keysAndJwt, headers({ authorization: `Bearer ${MARKETER_KEY}` }))).role).toBe('marketer');
  });

  it('refuses an expired or badly signed JWT with the reason', async () => {
    const expired = await refusal(keysAndJwt, { authorization: `Bearer ${await signed('admin', -120)}` });
    expect(expired.message).toBe('invalid token: the token has expired');
    expect(expired.extensions['code']).toBe('UNAUTHENTICATED');
    const forged = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode('not-the-gateway-secret-0123456789abcdef'));
    expect((await refusal(keysAndJwt, { authorization: `Bearer ${forged}` })).message).toBe('invalid token: the token signature does not verify');
  });

  it('refuses JWTs when no JWT secret is configured', async () => {
    const error = await refusal(keysOnly, { authorization: `Bearer ${await signed('admin')}` });
    expect(error.message).toBe('unknown API key (this gateway accepts no JWTs)');
    expect(error.extensions['http']).toMatchObject({ status: 401 });
  });
});
