import { ReadCache } from './read-cache';

describe('ReadCache', () => {
  let clock = 0;
  const cache = () => new ReadCache(1_000, () => clock);

  beforeEach(() => {
    clock = 0;
  });

  it('loads a key once while it is fresh, and again once it has expired', async () => {
    const c = cache();
    let loads = 0;
    const load = async () => ++loads;
    expect(await Promise.all([c.get('rules', load), c.get('rules', load)])).toEqual([1, 1]);
    clock = 999;
    expect(await c.get('rules', load)).toBe(1);
    clock = 1_000;
    expect(await c.get('rules', load)).toBe(2);
  });

  it('keeps keys apart', async () => {
    const c = cache();
    expect(await c.get('a', async () => 'A')).toBe('A');
    expect(await c.get('b', async () => 'B')).toBe('B');
    expect(await c.get('a', async () => 'other')).toBe('A');
  });

  it('loads again after invalidate, before the entry would have expired', async () => {
    const c = cache();
    let loads = 0;
    await c.get('rules', async () => ++loads);
    c.invalidate();
    expect(await c.get('rules', async () => ++loads)).toBe(2);
  });

  it('does not keep a failed load', async () => {
    const c = cache();
    await expect(c.get('rules', async () => Promise.reject(new Error('database away')))).rejects.toThrow('database away');
    expect(await c.get('rules', async () => 'back')).toBe('back');
  });
});
