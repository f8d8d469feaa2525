/**
 * Two Hubble nodes on one PostgreSQL, one S3 bucket, one git volume (HUBBLE_GIT_DIR) and one secret
 * (HUBBLE_SECRET), each with its own data folder, as a scale-out deployment
 * runs them: what one node takes in, the other serves byte for byte (LFS and Xet, through
 * huggingface_hub), and 20 commits to one branch sent concurrently, alternating between the nodes,
 * all land — none lost, history linear — because ref moves hold a lock that works across nodes.
 */
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { execFile, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { s3Client } from "../../src/adapters/blob/s3-blob-store.js";
import { startBalancer } from "../support/balancer.js";
import { startPostgres, type Postgres } from "../support/postgres.js";
import { startS3, type S3Server } from "../support/s3-server.js";
import { PYTHON, ROOT, startServer, type TestServer } from "./harness.js";
import { writeRandomFile } from "./random-file.js";

let pgc: Postgres;
let s3: S3Server;
let a: TestServer;
let b: TestServer;
let work: string;
let env: Record<string, string>;

before(async () => {
  pgc = await startPostgres();
  s3 = await startS3();
  work = await mkdtemp(join(tmpdir(), "hubble-2nodes-"));
  // Each node its own data folder; what they share is named: the database, the bucket, the git
  // volume and the secret.
  env = { ...s3.env, HUBBLE_DATABASE_URL: await pgc.database(), HUBBLE_GIT_DIR: join(work, "git-volume"), HUBBLE_SECRET: randomBytes(32).toString("hex") };
  a = await startServer(env);
  b = await startServer(env);
});
after(async () => {
  await b?.stop();
  await a?.stop();
  await s3?.stop();
  await pgc?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const py = (endpoint: string, code: string, extra: Record<string, string> = {}) =>
  execFileSync(PYTHON, ["-c", code], { env: { PATH: process.env.PATH, HOME: work, HF_HOME: join(work, `hf-${endpoint.split(":").pop()}`), HF_ENDPOINT: endpoint, HF_TOKEN: a.adminToken, HF_HUB_DISABLE_TELEMETRY: "1", HF_HUB_DISABLE_PROGRESS_BARS: "1", ...extra }, encoding: "utf8" }).trim();

test("upload through one node, download through the other: LFS and Xet, identical bytes", { timeout: 300_000 }, async () => {
  const lfsSha = await writeRandomFile(join(work, "lfs.bin"), 12 << 20, 7);
  const xetSha = await writeRandomFile(join(work, "xet.bin"), 12 << 20, 11);
  py(a.url, `from huggingface_hub import HfApi; api = HfApi(); api.create_repo("admin/shared"); api.upload_file(path_or_fileobj="${join(work, "lfs.bin")}", path_in_repo="lfs.bin", repo_id="admin/shared")`, { HF_HUB_DISABLE_XET: "1" });
  py(a.url, `from huggingface_hub import HfApi; HfApi().upload_file(path_or_fileobj="${join(work, "xet.bin")}", path_in_repo="xet.bin", repo_id="admin/shared")`);
  for (const [name, want] of [["lfs.bin", lfsSha], ["xet.bin", xetSha]] as const) {
    const path = py(b.url, `from huggingface_hub import hf_hub_download; print(hf_hub_download("admin/shared", "${name}"))`);
    assert.equal(createHash("sha256").update(await readFile(path)).digest("hex"), want, `${name} through node B`);
  }
  const info = (await (await fetch(`${b.url}/api/models/admin/shared/paths-info/main`, { method: "POST", headers: { authorization: `Bearer ${a.adminToken}`, "content-type": "application/json" }, body: JSON.stringify({ paths: ["xet.bin"] }) })).json()) as { xetHash?: string }[];
  assert.match(String(info[0]?.xetHash), /^[0-9a-f]{64}$/, "node B knows the Xet file node A indexed");
});

test("20 concurrent commits to one branch, alternating nodes: all land, history linear", { timeout: 120_000 }, async () => {
  const auth = { authorization: `Bearer ${a.adminToken}` };
  assert.equal((await fetch(`${a.url}/api/repos/create`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ name: "busy" }) })).status, 200);
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      fetch(`${(i % 2 ? b : a).url}/api/models/admin/busy/commit/main`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/x-ndjson" },
        body: [{ key: "header", value: { summary: `commit ${i}` } }, { key: "file", value: { path: `f/${i}.txt`, content: Buffer.from(`${i}`).toString("base64"), encoding: "base64" } }].map((l) => JSON.stringify(l)).join("\n"),
      }).then(async (r) => [r.status, await r.text()] as const),
    ),
  );
  assert.deepEqual(results.filter(([s]) => s !== 200), [], "every commit succeeded");
  const commits = (await (await fetch(`${b.url}/api/models/admin/busy/commits/main`, { headers: auth })).json()) as { title: string; id: string }[];
  assert.equal(commits.filter((c) => c.title.startsWith("commit ")).length, 20, "no lost update");
  const tree = (await (await fetch(`${a.url}/api/models/admin/busy/tree/main/f`, { headers: auth })).json()) as { path: string }[];
  assert.equal(tree.length, 20, "every file is in the final tree");
  // Linear: each commit has exactly one parent, the one before it.
  const git = (args: string[]) => execFileSync("git", args, { cwd: join(env.HUBBLE_GIT_DIR!, "repos", "models", "admin", "busy.git"), encoding: "utf8" }).trim();
  assert.equal(git(["rev-list", "--merges", "--count", "main"]), "0");
  assert.ok(!existsSync(join(a.data, "repos", "models", "admin", "busy.git")), "repositories live on the git volume, not in a node's data folder");
  assert.equal(Number(git(["rev-list", "--count", "main"])), commits.length);
});

