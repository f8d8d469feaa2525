/**
 * End-to-end: the real huggingface_hub (pinned in test/e2e/requirements.txt) against a real
 * Hubble process. Each pytest case is reported; the suite fails if any case fails.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PYTHON, ROOT, startServer, type TestServer } from "./harness.js";

let server: TestServer;
const env: Record<string, string> = {};

before(async () => {
  server = await startServer();
  server.cli(["user", "create", "bob", "--fullname", "Bob"]);
  server.cli(["user", "create", "carol"]);
  server.cli(["org", "create", "acme", "--fullname", "Acme Corp", "--member", "admin:admin", "--member", "bob:read"]);
  env.HUBBLE_READ_TOKEN = server.cli(["token", "create", "--user", "bob", "--role", "read", "--name", "bob-read"]);
  env.HUBBLE_OTHER_TOKEN = server.cli(["token", "create", "--user", "carol", "--role", "write"]);
});

after(async () => {
  await server?.stop();
});

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

test("huggingface_hub end-to-end scenarios over LFS (pytest, HF_HUB_DISABLE_XET=1)", { timeout: 20 * 60_000 }, async () => {
  await pytest([join(ROOT, "test/e2e/python"), "--ignore", join(ROOT, "test/e2e/python/xet")], { HF_HUB_DISABLE_XET: "1" });
});

test("huggingface_hub + hf_xet end-to-end scenarios with Xet on (pytest)", { timeout: 20 * 60_000 }, async () => {
  const out = await pytest([join(ROOT, "test/e2e/python/xet")], {});
  assert.match(out, /re-upload received \d+ bytes/);
});
