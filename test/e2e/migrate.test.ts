/**
 * `hubble migrate` moves an embedded install (SQLite + data folder) to PostgreSQL + S3: users,
 * tokens, orgs, gated requests, LFS and Xet files all survive — old tokens still work and the
 * migrated deployment serves identical bytes with the folder's own blob copies moved away. A
 * second run resumes (nothing copied twice, same verified counts).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startPostgres, type Postgres } from "../support/postgres.js";
import { startS3, type S3Server } from "../support/s3-server.js";
import { PYTHON, ROOT, startServer, type TestServer } from "./harness.js";
import { writeRandomFile } from "./random-file.js";

let pgc: Postgres;
let s3: S3Server;
let data: string;
let work: string;
const servers: TestServer[] = [];

before(async () => {
  data = await mkdtemp(join(tmpdir(), "hubble-migrate-data-"));
  work = await mkdtemp(join(tmpdir(), "hubble-migrate-"));
  pgc = await startPostgres();
  s3 = await startS3();
});
after(async () => {
  for (const s of servers) await s.stop();
  await s3?.stop();
  await pgc?.stop();
  await rm(data, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

const py = (server: TestServer, token: string, code: string, extra: Record<string, string> = {}) =>
  execFileSync(PYTHON, ["-c", code], { env: { PATH: process.env.PATH, HOME: work, HF_HOME: join(work, `hf-${servers.length}-${Math.random()}`), HF_ENDPOINT: server.url, HF_TOKEN: token, HF_HUB_DISABLE_TELEMETRY: "1", HF_HUB_DISABLE_PROGRESS_BARS: "1", ...extra }, encoding: "utf8" }).trim();

test("an embedded install moves to PostgreSQL + S3 and keeps everything", { timeout: 600_000 }, async () => {
  // 1. A laptop install with a bit of everything.
  const laptop = await startServer({}, { data });
  servers.push(laptop);
  laptop.cli(["user", "create", "bob", "--password", "bob's long password"]);
  const bobToken = laptop.cli(["token", "create", "--user", "bob", "--role", "write"]);
  laptop.cli(["org", "create", "acme", "--member", "admin:admin", "--member", "bob:read"]);
  const lfsSha = await writeRandomFile(join(work, "weights.bin"), 6 << 20, 3);
  const xetSha = await writeRandomFile(join(work, "xet.bin"), 6 << 20, 5);
  py(laptop, laptop.adminToken, `from huggingface_hub import HfApi; api = HfApi(); api.create_repo("acme/model"); api.update_repo_settings("acme/model", gated="manual"); api.upload_file(path_or_fileobj="${join(work, "weights.bin")}", path_in_repo="weights.bin", repo_id="acme/model")`, { HF_HUB_DISABLE_XET: "1" });
  py(laptop, laptop.adminToken, `from huggingface_hub import HfApi; HfApi().upload_file(path_or_fileobj="${join(work, "xet.bin")}", path_in_repo="xet.bin", repo_id="acme/model")`);
  assert.equal((await fetch(`${laptop.url}/acme/model/ask-access`, { method: "POST", headers: { authorization: `Bearer ${bobToken}`, "content-type": "application/json" }, body: "{}" })).status, 200);
  await laptop.stop();
  servers.pop();

  // 2. Migrate, twice (the second run resumes and verifies again).
  const url = await pgc.database();
  const env = { ...s3.env };
  const store = env.HUBBLE_BLOB_STORE!;
  const migrateCli = () => execFileSync(process.execPath, [join(ROOT, "dist/src/cli.js"), "migrate", "--database", url, "--blob-store", store, "--data", data], { env: { ...process.env, ...env }, encoding: "utf8" });
  const first = migrateCli();
  assert.match(first, /migrated \d+ rows and \d+ objects \(\d+ bytes\), verified/);
  const objects = Number(/and (\d+) objects/.exec(first)![1]);
  assert.ok(objects >= 3, `LFS object, xorb(s) and shard(s) copied: ${objects}`);
  const second = migrateCli();
  assert.equal(/and (\d+) objects/.exec(second)![1], String(objects));

  // 3. The scale-out deployment, with the folder's blob copies moved away.
  await rename(join(data, "lfs"), join(work, "old-lfs"));
  await rename(join(data, "xet"), join(work, "old-xet"));
  await rename(join(data, "hubble.db"), join(work, "old.db"));
  const cloud = await startServer({ ...env, HUBBLE_DATABASE_URL: url }, { data });
  servers.push(cloud);
  assert.match(py(cloud, bobToken, "from huggingface_hub import whoami; print(whoami()['name'])"), /^bob$/, "an old token still works");
  const pending = (await (await fetch(`${cloud.url}/api/models/acme/model/user-access-request/pending`, { headers: { authorization: `Bearer ${laptop.adminToken}` } })).json()) as { user: { user: string } }[];
  assert.deepEqual(pending.map((p) => p.user.user), ["bob"], "the gated request survived");
  for (const [name, want] of [["weights.bin", lfsSha], ["xet.bin", xetSha]] as const) {
    const path = py(cloud, laptop.adminToken, `from huggingface_hub import hf_hub_download; print(hf_hub_download("acme/model", "${name}"))`);
    assert.equal(createHash("sha256").update(await readFile(path)).digest("hex"), want, name);
  }
  // New rows get new ids (sequences moved past the copied ones).
  cloud.cli(["user", "create", "newcomer"]);
  assert.match(py(cloud, cloud.cli(["token", "create", "--user", "newcomer"]), "from huggingface_hub import whoami; print(whoami()['name'])"), /^newcomer$/);
});
