/**
 * `npm run bench` (part 5): server render times of the web pages, warm, one request at a time:
 * the repo home with a 50 KB card, a tree page of a 10,000-file folder with last commits, a blob
 * page of a 1 MB source file (goal: p50 ≤ 50 ms, p99 ≤ 200 ms); also a highlighted 60 KB file, a
 * CSV preview, a list and the upload page. The first (cold) render is printed apart, and the bytes of
 * HTML and of JavaScript each page loads.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import { startServer } from "../test/e2e/harness.js";

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);

function getOnce(agent: http.Agent, url: string, authorization?: string): Promise<{ ms: number; bytes: number; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    http
      .get(url, { agent, headers: authorization ? { authorization } : {} }, (res) => {
        const parts: Buffer[] = [];
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("end", () => {
          const body = Buffer.concat(parts);
          resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes: body.length, status: res.statusCode ?? 0, body: body.toString("utf8") });
        });
      })
      .on("error", reject);
  });
}

async function main() {
  const server = await startServer({ HUBBLE_LOG_LEVEL: "error" });
  const auth = { authorization: `Bearer ${server.adminToken}` };
  try {
    await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ name: "pages" }) });
    const para = (i: number) => `## Section ${i}\n\nSome prose about the model, with **emphasis**, a [link](docs/x.md) and \`code\`.\n\n| a | b |\n|---|---|\n| ${i} | ${i * 2} |\n\n`;
    let card = "---\nlicense: mit\ntags: [bench]\n---\n# Bench model\n\n";
    for (let i = 0; card.length < 50_000; i++) card += para(i);
    const source = Array.from({ length: 25_000 }, (_, i) => `def function_${i}(x):\n    return x * ${i}  # ${randomBytes(3).toString("hex")}\n`).join("").slice(0, 1_000_000);
    const lines = [
      { key: "header", value: { summary: "bench content" } },
      { key: "file", value: { path: "README.md", content: Buffer.from(card).toString("base64"), encoding: "base64" } },
      { key: "file", value: { path: "src/big.py", content: Buffer.from(source).toString("base64"), encoding: "base64" } },
      { key: "file", value: { path: "src/mid.py", content: Buffer.from(source.slice(0, 60_000)).toString("base64"), encoding: "base64" } },
      { key: "file", value: { path: "data/eval.csv", content: Buffer.from("id,text\n" + Array.from({ length: 5000 }, (_, i) => `${i},"row ${i}, quoted"`).join("\n")).toString("base64"), encoding: "base64" } },
      ...Array.from({ length: 10_000 }, (_, i) => ({ key: "file", value: { path: `data/shard-${String(i).padStart(5, "0")}.txt`, content: Buffer.from(`row ${i}\n`).toString("base64"), encoding: "base64" } })),
    ];
    const c = await fetch(`${server.url}/api/models/admin/pages/commit/main`, { method: "POST", headers: { ...auth, "content-type": "application/x-ndjson" }, body: lines.map((l) => JSON.stringify(l)).join("\n") + "\n" });
    if (c.status !== 200) throw new Error(await c.text());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    console.log(`[pages] server render, warm, ${SAMPLES} sequential requests each (goal p50 <= 50 ms, p99 <= 200 ms)`);
    for (const [label, path] of [
      ["repo home, 50 KB card", "/admin/pages"],
      ["tree, 10,000-file folder (first 100, last commits)", "/admin/pages/tree/main/data"],
      ["blob, 1 MB source file", "/admin/pages/blob/main/src/big.py"],
      ["blob, 60 KB Python, highlighted", "/admin/pages/blob/main/src/mid.py"],
      ["blob, CSV preview", "/admin/pages/blob/main/data/eval.csv"],
      ["list, /models", "/models"],
      ["upload page (the one island)", "/admin/pages/upload/main"],
    ] as const) {
      const cold = await getOnce(agent, server.url + path, auth.authorization);
      const first = await getOnce(agent, server.url + path, auth.authorization);
      if (first.status !== 200) throw new Error(`${path}: ${first.status}`);
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) times.push((await getOnce(agent, server.url + path, auth.authorization)).ms);
      times.sort((a, b) => a - b);
      const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
      let js = 0;
      const scripts = [...first.body.matchAll(/<script[^>]* src="([^"]+)"/g)].map((m) => m[1]!);
      for (const src of scripts) js += (await getOnce(agent, server.url + src)).bytes;
      console.log(`  ${label}: first ${cold.ms.toFixed(0)} ms; warm p50 ${p(0.5)} ms, p99 ${p(0.99)} ms; HTML ${(first.bytes / 1024).toFixed(0)} KiB, JS ${(js / 1024).toFixed(0)} KiB in ${scripts.length} script(s)`);
    }
    agent.destroy();
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
