/**
 * End-to-end: the real huggingface_hub (pinned in test/e2e/requirements.txt) against a real
 * Hubble process, with Xet off and on, once with blobs in the data folder and once in a real S3
 * server (versitygw). Each pytest case is reported; the suite fails if any case fails.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { s3Client } from "../../src/adapters/blob/s3-blob-store.js";
import { startPostgres, type Postgres } from "../support/postgres.js";
import { startS3, type S3Server } from "../support/s3-server.js";
import { PYTHON, ROOT, startServer, TWO_NODES, type TestServer } from "./harness.js";

let server: TestServer;
let s3: S3Server | undefined;
const env: Record<string, string> = {};

let pgCluster: Postgres | undefined;

async function start(backend: "folder" | "s3") {
  let extra: Record<string, string> = {};
  if (backend === "s3") {
    s3 = await startS3();
    pgCluster = await startPostgres();
    extra = { ...s3.env, HUBBLE_DATABASE_URL: await pgCluster.database() };
  }
  server = await startServer(extra);
  server.cli(["user", "create", "bob", "--fullname", "Bob"]);
  server.cli(["user", "create", "carol"]);
  server.cli(["org", "create", "acme", "--fullname", "Acme Corp", "--member", "admin:admin", "--member", "bob:read"]);
  env.HUBBLE_READ_TOKEN = server.cli(["token", "create", "--user", "bob", "--role", "read", "--name", "bob-read"]);
  env.HUBBLE_OTHER_TOKEN = server.cli(["token", "create", "--user", "carol", "--role", "write"]);
}

async function stop() {
  await server?.stop();
  await s3?.stop();
  await pgCluster?.stop();
  s3 = undefined;
  pgCluster = undefined;
}

async function pytest(args: string[], extraEnv: Record<string, string>): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), "hubble-hfhome-"));
  try {
    const child = spawn(PYTHON, ["-m", "pytest", "-q", "-x", "-s", "-p", "no:cacheprovider", ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        HF_HOME: join(home, "hf"),
        HF_XET_CACHE: join(home, "xet"),
        HF_ENDPOINT: server.url,
        HF_TOKEN: server.adminToken,
        HF_HUB_DISABLE_TELEMETRY: "1",
        HF_HUB_DISABLE_PROGRESS_BARS: "1",
        HF_XET_TELEMETRY_ENABLED: "false",
        HUBBLE_METRICS_URLS: server.nodes.join(","),
        ...env,
        ...extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    console.log(out.split("\n").slice(-40).join("\n"));
    assert.equal(code, 0, `pytest failed:\n${out}`);
    assert.match(out, /\d+ passed/);
    return out;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

// Two nodes behind a balancer (HUBBLE_TEST_TOPOLOGY=two-nodes) are a PostgreSQL + S3 deployment.
for (const backend of TWO_NODES ? (["s3"] as const) : (["folder", "s3"] as const)) {
  describe(backend === "s3" ? "scale-out storage: PostgreSQL + S3 bucket" : "embedded default: SQLite + data folder", () => {
    before(() => start(backend));
    after(stop);

    test("huggingface_hub end-to-end scenarios over LFS (pytest, HF_HUB_DISABLE_XET=1)", { timeout: 20 * 60_000 }, async () => {
      await pytest([join(ROOT, "test/e2e/python"), "--ignore", join(ROOT, "test/e2e/python/xet")], { HF_HUB_DISABLE_XET: "1" });
    });

    test("huggingface_hub + hf_xet end-to-end scenarios with Xet on (pytest)", { timeout: 20 * 60_000 }, async () => {
      const out = await pytest([join(ROOT, "test/e2e/python/xet")], {});
      assert.match(out, /re-upload received \d+ bytes/);
    });

    test("metadata and large objects are where the configuration says", async () => {
      const inFolder = existsSync(join(server.data, "lfs")) || existsSync(join(server.data, "xet"));
      if (backend === "folder") return assert.ok(inFolder, "LFS/Xet objects in the data folder");
      assert.ok(!inFolder, "no LFS/Xet object in the data folder");
      assert.ok(!existsSync(join(server.data, "hubble.db")), "no SQLite database: the metadata is in PostgreSQL");
      const listed = await s3Client({ bucket: s3!.bucket, prefix: "", endpoint: s3!.endpoint, region: "us-east-1" }).send(new ListObjectsV2Command({ Bucket: s3!.bucket, Prefix: "hubble/" }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!);
      assert.ok(keys.some((k) => k.startsWith("hubble/lfs/")), "LFS objects in the bucket");
      assert.ok(keys.some((k) => k.startsWith("hubble/xet/xorbs/")), "xorbs in the bucket");
    });
  });
}
