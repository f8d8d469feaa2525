/**
 * `hubble migrate`: copies an embedded install (SQLite + data folder) into PostgreSQL + an
 * S3-compatible bucket, so a team that started on a laptop keeps everything. Rows are copied table
 * by table in dependency order (ids kept, sequences moved past them); blobs object by object, each
 * checked on the way in (LFS objects and shards by their sha256, xorbs by size). Resumable: rows
 * already there are skipped (`on conflict do nothing`), objects already stored with the right size
 * are skipped. Then verified: row counts equal, and every object read back from the bucket hashes
 * to what the folder holds. Git repositories stay where they are (HUBBLE_GIT_DIR / the data folder).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { sql, type Kysely } from "kysely";
import { parseS3Url, S3BlobStore, s3Client } from "./adapters/blob/s3-blob-store.js";
import { openDatabase, openSqlite } from "./adapters/db/open.js";
import type { Database } from "./adapters/db/schema.js";
import type { Sha256 } from "./core/ids.js";
import type { BlobKey } from "./core/ports.js";

/** Tables in an order where every referenced row comes first. */
const TABLES: (keyof Database)[] = [
  "accounts", "org_members", "tokens", "repos", "repo_redirects", "lfs_objects", "repo_lfs", "lfs_locks",
  "xet_xorbs", "xet_chunks", "xet_files", "xet_dedupe", "repo_xet_files", "repo_xet_shards", "repo_access_requests",
  "repo_likes", "sessions", "ssh_keys", "login_throttle",
];
const BATCH = 500;

export interface MigrateOptions {
  data: string;
  database: string;
  blobStore: string;
  s3Endpoint?: string;
  s3Region: string;
  log: (line: string) => void;
}

/** Blob keys of the files under the data folder's blob directories. */
async function* folderBlobs(data: string): AsyncGenerator<{ key: BlobKey; file: string; size: number }> {
  async function* walk(dir: string): AsyncGenerator<string> {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory()) yield* walk(p);
      else if (e.isFile()) yield p;
    }
  }
  for (const [dir, make] of [
    ["lfs", (name: string): BlobKey => ({ kind: "lfs", oid: name as Sha256 })],
    ["xet/xorbs", (name: string): BlobKey => ({ kind: "xorb", hash: name })],
    ["xet/shards", (name: string): BlobKey => ({ kind: "shard", sha256: name })],
  ] as const) {
    for await (const file of walk(join(data, dir))) {
      const name = relative(join(data, dir), file).split(sep).pop()!;
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      yield { key: make(name), file, size: (await stat(file)).size };
    }
  }
}

async function sha256Of(stream: AsyncIterable<Buffer>): Promise<string> {
  const h = createHash("sha256");
  for await (const c of stream) h.update(c);
  return h.digest("hex");
}

/** Runs the migration; throws (after saying what differs) when verification fails. */
export async function migrate(o: MigrateOptions): Promise<{ rows: number; objects: number; bytes: number }> {
  const from: Kysely<Database> = await openSqlite(join(o.data, "hubble.db"));
  const { db: to } = await openDatabase(o.database, "");
  const loc = parseS3Url(o.blobStore);
  const store = new S3BlobStore(s3Client({ ...loc, endpoint: o.s3Endpoint, region: o.s3Region }), loc);
  await store.check();
  let rows = 0;
  try {
    // Tables whose `id` is a serial: their sequences must move past the copied ids.
    const serial = new Set((await sql<{ table_name: string }>`select table_name from information_schema.columns where column_name = 'id' and column_default like 'nextval%'`.execute(to)).rows.map((r) => r.table_name));
    for (const table of TABLES) {
      const total = Number((await from.selectFrom(table).select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow()).n);
      for (let offset = 0; offset < total; offset += BATCH) {
        const batch = (await sql<Record<string, unknown>>`select * from ${sql.table(table)} limit ${BATCH} offset ${offset}`.execute(from)).rows;
        if (batch.length) await to.insertInto(table).values(batch as never).onConflict((oc) => oc.doNothing()).execute();
        o.log(`rows ${table}: ${Math.min(offset + BATCH, total)}/${total}`);
      }
      if (total === 0) o.log(`rows ${table}: 0/0`);
      if (serial.has(table)) await sql`select setval(pg_get_serial_sequence(${table}, 'id'), greatest((select max(id) from ${sql.table(table)}), 1))`.execute(to);
      const there = Number((await to.selectFrom(table).select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow()).n);
      if (there !== total) throw new Error(`${table}: ${total} rows in SQLite, ${there} in PostgreSQL`);
      rows += total;
    }
    let objects = 0;
    let bytes = 0;
    for await (const b of folderBlobs(o.data)) {
      const have = await store.stat(b.key);
      if (have?.size !== b.size) {
        const expect = b.key.kind === "lfs" ? { size: b.size, sha256: b.key.oid } : b.key.kind === "shard" ? { size: b.size, sha256: b.key.sha256 as Sha256 } : { size: b.size };
        await store.put(b.key, createReadStream(b.file), expect);
      }
      // Verified from the bucket, whether copied now or on an earlier run.
      const [want, got] = await Promise.all([sha256Of(createReadStream(b.file)), sha256Of(await store.get(b.key))]);
      if (want !== got) throw new Error(`${store.key(b.key)}: the bucket's copy differs from ${b.file}`);
      objects++;
      bytes += b.size;
      if (objects % 100 === 0) o.log(`objects: ${objects} (${bytes} bytes)`);
    }
    o.log(`objects: ${objects} (${bytes} bytes), all verified`);
    return { rows, objects, bytes };
  } finally {
    await from.destroy();
    await to.destroy();
  }
}
