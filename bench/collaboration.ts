/**
 * Collaboration benchmarks (part of `npm run bench`), each against a reference in the same run:
 *
 *  1. Download counting: requests/s of `resolve` on a model's config.json (a counted query file)
 *     with counting on vs off (HUBBLE_COUNT_DOWNLOADS=0), same data, alternating rounds; goal ≥ 0.98×.
 *  2. A repo with 1,000 discussion threads: p50 / p99 of the API listing page
 *     (get_repo_discussions' request) and of the Community page, against repo info as reference.
 *
 * BENCH_ONLY=counting|threads runs one section.
 */
import autocannon from "autocannon";
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

const rps = async (url: string, seconds = 6) => (await autocannon({ url, connections: 16, duration: seconds })).requests.average;

if (run("counting")) {
  const on = await startServer({}, { single: true });
  const off = await startServer({ HUBBLE_COUNT_DOWNLOADS: "0" }, { single: true });
  try {
    for (const s of [on, off]) await seed(s, "counted");
    const path = "/admin/counted/resolve/main/config.json";
    await rps(on.url + path, 2);
    await rps(off.url + path, 2);
    const rounds: { on: number; off: number }[] = [];
    for (let i = 0; i < 3; i++) rounds.push({ off: await rps(off.url + path), on: await rps(on.url + path) });
    const best = (k: "on" | "off") => Math.max(...rounds.map((r) => r[k]));
    await new Promise((r) => setTimeout(r, 6000));
    const counted = (await (await fetch(`${on.url}/api/models/admin/counted`)).json()) as { downloads: number };
    console.log(`download counting: resolve config.json, 16 connections, best of 3 × 6 s`);
    console.log(`  counting off ${best("off").toFixed(0)} req/s, on ${best("on").toFixed(0)} req/s → ${(best("on") / best("off")).toFixed(3)}× (goal ≥ 0.98×); ${counted.downloads} downloads recorded`);
  } finally {
    await on.stop();
    await off.stop();
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
