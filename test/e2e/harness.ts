/**
 * Starts a real Hubble process (the built CLI) on 127.0.0.1 with a free port and a temporary data
 * folder, for end-to-end tests driven by real clients. Every process started here is stopped.
 */
import { stopChild } from "../support/process.js";
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
 */
export async function startServer(env: Record<string, string> = {}, o: { data?: string } = {}): Promise<TestServer> {
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
  const adminToken = (await readFile(join(data, "admin-token"), "utf8")).trim();
  return {
    url,
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
