import { presentedApiKey } from './credentials';

const headers = (values: Record<string, string>) => (name: string) => values[name];

describe('presentedApiKey', () => {
  it('reads a bearer token, whatever the case of the scheme', () => {
    expect(presentedApiKey(headers({ authorization: 'Bearer abc123' }))).toBe('abc123');
    expect(presentedApiKey(headers({ authorization: 'bearer  abc123 ' }))).toBe('abc123');
  });

  it('falls back to x-api-key', () => {
    expect(presentedApiKey(headers({ 'x-api-key': ' abc123 ' }))).toBe('abc123');
    expect(presentedApiKey(headers({ authorization: 'Basic dXNlcjpwdw==', 'x-api-key': 'abc123' }))).toBe('abc123');
  });

  it('finds no key in other schemes, malformed bearer values or no header', () => {
    expect(presentedApiKey(headers({ authorization: 'Basic dXNlcjpwdw==' }))).toBeUndefined();
    expect(presentedApiKey(headers({ authorization: 'Bearer' }))).toBeUndefined();
    expect(presentedApiKey(headers({ authorization: 'Bearer two tokens' }))).toBeUndefined();
    expect(presentedApiKey(headers({ 'x-api-key': '   ' }))).toBeUndefined();
    expect(presentedApiKey(headers({}))).toBeUndefined();
  });
});
