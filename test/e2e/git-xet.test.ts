/**
 * End-to-end: git-xet (xet-core's Git LFS custom transfer agent) against a real Hubble. A push of
 * an LFS-tracked 20 MB file goes through Hubble's Xet path (the tree shows a xetHash, the CAS
 * counts the bytes) and a fresh clone gets identical bytes.
 *
 * git-xet is published by no registry this project can install from (not crates.io, PyPI, npm
 * or Debian), so the test runs when a `git-xet` binary is on PATH or named by HUBBLE_GIT_XET,
 * and is skipped — saying so — otherwise.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile, mkdir, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "./harness.js";

function findGitXet(): string | null {
  if (process.env.HUBBLE_GIT_XET) return process.env.HUBBLE_GIT_XET;
  const r = spawnSync("sh", ["-c", "command -v git-xet"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

const gitXet = findGitXet();
let server: TestServer;
let work: string;
let env: NodeJS.ProcessEnv;

function ok(args: string[], cwd = work) {
  const r = spawnSync("git", args, { cwd, env, encoding: "utf8", maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `git ${args.join(" ")}\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

before(async () => {
  if (!gitXet) return;
  server = await startServer();
  work = await mkdtemp(join(tmpdir(), "hubble-gitxet-"));
  const bin = join(work, "bin");
  await mkdir(bin);
  await symlink(gitXet, join(bin, "git-xet"));
  env = { PATH: `${bin}:${process.env.PATH}`, HOME: work, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
  ok(["lfs", "install", "--skip-repo"]);
  ok(["xet", "install"]);
});
after(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const skip = gitXet ? false : "git-xet is not installed (no registry carries it; set HUBBLE_GIT_XET to a built binary)";

test("git-xet: push an LFS-tracked 20 MB file through Hubble's Xet path; a fresh clone gets the same bytes", { skip, timeout: 10 * 60_000 }, async () => {
  const auth = { authorization: `Bearer ${server.adminToken}` };
  const r = await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ name: "xetpush" }) });
  assert.equal(r.status, 200);
  const remote = `${server.url.replace("http://", `http://admin:${server.adminToken}@`)}/admin/xetpush`;
  ok(["clone", "-q", remote, "a"]);
  const dir = join(work, "a");
  ok(["lfs", "track", "*.bin"], dir);
  const data = randomBytes(20 * 1024 * 1024);
  await writeFile(join(dir, "model.bin"), data);
  ok(["add", "-A"], dir);
  ok(["-c", "user.name=T", "-c", "user.email=t@e", "commit", "-qm", "weights"], dir);
  const metrics = async () => Number(/hubble_xet_xorb_bytes_received_total (\d+)/.exec(await (await fetch(`${server.url}/metrics`)).text())![1]);
  const before = await metrics();
  ok(["push", "-q", "origin", "main"], dir);
  assert.ok((await metrics()) - before >= data.length * 0.9, "the bytes went to the Xet CAS");
  const tree = await (await fetch(`${server.url}/api/models/admin/xetpush/tree/main`, { headers: auth })).json();
  const entry = tree.find((e: { path: string }) => e.path === "model.bin");
  assert.match(entry.xetHash, /^[0-9a-f]{64}$/);
  assert.equal(entry.lfs.oid, createHash("sha256").update(data).digest("hex"));

  ok(["clone", "-q", remote, "b"]);
  const got = await readFile(join(work, "b", "model.bin"));
  assert.equal(createHash("sha256").update(got).digest("hex"), createHash("sha256").update(data).digest("hex"));
});
