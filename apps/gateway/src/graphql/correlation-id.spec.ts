import { correlationIdFor } from './correlation-id';

describe('correlationIdFor', () => {
  const fresh = () => 'generated';

  it('keeps a well-formed client id', () => {
    expect(correlationIdFor('3f1c2a9e-7b7d-4b0e-9a53-1c1f1f0f7a10', fresh)).toBe('3f1c2a9e-7b7d-4b0e-9a53-1c1f1f0f7a10');
    expect(correlationIdFor('checkout.42:retry_1', fresh)).toBe('checkout.42:retry_1');
  });

  it.each([undefined, '', ' leading-space', 'has space', 'line\nbreak', '-starts-with-dash', 'x'.repeat(129), '<script>'])(
    'replaces %j with a fresh id',
    (value) => {
      expect(correlationIdFor(value, fresh)).toBe('generated');
    },
  );

  it('generates UUIDs by default', () => {
    expect(correlationIdFor(undefined)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
