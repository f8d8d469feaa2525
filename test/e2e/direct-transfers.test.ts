/**
 * Direct transfers (HUBBLE_S3_DIRECT=1) against a real S3 server (versitygw): LFS uploads and
 * downloads (git-lfs basic, huggingface_hub multipart and its resolve redirect) and Xet uploads
 * (hf_xet's upload grants) and downloads (presigned xorb ranges) move their bytes between client
 * and bucket — the node's own socket counters on /metrics see at most 1% of them — and a staged
 * upload or granted xorb that is forged or truncated is refused at verify/commit, leaving nothing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startS3, type S3Server } from "../support/s3-server.js";
import { xetUpload } from "../xet-builders.js";
import { PYTHON, startServer, type TestServer } from "./harness.js";
import { writeRandomFile } from "./random-file.js";

let s3: S3Server;
let server: TestServer;
let work: string;
const MB = 1 << 20;

before(async () => {
  s3 = await startS3();
  // Multipart from 64 MiB so huggingface_hub's 200 MB upload takes HF's multipart path.
  server = await startServer({ ...s3.env, HUBBLE_S3_DIRECT: "1", HUBBLE_LFS_MULTIPART_THRESHOLD: String(64 * MB), HUBBLE_LFS_CHUNK_SIZE: String(64 * MB) });
  work = await mkdtemp(join(tmpdir(), "hubble-direct-"));
});
after(async () => {
  await server?.stop();
  await s3?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${server.adminToken}` });
const api = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { ...init, headers: { ...auth(), ...(init.headers as Record<string, string>) } });

/** Bytes the node exchanged with HTTP clients so far. */
async function nodeBytes(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)![1]);
  return read("hubble_http_bytes_received_total") + read("hubble_http_bytes_sent_total");
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)![1]);
}

const sha256File = async (path: string) => createHash("sha256").update(await readFile(path)).digest("hex");

const py = (code: string, extra: Record<string, string> = {}) =>
  execFileSync(PYTHON, ["-c", code], { env: { PATH: process.env.PATH, HOME: work, HF_HOME: join(work, "hf"), HF_ENDPOINT: server.url, HF_TOKEN: server.adminToken, HF_HUB_DISABLE_TELEMETRY: "1", HF_HUB_DISABLE_PROGRESS_BARS: "1", ...extra }, encoding: "utf8" }).trim();

