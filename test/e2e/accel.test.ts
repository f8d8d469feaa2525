/**
 * deploy/nginx-embedded.conf, run by a real nginx in front of Hubble started with
 * HUBBLE_ACCEL_REDIRECT: Hubble decides (access, revision, headers), nginx sends the file. Bytes,
 * Ranges and the headers the clients' caches rely on come out as without nginx; the internal
 * location cannot be reached from outside; a private repo stays a 404 for outsiders.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startNginx, type Nginx } from "../support/nginx.js";
import { PYTHON, startServer, type TestServer } from "./harness.js";

let server: TestServer;
let nginx: Nginx;
let work: string;
const data = randomBytes(3 << 20);
const oid = createHash("sha256").update(data).digest("hex");

before(async () => {
  server = await startServer({ HUBBLE_ACCEL_REDIRECT: "/_hubble_files/" }, { single: true });
  work = await mkdtemp(join(tmpdir(), "hubble-accel-"));
  nginx = await startNginx(work, { hubble: server.url, data: server.data });
  const auth = { authorization: `Bearer ${server.adminToken}` };
  for (const [name, priv] of [["pub", false], ["priv", true]] as const) {
    assert.equal((await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ name, private: priv }) })).status, 200);
    const b = (await (await fetch(`${server.url}/admin/${name}.git/info/lfs/objects/batch`, { method: "POST", headers: { ...auth, "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ operation: "upload", objects: [{ oid, size: data.length }] }) })).json()) as { objects: { actions?: { upload: { href: string }; verify: { href: string } } }[] };
    const a = b.objects[0]!.actions;
    if (a) {
      assert.equal((await fetch(a.upload.href, { method: "PUT", body: new Uint8Array(data) })).status, 200);
      assert.equal((await fetch(a.verify.href, { method: "POST", headers: { "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ oid, size: data.length }) })).status, 200);
    }
    const body = [{ key: "header", value: { summary: "w" } }, { key: "lfsFile", value: { path: "w.bin", algo: "sha256", oid, size: data.length } }].map((l) => JSON.stringify(l)).join("\n");
    assert.equal((await fetch(`${server.url}/api/models/admin/${name}/commit/main`, { method: "POST", headers: { ...auth, "content-type": "application/x-ndjson" }, body })).status, 200);
  }
});
after(async () => {
  nginx?.stop();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test("nginx sends the file Hubble names, with Hubble's headers, whole and in ranges", async () => {
  const direct = await fetch(`${server.url}/admin/pub/resolve/main/w.bin`, { redirect: "manual" });
  assert.match(direct.headers.get("x-accel-redirect") ?? "", /^\/_hubble_files\/lfs\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/, "Hubble names the file, sends no bytes");
  assert.equal((await direct.arrayBuffer()).byteLength, 0);

  const r = await fetch(`${nginx.url}/admin/pub/resolve/main/w.bin`);
  assert.equal(r.status, 200);
  assert.ok(Buffer.from(await r.arrayBuffer()).equals(data), "identical bytes");
  assert.equal(r.headers.get("etag"), `"${oid}"`, "Hubble's ETag, not nginx's");
  assert.equal(r.headers.get("x-linked-etag"), `"${oid}"`);
  assert.equal(r.headers.get("x-linked-size"), String(data.length));
  assert.match(r.headers.get("x-repo-commit") ?? "", /^[0-9a-f]{40}$/);
  assert.match(r.headers.get("content-disposition") ?? "", /filename="w.bin"/);
  assert.equal(r.headers.get("x-content-type-options"), "nosniff");
  assert.equal(r.headers.get("x-accel-redirect"), null, "the internal path does not leak");

  const part = await fetch(`${nginx.url}/admin/pub/resolve/main/w.bin`, { headers: { range: "bytes=1000-1999" } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), `bytes 1000-1999/${data.length}`);
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(data.subarray(1000, 2000)));
  const head = await fetch(`${nginx.url}/admin/pub/resolve/main/w.bin`, { method: "HEAD" });
  assert.equal(head.headers.get("x-linked-size"), String(data.length), "HEAD is Hubble's own answer");
});

test("access is Hubble's: a private repo is a 404 to outsiders; the internal location is not reachable", async () => {
  assert.equal((await fetch(`${nginx.url}/admin/priv/resolve/main/w.bin`)).status, 401);
  const owner = await fetch(`${nginx.url}/admin/priv/resolve/main/w.bin`, { headers: { authorization: `Bearer ${server.adminToken}` } });
  assert.equal(owner.status, 200);
  assert.ok(Buffer.from(await owner.arrayBuffer()).equals(data));
  const path = `/_hubble_files/lfs/${oid.slice(0, 2)}/${oid.slice(2, 4)}/${oid}`;
  assert.equal((await fetch(`${nginx.url}${path}`)).status, 404, "internal: only X-Accel-Redirect reaches it");
  assert.equal((await fetch(`${nginx.url}/_hubble_files/hubble.db`)).status, 404);
});

test("huggingface_hub downloads through nginx", { timeout: 120_000 }, async () => {
  const got = execFileSync(PYTHON, ["-c", `from huggingface_hub import hf_hub_download; print(hf_hub_download("admin/pub", "w.bin"))`], {
    env: { PATH: process.env.PATH, HOME: work, HF_HOME: join(work, "hf"), HF_ENDPOINT: nginx.url, HF_TOKEN: server.adminToken, HF_HUB_DISABLE_XET: "1", HF_HUB_DISABLE_TELEMETRY: "1" },
    encoding: "utf8",
  }).trim();
  assert.equal(createHash("sha256").update(await readFile(got)).digest("hex"), oid);
});
