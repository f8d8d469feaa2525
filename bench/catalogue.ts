/**
 * `npm run bench` (catalogue): list and substring-search latency of the repo store at 1,000 and
 * 100,000 repos (rows inserted directly, not through the API), on SQLite and on PostgreSQL. Goal:
 * flat from 1,000 to 100,000, p99 ≤ 50 ms at 100,000.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { kyselyMetaStore } from "../src/adapters/db/meta-store.js";
import { openDatabase } from "../src/adapters/db/open.js";
import { startPostgres } from "../test/support/postgres.js";

const WORDS = ["llama", "bert", "vision", "audio", "tiny", "large", "chat", "code", "math", "base", "instruct", "gguf", "lora", "qa", "ner"];
const SAMPLES = 200;

async function run(label: string, url: string | undefined, dir: string) {
  const { db } = await openDatabase(url, join(dir, `${label}.db`));
  const meta = kyselyMetaStore(db);
  const owner = await meta.accounts.create({ name: "bench", type: "user", fullname: "bench", email: null, passwordHash: null, isAdmin: false });
  let have = 0;
  for (const target of [1_000, 100_000]) {
    while (have < target) {
      const rows = [];
      for (let i = 0; i < Math.min(1000, target - have); i++, have++) {
        const name = `${WORDS[have % WORDS.length]}-${WORDS[(have * 7) % WORDS.length]}-${have}`;
        rows.push({ type: "model", namespace: "bench", name, full_name_lower: `bench/${name}`, owner_id: owner.id, private: 0, gated: null, default_branch: "main", created_at: new Date(have * 1000).toISOString(), last_modified: new Date(have * 1000).toISOString(), card_data: null, tags: "[]", sdk: null, lfs_threshold: null, lfs_suffix_rules: null, lfs_keep_versions: null, created_by: owner.id, hub_id: have.toString(16).padStart(24, "0"), derived: null });
      }
      await db.insertInto("repos").values(rows).execute();
    }
    // Fresh statistics, as autovacuum/analyze keeps them in a running database.
    await sql`analyze`.execute(db);
    for (const [what, search] of [["list (newest 30)", undefined], ["search 'vision-math'", "vision-math"], ["search '-12345'", "-12345"]] as const) {
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const t0 = process.hrtime.bigint();
        await meta.repos.list({ type: "model", search, sort: "lastModified", direction: -1, limit: 30, offset: 0, visibleOwnerIds: [] });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      const p = (q: number) => times[Math.floor(q * (times.length - 1))]!.toFixed(2);
      const total = times.reduce((a, b) => a + b, 0);
      console.log(`  ${label} ${target.toLocaleString("en")} repos, ${what}: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, ${Math.round((SAMPLES * 1000) / total)} req/s (one client)`);
    }
  }
  await db.destroy();
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "hubble-bench-catalogue-"));
  const pg = await startPostgres();
  try {
    console.log("[catalogue] repo store list and search, sequential calls");
    await run("SQLite", undefined, dir);
    await run("PostgreSQL", await pg.database(), dir);
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
