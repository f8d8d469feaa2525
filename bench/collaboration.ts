/**
 * Collaboration benchmarks (part of `npm run bench`), each against a reference in the same run:
 *
 *  1. Download counting: requests/s of `resolve` on a model's config.json (a counted query file)
 *     with counting on vs off, in one server process (the counter switched between rounds; the
 *     load generator in a worker thread), paired alternating rounds; goal ≥ 0.98×.
 *  2. A repo with 1,000 discussion threads: p50 / p99 of the API listing page
 *     (get_repo_discussions' request) and of the Community page, against repo info as reference.
 *
 * BENCH_ONLY=counting|threads runs one section.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { loadConfig } from "../src/config.js";
import { bootstrapAdmin, createHubble } from "../src/main.js";
import { startServer, type TestServer } from "../test/e2e/harness.js";

const ONLY = process.env.BENCH_ONLY;
const run = (section: string) => !ONLY || ONLY === section;

async function seed(server: TestServer, name: string): Promise<void> {
  const auth = { authorization: `Bearer ${server.adminToken}` };
  const c = await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ name }) });
  if (!c.ok) throw new Error(`create: ${c.status}`);
  const body = [{ key: "header", value: { summary: "config" } }, { key: "file", value: { path: "config.json", encoding: "base64", content: Buffer.from('{"model_type":"bench"}').toString("base64") } }].map((l) => JSON.stringify(l)).join("\n");
  const r = await fetch(`${server.url}/api/models/admin/${name}/commit/main`, { method: "POST", headers: { ...auth, "content-type": "application/x-ndjson" }, body });
  if (!r.ok) throw new Error(`commit: ${r.status}`);
}


if (run("counting")) {
  // One process, counting switched on and off between rounds: two server processes differ by
  // more than what is measured here (±40% between identical ones on this 2-core machine).
  const data = await mkdtemp(join(tmpdir(), "hubble-bench-count-"));
  const hub = await createHubble(loadConfig({ data }, { HUBBLE_LOG_LEVEL: "silent" }));
  const token = (await bootstrapAdmin(hub))!;
  await hub.startHousekeeping();
  const url = await hub.app.listen({ host: "127.0.0.1", port: 0 });
  try {
    await seed({ url, adminToken: token } as TestServer, "counted");
    const path = `${url}/admin/counted/resolve/main/config.json`;
    const round = async (on: boolean) => {
      hub.services.downloads.enabled = on;
      // The load generator in a worker thread, so the server's event loop is the main thread's alone.
      return (await autocannon({ url: path, connections: 16, duration: 5, workers: 1 })).requests.average;
    };
    await round(true);
    await round(false);
    const ratios: number[] = [];
    const on: number[] = [];
    const off: number[] = [];
    for (let i = 0; i < 10; i++) {
      const first = i % 2 === 0;
      const a = await round(first);
      const b = await round(!first);
      const [rOn, rOff] = first ? [a, b] : [b, a];
      on.push(rOn);
      off.push(rOff);
      ratios.push(rOn / rOff);
    }
    await hub.services.downloads.flush();
    const counted = (await (await fetch(`${url}/api/models/admin/counted`)).json()) as { downloads: number };
    // What a counted request adds, measured alone: the counter's hit() on the same repo and path.
    const repo = (await hub.services.repos.get(null, "model", "admin/counted")).repo;
    hub.services.downloads.enabled = true;
    const n = 1_000_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) hub.services.downloads.hit(repo, "config.json", "127.0.0.1");
    const perHitNs = Number(process.hrtime.bigint() - t0) / n;
    await hub.services.downloads.flush();
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    console.log("download counting: resolve config.json, one process, 16 connections, 10 paired rounds × 5 s (order alternating)");
    console.log(`  median counting off ${median(off).toFixed(0)} req/s, on ${median(on).toFixed(0)} req/s; median of paired ratios ${median(ratios).toFixed(3)}× (goal ≥ 0.98×; rounds ${ratios.map((r) => r.toFixed(2)).join(", ")}); ${counted.downloads} downloads recorded`);
    const perRequestNs = 1e9 / median(off);
    console.log(`  one hit() costs ${perHitNs.toFixed(0)} ns against ${(perRequestNs / 1000).toFixed(0)} µs of CPU per request at the off rate: ${(1 - perHitNs / perRequestNs).toFixed(4)}× by this bound`);
  } finally {
    await hub.close();
    await rm(data, { recursive: true, force: true });
  }
}

if (run("threads")) {
  const server = await startServer({}, { single: true });
  try {
    await seed(server, "busy");
    const auth = { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" };
    const t0 = Date.now();
    for (let i = 0; i < 1000; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          fetch(`${server.url}/api/models/admin/busy/discussions`, { method: "POST", headers: auth, body: JSON.stringify({ title: `Thread number ${i + j}`, description: `Body of thread ${i + j}` }) }).then((r) => {
            if (!r.ok) throw new Error(`create: ${r.status}`);
          }),
        ),
      );
    }
    console.log(`1,000 threads opened in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const lat = async (path: string) => {
      const r = await autocannon({ url: server.url + path, connections: 4, duration: 6 });
      return `p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.requests.average.toFixed(0)} req/s`;
    };
    console.log(`  repo info (reference)          ${await lat("/api/models/admin/busy")}`);
    console.log(`  API list, first page (50)      ${await lat("/api/models/admin/busy/discussions")}`);
    console.log(`  API list, page 15, open only   ${await lat("/api/models/admin/busy/discussions?p=15&status=open")}`);
    console.log(`  Community page                 ${await lat("/admin/busy/discussions")}`);
  } finally {
    await server.stop();
  }
}
