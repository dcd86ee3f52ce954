import { fmix32, fnv1a32, holdoutDraw, isInHoldout } from './holdout';

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    // from the FNV reference test suite (isthe.com/chongo/tech/comp/fnv)
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
});

describe('fmix32', () => {
  it('matches MurmurHash3 fmix32 (0 stays 0; 1 -> 0x514e28b7)', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
  });
});

describe('holdoutDraw', () => {
  it('is fmix32(FNV-1a("campaign:customer")) / 2^32', () => {
    expect(holdoutDraw('17850', 'spring')).toBe(fmix32(fnv1a32('spring:17850')) / 2 ** 32);
  });
});

describe('isInHoldout', () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => String(12346 + i)); // Online Retail-style ids

  it.each([0.05, 0.1, 0.2, 0.5])('puts about %d of 10,000 customers in the holdout', (share) => {
    const held = ids.filter((id) => isInHoldout(id, 'winback-2011-12', share)).length;
    // binomial standard deviation sqrt(10000 x p(1 - p)) is at most 50: allow 4 of them
    expect(Math.abs(held - share * 10_000)).toBeLessThan(4 * Math.sqrt(10_000 * share * (1 - share)));
  });

  it('is deterministic and differs between campaigns', () => {
    const first = ids.map((id) => isInHoldout(id, 'a', 0.5));
    expect(ids.map((id) => isInHoldout(id, 'a', 0.5))).toEqual(first);
    const second = ids.map((id) => isInHoldout(id, 'b', 0.5));
    const same = first.filter((held, i) => held === second[i]).length;
    expect(Math.abs(same - 5000)).toBeLessThan(200); // independent draws agree about half the time
  });

  it('holds out nobody at 0 and everybody at 1; a larger share keeps the smaller one', () => {
    expect(ids.some((id) => isInHoldout(id, 'c', 0))).toBe(false);
    expect(ids.every((id) => isInHoldout(id, 'c', 1))).toBe(true);
    for (const id of ids.slice(0, 500)) if (isInHoldout(id, 'c', 0.1)) expect(isInHoldout(id, 'c', 0.2)).toBe(true);
  });

  it('refuses a share outside [0, 1]', () => {
    expect(() => isInHoldout('1', 'c', 1.5)).toThrow(RangeError);
    expect(() => isInHoldout('1', 'c', Number.NaN)).toThrow(RangeError);
  });
});
