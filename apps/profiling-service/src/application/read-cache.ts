/**
 * A small process-wide cache for what every request reads and few requests write (segments of the
 * latest model, coupon rules, overrides, campaigns). An entry lives `ttlMs`: what another replica
 * writes shows up here within that time, what this process writes at once (its writers call
 * `invalidate`). A load that fails is not kept.
 */
export class ReadCache {
  private readonly entries = new Map<string, { readonly value: Promise<unknown>; readonly expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const at = this.now();
    const entry = this.entries.get(key);
    if (entry && entry.expires > at) return entry.value as Promise<T>;
    const value = load();
    this.entries.set(key, { value, expires: at + this.ttlMs });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  /** Forgets everything: the next read of each key loads it again. */
  invalidate(): void {
    this.entries.clear();
  }
}
