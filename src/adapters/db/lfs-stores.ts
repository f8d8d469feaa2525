/** LFS objects (what is stored, which repo may use it, when it was last referenced) and LFS locks. */
import type { Kysely } from "kysely";
import type { Sha256 } from "../../core/ids.js";
import type { MetaStore } from "../../core/ports.js";
import { inTx, lockQuery, now, toLock } from "./rows.js";
import type { Database as Schema } from "./schema.js";

/** The lfs store on a database handle or a transaction. */
export function lfsStore(db: Kysely<Schema>, pg: boolean): MetaStore["lfs"] {
  const sqliteSearch = !pg;
  return {
    async link(repoId, oid, size) {
      await inTx(db, async (tx) => {
        await tx.insertInto("lfs_objects").values({ oid, size, created_at: now() }).onConflict((oc) => oc.column("oid").doNothing()).execute();
        await tx.insertInto("repo_lfs").values({ repo_id: repoId, oid, created_at: now() }).onConflict((oc) => oc.columns(["repo_id", "oid"]).doNothing()).execute();
      });
    },
    async linked(repoId, oid: Sha256) {
      const r = await db.selectFrom("repo_lfs").innerJoin("lfs_objects", "lfs_objects.oid", "repo_lfs.oid").select("lfs_objects.size").where("repo_lfs.repo_id", "=", repoId).where("repo_lfs.oid", "=", oid).executeTakeFirst();
      return r ? Number(r.size) : null;
    },
    async stored(oid: Sha256) {
      const r = await db.selectFrom("lfs_objects").select("size").where("oid", "=", oid).executeTakeFirst();
      return r ? Number(r.size) : null;
    },
    async all() {
      const rows = await db.selectFrom("lfs_objects").selectAll().execute();
      return rows.map((r) => ({ oid: r.oid as Sha256, size: Number(r.size), createdAt: r.touched_at && r.touched_at > r.created_at ? r.touched_at : r.created_at }));
    },
    async touch(oids) {
      if (!oids.length) return new Set();
      const rows = await db.updateTable("lfs_objects").set({ touched_at: now() }).where("oid", "in", oids).returning("oid").execute();
      return new Set(rows.map((r) => r.oid));
    },
    async forget(oid, unusedSince) {
      return inTx(db, async (tx) => {
        // The row lock (PostgreSQL) / write lock (SQLite, immediate) orders this against a touch.
        let q = tx.selectFrom("lfs_objects").select(["created_at", "touched_at"]).where("oid", "=", oid);
        if (!sqliteSearch) q = q.forUpdate();
        const row = await q.executeTakeFirst();
        if (!row) return false;
        if (unusedSince !== undefined && (row.created_at > unusedSince || (row.touched_at !== null && row.touched_at > unusedSince))) return false;
        await tx.deleteFrom("repo_lfs").where("oid", "=", oid).execute();
        await tx.deleteFrom("lfs_objects").where("oid", "=", oid).execute();
        return true;
      });
    },
  };
}

/** The locks store on a database handle or a transaction. */
export function lockStore(db: Kysely<Schema>): MetaStore["locks"] {
  return {
    async create(l) {
      return inTx(db, async (tx) => {
        const existing = await lockQuery(tx).where("lfs_locks.repo_id", "=", l.repoId).where("lfs_locks.path", "=", l.path).executeTakeFirst();
        if (existing) return { lock: toLock(existing), created: false };
        const { id } = await tx.insertInto("lfs_locks").values({ repo_id: l.repoId, path: l.path, ref_name: l.refName, owner_id: l.ownerId, locked_at: now() }).returning("id").executeTakeFirstOrThrow();
        return { lock: toLock(await lockQuery(tx).where("lfs_locks.id", "=", id).executeTakeFirstOrThrow()), created: true };
      });
    },
    async list(repoId, q) {
      let s = lockQuery(db).where("lfs_locks.repo_id", "=", repoId);
      if (q.path !== undefined) s = s.where("lfs_locks.path", "=", q.path);
      if (q.id !== undefined) s = s.where("lfs_locks.id", "=", q.id);
      return (await s.orderBy("lfs_locks.id").limit(q.limit).offset(q.offset).execute()).map(toLock);
    },
    async delete(id) {
      await db.deleteFrom("lfs_locks").where("id", "=", id).execute();
    },
  };
}
