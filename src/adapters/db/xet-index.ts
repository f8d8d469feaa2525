/** The Xet indexes over Kysely (portable SQL; see migration 003 for the tables). */
import type { Kysely } from "kysely";
import type { XetIndex, XetTerm } from "../../core/ports.js";
import { inTx } from "./rows.js";
import type { Database } from "./schema.js";

const now = () => new Date().toISOString();

/** Terms are stored compactly as JSON arrays `[xorb, start, end, bytes]`. */
const packTerms = (t: XetTerm[]) => JSON.stringify(t.map((x) => [x.xorb, x.start, x.end, x.bytes]));
const unpackTerms = (s: string): XetTerm[] => (JSON.parse(s) as [string, number, number, number][]).map(([xorb, start, end, bytes]) => ({ xorb, start, end, bytes }));

/** The XetIndex of a MetaStore. */
export function kyselyXetIndex(db: Kysely<Database>): XetIndex {
  return {
    async xorb(hash) {
      const r = await db.selectFrom("xet_xorbs").select(["hash", "length", "chunks"]).where("hash", "=", hash).executeTakeFirst();
      return r ? { hash: r.hash, length: Number(r.length), chunks: r.chunks } : null;
    },
    async addXorb(x) {
      const r = await db
        .insertInto("xet_xorbs")
        .values({ hash: x.hash, length: x.length, unpacked: x.unpacked, chunks: Buffer.from(x.chunks.buffer, x.chunks.byteOffset, x.chunks.byteLength), created_at: now() })
        .onConflict((oc) => oc.column("hash").doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async dedupeEntry(chunk, scope) {
      // Only through a file the caller may see: in the caller's repo, in a repo of the same owner,
      // or in a public repo without a gate (see docs/architecture.md, "Xet dedupe").
      const r = await db
        .selectFrom("xet_dedupe as d")
        .innerJoin("repo_xet_files as rf", "rf.file_hash", "d.file_hash")
        .innerJoin("repos as r", "r.id", "rf.repo_id")
        .select(["d.xorb", "d.idx", "d.file_hash"])
        .where("d.chunk", "=", chunk)
        .where((eb) => eb.or([eb("r.id", "=", scope.repoId), eb("r.owner_id", "=", scope.ownerId), eb.and([eb("r.private", "=", 0), eb("r.gated", "is", null)])]))
        .limit(1)
        .executeTakeFirst();
      return r ? { xorb: r.xorb, index: r.idx, file: r.file_hash } : null;
    },
    async addShard(s) {
      return inTx(db, async (tx) => {
        const r = await tx
          .insertInto("repo_xet_shards")
          .values({ repo_id: s.repoId, sha256: s.sha256, created_at: now() })
          .onConflict((oc) => oc.columns(["repo_id", "sha256"]).doNothing())
          .executeTakeFirst();
        const fresh = Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
        for (const f of s.files) {
          await tx.insertInto("xet_files").values({ hash: f.hash, size: f.size, terms: packTerms(f.terms), created_at: now() }).onConflict((oc) => oc.column("hash").doNothing()).execute();
          await tx
            .insertInto("repo_xet_files")
            .values({ repo_id: s.repoId, file_hash: f.hash, sha256: f.sha256, created_at: now() })
            .onConflict((oc) => oc.columns(["repo_id", "file_hash"]).doUpdateSet({ sha256: f.sha256, created_at: now() }))
            .execute();
        }
        for (const d of s.dedupe) {
          await tx
            .insertInto("xet_dedupe")
            .values({ chunk: d.chunk, file_hash: d.file, xorb: d.xorb, idx: d.index })
            .onConflict((oc) => oc.columns(["chunk", "file_hash"]).doNothing())
            .execute();
        }
        return fresh;
      });
    },
    async file(hash) {
      const r = await db.selectFrom("xet_files").select(["size", "terms"]).where("hash", "=", hash).executeTakeFirst();
      return r ? { size: Number(r.size), terms: unpackTerms(r.terms) } : null;
    },
    async repoHasFile(repoId, fileHash) {
      const r = await db.selectFrom("repo_xet_files").select("file_hash").where("repo_id", "=", repoId).where("file_hash", "=", fileHash).executeTakeFirst();
      return r !== undefined;
    },
    async fileForOid(repoId, sha256) {
      const r = await db
        .selectFrom("repo_xet_files")
        .innerJoin("xet_files", "xet_files.hash", "repo_xet_files.file_hash")
        .select(["xet_files.hash", "xet_files.size"])
        .where("repo_xet_files.repo_id", "=", repoId)
        .where("repo_xet_files.sha256", "=", sha256)
        .orderBy("repo_xet_files.created_at", "desc")
        .executeTakeFirst();
      return r ? { fileHash: r.hash, size: Number(r.size) } : null;
    },
    async filesForOids(repoId, sha256s) {
      const out = new Map<string, string>();
      for (let i = 0; i < sha256s.length; i += 500) {
        const part = sha256s.slice(i, i + 500);
        if (part.length === 0) break;
        const rows = await db.selectFrom("repo_xet_files").select(["sha256", "file_hash"]).where("repo_id", "=", repoId).where("sha256", "in", part).orderBy("created_at", "asc").execute();
        for (const r of rows) if (r.sha256) out.set(r.sha256, r.file_hash);
      }
      return out;
    },
  };
}
