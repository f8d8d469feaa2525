/**
 * End-to-end: git over SSH. Keys made by the real `ssh-keygen`, registered through the key API;
 * the real `ssh`, `git` and `git-lfs` (git-lfs-authenticate) against Hubble's SSH server.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "./harness.js";

let server: TestServer;
let work: string;
const tokens: Record<string, string> = {};

function sh(cmd: string, args: string[], o: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(cmd, args, { cwd: o.cwd ?? work, env: { PATH: process.env.PATH, HOME: work, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...o.env }, encoding: "utf8", maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout ?? "", out: (r.stdout ?? "") + (r.stderr ?? "") };
}
/** git as a user: their key, no agent, no known_hosts. */
function git(user: string, args: string[], cwd = work) {
  const key = join(work, `${user}_key`);
  return sh("git", args, { cwd, env: { GIT_SSH_COMMAND: `ssh -i ${key} -o IdentitiesOnly=yes -o IdentityAgent=none -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR` } });
}
function ok(user: string, args: string[], cwd = work): string {
  const r = git(user, args, cwd);
  assert.equal(r.code, 0, `git ${args.join(" ")}\n${r.out}`);
  return r.out;
}
/** Runs one command on Hubble's SSH server with a key file from the work folder. */
function sshRun(keyName: string, command: string) {
  return sh("ssh", ["-i", join(work, keyName), "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-p", String(server.sshPort), "git@127.0.0.1", command]);
}
const remote = (path: string) => `ssh://git@127.0.0.1:${server.sshPort}/${path}`;

