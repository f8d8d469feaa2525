/** Login failure counts in the database (core/throttle.ts): one budget for every node. */
import { sql, type Kysely } from "kysely";
import type { ThrottleStore } from "../../core/throttle.js";
import type { Database } from "./schema.js";

export function kyselyThrottleStore(db: Kysely<Database>): ThrottleStore {
  return {
    async fail(key, now, windowMs) {
      // One statement, so failures on two nodes at once both count.
      const r = await db
        .insertInto("login_throttle")
        .values({ key, failures: 1, first_ms: now, locked_until_ms: 0 })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({
            failures: sql`case when login_throttle.first_ms < ${now - windowMs} then 1 else login_throttle.failures + 1 end`,
            first_ms: sql`case when login_throttle.first_ms < ${now - windowMs} then ${now} else login_throttle.first_ms end`,
          }),
        )
        .returning("failures")
        .executeTakeFirstOrThrow();
      return Number(r.failures);
    },
    async setLock(key, until) {
      await db.updateTable("login_throttle").set({ locked_until_ms: until }).where("key", "=", key).execute();
    },
    async lockedUntil(key) {
      const r = await db.selectFrom("login_throttle").select("locked_until_ms").where("key", "=", key).executeTakeFirst();
      return r ? Number(r.locked_until_ms) : 0;
    },
    async clear(key) {
      await db.deleteFrom("login_throttle").where("key", "=", key).execute();
    },
    async prune(now, windowMs) {
      await db.deleteFrom("login_throttle").where("first_ms", "<", now - windowMs).where("locked_until_ms", "<=", now).execute();
    },
  };
}
