/**
 * `npm run bench` (part 4): many-file commits and small-file downloads.
 *
 *  1. a 1,000-file commit through the NDJSON API (time from request to answer) vs `git
 *     fast-import` of the same files into a fresh bare repo, in the same run (target ≤ 3×)
 *  2. a 10,000-file commit (target ≤ 10 s on the 2-core CI machine)
 *  3. `resolve` HEAD and GET of a 1 KB file with 8 connections vs `/health` on the same server
 *     (target ≥ 2,000 requests/s each)
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http from "node:http";
import { startServer } from "../test/e2e/harness.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** n small text files, 200–2,000 bytes, in 20 folders. */
function files(n: number, seed: string): { path: string; content: Buffer }[] {
  return Array.from({ length: n }, (_, i) => ({ path: `dir${i % 20}/file-${seed}-${i}.txt`, content: Buffer.from(randomBytes(100 + (i % 900)).toString("hex")) }));
}

function ndjsonBody(fs: { path: string; content: Buffer }[]): string {
  const lines = [{ key: "header", value: { summary: `${fs.length} files` } }, ...fs.map((f) => ({ key: "file", value: { path: f.path, content: f.content.toString("base64"), encoding: "base64" } }))];
  return lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
}

/** Seconds `git fast-import` takes to write the same files as one commit into a fresh bare repo. */
function fastImport(dir: string, fs: { path: string; content: Buffer }[]): number {
  const repo = join(dir, `fi-${randomBytes(4).toString("hex")}.git`);
  spawnSync("git", ["init", "-q", "--bare", repo]);
  const parts: Buffer[] = [];
  fs.forEach((f, i) => parts.push(Buffer.from(`blob\nmark :${i + 1}\ndata ${f.content.length}\n`), f.content, Buffer.from("\n")));
  const msg = "bench";
  parts.push(Buffer.from(`commit refs/heads/main\ncommitter B <b@e> 0 +0000\ndata ${msg.length}\n${msg}\n`));
  fs.forEach((f, i) => parts.push(Buffer.from(`M 100644 :${i + 1} ${f.path}\n`)));
  parts.push(Buffer.from("\n"));
  const input = Buffer.concat(parts);
  const t0 = process.hrtime.bigint();
  const r = spawnSync("git", ["fast-import", "--quiet"], { cwd: repo, input });
  const t = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return t;
}

/**
 * Requests/s over `connections` keep-alive connections for `seconds`. A small loop of our own:
 * autocannon waits for a body after a HEAD answer that carries Content-Length, and stalls.
 */
async function rps(url: string, method: "GET" | "HEAD", headers: Record<string, string> = {}, connections = 8, seconds = 8): Promise<{ rps: number; p50: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const until = Date.now() + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = http.request(url, { method, headers, agent }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode !== 200) errors++;
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          resolve();
        });
      });
      req.on("error", () => (errors++, resolve()));
      req.end();
    });
  const t0 = Date.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < until) await one();
  }));
  const elapsed = (Date.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p50: Number((latencies[Math.floor(latencies.length / 2)] ?? 0).toFixed(2)), errors };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "hubble-bench-commit-"));
  const server = await startServer({ HUBBLE_LOG_LEVEL: "error" });
  const auth = { authorization: `Bearer ${server.adminToken}` };
  const commit = async (repo: string, body: string) => {
    const t0 = process.hrtime.bigint();
    const r = await fetch(`${server.url}/api/models/admin/${repo}/commit/main`, { method: "POST", headers: { ...auth, "content-type": "application/x-ndjson" }, body });
    const t = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 200) throw new Error(`commit: ${r.status} ${await r.text()}`);
    return t;
  };
  try {
    await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ name: "many" }) });

    console.log("[commit] 1,000 files in one NDJSON commit vs git fast-import of the same files");
    const hub: number[] = [];
    const fi: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const fs = files(1000, `r${i}`);
      fi.push(fastImport(dir, fs));
      hub.push(await commit("many", ndjsonBody(fs)));
    }
    const h = Math.min(...hub);
    const f = Math.min(...fi);
    console.log(`  git fast-import: best of ${RUNS} = ${f.toFixed(3)} s`);
    console.log(`  Hubble commit API: best of ${RUNS} = ${h.toFixed(3)} s`);
    console.log(`  RATIO commit-1000: Hubble/fast-import time = ${(h / f).toFixed(2)}x (target <= 3x)`);

    console.log("\n[commit] 10,000 files in one NDJSON commit");
    const big = await commit("many", ndjsonBody(files(10_000, "big")));
    console.log(`  Hubble commit API: ${big.toFixed(3)} s (target <= 10 s)`);

    console.log("\n[resolve] 1 KB file, 8 connections, 8 s each");
    await commit("many", ndjsonBody([{ path: "small.txt", content: Buffer.from(randomBytes(512).toString("hex")) }]));
    const url = `${server.url}/admin/many/resolve/main/small.txt`;
    const health = await rps(`${server.url}/health`, "GET");
    const head = await rps(url, "HEAD", auth);
    const get = await rps(url, "GET", auth);
    console.log(`  /health: ${health.rps.toFixed(0)} req/s (p50 ${health.p50} ms)`);
    console.log(`  resolve HEAD: ${head.rps.toFixed(0)} req/s (p50 ${head.p50} ms, ${head.errors} errors) — RATIO ${(head.rps / health.rps).toFixed(2)}x of /health (target >= 2000 req/s)`);
    console.log(`  resolve GET: ${get.rps.toFixed(0)} req/s (p50 ${get.p50} ms, ${get.errors} errors) — RATIO ${(get.rps / health.rps).toFixed(2)}x of /health (target >= 2000 req/s)`);
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
