/**
 * Failure throttling for password login: after `free` failures of a key (a user name, a client
 * address) inside `windowMs`, the key is locked out for a delay that doubles with each further
 * failure, up to `maxLockMs`. A success clears the key. In memory, per node: a scale-out cluster
 * multiplies the budget by its node count, which still turns brute force into a crawl.
 */
export class Throttle {
  private readonly entries = new Map<string, { failures: number; first: number; lockedUntil: number }>();

  constructor(
    private readonly o: { free: number; windowMs: number; baseLockMs: number; maxLockMs: number; maxKeys?: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the key must still wait (0 when it may try). */
  waitMs(key: string): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.lockedUntil - this.now()) : 0;
  }

  /** Records a failure; returns the lock now in force (0 while still within the free attempts). */
  fail(key: string): number {
    const t = this.now();
    let e = this.entries.get(key);
    if (!e || t - e.first > this.o.windowMs) {
      e = { failures: 0, first: t, lockedUntil: 0 };
      this.prune(t);
      this.entries.set(key, e);
    }
    e.failures++;
    if (e.failures >= this.o.free) {
      e.lockedUntil = t + Math.min(this.o.maxLockMs, this.o.baseLockMs * 2 ** (e.failures - this.o.free));
    }
    return Math.max(0, e.lockedUntil - t);
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }

  /** Bounds memory: drops entries whose window and lock are both over. */
  private prune(t: number): void {
    if (this.entries.size < (this.o.maxKeys ?? 10_000)) return;
    for (const [k, e] of this.entries) if (t - e.first > this.o.windowMs && e.lockedUntil <= t) this.entries.delete(k);
  }
}