async function api(user: string, path: string, init: RequestInit = {}) {
  return fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${tokens[user]}`, "content-type": "application/json", ...(init.headers ?? {}) } });
}

before(async () => {
  server = await startServer({ HUBBLE_SSH_PORT: "0" });
  assert.ok(server.sshPort && server.sshPort > 0, "the SSH server announced its port");
  work = await mkdtemp(join(tmpdir(), "hubble-ssh-"));
  for (const user of ["alice", "bob"]) {
    server.cli(["user", "create", user]);
    tokens[user] = server.cli(["token", "create", "--user", user]);
    assert.equal(sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${user}@test`, "-f", join(work, `${user}_key`)]).code, 0);
    const r = await api(user, "/api/user/keys", { method: "POST", body: JSON.stringify({ title: `${user}'s laptop`, key: await readFile(join(work, `${user}_key.pub`), "utf8") }) });
    assert.equal(r.status, 200, await r.text());
  }
  // A key nobody registered.
  assert.equal(sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(work, "stranger_key")]).code, 0);
  sh("git", ["lfs", "install", "--skip-repo"]);
});
after(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test("the registered key's fingerprint is the one ssh-keygen prints", async () => {
  const printed = sh("ssh-keygen", ["-l", "-E", "sha256", "-f", join(work, "alice_key.pub")]).out.split(" ")[1];
  const keys = await (await api("alice", "/api/user/keys")).json();
  assert.equal(keys.length, 1);
  assert.equal(keys[0].fingerprint, printed);
  assert.equal(keys[0].key_type, "ssh-ed25519");
});

test("git clone and push over SSH, private repo and dataset", async () => {
  assert.equal((await api("alice", "/api/repos/create", { method: "POST", body: JSON.stringify({ name: "secret", private: true }) })).status, 200);
  ok("alice", ["clone", "-q", remote("alice/secret.git"), "secret"]);
  const dir = join(work, "secret");
  assert.ok((await readFile(join(dir, ".gitattributes"), "utf8")).includes("filter=lfs"));
  await writeFile(join(dir, "hello.txt"), "over ssh\n");
  ok("alice", ["add", "hello.txt"], dir);
  ok("alice", ["-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qm", "from ssh"], dir);
  ok("alice", ["push", "-q", "origin", "main"], dir);
  const local = ok("alice", ["rev-parse", "HEAD"], dir).trim();
  const info = await (await api("alice", "/api/models/alice/secret/revision/main")).json();
  assert.equal(info.sha, local, "the API sees the commit pushed over SSH");
  const raw = await api("alice", "/alice/secret/resolve/main/hello.txt");
  assert.equal(await raw.text(), "over ssh\n");

  // Protocol v2 over SSH (GIT_PROTOCOL is passed as an SSH env request) and a dataset path.
  ok("alice", ["-c", "protocol.version=2", "clone", "-q", remote("alice/secret"), "secret-v2"]);
  assert.equal(ok("alice", ["rev-parse", "HEAD"], join(work, "secret-v2")).trim(), local);
  assert.equal((await api("alice", "/api/repos/create", { method: "POST", body: JSON.stringify({ name: "ds", type: "dataset" }) })).status, 200);
  ok("alice", ["clone", "-q", remote("datasets/alice/ds.git"), "ds"]);

  // The pre-receive policy holds over SSH too: a 12 MiB non-LFS blob is refused, nothing moves.
  await writeFile(join(dir, "big.dat"), randomBytes(12 << 20));
  ok("alice", ["add", "big.dat"], dir);
  ok("alice", ["-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qm", "too big"], dir);
  const refused = git("alice", ["push", "-q", "origin", "main"], dir);
  assert.notEqual(refused.code, 0);
  assert.match(refused.out, /big\.dat/);
  assert.equal((await (await api("alice", "/api/models/alice/secret/revision/main")).json()).sha, local);
});

test("access over SSH follows the same rule: not found, read-only, unknown key", async () => {
  // bob cannot see alice's private repo: it does not exist for him.
  const hidden = git("bob", ["clone", "-q", remote("alice/secret"), "bob-secret"]);
  assert.notEqual(hidden.code, 0);
  assert.match(hidden.out, /Repository not found/);
  // bob can clone alice's public repo but not push to it.
  assert.equal((await api("alice", "/api/repos/create", { method: "POST", body: JSON.stringify({ name: "open" }) })).status, 200);
  ok("bob", ["clone", "-q", remote("alice/open"), "bob-open"]);
  const dir = join(work, "bob-open");
  await writeFile(join(dir, "x.txt"), "x\n");
  ok("bob", ["add", "x.txt"], dir);
  ok("bob", ["-c", "user.name=B", "-c", "user.email=b@example.com", "commit", "-qm", "x"], dir);
  const denied = git("bob", ["push", "-q", "origin", "main"], dir);
  assert.notEqual(denied.code, 0);
  assert.match(denied.out, /don't have the rights to write/);
  // A key nobody registered is refused at authentication.
  const r = sshRun("stranger_key", "git-upload-pack 'alice/open'");
  assert.notEqual(r.code, 0);
  assert.match(r.out, /Permission denied \(publickey\)/);
  // No shell, and unknown commands are refused.
  const shell = sshRun("alice_key", "ls /");
  assert.equal(shell.code, 127);
  assert.match(shell.out, /Unknown command/);
  // Deleting the key cuts SSH access at once.
  const keys = await (await api("bob", "/api/user/keys")).json();
  assert.equal((await api("bob", `/api/user/keys/${keys[0].id}`, { method: "DELETE" })).status, 200);
  const gone = git("bob", ["clone", "-q", remote("alice/open"), "bob-open-2"]);
  assert.notEqual(gone.code, 0);
  assert.match(gone.out, /Permission denied \(publickey\)/);
});

test("git lfs over SSH: git-lfs-authenticate hands out a repo-scoped token; push and smudge", async () => {
  assert.equal((await api("alice", "/api/repos/create", { method: "POST", body: JSON.stringify({ name: "weights", private: true }) })).status, 200);
  ok("alice", ["clone", "-q", remote("alice/weights"), "weights"]);
  const dir = join(work, "weights");
  const data = randomBytes(3 << 20);
  await writeFile(join(dir, "model.bin"), data);
  ok("alice", ["add", "model.bin"], dir);
  ok("alice", ["-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qm", "weights"], dir);
  // The push only succeeds if the object reached Hubble first: the pre-receive hook refuses
  // pointers to objects the repo does not hold (the progress line is not printed off a TTY).
  ok("alice", ["push", "origin", "main"], dir);
  const sha = createHash("sha256").update(data).digest("hex");
  const paths = await (await api("alice", "/api/models/alice/weights/paths-info/main", { method: "POST", body: JSON.stringify({ paths: ["model.bin"] }) })).json();
  assert.equal(paths[0].lfs.oid, sha, "the LFS object arrived and the commit points to it");
  // A fresh clone smudges the file through the same SSH-issued LFS credentials.
  ok("alice", ["clone", "-q", remote("alice/weights"), "weights-2"]);
  assert.ok((await readFile(join(work, "weights-2", "model.bin"))).equals(data));

  // What git-lfs-authenticate answers, and what its token may do.
  const auth = sshRun("alice_key", "git-lfs-authenticate 'alice/weights.git' download");
  assert.equal(auth.code, 0, auth.out);
  const grant = JSON.parse(auth.stdout);
  assert.equal(grant.href, `${server.url}/alice/weights.git/info/lfs`);
  assert.equal(grant.expires_in, 3600);
  const bearer = grant.header.Authorization as string;
  assert.match(bearer, /^Bearer hbl_/);
  const batch = (repo: string, operation: string) =>
    fetch(`${server.url}/${repo}.git/info/lfs/objects/batch`, { method: "POST", headers: { authorization: bearer, accept: "application/vnd.git-lfs+json", "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ operation, objects: [{ oid: sha, size: data.length }] }) });
  assert.equal((await batch("alice/weights", "download")).status, 200, "the download token downloads");
  assert.equal((await batch("alice/weights", "upload")).status, 403, "a download token cannot upload");
  assert.equal((await batch("alice/secret", "download")).status, 404, "nor reach another private repo of the same user");
  // bob (key registered again) gets no token for alice's private repo.
  const re = await api("bob", "/api/user/keys", { method: "POST", body: JSON.stringify({ title: "again", key: await readFile(join(work, "bob_key.pub"), "utf8") }) });
  assert.equal(re.status, 200);
  const bobAuth = sshRun("bob_key", "git-lfs-authenticate 'alice/weights' upload");
  assert.notEqual(bobAuth.code, 0);
  assert.match(bobAuth.out, /Repository not found/);
});

test("hubble token create --scope makes a fine-grained token limited to what it names", async () => {
  const fg = server.cli(["token", "create", "--user", "alice", "--name", "ci", "--scope", "model:alice/secret:repo.content.read"]);
  const who = await (await fetch(`${server.url}/api/whoami-v2`, { headers: { authorization: `Bearer ${fg}` } })).json();
  assert.equal(who.auth.accessToken.role, "fineGrained");
  assert.deepEqual(who.auth.accessToken.fineGrained.scoped, [{ entity: { type: "model", name: "alice/secret" }, permissions: ["repo.content.read"] }]);
  const get = (repo: string) => fetch(`${server.url}/api/models/${repo}`, { headers: { authorization: `Bearer ${fg}` } });
  assert.equal((await get("alice/secret")).status, 200);
  assert.equal((await get("alice/weights")).status, 404, "another private repo of the same user is out of scope");
  assert.throws(() => server.cli(["token", "create", "--user", "alice", "--scope", "model:alice/secret:repo.delete"]), /permissions/);
});

test("pull requests over SSH: the author pushes HEAD:refs/pr/N with an LFS file; main stays refused", async () => {
  server.cli(["user", "create", "pat"]);
  tokens.pat = server.cli(["token", "create", "--user", "pat"]);
  assert.equal(sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "pat@test", "-f", join(work, "pat_key")]).code, 0);
  assert.equal((await api("pat", "/api/user/keys", { method: "POST", body: JSON.stringify({ title: "pat", key: await readFile(join(work, "pat_key.pub"), "utf8") }) })).status, 200);
  assert.equal((await api("alice", "/api/repos/create", { method: "POST", body: JSON.stringify({ name: "pr-ssh" }) })).status, 200);
  const opened = await api("pat", "/api/models/alice/pr-ssh/discussions", { method: "POST", body: JSON.stringify({ title: "Weights over SSH", description: "Coming.", pullRequest: true }) });
  assert.equal(opened.status, 200);
  const num = (await opened.json()).num as number;
  ok("pat", ["clone", "-q", remote("alice/pr-ssh"), "pat-pr"]);
  const dir = join(work, "pat-pr");
  ok("pat", ["fetch", "-q", "origin", `refs/pr/${num}:pr`], dir);
  ok("pat", ["checkout", "-q", "pr"], dir);
  const weights = Buffer.alloc(200_000, 7);
  await writeFile(join(dir, "model.bin"), weights);
  ok("pat", ["add", "-A"], dir);
  ok("pat", ["-c", "user.name=P", "-c", "user.email=p@example.com", "commit", "-qm", "weights"], dir);
  ok("pat", ["push", "-q", "origin", `HEAD:refs/pr/${num}`], dir);
  const got = await fetch(`${server.url}/alice/pr-ssh/resolve/refs%2Fpr%2F${num}/model.bin`);
  assert.deepEqual(Buffer.from(await got.arrayBuffer()), weights, "the LFS object went up over SSH's git-lfs-authenticate");
  const details = await (await api("alice", `/api/models/alice/pr-ssh/discussions/${num}`)).json();
  assert.equal(details.status, "open");
  assert.equal(details.events.filter((e: { type: string }) => e.type === "commit").length, 1);
  const main = git("pat", ["push", "origin", "HEAD:main"], dir);
  assert.notEqual(main.code, 0, "pat cannot push main");
});
