/** The StorageIndex over Kysely: large files per repo (repo_lfs, repo_xet_files) and their sizes. */
import type { Kysely } from "kysely";
import type { HeldFile, StorageIndex } from "../../core/storage-port.js";
import { inTx } from "./rows.js";
import type { Database } from "./schema.js";

const now = () => new Date().toISOString();

/** The StorageIndex of a MetaStore. */
export function kyselyStorageIndex(db: Kysely<Database>): StorageIndex {
  return {
    async heldFiles(repoId) {
      const lfs = await db
        .selectFrom("repo_lfs")
        .innerJoin("lfs_objects", "lfs_objects.oid", "repo_lfs.oid")
        .select(["repo_lfs.oid", "lfs_objects.size", "repo_lfs.created_at", "lfs_objects.created_at as stored_at"])
        .where("repo_lfs.repo_id", "=", repoId)
        .execute();
      const xet = await db
        .selectFrom("repo_xet_files")
        .innerJoin("xet_files", "xet_files.hash", "repo_xet_files.file_hash")
        .select(["repo_xet_files.sha256", "repo_xet_files.file_hash", "xet_files.size", "repo_xet_files.created_at"])
        .where("repo_xet_files.repo_id", "=", repoId)
        .where("repo_xet_files.sha256", "is not", null)
        .execute();
      const out = new Map<string, HeldFile>();
      for (const r of lfs) out.set(r.oid, { oid: r.oid, size: Number(r.size), createdAt: r.created_at ?? r.stored_at, xetHash: null });
      for (const r of xet) if (!out.has(r.sha256!)) out.set(r.sha256!, { oid: r.sha256!, size: Number(r.size), createdAt: r.created_at, xetHash: r.file_hash });
      return [...out.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.oid < b.oid ? -1 : 1));
    },
    async usage(repoIds) {
      const out = new Map<number, number>(repoIds.map((id) => [id, 0]));
      if (repoIds.length === 0) return out;
      const lfs = await db
        .selectFrom("repo_lfs")
        .innerJoin("lfs_objects", "lfs_objects.oid", "repo_lfs.oid")
        .select(["repo_lfs.repo_id", (eb) => eb.fn.sum<number>("lfs_objects.size").as("bytes")])
        .where("repo_lfs.repo_id", "in", repoIds)
        .groupBy("repo_lfs.repo_id")
        .execute();
      const xet = await db
        .selectFrom("repo_xet_files")
        .innerJoin("xet_files", "xet_files.hash", "repo_xet_files.file_hash")
        .select(["repo_xet_files.repo_id", (eb) => eb.fn.sum<number>("xet_files.size").as("bytes")])
        .where("repo_xet_files.repo_id", "in", repoIds)
        .groupBy("repo_xet_files.repo_id")
        .execute();
      for (const r of [...lfs, ...xet]) out.set(r.repo_id, (out.get(r.repo_id) ?? 0) + Number(r.bytes));
      return out;
    },
    async unlink(repoId, oids) {
      if (oids.length === 0) return [];
      return inTx(db, async (tx) => {
        await tx.deleteFrom("repo_lfs").where("repo_id", "=", repoId).where("oid", "in", oids).execute();
        await tx.deleteFrom("repo_xet_files").where("repo_id", "=", repoId).where("sha256", "in", oids).execute();
        const still = await tx.selectFrom("repo_lfs").select("oid").where("oid", "in", oids).execute();
        const kept = new Set(still.map((r) => r.oid));
        return oids.filter((o) => !kept.has(o));
      });
    },
    async copyLinks(fromRepoId, toRepoId, oids) {
      return inTx(db, async (tx) => {
        let lfs = tx.selectFrom("repo_lfs").select("oid").where("repo_id", "=", fromRepoId);
        if (oids) lfs = lfs.where("oid", "in", oids.length ? oids : [""]);
        const copied = new Set<string>();
        for (const r of await lfs.execute()) {
          await tx.insertInto("repo_lfs").values({ repo_id: toRepoId, oid: r.oid, created_at: now() }).onConflict((oc) => oc.columns(["repo_id", "oid"]).doNothing()).execute();
          copied.add(r.oid);
        }
        let xet = tx.selectFrom("repo_xet_files").select(["file_hash", "sha256"]).where("repo_id", "=", fromRepoId);
        if (oids) xet = xet.where("sha256", "in", oids.length ? oids : [""]);
        for (const r of await xet.execute()) {
          await tx.insertInto("repo_xet_files").values({ repo_id: toRepoId, file_hash: r.file_hash, sha256: r.sha256, created_at: now() }).onConflict((oc) => oc.columns(["repo_id", "file_hash"]).doNothing()).execute();
          if (r.sha256) copied.add(r.sha256);
        }
        return [...copied];
      });
    },
  };
}
