/**
 * A lock per key around work that moves a ref: every ref move through Hubble (commit API, branch
 * and tag changes, squash) runs inside one, so concurrent writers queue instead of failing.
 * Git's compare-and-swap `update-ref` stays the last guard.
 */
export interface RefLocks {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Keyed async mutex: serialises work on one key (e.g. one branch) inside this process. */
export class KeyedMutex implements RefLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs fn once every earlier holder of `key` is done. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** Counting semaphore: at most `size` holders at once, the rest wait in FIFO order. */
export class Semaphore {
  private used = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(private readonly size: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.used >= this.size) await new Promise<void>((r) => this.waiters.push(r));
    else this.used++;
    try {
      return await fn();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.used--;
    }
  }
}
