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
