/**
 * Clone time of a 10,000-file, 100-commit repository through Hubble's smart HTTP vs
 * `git clone --no-local file://` of the same bare repository, measured in the same run; and the
 * same clone over Hubble's SSH server vs over HTTP.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../test/e2e/harness.js";

const FILES = 10_000;
const COMMITS = 100;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** A fast-import stream: commit 1 adds every file, each later commit rewrites 100 of them (commits on one branch chain by themselves). */
function fastImport(): string {
  const lines: string[] = [];
  for (let c = 1; c <= COMMITS; c++) {
    const msg = `commit ${c}`;
    lines.push("commit refs/heads/main", `committer Bench <b@e> ${1700000000 + c} +0000`, `data ${msg.length}`, msg);
    const files = c === 1 ? Array.from({ length: FILES }, (_, i) => i) : Array.from({ length: 100 }, (_, i) => (c * 100 + i) % FILES);
    for (const i of files) {
      const body = `file ${i} version ${c}\n${"x".repeat(i % 200)}\n`;
      lines.push(`M 100644 inline dir${i % 100}/file${i}.txt`, `data ${Buffer.byteLength(body)}`, body);
    }
  }
  return lines.join("\n") + "\n";
}

function time(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "hubble-clone-bench-"));
  const server = await startServer({ HUBBLE_LOG_LEVEL: "error", HUBBLE_SSH_PORT: "0" });
  try {
    const src = join(dir, "src.git");
    execFileSync("git", ["init", "-q", "--bare", "-b", "main", src]);
    execFileSync("git", ["fast-import", "--quiet"], { cwd: src, input: fastImport(), maxBuffer: 1 << 30 });
    execFileSync("git", ["gc", "-q"], { cwd: src });
    await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" }, body: JSON.stringify({ name: "clone-bench" }) });
    const remote = `${server.url.replace("http://", `http://admin:${server.adminToken}@`)}/admin/clone-bench`;
    execFileSync("git", ["push", "-q", "--force", remote, "main"], { cwd: src });
    execFileSync("git", ["gc", "-q"], { cwd: join(server.data, "repos/models/admin/clone-bench.git") });
    const key = join(dir, "key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    await fetch(`${server.url}/api/user/keys`, { method: "POST", headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" }, body: JSON.stringify({ title: "bench", key: await readFile(`${key}.pub`, "utf8") }) });
    const sshEnv = { ...process.env, GIT_SSH_COMMAND: `ssh -i ${key} -o IdentitiesOnly=yes -o IdentityAgent=none -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR` };
    console.log(`[clone] ${FILES} files, ${COMMITS} commits; best of ${RUNS}`);
    const file: number[] = [];
    const hub: number[] = [];
    const ssh: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      file.push(time(() => execFileSync("git", ["clone", "-q", "--no-local", `file://${src}`, join(dir, `f${i}`)])));
      hub.push(time(() => execFileSync("git", ["clone", "-q", `${server.url}/admin/clone-bench`, join(dir, `h${i}`)])));
      ssh.push(time(() => execFileSync("git", ["clone", "-q", `ssh://git@127.0.0.1:${server.sshPort}/admin/clone-bench`, join(dir, `s${i}`)], { env: sshEnv })));
    }
    const f = Math.min(...file);
    const h = Math.min(...hub);
    const s = Math.min(...ssh);
    console.log(`  git clone --no-local file://: ${f.toFixed(3)} s`);
    console.log(`  git clone through Hubble:     ${h.toFixed(3)} s`);
    console.log(`  git clone over Hubble SSH:    ${s.toFixed(3)} s`);
    console.log(`  RATIO clone: Hubble/file time = ${(h / f).toFixed(2)}x (goal <= 1.1x)`);
    console.log(`  RATIO clone: SSH/HTTP time = ${(s / h).toFixed(2)}x`);
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
