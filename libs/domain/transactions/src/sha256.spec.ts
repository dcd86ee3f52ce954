import { sha256Hex } from './sha256';

describe('sha256Hex', () => {
  // Test vectors from FIPS 180-4 examples and NIST's SHA-256 short/long messages.
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
    [
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
      'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
    ],
  ])('hashes %j to its published digest', (input, digest) => {
    expect(sha256Hex(input)).toBe(digest);
  });

  it('hashes one million "a" (the long NIST vector)', () => {
    expect(sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('hashes the UTF-8 encoding of the text (digest from Python\'s hashlib)', () => {
    expect(sha256Hex('Côte d’Ivoire £')).toBe('0aa9845108408000d77e1b3165ae8861301b5083ccc8f0c9376c8104d853a3b0');
  });
});
