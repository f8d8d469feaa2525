/**
 * A 1 GiB file goes up through the LFS batch API and comes back down through `resolve`, while the
 * server's peak resident memory stays under 300 MB: transfers are streamed, never buffered.
 * (Throughput is measured in bench/, not here.)
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "./harness.js";
import { writeRandomFile } from "./random-file.js";

const SIZE = 1024 * 1024 * 1024;
let server: TestServer;
let dir: string;

before(async () => {
  server = await startServer();
  dir = await mkdtemp(join(tmpdir(), "hubble-big-"));
});
after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

test("1 GiB upload and download keep the server under 300 MB RSS", { timeout: 15 * 60_000 }, async () => {
  const src = join(dir, "big.bin");
  const oid = await writeRandomFile(src, SIZE);
  const auth = { authorization: `Bearer ${server.adminToken}` };
  const json = { ...auth, "content-type": "application/json" };
  assert.equal((await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: json, body: JSON.stringify({ name: "big", type: "model" }) })).status, 200);
  const batch = await fetch(`${server.url}/admin/big.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/vnd.git-lfs+json" },
    body: JSON.stringify({ operation: "upload", transfers: ["basic"], objects: [{ oid, size: SIZE }] }),
  });
  const href: string = (await batch.json()).objects[0].actions.upload.href;
  const put = await fetch(href, { method: "PUT", body: Readable.toWeb(createReadStream(src)) as ReadableStream, duplex: "half" } as RequestInit);
  assert.equal(put.status, 200, await put.text());
  const commitBody = [{ key: "header", value: { summary: "big" } }, { key: "lfsFile", value: { path: "big.bin", algo: "sha256", oid, size: SIZE } }].map((l) => JSON.stringify(l)).join("\n");
  const c = await fetch(`${server.url}/api/models/admin/big/commit/main`, { method: "POST", headers: { ...auth, "content-type": "application/x-ndjson" }, body: commitBody });
  assert.equal(c.status, 200, await c.text());

  const res = await fetch(`${server.url}/admin/big/resolve/main/big.bin`);
  assert.equal(res.status, 200);
  const back = createHash("sha256");
  const out = join(dir, "back.bin");
  await pipeline(Readable.fromWeb(res.body as never), async function* (src: AsyncIterable<Buffer>) {
    for await (const chunk of src) {
      back.update(chunk);
      yield chunk;
    }
  }, createWriteStream(out));
  assert.equal(back.digest("hex"), oid);
  assert.equal((await stat(out)).size, SIZE);
  const peak = await server.peakRss();
  console.log(`server peak RSS during 1 GiB upload+download: ${(peak / 1048576).toFixed(1)} MiB`);
  assert.ok(peak < 300 * 1024 * 1024, `peak RSS ${peak} bytes`);
});
