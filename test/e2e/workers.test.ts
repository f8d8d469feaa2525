/**
 * `hubble serve --workers 2` on the embedded default (SQLite + data folder): two processes on one
 * port. Concurrent commits to one branch spread over both all land (ref locks through the
 * primary), concurrent writes to SQLite from both succeed (immediate transactions, busy timeout),
 * exactly one worker leads, and a worker killed with SIGKILL is replaced — its leadership too —
 * while the server keeps answering.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PYTHON, startServer, type TestServer } from "./harness.js";
import { writeRandomFile } from "./random-file.js";

let server: TestServer;
let work: string;
before(async () => {
  server = await startServer({ HUBBLE_WORKERS: "2" });
  work = await mkdtemp(join(tmpdir(), "hubble-workers-"));
});
after(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${server.adminToken}` });
const workerPids = () => execFileSync("pgrep", ["-P", String(server.proc.pid)], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number).sort();

/** Which process answered /metrics and whether it leads, over fresh connections (spread by the primary). */
async function leaders(): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  for (let i = 0; i < 24; i++) {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { connection: "close" } })).text();
    seen.set(Number(/^hubble_process_pid (\d+)$/m.exec(text)![1]), Number(/^hubble_leader (\d)$/m.exec(text)![1]));
  }
  return seen;
}

test("two worker processes share the port; exactly one leads", async () => {
  const pids = workerPids();
  assert.equal(pids.length, 2);
  // Leadership is re-read every 5 s, as on PostgreSQL.
  let seen = await leaders();
  for (let i = 0; (seen.size < 2 || [...seen.values()].filter((v) => v === 1).length !== 1) && i < 30; i++) {
    await new Promise((r) => setTimeout(r, 500));
    seen = await leaders();
  }
  assert.deepEqual([...seen.keys()].sort(), pids, "requests reach both workers");
  assert.equal([...seen.values()].filter((v) => v === 1).length, 1, "one leader");
});

test("20 concurrent commits to one branch across both workers all land; 20 concurrent repo creations too", { timeout: 120_000 }, async () => {
  const created = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      fetch(`${server.url}/api/repos/create`, { method: "POST", headers: { ...auth(), "content-type": "application/json", connection: "close" }, body: JSON.stringify({ name: `r${i}` }) }).then((r) => r.status),
    ),
  );
  assert.deepEqual(created, Array(20).fill(200));
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      fetch(`${server.url}/api/models/admin/r0/commit/main`, {
        method: "POST",
        headers: { ...auth(), "content-type": "application/x-ndjson", connection: "close" },
        body: [{ key: "header", value: { summary: `commit ${i}` } }, { key: "file", value: { path: `f/${i}.txt`, content: Buffer.from(`${i}`).toString("base64"), encoding: "base64" } }].map((l) => JSON.stringify(l)).join("\n"),
      }).then(async (r) => [r.status, await r.text()] as const),
    ),
  );
  assert.deepEqual(results.filter(([s]) => s !== 200), []);
  const commits = (await (await fetch(`${server.url}/api/models/admin/r0/commits/main`, { headers: auth() })).json()) as { title: string }[];
  assert.equal(commits.filter((c) => c.title.startsWith("commit ")).length, 20, "no lost update");
  const git = (args: string[]) => execFileSync("git", args, { cwd: join(server.data, "repos", "models", "admin", "r0.git"), encoding: "utf8" }).trim();
  assert.equal(git(["rev-list", "--merges", "--count", "main"]), "0", "history linear");
});

test("huggingface_hub uploads and downloads through the workers", { timeout: 300_000 }, async () => {
  const want = await writeRandomFile(join(work, "w.bin"), 8 << 20, 5);
  const env = { PATH: process.env.PATH, HOME: work, HF_HOME: join(work, "hf"), HF_ENDPOINT: server.url, HF_TOKEN: server.adminToken, HF_HUB_DISABLE_TELEMETRY: "1", HF_HUB_DISABLE_PROGRESS_BARS: "1" };
  const out = execFileSync(PYTHON, ["-c", `from huggingface_hub import HfApi, hf_hub_download; api = HfApi(); api.create_repo("admin/w"); api.upload_file(path_or_fileobj="${join(work, "w.bin")}", path_in_repo="w.bin", repo_id="admin/w"); print(hf_hub_download("admin/w", "w.bin"))`], { env, encoding: "utf8" }).trim();
  assert.equal(createHash("sha256").update(await readFile(out)).digest("hex"), want);
});

test("a worker killed with SIGKILL is replaced, and so is its leadership", { timeout: 60_000 }, async () => {
  const before = await leaders();
  const leader = [...before].find(([, v]) => v === 1)?.[0];
  assert.ok(leader, "someone leads");
  process.kill(leader, "SIGKILL");
  let pids: number[] = [];
  for (let i = 0; i < 100; i++) {
    pids = workerPids();
    if (pids.length === 2 && !pids.includes(leader)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(pids.length, 2, "a new worker took the dead one's place");
  assert.ok(!pids.includes(leader));
  let now = await leaders();
  for (let i = 0; [...now.values()].filter((v) => v === 1).length !== 1 && i < 30; i++) {
    await new Promise((r) => setTimeout(r, 500));
    now = await leaders();
  }
  assert.equal([...now.values()].filter((v) => v === 1).length, 1, "one leader again");
  assert.equal((await fetch(`${server.url}/api/models/admin/r0`, { headers: auth() })).status, 200);
});
