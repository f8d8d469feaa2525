/**
 * Scale-out benchmarks (part of `npm run bench`), each against a reference measured in the same run:
 *
 *  1. 16 clients downloading one 200 MB file at once: aggregate throughput of Hubble with
 *     `--workers N` (N = cores) and with one process, vs nginx with N workers (goal ≥ 0.9×).
 *  2. Repo info and tree requests/s with the metadata on PostgreSQL vs SQLite (autocannon).
 *  3. A 1 GiB LFS download through the node (streamed from the bucket) vs presigned straight from
 *     the bucket (HUBBLE_S3_DIRECT), both against the same real S3 server (versitygw).
 *
 * BENCH_FANOUT_SIZE and BENCH_DIRECT_SIZE change the file sizes; BENCH_ONLY=fanout|metadata|direct
 * runs one section.
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { startServer, type TestServer } from "../test/e2e/harness.js";
import { writeRandomFile } from "../test/e2e/random-file.js";
import { startPostgres } from "../test/support/postgres.js";
import { startS3 } from "../test/support/s3-server.js";
import { startNginx } from "../test/support/nginx.js";

const FANOUT_SIZE = Number(process.env.BENCH_FANOUT_SIZE ?? 200 * 1024 * 1024);
const DIRECT_SIZE = Number(process.env.BENCH_DIRECT_SIZE ?? 1024 * 1024 * 1024);
const CORES = availableParallelism();
const ONLY = process.env.BENCH_ONLY;
const run = (section: string) => !ONLY || ONLY === section;

/** Uploads a file as an LFS object and commits it (batch, PUT, verify, commit). */
async function lfsCommit(server: TestServer, repo: string, path: string, file: string, oid: string, size: number): Promise<void> {
  const auth = { authorization: `Bearer ${server.adminToken}` };
  await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ name: repo.split("/")[1] }) });
  const b = (await (
    await fetch(`${server.url}/${repo}.git/info/lfs/objects/batch`, { method: "POST", headers: { ...auth, "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ operation: "upload", objects: [{ oid, size }] }) })
  ).json()) as { objects: { actions?: { upload: { href: string }; verify: { href: string } } }[] };
  const a = b.objects[0]!.actions;
  if (a) {
    execFileSync("curl", ["-sS", "-f", "-o", "/dev/null", "-T", file, a.upload.href]);
    const v = await fetch(a.verify.href, { method: "POST", headers: { "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ oid, size }) });
    if (!v.ok) throw new Error(`verify: ${v.status}`);
  }
  const body = [{ key: "header", value: { summary: "add" } }, { key: "lfsFile", value: { path, algo: "sha256", oid, size } }].map((l) => JSON.stringify(l)).join("\n");
  const r = await fetch(`${server.url}/api/models/${repo}/commit/main`, { method: "POST", headers: { ...auth, "content-type": "application/x-ndjson" }, body });
  if (!r.ok) throw new Error(`commit: ${r.status} ${await r.text()}`);
}

/** Seconds for `clients` concurrent curl downloads of `url` (best of 3). */
async function fanOut(url: string, clients: number, headers: string[] = []): Promise<number> {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: clients }, () =>
        new Promise<void>((ok, fail) => {
          const c = spawn("curl", ["-sS", "-f", "-o", "/dev/null", ...headers, url], { stdio: "ignore" });
          c.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`curl exited ${code}`))));
        }),
      ),
    );
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

