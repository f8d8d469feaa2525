/** LFS garbage collection: unreferenced and old versions go, referenced and recent objects stay. */
import { createHash, randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { harness, header, ndjson, type Harness } from "./helpers.js";

let h: Harness;
before(async () => {
  h = await harness();
});
after(async () => h.close());

async function upload(repo: string, data: Buffer): Promise<string> {
  const oid = createHash("sha256").update(data).digest("hex");
  const b = await h.hub.app.inject({ method: "POST", url: `/${repo}.git/info/lfs/objects/batch`, headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", objects: [{ oid, size: data.length }] } });
  const href = b.json().objects[0].actions?.upload?.href;
  if (href) assert.equal((await h.hub.app.inject({ method: "PUT", url: href.replace("http://hub.test", ""), payload: data })).statusCode, 200);
  return oid;
}
async function commitLfs(repo: string, path: string, oid: string, size: number) {
  const r = await h.hub.app.inject({ method: "POST", url: `/api/models/${repo}/commit/main`, headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: ndjson(header(`set ${path}`), { key: "lfsFile", value: { path, algo: "sha256", oid, size } }) });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().commitOid as string;
}

test("gc keeps what history references, honours keep-versions, and dry-run changes nothing", async () => {
  await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "gc" } });
  const v1 = randomBytes(1000);
  const v2 = randomBytes(1000);
  const v3 = randomBytes(1000);
  const stray = randomBytes(1000);
  const first = await commitLfs("admin/gc", "w.bin", await upload("admin/gc", v1), 1000);
  await commitLfs("admin/gc", "w.bin", await upload("admin/gc", v2), 1000);
  await commitLfs("admin/gc", "w.bin", await upload("admin/gc", v3), 1000);
  const strayOid = await upload("admin/gc", stray);

  const lines: string[] = [];
  const grace = await h.hub.gc({ dryRun: true, graceMs: 3600_000 });
  assert.equal(grace.removed.length, 0, "recent uploads are protected by the grace period");
  const dry = await h.hub.gc({ dryRun: true, graceMs: 0, progress: (l) => lines.push(l) });
  assert.deepEqual(dry.removed.map((r) => r.oid), [strayOid], "history keeps all versions by default");
  assert.ok(lines.some((l) => l.startsWith("[1/1] model admin/gc")));
  assert.ok(lines.some((l) => l.startsWith("would remove")));
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/admin/gc/resolve/main/w.bin" })).statusCode, 200);

  const put = await h.hub.app.inject({ method: "PUT", url: "/api/models/admin/gc/settings", headers: h.auth, payload: { lfs_keep_versions: 2 } });
  assert.equal(put.statusCode, 200);
  const real = await h.hub.gc({ dryRun: false, graceMs: 0 });
  const v1oid = createHash("sha256").update(v1).digest("hex");
  assert.deepEqual(real.removed.map((r) => r.oid).sort(), [v1oid, strayOid].sort());
  const latest = await h.hub.app.inject({ method: "GET", url: "/admin/gc/resolve/main/w.bin" });
  assert.ok(latest.rawPayload.equals(v3));
  const old = await h.hub.app.inject({ method: "GET", url: `/admin/gc/resolve/${first}/w.bin` });
  assert.equal(old.statusCode, 404, "a collected version is gone, cleanly");
  const again = await h.hub.gc({ dryRun: false, graceMs: 0 });
  assert.equal(again.removed.length, 0);
});