async function createRepo(name: string) {
  const r = await api("/api/repos/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  assert.equal(r.status, 200, await r.text());
}

test("git-lfs: a 200 MB push and clone go straight to and from the bucket", { timeout: 600_000 }, async (t) => {
  await createRepo("lfs-git");
  const env = { PATH: process.env.PATH, HOME: work, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
  const git = (args: string[], cwd = work) => {
    const r = spawnSync("git", args, { cwd, env, encoding: "utf8", maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, `git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  git(["lfs", "install", "--skip-repo"]);
  const url = `${server.url.replace("http://", `http://admin:${server.adminToken}@`)}/admin/lfs-git`;
  git(["clone", "-q", url, "up"]);
  const dir = join(work, "up");
  git(["lfs", "track", "*.bin"], dir);
  const size = 200 * MB;
  const want = await writeRandomFile(join(dir, "big.bin"), size, 21);
  git(["add", "."], dir);
  git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "big"], dir);
  const before = await nodeBytes();
  git(["push", "-q", "origin", "main"], dir);
  const pushed = (await nodeBytes()) - before;
  assert.ok(pushed <= size / 100, `push moved ${pushed} bytes through the node (≤ 1% of ${size})`);
  assert.equal(await metric("hubble_lfs_staged_bytes_verified_total"), size, "the node verified the staged object from the bucket");

  const before2 = await nodeBytes();
  git(["clone", "-q", url, "down"]);
  const cloned = (await nodeBytes()) - before2;
  assert.equal(await sha256File(join(work, "down", "big.bin")), want, "identical bytes after the clone");
  assert.ok(cloned <= size / 100, `clone moved ${cloned} bytes through the node (≤ 1% of ${size})`);
  t.diagnostic(`node bytes: push ${pushed}, clone ${cloned} of ${size}`);
  await rm(join(work, "up"), { recursive: true });
  await rm(join(work, "down"), { recursive: true });
});

test("huggingface_hub without Xet: a 200 MB multipart upload and a download through the resolve redirect", { timeout: 600_000 }, async (t) => {
  const size = 200 * MB;
  const path = join(work, "hf.bin");
  const want = await writeRandomFile(path, size, 33);
  const before = await nodeBytes();
  py(`from huggingface_hub import HfApi; api = HfApi(); api.create_repo("admin/lfs-hf"); api.upload_file(path_or_fileobj="${path}", path_in_repo="hf.bin", repo_id="admin/lfs-hf")`, { HF_HUB_DISABLE_XET: "1" });
  const up = (await nodeBytes()) - before;
  assert.ok(up <= size / 100, `upload moved ${up} bytes through the node`);
  await rm(path);
  const before2 = await nodeBytes();
  const got = py(`from huggingface_hub import hf_hub_download; print(hf_hub_download("admin/lfs-hf", "hf.bin"))`, { HF_HUB_DISABLE_XET: "1" });
  const down = (await nodeBytes()) - before2;
  assert.equal(await sha256File(got), want, "identical bytes");
  assert.ok(down <= size / 100, `download moved ${down} bytes through the node`);
  t.diagnostic(`node bytes: upload ${up}, download ${down} of ${size}`);
  // The redirect carries what the client's cache relies on.
  const head = await api("/admin/lfs-hf/resolve/main/hf.bin", { method: "HEAD", redirect: "manual" });
  assert.equal(head.status, 302);
  assert.equal(head.headers.get("x-linked-etag"), `"${want}"`);
  assert.equal(head.headers.get("x-linked-size"), String(size));
  assert.match(head.headers.get("location")!, /X-Amz-Signature=/);
  await rm(join(work, "hf"), { recursive: true, force: true });
});

test("huggingface_hub with Xet: upload through grants, download from presigned xorb ranges", { timeout: 600_000 }, async (t) => {
  const size = 64 * MB;
  const path = join(work, "xet.bin");
  const want = await writeRandomFile(path, size, 45);
  const grantsBefore = await metric("hubble_xet_grants_committed_total");
  const before = await nodeBytes();
  py(`from huggingface_hub import HfApi; api = HfApi(); api.create_repo("admin/xet-direct"); api.upload_file(path_or_fileobj="${path}", path_in_repo="xet.bin", repo_id="admin/xet-direct")`);
  const up = (await nodeBytes()) - before;
  assert.ok((await metric("hubble_xet_grants_committed_total")) > grantsBefore, "xorbs came in through grants");
  assert.equal(await metric("hubble_xet_xorb_bytes_received_total"), 0, "no xorb was posted to the node");
  // Shards (the file's chunk list, ~1 KiB per MiB) still go through the node: that is the protocol.
  assert.ok(up <= size / 100, `upload moved ${up} bytes through the node`);
  await rm(path);
  const before2 = await nodeBytes();
  const got = py(`from huggingface_hub import hf_hub_download; print(hf_hub_download("admin/xet-direct", "xet.bin"))`);
  const down = (await nodeBytes()) - before2;
  assert.equal(await sha256File(got), want, "identical bytes");
  assert.ok(down <= size / 100, `download moved ${down} bytes through the node`);
  t.diagnostic(`node bytes: upload ${up}, download ${down} of ${size}`);

  // Each presigned xorb URL reads exactly its range: a xorb may also hold chunks of other files.
  const info = (await (await api("/api/models/admin/xet-direct/paths-info/main", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ paths: ["xet.bin"] }) })).json()) as { xetHash: string }[];
  const tok = (await (await api("/api/models/admin/xet-direct/xet-read-token/main")).json()) as { casUrl: string; accessToken: string };
  const plan = (await (await fetch(`${tok.casUrl}/v1/reconstructions/${info[0]!.xetHash}`, { headers: { authorization: `Bearer ${tok.accessToken}` } })).json()) as { fetch_info: Record<string, { url: string; url_range: { start: number; end: number } }[]> };
  const f = Object.values(plan.fetch_info)[0]![0]!;
  const exact = await fetch(f.url, { headers: { range: `bytes=${f.url_range.start}-${f.url_range.end}` } });
  assert.equal(exact.status, 206);
  assert.equal((await exact.arrayBuffer()).byteLength, f.url_range.end - f.url_range.start + 1);
  assert.equal((await fetch(f.url, { headers: { range: `bytes=0-${f.url_range.end + 1}` } })).status, 403, "another range is refused");
  assert.equal((await fetch(f.url)).status, 403, "the whole xorb is refused");
});

test("a forged or truncated staged LFS upload is refused at verify and never becomes visible", async () => {
  await createRepo("forged");
  const body = randomBytes(300_000);
  const oid = createHash("sha256").update(body).digest("hex");
  const batch = async () =>
    (await (
      await api("/admin/forged.git/info/lfs/objects/batch", { method: "POST", headers: { "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ operation: "upload", transfers: ["basic"], objects: [{ oid, size: body.length }] }) })
    ).json()) as { objects: { actions?: { upload: { href: string; header?: Record<string, string> }; verify: { href: string } } }[] };
  const verify = (href: string) => fetch(href, { method: "POST", headers: { "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ oid, size: body.length }) });
  const downloadable = async () => {
    const r = (await (await api("/admin/forged.git/info/lfs/objects/batch", { method: "POST", headers: { "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ operation: "download", objects: [{ oid, size: body.length }] }) })).json()) as { objects: { error?: { code: number } }[] };
    return r.objects[0]!.error === undefined;
  };

  // Forged: the right size, other bytes.
  let a = (await batch()).objects[0]!.actions!;
  assert.doesNotMatch(a.upload.href, new RegExp(server.url.replace(/[.:/]/g, "\\$&")), "the upload goes to the bucket, not the node");
  assert.equal(a.upload.header?.Authorization, undefined, "the caller's credentials are not sent to the bucket");
  assert.equal((await fetch(a.upload.href, { method: "PUT", body: randomBytes(body.length) })).status, 200);
  let v = await verify(a.verify.href);
  assert.equal(v.status, 422);
  assert.match(v.headers.get("x-error-message") ?? "", /Hash mismatch/);
  assert.equal(await downloadable(), false);
  assert.equal((await verify(a.verify.href)).status, 404, "the refused upload was deleted");

  // Truncated: the first half of the right bytes.
  a = (await batch()).objects[0]!.actions!;
  assert.equal((await fetch(a.upload.href, { method: "PUT", body: body.subarray(0, body.length / 2) })).status, 200);
  v = await verify(a.verify.href);
  assert.equal(v.status, 422);
  assert.match(v.headers.get("x-error-message") ?? "", /Size mismatch/);
  assert.equal(await downloadable(), false);

  // A signature is for one object: another oid on the same verify URL is refused.
  const other = new URL(a.verify.href);
  other.pathname = other.pathname.replace(oid, "0".repeat(64));
  assert.equal((await fetch(other, { method: "POST", headers: { "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ oid: "0".repeat(64), size: body.length }) })).status, 403);

  // The honest upload then works.
  a = (await batch()).objects[0]!.actions!;
  assert.equal((await fetch(a.upload.href, { method: "PUT", body })).status, 200);
  assert.equal((await verify(a.verify.href)).status, 200);
  assert.equal(await downloadable(), true);
  assert.ok((await metric("hubble_lfs_staged_refused_total")) >= 2);
});

test("a forged, truncated or foreign granted xorb is refused at commit; a true one is stored", async () => {
  await createRepo("grants");
  const tok = (await (await api("/api/models/admin/grants/xet-write-token/main")).json()) as { casUrl: string; accessToken: string };
  const cas = (path: string, init: RequestInit = {}) => fetch(`${tok.casUrl}${path}`, { ...init, headers: { authorization: `Bearer ${tok.accessToken}`, "content-type": "application/json", ...(init.headers as Record<string, string>) } });
  const up = await xetUpload([randomBytes(70_000), randomBytes(50_000)]);
  const grant = async (length: number) => {
    const r = await cas(`/v1/xorb-grants/default/${up.xorbHex}`, { method: "POST", body: JSON.stringify({ length, checksum: { algo: "crc64nvme", value: "7" } }) });
    assert.equal(r.status, 201);
    return (await r.json()) as { id: string; method: string; url: string; headers: Record<string, string> };
  };
  const commit = (id: string) => cas(`/v1/xorb-commits/default/${up.xorbHex}/grant/${encodeURIComponent(id)}`, { method: "POST" });

  // Nothing uploaded: 404, the client asks for a new grant.
  let g = await grant(up.xorb.length);
  assert.equal(g.method, "PUT");
  assert.equal((await commit(g.id)).status, 404);
  // Forged bytes of the right length.
  assert.equal((await fetch(g.url, { method: "PUT", body: randomBytes(up.xorb.length) })).status, 200);
  let r = await commit(g.id);
  assert.equal(r.status, 400, await r.text());
  assert.equal((await commit(g.id)).status, 404, "refused bytes are deleted");
  // Truncated.
  g = await grant(up.xorb.length);
  await fetch(g.url, { method: "PUT", body: new Uint8Array(up.xorb.subarray(0, up.xorb.length - 100)) });
  assert.equal((await commit(g.id)).status, 400);
  // A grant id with its signature altered, or used for another xorb.
  g = await grant(up.xorb.length);
  await fetch(g.url, { method: "PUT", body: new Uint8Array(up.xorb) });
  assert.equal((await commit(g.id.slice(0, -2) + (g.id.endsWith("AA") ? "BB" : "AA"))).status, 403);
  assert.equal((await cas(`/v1/xorb-commits/default/${"1".repeat(64)}/grant/${encodeURIComponent(g.id)}`, { method: "POST" })).status, 403);
  assert.equal((await cas(`/v1/xorbs/default/${up.xorbHex}`, { method: "HEAD" })).status, 404, "nothing indexed so far");
  // The true xorb commits, and a second grant request says it is stored.
  r = await commit(g.id);
  assert.equal(r.status, 200, await r.text());
  assert.equal((await cas(`/v1/xorbs/default/${up.xorbHex}`, { method: "HEAD" })).status, 200);
  const again = await cas(`/v1/xorb-grants/default/${up.xorbHex}`, { method: "POST", body: JSON.stringify({ length: up.xorb.length, checksum: { algo: "crc64nvme", value: "7" } }) });
  assert.equal(again.status, 200);
  // A read token cannot ask for grants.
  const read = (await (await api("/api/models/admin/grants/xet-read-token/main")).json()) as { accessToken: string };
  assert.equal((await fetch(`${tok.casUrl}/v1/xorb-grants/default/${"2".repeat(64)}`, { method: "POST", headers: { authorization: `Bearer ${read.accessToken}`, "content-type": "application/json" }, body: JSON.stringify({ length: 10 }) })).status, 403);
});
