/**
 * Failure throttling for password login: after `free` failures of a key (a user name, a client
 * address) inside `windowMs`, the key is locked out for a delay that doubles with each further
 * failure, up to `maxLockMs`. A success clears the key. The counts live in a store: in memory for
 * a lone process, in the database when several nodes share one (so the budget is the cluster's,
 * not each node's).
 */

/** Where failure counts live. `fail` counts atomically (two nodes failing at once both count). */
export interface ThrottleStore {
  /** Adds a failure, starting a new window when the key's is over; returns the window's count. */
  fail(key: string, now: number, windowMs: number): Promise<number>;
  setLock(key: string, until: number): Promise<void>;
  lockedUntil(key: string): Promise<number>;
  clear(key: string): Promise<void>;
  /** Forgets keys whose window and lock are both over. */
  prune(now: number, windowMs: number): Promise<void>;
}

/** The store of one process. */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly entries = new Map<string, { failures: number; first: number; lockedUntil: number }>();
  constructor(private readonly maxKeys = 10_000) {}

  async fail(key: string, now: number, windowMs: number) {
    let e = this.entries.get(key);
    if (!e || now - e.first > windowMs) {
      e = { failures: 0, first: now, lockedUntil: 0 };
      if (this.entries.size >= this.maxKeys) await this.prune(now, windowMs);
      this.entries.set(key, e);
    }
    return ++e.failures;
  }
  async setLock(key: string, until: number) {
    const e = this.entries.get(key);
    if (e) e.lockedUntil = until;
  }
  async lockedUntil(key: string) {
    return this.entries.get(key)?.lockedUntil ?? 0;
  }
  async clear(key: string) {
    this.entries.delete(key);
  }
  async prune(now: number, windowMs: number) {
    for (const [k, e] of this.entries) if (now - e.first > windowMs && e.lockedUntil <= now) this.entries.delete(k);
  }
  get size() {
    return this.entries.size;
  }
}

export class Throttle {
  constructor(
    private readonly o: { free: number; windowMs: number; baseLockMs: number; maxLockMs: number },
    private readonly store: ThrottleStore = new MemoryThrottleStore(),
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the key must still wait (0 when it may try). */
  async waitMs(key: string): Promise<number> {
    return Math.max(0, (await this.store.lockedUntil(key)) - this.now());
  }

  /** Records a failure; returns the lock now in force (0 while still within the free attempts). */
  async fail(key: string): Promise<number> {
    const t = this.now();
    const failures = await this.store.fail(key, t, this.o.windowMs);
    if (failures === 1 && Math.random() < 0.01) await this.store.prune(t, this.o.windowMs);
    if (failures < this.o.free) return 0;
    const lock = Math.min(this.o.maxLockMs, this.o.baseLockMs * 2 ** (failures - this.o.free));
    await this.store.setLock(key, t + lock);
    return lock;
  }

  async succeed(key: string): Promise<void> {
    await this.store.clear(key);
  }
}