/** Uploads one LFS object to a repo through a node (batch, signed PUT, verify). */
async function lfsUpload(node: TestServer, repo: string, data: Buffer): Promise<string> {
  const oid = createHash("sha256").update(data).digest("hex");
  const r = await fetch(`${node.url}/${repo}.git/info/lfs/objects/batch`, { method: "POST", headers: { authorization: `Bearer ${a.adminToken}`, "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ operation: "upload", objects: [{ oid, size: data.length }] }) });
  const actions = ((await r.json()) as { objects: { actions?: { upload: { href: string }; verify: { href: string } } }[] }).objects[0]!.actions;
  if (actions) {
    assert.equal((await fetch(actions.upload.href, { method: "PUT", body: new Uint8Array(data) })).status, 200);
    assert.equal((await fetch(actions.verify.href, { method: "POST", headers: { "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ oid, size: data.length }) })).status, 200);
  }
  return oid;
}

test("gc on one node while the other commits loses nothing", { timeout: 180_000 }, async (t) => {
  const auth = { authorization: `Bearer ${a.adminToken}` };
  assert.equal((await fetch(`${a.url}/api/repos/create`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ name: "gcrace" }) })).status, 200);
  // Uploaded, not yet referenced: every one is a GC candidate once the grace (≈ 1 s) is over.
  const objects = await Promise.all(Array.from({ length: 80 }, async (_, i) => {
    const data = randomBytes(2000 + i);
    return { data, oid: await lfsUpload(b, "admin/gcrace", data) };
  }));
  await new Promise((r) => setTimeout(r, 1500));
  // `hubble gc` in its own process against the cluster's database and bucket, while node B commits.
  let gcDone = false;
  const gcOut = new Promise<string>((ok, fail) =>
    execFile(process.execPath, [join(ROOT, "dist/src/cli.js"), "gc", "--grace-hours", "0.0003", "--data", a.data], { env: { ...process.env, ...env } }, (e, stdout, stderr) => {
      gcDone = true;
      if (e) fail(new Error(stderr));
      else ok(`${stdout}\n${stderr}`);
    }),
  );
  const landed: number[] = [];
  let refused = 0;
  let duringGc = 0;
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    const r = await fetch(`${b.url}/api/models/admin/gcrace/commit/main`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/x-ndjson" },
      body: [{ key: "header", value: { summary: `lfs ${i}` } }, { key: "lfsFile", value: { path: `o/${i}.bin`, algo: "sha256", oid: o.oid, size: o.data.length } }].map((l) => JSON.stringify(l)).join("\n"),
    });
    const text = await r.text();
    if (!gcDone) duringGc++;
    if (r.status === 200) landed.push(i);
    else {
      // Refused, never dangling: the object was collected before this commit touched it.
      assert.equal(r.status, 400, text);
      assert.match(text, /not uploaded|was removed/);
      refused++;
    }
    if (gcDone && i > 60) break;
  }
  const out = await gcOut;
  const removed = Number(/removed (\d+) of/.exec(out)![1]);
  t.diagnostic(`${landed.length} commits landed, ${refused} refused, ${duringGc} sent while gc ran; gc removed ${removed}`);
  assert.ok(duringGc > 0, "commits ran while gc did");
  assert.ok(removed > 0, "gc collected what nothing referenced yet");
  // Every committed file is still there, byte for byte, through the other node.
  for (const i of landed) {
    const r = await fetch(`${a.url}/admin/gcrace/resolve/main/o/${i}.bin`, { headers: auth });
    assert.equal(r.status, 200, `o/${i}.bin after gc`);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(objects[i]!.data), `o/${i}.bin bytes`);
  }
});

test("a node killed with SIGKILL mid-upload: the client's retry goes through the other node and succeeds, nothing half-visible", { timeout: 300_000 }, async (t) => {
  // Two more nodes behind a balancer; whichever receives the file's body is killed mid-way.
  const c = await startServer(env);
  const d = await startServer(env);
  const lb = await startBalancer();
  const port = (u: string) => Number(new URL(u).port);
  await lb.setUpstreams([port(c.url), port(d.url)]);
  try {
    const size = 160 << 20;
    const file = join(work, "killed.bin");
    const want = await writeRandomFile(file, size, 77);
    const received = async (n: TestServer) => Number(/^hubble_http_bytes_received_total (\d+)$/m.exec(await (await fetch(`${n.url}/metrics`)).text())![1]);
    const base = [await received(c), await received(d)];
    const child = spawn(PYTHON, ["-c", `from huggingface_hub import HfApi; api = HfApi(); api.create_repo("admin/killed"); api.upload_file(path_or_fileobj="${file}", path_in_repo="killed.bin", repo_id="admin/killed")`], {
      env: { PATH: process.env.PATH, HOME: work, HF_HOME: join(work, "hf-killed"), HF_ENDPOINT: lb.url, HF_TOKEN: a.adminToken, HF_HUB_DISABLE_TELEMETRY: "1", HF_HUB_DISABLE_PROGRESS_BARS: "1", HF_HUB_DISABLE_XET: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (x: Buffer) => (log += x.toString()));
    child.stderr.on("data", (x: Buffer) => (log += x.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", r));
    let killed: { node: string; at: number } | null = null;
    while (!killed && child.exitCode === null) {
      const now = [(await received(c)) - base[0]!, (await received(d)) - base[1]!];
      const i = now.findIndex((n) => n > 8 << 20);
      if (i >= 0) {
        (i === 0 ? c : d).proc.kill("SIGKILL");
        killed = { node: i === 0 ? "c" : "d", at: now[i]! };
      } else await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(killed, "a node was receiving the upload when the test killed it");
    assert.ok(killed.at < size, `the kill came mid-upload (${killed.at} of ${size} bytes received)`);
    assert.equal(await exited, 0, `the client's upload succeeded after retrying:\n${log}`);
    t.diagnostic(`node ${killed.node} killed after ${killed.at} bytes; the client retried through the other`);
    const got = execFileSync(PYTHON, ["-c", `from huggingface_hub import hf_hub_download; print(hf_hub_download("admin/killed", "killed.bin"))`], { env: { PATH: process.env.PATH, HOME: work, HF_HOME: join(work, "hf-killed-down"), HF_ENDPOINT: a.url, HF_TOKEN: a.adminToken, HF_HUB_DISABLE_XET: "1" }, encoding: "utf8" }).trim();
    assert.equal(createHash("sha256").update(await readFile(got)).digest("hex"), want, "identical bytes through a surviving node");
    // Nothing half-visible: the object under its address is whole; what the dead node was writing
    // is at most an unfinished multipart upload (invisible, swept), never an object.
    const client = s3Client({ bucket: s3.bucket, prefix: "", endpoint: s3.endpoint, region: "us-east-1" });
    const objects = (await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "hubble/lfs/" }))).Contents ?? [];
    const ours = objects.filter((o) => o.Key!.endsWith(want));
    assert.equal(ours.length, 1);
    assert.equal(ours[0]!.Size, size);
    assert.deepEqual(objects.filter((o) => !/\/[0-9a-f]{64}$/.test(o.Key!)), [], "only content-addressed objects");
  } finally {
    await lb.stop();
    await d.stop();
    await c.stop();
  }
});

test("login throttling is the cluster's: failures on either node count toward one lock", async () => {
  a.cli(["user", "create", "target", "--password", "the target's real password"]);
  const login = (node: TestServer, password: string) => fetch(`${node.url}/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "target", password }) }).then((r) => r.status);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push(await login(i % 2 ? b : a, `wrong ${i}`));
  assert.deepEqual(statuses.slice(0, 4), [401, 401, 401, 401]);
  assert.equal(statuses[4], 429, "the fifth failure, split across nodes, locks the name");
  assert.equal(await login(b, "the target's real password"), 429, "locked on the other node too");
});

test("one node at a time leads the sweeps; when it stops, the other takes over", { timeout: 60_000 }, async () => {
  const leads = async (n: TestServer) => /hubble_leader (\d)/.exec(await (await fetch(`${n.url}/metrics`)).text())?.[1];
  assert.deepEqual([await leads(a), await leads(b)].sort(), ["0", "1"], "exactly one leader");
  const [leader, other] = (await leads(a)) === "1" ? [a, b] : [b, a];
  await leader.stop();
  const deadline = Date.now() + 20_000;
  while ((await leads(other)) !== "1") {
    assert.ok(Date.now() < deadline, "the other node took over within 20 s");
    await new Promise((r) => setTimeout(r, 250));
  }
});
