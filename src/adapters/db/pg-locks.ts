/**
 * Ref locks that hold across nodes: a PostgreSQL session advisory lock per key, taken on a pool
 * connection kept for the lock's lifetime (the work between lock and unlock is git, not SQL). Work
 * on one key inside this process queues on an in-process mutex first, so a node holds at most one
 * connection per key. A node that dies drops its connection, and PostgreSQL frees its locks.
 */
import type pg from "pg";
import { KeyedMutex, type RefLocks } from "../../core/mutex.js";

export class PgRefLocks implements RefLocks {
  private readonly local = new KeyedMutex();
  constructor(private readonly pool: pg.Pool) {}

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const client = await this.pool.connect();
      let broken = false;
      try {
        // hashtextextended gives a 64-bit key from any text; collisions only make two keys queue.
        await client.query("select pg_advisory_lock(hashtextextended($1, 0))", [`hubble:ref:${key}`]);
        try {
          return await fn();
        } finally {
          await client.query("select pg_advisory_unlock(hashtextextended($1, 0))", [`hubble:ref:${key}`]).catch(() => {
            broken = true;
          });
        }
      } finally {
        // A connection whose unlock failed may still hold the lock: close it instead of reusing it.
        client.release(broken ? true : undefined);
      }
    });
  }
}

/**
 * Leadership for jobs one node at a time must run (sweeps, gc): a session advisory lock held on a
 * connection kept for as long as this node leads. Whoever holds it leads; when that node dies its
 * connection closes, PostgreSQL frees the lock, and the next node that asks takes over.
 */
export class PgLeadership {
  private client: pg.PoolClient | null = null;
  constructor(private readonly pool: pg.Pool) {}

  /** Whether this node leads now (taking the lead if it is free). */
  async lead(): Promise<boolean> {
    if (this.client) {
      try {
        await this.client.query("select 1");
        return true;
      } catch {
        this.client.release(true);
        this.client = null;
      }
    }
    const client = await this.pool.connect();
    try {
      const r = await client.query<{ ok: boolean }>("select pg_try_advisory_lock(hashtextextended('hubble:leader', 0)) as ok");
      if (r.rows[0]?.ok) {
        client.on("error", () => undefined);
        this.client = client;
        return true;
      }
    } catch {
      // not leading this time
    }
    client.release();
    return false;
  }

  /** Steps down (on shutdown), so another node takes over at once. */
  async resign(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (!c) return;
    await c.query("select pg_advisory_unlock(hashtextextended('hubble:leader', 0))").catch(() => undefined);
    c.release();
  }
}
