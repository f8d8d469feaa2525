/**
 * A real S3 server for tests: versitygw over a temporary folder on a free loopback port (built by
 * scripts/test.sh into .cache/bin; HUBBLE_VERSITYGW names another binary). Not a mock: it checks
 * SigV4 signatures, serves ranges, multipart uploads and presigned URLs like S3.
 */
import { stopChild } from "./process.js";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { s3Client } from "../../src/adapters/blob/s3-blob-store.js";

const ROOT = resolve(import.meta.dirname, "../../..");

/** A running S3 server with one bucket; `env` is what a Hubble needs to use it. */
export interface S3Server {
  endpoint: string;
  bucket: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, "127.0.0.1", ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise((ok) => srv.close(ok));
  return port;
}

/** Path of the versitygw binary. */
export function versitygw(): string {
  const bin = process.env.HUBBLE_VERSITYGW ?? join(ROOT, ".cache/bin/versitygw");
  if (!existsSync(bin)) throw new Error(`versitygw is needed at ${bin}: scripts/test.sh builds it (go install github.com/versity/versitygw/cmd/versitygw@v1.7.0)`);
  return bin;
}

/** Starts versitygw and creates `bucket`. */
export async function startS3(bucket = "hubble-test"): Promise<S3Server> {
  const dir = await mkdtemp(join(tmpdir(), "hubble-s3-"));
  const port = await freePort();
  const keys = { ROOT_ACCESS_KEY: "hubbletestkey", ROOT_SECRET_KEY: "hubble-test-secret-key" };
  const proc: ChildProcess = spawn(versitygw(), ["--port", `127.0.0.1:${port}`, "--health", "/health", "posix", dir], { env: { ...process.env, ...keys }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`versitygw exited: ${log}`);
    const ok = await fetch(`${endpoint}/health`).then((r) => r.ok).catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`versitygw did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const env = { AWS_ACCESS_KEY_ID: keys.ROOT_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: keys.ROOT_SECRET_KEY, AWS_REGION: "us-east-1", HUBBLE_S3_ENDPOINT: endpoint };
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = env.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = env.AWS_SECRET_ACCESS_KEY;
  await s3Client({ bucket, prefix: "", endpoint, region: "us-east-1" }).send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    env: { ...env, HUBBLE_BLOB_STORE: `s3://${bucket}/hubble` },
    async stop() {
      await stopChild(proc);
      await rm(dir, { recursive: true, force: true });
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    },
  };
}
