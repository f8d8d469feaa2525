/**
 * `npm run bench`: throughput and request-rate ratios, each against a reference measured in the
 * same run on the same machine. Not part of `npm test`.
 *
 *  1. 1 GiB download through `resolve` vs nginx serving the same file (target ≥ 0.9×)
 *  2. 1 GiB LFS upload (hashed + verified + fsynced) vs `cp` of the same file (target ≥ 0.7×)
 *  3. repo-info requests/s vs `/health` requests/s on the same server (autocannon)
 *
 * Clients are `curl` (downloads/uploads, to /dev/null or from a file) and autocannon.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { startServer } from "../test/e2e/harness.js";
import { writeRandomFile } from "../test/e2e/random-file.js";
import { startNginx } from "../test/support/nginx.js";

const SIZE = Number(process.env.BENCH_SIZE ?? 1024 * 1024 * 1024);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function curlSeconds(args: string[]): number {
  const out = execFileSync("curl", ["-sS", "-f", "-o", "/dev/null", "-w", "%{time_total}", ...args], { encoding: "utf8", maxBuffer: 1 << 20 });
  return Number(out);
}

function best(label: string, f: () => number): number {
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(f());
  const t = Math.min(...times);
  console.log(`  ${label}: best of ${RUNS} = ${t.toFixed(3)} s (${(SIZE / t / 1048576).toFixed(0)} MiB/s)`);
  return t;
}

async function rps(url: string, headers: Record<string, string> = {}): Promise<number> {
  const r = await autocannon({ url, connections: 16, duration: 8, headers });
  return r.requests.average;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "hubble-bench-"));
  const server = await startServer({ HUBBLE_LOG_LEVEL: "error" });
  const auth = { authorization: `Bearer ${server.adminToken}` };
  try {
    console.log(`file size: ${(SIZE / 1048576).toFixed(0)} MiB`);
    const src = join(dir, "src", "big.bin");
    await rm(join(dir, "src"), { recursive: true, force: true });
    execFileSync("mkdir", ["-p", join(dir, "src")]);
    const oid = await writeRandomFile(src, SIZE, 0x12345678);
    // nginx workers run as an unprivileged user: let them read the file.
    execFileSync("chmod", ["755", dir, join(dir, "src")]);
    execFileSync("chmod", ["644", src]);

    // --- upload: cp vs LFS basic upload (hash + size check + fsync + rename)
    console.log("\n[upload] 1 GiB LFS upload vs cp of the same file (same disk)");
    execFileSync("sync");
    const cp = best("cp + sync", () => {
      const t0 = process.hrtime.bigint();
      execFileSync("cp", [src, join(server.data, "cp-copy.bin")]);
      execFileSync("sync", [join(server.data, "cp-copy.bin")]);
      const t = Number(process.hrtime.bigint() - t0) / 1e9;
      execFileSync("rm", ["-f", join(server.data, "cp-copy.bin")]);
      return t;
    });
    // Each run uploads into a fresh repo: objects are linked per repo, so every run really
    // transfers, hashes and stores the whole file.
    let run = 0;
    const batchHref = async () => {
      const name = `bench${run++}`;
      await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ name }) });
      const b = await fetch(`${server.url}/admin/${name}.git/info/lfs/objects/batch`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/vnd.git-lfs+json" },
        body: JSON.stringify({ operation: "upload", transfers: ["basic"], objects: [{ oid, size: SIZE }] }),
      });
      return (await b.json()).objects[0].actions.upload.href as string;
    };
    const hrefs: string[] = [];
    for (let i = 0; i < RUNS; i++) hrefs.push(await batchHref());
    const upload = best("Hubble LFS PUT", () => curlSeconds(["-X", "PUT", "-T", src, "-H", "Expect:", hrefs.shift()!]));
    console.log(`  RATIO upload: Hubble/cp throughput = ${(cp / upload).toFixed(2)}x (target >= 0.7x)`);

    const commitBody = [{ key: "header", value: { summary: "bench" } }, { key: "lfsFile", value: { path: "big.bin", algo: "sha256", oid, size: SIZE } }].map((l) => JSON.stringify(l)).join("\n");
    const c = await fetch(`${server.url}/api/models/admin/bench0/commit/main`, { method: "POST", headers: { ...auth, "content-type": "application/x-ndjson" }, body: commitBody });
    if (c.status !== 200) throw new Error(await c.text());

    // --- download: nginx vs resolve
    console.log("\n[download] 1 GiB through resolve vs nginx serving the same file");
    const nginx = await startNginx(dir, { root: join(dir, "src") });
    try {
      // Let writeback of the freshly written files finish, warm both paths once, then interleave runs.
      execFileSync("sync");
      const ngUrl = `http://127.0.0.1:${nginx.port}/big.bin`;
      const hubUrl = `${server.url}/admin/bench0/resolve/main/big.bin`;
      curlSeconds([ngUrl]);
      curlSeconds([hubUrl]);
      const ngTimes: number[] = [];
      const hubTimes: number[] = [];
      for (let i = 0; i < RUNS + 2; i++) {
        ngTimes.push(curlSeconds([ngUrl]));
        hubTimes.push(curlSeconds([hubUrl]));
      }
      const ng = Math.min(...ngTimes);
      const hub = Math.min(...hubTimes);
      console.log(`  nginx: best of ${ngTimes.length} = ${ng.toFixed(3)} s (${(SIZE / ng / 1048576).toFixed(0)} MiB/s)`);
      console.log(`  Hubble resolve: best of ${hubTimes.length} = ${hub.toFixed(3)} s (${(SIZE / hub / 1048576).toFixed(0)} MiB/s)`);
      console.log(`  RATIO download: Hubble/nginx throughput = ${(ng / hub).toFixed(2)}x (target >= 0.9x)`);
    } finally {
      nginx.stop();
    }

    // --- repo info requests/s
    console.log("\n[repo info] requests/s, 16 connections, 8 s each");
    const health = await rps(`${server.url}/health`);
    const info = await rps(`${server.url}/api/models/admin/bench0`, auth);
    console.log(`  /health: ${health.toFixed(0)} req/s; /api/models/admin/bench0: ${info.toFixed(0)} req/s`);
    console.log(`  RATIO repo-info: ${(info / health).toFixed(2)}x of the trivial route`);
    console.log(`\nserver peak RSS: ${((await server.peakRss()) / 1048576).toFixed(0)} MiB`);
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
