/** A seeded source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * Mulberry32: a tiny 32-bit generator, plenty for picking seeds and samples, and identical on
 * every platform, so a seed reproduces a model anywhere.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
export function randomIndex(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/** k distinct indices of [0, n), in ascending order (partial Fisher-Yates). */
export function sampleIndices(random: Random, n: number, k: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const pool = new Map<number, number>();
  const picked: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + randomIndex(random, n - i);
    picked.push(pool.get(j) ?? j);
    pool.set(j, pool.get(i) ?? i);
  }
  return picked.sort((a, b) => a - b);
}
