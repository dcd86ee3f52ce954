import { GraphQLError } from 'graphql';
import { parseApiKeys, type ApiKeyring } from '../auth/api-keys';
import { resolveGatewayContext } from './gateway-context';

const MARKETER_KEY = 'marketer-key-00000001';

function keyring(): ApiKeyring {
  const parsed = parseApiKeys(`marketer:${MARKETER_KEY}`);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.keys;
}

const headers = (values: Record<string, string>) => (name: string) => values[name];

function refusal(values: Record<string, string>): GraphQLError {
  try {
    resolveGatewayContext(keyring(), headers(values));
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('resolveGatewayContext', () => {
  it('gives an authenticated caller the role of its key and keeps a valid correlation id', () => {
    const context = resolveGatewayContext(keyring(), headers({ authorization: `Bearer ${MARKETER_KEY}`, 'x-correlation-id': 'order-17' }));
    expect(context).toEqual({ role: 'marketer', correlationId: 'order-17' });
  });

  it('takes the role from the key only, never from a header the client sent', () => {
    const context = resolveGatewayContext(keyring(), headers({ 'x-api-key': MARKETER_KEY, 'x-seg-role': 'admin' }));
    expect(context.role).toBe('marketer');
    expect(context.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['no key', {}, 'missing API key'],
    ['an unknown key', { authorization: 'Bearer not-a-configured-key-123' }, 'unknown API key'],
    ['a key in another scheme', { authorization: `Basic ${MARKETER_KEY}` }, 'missing API key'],
  ])('refuses %s with UNAUTHENTICATED and HTTP 401', (_, values: Record<string, string>, message) => {
    const error = refusal(values);
    expect(error.message).toContain(message);
    expect(error.extensions['code']).toBe('UNAUTHENTICATED');
    expect(error.extensions['http']).toMatchObject({ status: 401 });
  });
});