async function rps(url: string, auth: string): Promise<{ rps: number; p99: number }> {
  const r = await autocannon({ url, connections: 16, duration: 8, headers: { authorization: auth } });
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "hubble-bench-scale-"));
  try {
    if (run("fanout")) await fanOutSection(dir);
    if (run("metadata")) await metadataSection();
    if (run("direct")) await directSection(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** 1. 16 clients downloading one file: Hubble (N processes, 1, and behind nginx) vs nginx alone. */
async function fanOutSection(dir: string) {
  const gib = (n: number) => (n / 1e9).toFixed(2);
  console.log(`[fan-out] 16 clients × ${(FANOUT_SIZE / 1048576).toFixed(0)} MiB at once, ${CORES} cores`);
  await mkdir(join(dir, "www"));
  const file = join(dir, "www", "big.bin");
  const oid = await writeRandomFile(file, FANOUT_SIZE, 0xfeed);
  execFileSync("chmod", ["755", dir, join(dir, "www")]);
  execFileSync("chmod", ["644", file]);
  const nginx = await startNginx(dir, { root: join(dir, "www"), workers: CORES });
  const total = 16 * FANOUT_SIZE;
  const tNginx = await fanOut(`http://127.0.0.1:${nginx.port}/big.bin`, 16);
  nginx.stop();
  console.log(`  nginx, ${CORES} workers: ${gib(total / tNginx)} GB/s`);
  for (const workers of [CORES, 1]) {
    const server = await startServer({ HUBBLE_LOG_LEVEL: "error", HUBBLE_WORKERS: String(workers) });
    try {
      await lfsCommit(server, "admin/fan", "big.bin", file, oid, FANOUT_SIZE);
      const t = await fanOut(`${server.url}/admin/fan/resolve/main/big.bin`, 16, ["-H", `authorization: Bearer ${server.adminToken}`]);
      console.log(`  Hubble, ${workers} process${workers > 1 ? "es" : ""}: ${gib(total / t)} GB/s = ${(tNginx / t).toFixed(2)}× nginx`);
    } finally {
      await server.stop();
    }
  }
  // The deployment of deploy/nginx-embedded.conf: nginx in front sends the file Hubble names.
  {
    const server = await startServer({ HUBBLE_LOG_LEVEL: "error", HUBBLE_WORKERS: String(CORES), HUBBLE_ACCEL_REDIRECT: "/_hubble_files/" });
    await mkdir(join(dir, "front"));
    const front = await startNginx(join(dir, "front"), { workers: CORES, hubble: server.url, data: server.data });
    try {
      await lfsCommit(server, "admin/fan", "big.bin", file, oid, FANOUT_SIZE);
      const t = await fanOut(`${front.url}/admin/fan/resolve/main/big.bin`, 16, ["-H", `authorization: Bearer ${server.adminToken}`]);
      console.log(`  nginx (${CORES} workers) in front of Hubble (${CORES} processes) with X-Accel-Redirect: ${gib(total / t)} GB/s = ${(tNginx / t).toFixed(2)}× nginx alone`);
    } finally {
      front.stop();
      await server.stop();
    }
  }

}

/** 2. Repo info and tree requests/s: PostgreSQL vs SQLite. */
async function metadataSection() {
  console.log("\n[metadata] repo info and tree (100 files) requests/s, 16 connections, one process");
  const pg = await startPostgres();
  try {
    for (const [label, env] of [["SQLite", {}], ["PostgreSQL", { HUBBLE_DATABASE_URL: await pg.database() }]] as const) {
      const server = await startServer({ HUBBLE_LOG_LEVEL: "error", ...env });
      try {
        const auth = `Bearer ${server.adminToken}`;
        await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify({ name: "m" }) });
        const lines = [{ key: "header", value: { summary: "files" } }, ...Array.from({ length: 100 }, (_, i) => ({ key: "file", value: { path: `d/f${i}.txt`, content: Buffer.from(`file ${i}`).toString("base64"), encoding: "base64" } }))];
        await fetch(`${server.url}/api/models/admin/m/commit/main`, { method: "POST", headers: { authorization: auth, "content-type": "application/x-ndjson" }, body: lines.map((l) => JSON.stringify(l)).join("\n") });
        const info = await rps(`${server.url}/api/models/admin/m`, auth);
        const tree = await rps(`${server.url}/api/models/admin/m/tree/main/d`, auth);
        console.log(`  ${label}: info ${info.rps.toFixed(0)} req/s (p99 ${info.p99} ms), tree ${tree.rps.toFixed(0)} req/s (p99 ${tree.p99} ms)`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await pg.stop();
  }

}

/** 3. A large LFS download: presigned from the bucket vs streamed through the node. */
async function directSection(dir: string) {
  console.log(`\n[direct] ${(DIRECT_SIZE / 1048576).toFixed(0)} MiB LFS download from S3 (versitygw): through the node vs presigned`);
  const s3 = await startS3();
  const big = join(dir, "direct.bin");
  const bigOid = await writeRandomFile(big, DIRECT_SIZE, 0xbeef);
  const direct = await startServer({ ...s3.env, HUBBLE_LOG_LEVEL: "error", HUBBLE_S3_DIRECT: "1" });
  const streamed = await startServer({ ...s3.env, HUBBLE_LOG_LEVEL: "error", HUBBLE_S3_DIRECT: "0", HUBBLE_DATABASE_URL: "" }, { data: direct.data });
  try {
    await lfsCommit(direct, "admin/direct", "direct.bin", big, bigOid, DIRECT_SIZE);
    const time = (url: string, token: string) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) best = Math.min(best, Number(execFileSync("curl", ["-sS", "-f", "-L", "-o", join(dir, "out.bin"), "-w", "%{time_total}", "-H", `authorization: Bearer ${token}`, url], { encoding: "utf8" })));
      return best;
    };
    const tNode = time(`${streamed.url}/admin/direct/resolve/main/direct.bin`, direct.adminToken);
    const tDirect = time(`${direct.url}/admin/direct/resolve/main/direct.bin`, direct.adminToken);
    const ok = createHash("sha256").update(await readFile(join(dir, "out.bin"))).digest("hex") === bigOid;
    console.log(`  through the node: ${(DIRECT_SIZE / tNode / 1048576).toFixed(0)} MiB/s; presigned: ${(DIRECT_SIZE / tDirect / 1048576).toFixed(0)} MiB/s = ${(tNode / tDirect).toFixed(2)}× (bytes ${ok ? "identical" : "DIFFER"})`);
  } finally {
    await streamed.stop();
    await direct.stop();
    await s3.stop();
  }
}

await main();
