/**
 * Starts a real Hubble process (the built CLI) on 127.0.0.1 with a free port and a temporary data
 * folder, for end-to-end tests driven by real clients. Every process started here is stopped.
 */
import { startBalancer } from "../support/balancer.js";
import { startPostgres, type Postgres } from "../support/postgres.js";
import { stopChild } from "../support/process.js";
import { startS3, type S3Server } from "../support/s3-server.js";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Repository root (tests run from dist/test/...). */
export const ROOT = resolve(import.meta.dirname, "../../..");
const CLI = join(ROOT, "dist/src/cli.js");

/** A running Hubble. */
export interface TestServer {
  url: string;
  /** Each node's own URL (one, or several behind a balancer): per-process counters live there. */
  nodes: string[];
  data: string;
  adminToken: string;
  /** Port of the SSH server, when started with HUBBLE_SSH_PORT. */
  sshPort?: number;
  proc: ChildProcess;
  /** Runs a `hubble` admin command against the same data folder; returns stdout. */
  cli(args: string[]): string;
  /** Peak resident memory of the server process (VmHWM), bytes. */
  peakRss(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts Hubble; `env` adds HUBBLE_* settings. `data` shares another node's data folder (the git
 * volume and server secret of a scale-out deployment); such a node leaves the folder on stop.
 *
 * With `HUBBLE_TEST_TOPOLOGY=two-nodes` (scripts/test.sh sets it for a second run of the client
 * suites) the same call starts a deployment instead: two nodes on PostgreSQL + S3 (started here
 * unless `env` names a database) and one data folder, behind a balancer that sends each HTTP
 * request and each SSH connection to the nodes in turn; the returned server is the balancer.
 */
export async function startServer(env: Record<string, string> = {}, o: { data?: string; single?: boolean } = {}): Promise<TestServer> {
  if (TWO_NODES && !o.data && !o.single) return startTwoNodes(env);
  return startNode(env, o);
}

/** Whether this run drives every suite's server as two nodes behind a balancer. */
export const TWO_NODES = process.env.HUBBLE_TEST_TOPOLOGY === "two-nodes";

async function startTwoNodes(env: Record<string, string>): Promise<TestServer> {
  let pg: Postgres | undefined;
  let s3: S3Server | undefined;
  if (!env.HUBBLE_DATABASE_URL) {
    pg = await startPostgres();
    s3 = await startS3();
    env = { ...env, ...s3.env, HUBBLE_DATABASE_URL: await pg.database() };
  }
  const lb = await startBalancer({ ssh: env.HUBBLE_SSH_PORT !== undefined });
  // The balancer passes the Host through, so URLs Hubble builds point at whatever address the
  // client used (the balancer, or a test's own proxy in front of it). Only git-lfs over SSH needs
  // HUBBLE_PUBLIC_URL (no Host to go by), as the README says.
  if (env.HUBBLE_SSH_PORT !== undefined) env = { ...env, HUBBLE_PUBLIC_URL: lb.url };
  const a = await startNode(env);
  const b = await startNode(env, { data: a.data });
  const port = (u: string) => Number(new URL(u).port);
  await lb.setUpstreams([port(a.url), port(b.url)], a.sshPort && b.sshPort ? [a.sshPort, b.sshPort] : []);
  return {
    ...a,
    url: lb.url,
    nodes: [a.url, b.url],
    sshPort: lb.sshPort,
    async stop() {
      const served = await lb.served().catch(() => [] as number[]);
      await lb.stop();
      await b.stop();
      await a.stop();
      await s3?.stop();
      await pg?.stop();
      // Both nodes served: a suite that ran on one only would not have tested the deployment.
      if (served.filter((n) => n > 0).length < 2) throw new Error(`the balancer did not use both nodes (served ${JSON.stringify(served)})`);
    },
  };
}

async function startNode(env: Record<string, string>, o: { data?: string } = {}): Promise<TestServer> {
  const data = o.data ?? (await mkdtemp(join(tmpdir(), "hubble-test-")));
  const proc = spawn(process.execPath, [CLI, "serve", "--host", "127.0.0.1", "--port", "0", "--data", data], {
    // One process unless a test asks for workers (they have their own suite).
    env: { ...process.env, HUBBLE_LOG_LEVEL: "warn", HUBBLE_WORKERS: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const wantSsh = env.HUBBLE_SSH_PORT !== undefined;
  let sshPort: number | undefined;
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`Hubble did not start:\n${log}`)), 30_000);
    proc.stdout!.on("data", (d: Buffer) => {
      log += d.toString();
      const m = /Hubble listening on (http:\/\/[^\s]+)/.exec(log);
      const s = /Hubble SSH listening on [^\s]+:(\d+)/.exec(log);
      if (s) sshPort = Number(s[1]);
      if (m && (!wantSsh || s)) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    proc.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    proc.on("exit", (code) => fail(new Error(`Hubble exited (${code}):\n${log}`)));
  });
  // A node that joins a deployment on its own data folder finds the admin made by the first one.
  const adminToken = (await readFile(join(data, "admin-token"), "utf8").catch(() => "")).trim();
  return {
    url,
    nodes: [url],
    data,
    adminToken,
    sshPort,
    proc,
    cli(args) {
      // The same settings as the server (its database and blob store), so admin commands see its data.
      const r = spawnSync(process.execPath, [CLI, ...args, "--data", data], { encoding: "utf8", env: { ...process.env, ...env } });
      if (r.status !== 0) throw new Error(`hubble ${args.join(" ")} failed: ${r.stderr}`);
      return r.stdout.trim();
    },
    async peakRss() {
      const status = await readFile(`/proc/${proc.pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
    },
    async stop() {
      await stopChild(proc);
      if (!o.data) await rm(data, { recursive: true, force: true });
    },
  };
}

/** The Python interpreter of the test venv made by scripts/test.sh. */
export const PYTHON = join(ROOT, ".venv/bin/python");
