/**
 * End-to-end: real `git` and `git-lfs` (Debian packages) against a real Hubble over smart HTTP,
 * on the same history the HTTP API shows.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect, type Socket } from "node:net";
import { basename, dirname } from "node:path";
import { gzipSync } from "node:zlib";
import { PYTHON, startServer, type TestServer } from "./harness.js";

let server: TestServer;
let work: string;
let env: NodeJS.ProcessEnv;
let authed: (repo: string) => string;

/** Runs git; returns status and combined output. */
function run(args: string[], cwd = work, extraEnv: Record<string, string> = {}) {
  const r = spawnSync("git", args, { cwd, env: { ...env, ...extraEnv }, encoding: "utf8", maxBuffer: 1 << 26 });
  return { code: r.status, out: (r.stdout ?? "") + (r.stderr ?? "") };
}
function ok(args: string[], cwd = work, extraEnv: Record<string, string> = {}) {
  const r = run(args, cwd, extraEnv);
  assert.equal(r.code, 0, `git ${args.join(" ")}\n${r.out}`);
  return r.out;
}
/** Like ok(), without blocking the event loop (needed when this process also runs a proxy). */
function okAsync(args: string[], cwd = work, extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`git ${args.join(" ")} (${code})\n${out}`))));
  });
}
const commitAll = (dir: string, msg: string) => {
  ok(["add", "-A"], dir);
  ok(["-c", "user.name=Tester", "-c", "user.email=t@example.com", "commit", "-qm", msg], dir);
};

async function api(path: string, init: RequestInit = {}) {
  return fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${server.adminToken}`, ...(init.headers ?? {}) } });
}
async function createRepo(name: string, extra: Record<string, unknown> = {}) {
  const r = await api("/api/repos/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, ...extra }) });
  assert.equal(r.status, 200);
}
async function head(repo: string, branch = "main"): Promise<string> {
  return (await (await api(`/api/models/admin/${repo}/revision/${branch}`)).json()).sha;
}

before(async () => {
  // Small multipart threshold so `hf lfs-enable-largefiles` gets HF's multipart answer quickly.
  server = await startServer({ HUBBLE_LFS_MULTIPART_THRESHOLD: String(8 << 20), HUBBLE_LFS_CHUNK_SIZE: String(5 << 20) });
  work = await mkdtemp(join(tmpdir(), "hubble-git-"));
  env = { PATH: process.env.PATH, HOME: work, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
  authed = (repo) => `${server.url.replace("http://", `http://admin:${server.adminToken}@`)}/${repo}`;
  ok(["lfs", "install", "--skip-repo"]);
});
after(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

test("clone with protocol v0 and v2, shallow and partial; push a branch and a tag", async () => {
  await createRepo("plain");
  ok(["clone", "-q", authed("admin/plain"), "plain"]);
  const dir = join(work, "plain");
  await writeFile(join(dir, "a.txt"), "one\n");
  commitAll(dir, "add a");
  await writeFile(join(dir, "b.txt"), "two\n");
  commitAll(dir, "add b");
  ok(["push", "-q", "origin", "main"], dir);
  ok(["push", "-q", "origin", "main:feature"], dir);
  ok(["tag", "v1.0"], dir);
  ok(["push", "-q", "origin", "v1.0"], dir);
  const local = ok(["rev-parse", "HEAD"], dir).trim();
  assert.equal(await head("plain"), local, "the API sees the pushed commit at once");
  const refs = await (await api("/api/models/admin/plain/refs")).json();
  assert.deepEqual(refs.branches.map((b: { name: string }) => b.name).sort(), ["feature", "main"]);
  assert.deepEqual(refs.tags.map((t: { name: string; targetCommit: string }) => [t.name, t.targetCommit]), [["v1.0", local]]);
  const commits = await (await api("/api/models/admin/plain/commits/main")).json();
  assert.deepEqual(commits.map((c: { title: string }) => c.title), ["add b", "add a", "initial commit"]);

  for (const v of ["0", "2"]) {
    const target = `v${v}`;
    ok(["-c", `protocol.version=${v}`, "clone", "-q", `${server.url}/admin/plain.git`, target]);
    assert.equal(ok(["rev-parse", "HEAD"], join(work, target)).trim(), local);
  }
  ok(["clone", "-q", "--depth", "1", `${server.url}/admin/plain`, "shallow"]);
  assert.equal(ok(["rev-list", "--count", "HEAD"], join(work, "shallow")).trim(), "1");
  ok(["clone", "-q", "--filter=blob:none", `${server.url}/admin/plain`, "partial"]);
  assert.equal(await readFile(join(work, "partial", "b.txt"), "utf8"), "two\n");
  assert.match(ok(["config", "remote.origin.partialclonefilter"], join(work, "partial")), /blob:none/);
});

test("API commits are fetched by git, pushed commits are served by resolve with the same sha", async () => {
  await createRepo("mixed");
  ok(["clone", "-q", authed("admin/mixed"), "mixed"]);
  const dir = join(work, "mixed");
  const body = [{ key: "header", value: { summary: "via api" } }, { key: "file", value: { path: "api.txt", content: Buffer.from("from api").toString("base64"), encoding: "base64" } }].map((l) => JSON.stringify(l)).join("\n");
  const c = await (await api("/api/models/admin/mixed/commit/main", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body })).json();
  ok(["pull", "-q", "origin", "main"], dir);
  assert.equal(ok(["rev-parse", "HEAD"], dir).trim(), c.commitOid);
  assert.equal(await readFile(join(dir, "api.txt"), "utf8"), "from api");
  await writeFile(join(dir, "git.txt"), "from git");
  commitAll(dir, "via git");
  ok(["push", "-q", "origin", "main"], dir);
  const res = await fetch(`${server.url}/admin/mixed/resolve/main/git.txt`);
  assert.equal(await res.text(), "from git");
  const pushed = ok(["rev-parse", "HEAD"], dir).trim();
  assert.equal(res.headers.get("x-repo-commit"), pushed);
  // and the stock Python client files it under the same commit
  const py = spawnSync(PYTHON, ["-c", "import sys; from huggingface_hub import hf_hub_download; print(hf_hub_download('admin/mixed', 'git.txt'))"], {
    env: { PATH: process.env.PATH, HOME: work, HF_HOME: join(work, "hf"), HF_ENDPOINT: server.url, HF_TOKEN: server.adminToken, HF_HUB_DISABLE_XET: "1" },
    encoding: "utf8",
  });
  assert.equal(py.status, 0, py.stderr);
  assert.equal(basename(dirname(py.stdout.trim())), pushed);
  assert.equal(await readFile(py.stdout.trim(), "utf8"), "from git");
});

test("LFS: push 50 MB through git-lfs, pull it elsewhere, and download it through resolve", async () => {
  await createRepo("lfs");
  ok(["clone", "-q", authed("admin/lfs"), "lfs"]);
  const dir = join(work, "lfs");
  const files = [randomBytes(30 * 1024 * 1024), randomBytes(20 * 1024 * 1024)];
  await writeFile(join(dir, "w1.bin"), files[0]!);
  await writeFile(join(dir, "sub-w2.bin"), files[1]!);
  commitAll(dir, "weights");
  ok(["push", "-q", "origin", "main"], dir);
  ok(["clone", "-q", authed("admin/lfs"), "lfs-copy"], work, { GIT_LFS_SKIP_SMUDGE: "1" });
  const copy = join(work, "lfs-copy");
  assert.match(await readFile(join(copy, "w1.bin"), "utf8"), /^version https:\/\/git-lfs/);
  ok(["lfs", "pull"], copy);
  assert.ok((await readFile(join(copy, "w1.bin"))).equals(files[0]!));
  assert.ok((await readFile(join(copy, "sub-w2.bin"))).equals(files[1]!));
  const res = await fetch(`${server.url}/admin/lfs/resolve/main/w1.bin`);
  assert.equal(res.headers.get("etag"), `"${createHash("sha256").update(files[0]!).digest("hex")}"`);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(files[0]!));
});

test("push policy: an 11 MiB non-LFS blob and a pointer to a never-uploaded object are refused, nothing changes", async () => {
  await createRepo("policy");
  ok(["clone", "-q", authed("admin/policy"), "policy"]);
  const dir = join(work, "policy");
  const before = await head("policy");
  await writeFile(join(dir, "huge.dat"), randomBytes(11 * 1024 * 1024));
  commitAll(dir, "huge");
  const r = run(["push", "origin", "main"], dir);
  assert.notEqual(r.code, 0);
  assert.match(r.out, /Your push was rejected because it contains files larger than 10 MiB/);
  assert.match(r.out, /huge\.dat/);
  assert.equal(await head("policy"), before);

  ok(["reset", "-q", "--hard", "origin/main"], dir);
  const oid = "ab".repeat(32);
  await writeFile(join(dir, "ghost.bin"), `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 1234\n`);
  ok(["add", "ghost.bin"], dir, {});
  ok(["-c", "user.name=T", "-c", "user.email=t@e", "-c", "filter.lfs.clean=cat", "commit", "-qm", "ghost"], dir);
  const r2 = run(["-c", "lfs.allowincompletepush=true", "push", "origin", "main"], dir, { GIT_LFS_SKIP_PUSH: "1" });
  assert.notEqual(r2.code, 0);
  assert.match(r2.out, /LFS objects that were never uploaded/);
  assert.equal(await head("policy"), before);

  const del = run(["push", "origin", ":main"], dir);
  assert.notEqual(del.code, 0);
  assert.equal(await head("policy"), before, "the default branch cannot be deleted");
});

/** Writes a tree by hand (git mktree -z), so it can hold names `git add` would never produce. */
function mktree(dir: string, entries: { name: string; blob?: string; tree?: string }[]): string {
  const input = entries.map((e) => (e.tree ? `040000 tree ${e.tree}\t${e.name}\0` : `100644 blob ${e.blob}\t${e.name}\0`)).join("");
  const r = spawnSync("git", ["mktree", "-z"], { cwd: dir, env, input, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
function blob(dir: string, text: string): string {
  return spawnSync("git", ["hash-object", "-w", "--stdin"], { cwd: dir, env, input: text, encoding: "utf8" }).stdout.trim();
}
function commitOf(dir: string, tree: string, parent: string, msg: string): string {
  return ok(["-c", "user.name=T", "-c", "user.email=t@e", "commit-tree", tree, "-p", parent, "-m", msg], dir).trim();
}

test("push policy: trees with '..', '.GIT', control characters and a branch named HEAD are refused with a reason", async () => {
  await createRepo("names");
  ok(["clone", "-q", authed("admin/names"), "names"]);
  const dir = join(work, "names");
  const before = await head("names");
  const parent = ok(["rev-parse", "HEAD"], dir).trim();
  const b = blob(dir, "payload\n");
  const inner = mktree(dir, [{ name: "x", blob: b }]);
  const attempts: [string, string][] = [
    ["'..'", mktree(dir, [{ name: "..", blob: b }, { name: "ok.txt", blob: b }])],
    ["'.GIT/x'", mktree(dir, [{ name: ".GIT", tree: inner }])],
    ["'sub/.git'", mktree(dir, [{ name: "sub", tree: mktree(dir, [{ name: ".git", blob: b }]) }])],
    ["a newline", mktree(dir, [{ name: "a\nb.txt", blob: b }])],
    ["an escape character", mktree(dir, [{ name: "evil\u001b[31m.txt", blob: b }])],
  ];
  for (const [what, tree] of attempts) {
    const c = commitOf(dir, tree, parent, `bad ${what}`);
    const r = run(["push", "origin", `${c}:refs/heads/main`], dir);
    assert.notEqual(r.code, 0, what);
    assert.match(r.out, /\[remote rejected\]/, what);
    // Either git's own fsck (receive.fsckObjects) or Hubble's hook names the problem.
    assert.match(r.out, /file names Hubble does not accept|hasDot(dot|git)?: contains/, what);
    if (/newline|escape/.test(what)) assert.match(r.out, /a control character/, `${what}: git's fsck lets it through, the hook does not`);
    assert.equal(await head("names"), before, `${what}: main unchanged`);
    const other = run(["push", "origin", `${c}:refs/heads/side`], dir);
    assert.notEqual(other.code, 0, `${what} on a new branch`);
  }
  const refs = async () => (await (await api("/api/models/admin/names/refs")).json()).branches.map((x: { name: string }) => x.name).sort();
  assert.deepEqual(await refs(), ["main"], "no branch was created by a refused push");

  for (const ref of ["refs/heads/HEAD", "refs/tags/HEAD", `refs/heads/${"a".repeat(40)}`, "refs/heads/refs/heads/main", "refs/heads/v1"]) {
    if (ref === "refs/heads/v1") ok(["push", "-q", "origin", "HEAD:refs/tags/v1"], dir);
    const r = run(["push", "origin", `HEAD:${ref}`], dir);
    assert.notEqual(r.code, 0, ref);
    assert.match(r.out, /\[remote rejected\]/, ref);
    assert.match(r.out, /is refused: /, ref);
  }
  assert.deepEqual(await refs(), ["main"]);
});

test("a repo already holding such a tree still serves tree and resolve, and takes API commits that fix it", async () => {
  await createRepo("seeded");
  // Seeded on disk, as a repo pushed to before the rule existed would be.
  const bare = join(server.data, "repos", "models", "admin", "seeded.git");
  const b = blob(bare, "payload\n");
  const good = blob(bare, "still readable\n");
  const parent = ok(["rev-parse", "refs/heads/main"], bare).trim();
  const baseTree = ok(["rev-parse", "refs/heads/main^{tree}"], bare).trim();
  const listed = ok(["ls-tree", "-z", baseTree], bare).split("\0").filter(Boolean).map((l) => {
    const [meta, name] = l.split("\t") as [string, string];
    const [, , oid] = meta.split(" ") as [string, string, string];
    return { name, blob: oid };
  });
  const tree = mktree(bare, [...listed, { name: "..", blob: b }, { name: ".GIT", tree: mktree(bare, [{ name: "x", blob: b }]) }, { name: "tab\there", blob: b }, { name: "good.txt", blob: good }]);
  const seeded = commitOf(bare, tree, parent, "seeded with names the API refuses");
  ok(["update-ref", "refs/heads/main", seeded, parent], bare);

  const t = await api("/api/models/admin/seeded/tree/main");
  assert.equal(t.status, 200);
  assert.ok((await t.json()).some((e: { path: string }) => e.path === "good.txt"));
  const g = await api("/admin/seeded/resolve/main/good.txt");
  assert.equal(g.status, 200);
  assert.equal(await g.text(), "still readable\n");

  const commit = (lines: unknown[]) =>
    api("/api/models/admin/seeded/commit/main", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: [{ key: "header", value: { summary: "fix" } }, ...lines].map((l) => JSON.stringify(l)).join("\n") + "\n" });
  const add = await commit([{ key: "file", value: { path: "new.txt", content: Buffer.from("new").toString("base64"), encoding: "base64" } }]);
  assert.equal(add.status, 200, await add.text());
  const fix = await commit([{ key: "deletedFile", value: { path: ".." } }, { key: "deletedFolder", value: { path: ".GIT" } }, { key: "deletedFile", value: { path: "tab\there" } }]);
  assert.equal(fix.status, 200, await fix.text());
  const names = ok(["ls-tree", "--name-only", "refs/heads/main"], bare).split("\n").filter(Boolean).sort();
  assert.deepEqual(names, [".gitattributes", "good.txt", "new.txt"]);
});

test("a push racing an API commit on one branch: one clean winner, one clean refusal", async () => {
  await createRepo("race");
  ok(["clone", "-q", authed("admin/race"), "race"]);
  const dir = join(work, "race");
  const base = await head("race");
  await writeFile(join(dir, "git.txt"), "git");
  commitAll(dir, "git side");
  const pushed = ok(["rev-parse", "HEAD"], dir).trim();
  const body = [{ key: "header", value: { summary: "api side", parentCommit: base } }, { key: "file", value: { path: "api.txt", content: "YXBp", encoding: "base64" } }].map((l) => JSON.stringify(l)).join("\n");
  const push = new Promise<number | null>((resolve) => spawn("git", ["push", "-q", "origin", "main"], { cwd: dir, env, stdio: "ignore" }).on("exit", resolve));
  const commit = api("/api/models/admin/race/commit/main", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body });
  const [pushCode, commitRes] = await Promise.all([push, commit]);
  const final = await head("race");
  const apiWon = commitRes.status === 200;
  assert.notEqual(apiWon, pushCode === 0, `exactly one wins (push ${pushCode}, api ${commitRes.status})`);
  if (apiWon) assert.equal(final, (await commitRes.json()).commitOid);
  else {
    assert.equal(commitRes.status, 412);
    assert.equal(final, pushed);
  }
});

test("private repos: anonymous clone is refused with a 401 challenge, the token works", async () => {
  await createRepo("secret", { private: true });
  const r = run(["clone", "-q", `${server.url}/admin/secret`, "secret-anon"]);
  assert.notEqual(r.code, 0);
  const probe = await fetch(`${server.url}/admin/secret.git/info/refs?service=git-upload-pack`);
  assert.equal(probe.status, 401);
  assert.match(String(probe.headers.get("www-authenticate")), /^Basic/);
  ok(["clone", "-q", authed("admin/secret"), "secret-ok"]);
  const notes = run(["push", authed("admin/secret"), "HEAD:refs/notes/x"], join(work, "secret-ok"));
  assert.notEqual(notes.code, 0);
  assert.match(notes.out, /only branches, tags and pull requests \(refs\/pr\/N\) can be pushed/);
  const push = await fetch(`${server.url}/admin/plain.git/info/refs?service=git-receive-pack`);
  assert.equal(push.status, 401, "anonymous push is challenged");
});

test("bad input: garbage pkt-lines, truncated packs, invalid gzip and content types get clean errors; the server keeps serving", async () => {
  const post = (svc: string, body: Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/admin/plain.git/${svc}`, { method: "POST", headers: { authorization: `Basic ${Buffer.from(`x:${server.adminToken}`).toString("base64")}`, "content-type": `application/x-${svc}-request`, ...headers }, body: new Uint8Array(body) });
  const before = await head("plain");
  const garbage = await post("git-upload-pack", Buffer.from("zzzz this is not a pkt-line"));
  await garbage.arrayBuffer();
  const truncated = await post("git-receive-pack", Buffer.concat([Buffer.from(`00980000000000000000000000000000000000000000 ${"1".repeat(40)} refs/heads/evil\0 report-status\n0000`), Buffer.from("PACK\0\0\0\x02\0\0\0\x05garbage")]));
  const text = Buffer.from(await truncated.arrayBuffer()).toString("latin1");
  assert.doesNotMatch(text, /ok refs\/heads\/evil/);
  const badGzip = await post("git-upload-pack", Buffer.from("not gzip at all"), { "content-encoding": "gzip" });
  assert.equal(badGzip.status, 400);
  const bomb = await post("git-upload-pack", gzipSync(Buffer.alloc(80 * 1024 * 1024)), { "content-encoding": "gzip" });
  assert.equal(bomb.status, 413, "a gzip body inflating past the cap is refused");
  // invalid ref names never reach the refs: git's own receive-pack answers "ng ... funny refname"
  const pktLine = (s: string) => (s.length + 4).toString(16).padStart(4, "0") + s;
  const zero = "0".repeat(40);
  const badRef = await post("git-receive-pack", Buffer.from(pktLine(`${before} ${zero} refs/heads/bad..name\0report-status delete-refs\n`) + "0000"));
  assert.match(Buffer.from(await badRef.arrayBuffer()).toString("latin1"), /ng refs\/heads\/bad\.\.name/);
  const wrongType = await post("git-upload-pack", Buffer.from("0000"), { "content-type": "text/plain" });
  assert.equal(wrongType.status, 400);
  const badProto = await fetch(`${server.url}/admin/plain/info/refs?service=git-upload-pack`, { headers: { "git-protocol": "version=2;rm -rf /" } });
  assert.equal(badProto.status, 400);
  const refs = await (await api("/api/models/admin/plain/refs")).json();
  assert.deepEqual(refs.branches.map((b: { name: string }) => b.name).sort(), ["feature", "main"]);
  assert.equal(await head("plain"), before);
  ok(["clone", "-q", `${server.url}/admin/plain`, "after-garbage"]);
});

/** A TCP proxy that cuts the first response to a matching request after `cutAfter` bytes. */
function cuttingProxy(target: string, match: RegExp, cutAfter: number) {
  const u = new URL(target);
  const seen: string[] = [];
  let cut = false;
  const srv = createServer((client: Socket) => {
    const up = connect(Number(u.port), u.hostname);
    let cutting = false;
    let sent = 0;
    client.on("data", (d: Buffer) => {
      const head = d.toString("latin1");
      if (/^(GET|POST|PUT|HEAD) /.test(head)) {
        seen.push(head.split("\r\n\r\n")[0]!);
        if (!cut && match.test(head.split("\r\n")[0]!)) cutting = true;
      }
      up.write(d);
    });
    up.on("data", (d: Buffer) => {
      if (cutting) {
        sent += d.length;
        if (sent > cutAfter) {
          cut = true;
          cutting = false;
          client.destroy();
          up.destroy();
          return;
        }
      }
      client.write(d);
    });
    const end = () => {
      client.destroy();
      up.destroy();
    };
    client.on("error", end).on("close", end);
    up.on("error", end).on("close", end);
  });
  return new Promise<{ url: string; seen: string[]; wasCut: () => boolean; close: () => void }>((resolve) =>
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      resolve({ url: `http://127.0.0.1:${port}`, seen, wasCut: () => cut, close: () => srv.close() });
    }),
  );
}

test("git lfs pull resumes an interrupted download with a Range request", async () => {
  const proxy = await cuttingProxy(server.url, /^GET \/lfs\/objects\//, 8 << 20);
  try {
    const url = `${proxy.url.replace("http://", `http://admin:${server.adminToken}@`)}/admin/lfs`;
    await okAsync(["clone", "-q", url, "lfs-resume"], work, { GIT_LFS_SKIP_SMUDGE: "1" });
    const dir = join(work, "lfs-resume");
    await okAsync(["lfs", "pull", "--include", "w1.bin"], dir);
    assert.ok(proxy.wasCut(), "the first download was cut");
    const ranged = proxy.seen.filter((r) => r.startsWith("GET /lfs/objects/") && /\r\nRange: bytes=[1-9]\d*-/i.test(r));
    assert.ok(ranged.length > 0, `a resumed Range request was sent:\n${proxy.seen.join("\n---\n")}`);
    const original = await readFile(join(work, "lfs", "w1.bin"));
    assert.ok((await readFile(join(dir, "w1.bin"))).equals(original));
  } finally {
    proxy.close();
  }
});

test("hf lfs-enable-largefiles: git-lfs uploads through HF's multipart transfer", async () => {
  await createRepo("multipart");
  ok(["clone", "-q", authed("admin/multipart"), "multipart"]);
  const dir = join(work, "multipart");
  const path = `${dirname(PYTHON)}:${env.PATH}`;
  const hf = spawnSync(join(dirname(PYTHON), "hf"), ["lfs-enable-largefiles", dir], { env: { ...env, PATH: path }, encoding: "utf8" });
  assert.equal(hf.status, 0, hf.stderr);
  const data = randomBytes(12 * 1024 * 1024 + 123);
  await writeFile(join(dir, "big.safetensors"), data);
  ok(["lfs", "track", "*.safetensors"], dir);
  commitAll(dir, "big");
  const out = ok(["push", "origin", "main"], dir, { PATH: path, GIT_TRACE: "1" });
  assert.match(out, /adapter "multipart"/, "git-lfs used the multipart custom transfer");
  const res = await fetch(`${server.url}/admin/multipart/resolve/main/big.safetensors`);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(data));
});

test("LFS locks between two users: create, list, verify, refused unlock, forced unlock", async () => {
  server.cli(["user", "create", "carol"]);
  server.cli(["org", "create", "team", "--member", "admin:admin", "--member", "carol:write"]);
  const carolToken = server.cli(["token", "create", "--user", "carol"]);
  const r = await api("/api/repos/create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "locked", organization: "team" }) });
  assert.equal(r.status, 200);
  const carolUrl = `${server.url.replace("http://", `http://carol:${carolToken}@`)}/team/locked`;
  ok(["clone", "-q", carolUrl, "carol-locked"]);
  ok(["clone", "-q", authed("team/locked"), "admin-locked"]);
  const carol = join(work, "carol-locked");
  const admin = join(work, "admin-locked");
  await writeFile(join(carol, "model.bin"), randomBytes(1000));
  commitAll(carol, "model");
  ok(["push", "-q", "origin", "main"], carol);
  ok(["pull", "-q", "origin", "main"], admin);

  assert.match(ok(["lfs", "lock", "model.bin"], carol), /Locked model\.bin/);
  const again = run(["lfs", "lock", "model.bin"], admin);
  assert.notEqual(again.code, 0, "a second lock on the same path is refused");
  assert.match(ok(["lfs", "locks"], admin), /model\.bin\s+carol/);
  const verify = await fetch(`${server.url}/team/locked.git/info/lfs/locks/verify`, { method: "POST", headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/vnd.git-lfs+json" }, body: "{}" });
  const v = await verify.json();
  assert.deepEqual([v.ours.length, v.theirs.length, v.theirs[0].owner.name], [0, 1, "carol"]);
  const refused = run(["lfs", "unlock", "model.bin"], admin);
  assert.notEqual(refused.code, 0, "only the owner can unlock without --force");
  assert.match(ok(["lfs", "locks"], carol), /model\.bin/);
  ok(["lfs", "unlock", "--force", "model.bin"], admin);
  assert.doesNotMatch(ok(["lfs", "locks"], carol), /model\.bin/);
  ok(["lfs", "lock", "model.bin"], carol);
  ok(["lfs", "unlock", "model.bin"], carol);
  const anon = await fetch(`${server.url}/team/locked.git/info/lfs/locks`, { method: "POST", headers: { "content-type": "application/vnd.git-lfs+json" }, body: JSON.stringify({ path: "x" }) });
  assert.equal(anon.status, 401);
  assert.ok(anon.headers.get("lfs-authenticate"));
});

test("hubble gc --dry-run reports over the same data folder and removes nothing", async () => {
  const out = server.cli(["gc", "--dry-run", "--grace-hours", "0"]);
  assert.match(out, /^would remove 0 of \d+ LFS objects \(0 bytes\); \d+ referenced across \d+ repos$/);
  const res = await fetch(`${server.url}/admin/lfs/resolve/main/w1.bin`, { method: "HEAD" });
  assert.equal(res.status, 200);
});

test("pull requests over git: the author pushes HEAD:refs/pr/N (with LFS), others and other refs are refused", async () => {
  server.cli(["user", "create", "dave"]);
  server.cli(["user", "create", "erin"]);
  const daveToken = server.cli(["token", "create", "--user", "dave"]);
  const erinToken = server.cli(["token", "create", "--user", "erin"]);
  await createRepo("prs");
  const as = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });
  const opened = await fetch(`${server.url}/api/models/admin/prs/discussions`, { method: "POST", headers: as(daveToken), body: JSON.stringify({ title: "Add a model", description: "Weights to follow.", pullRequest: true }) });
  assert.equal(opened.status, 200);
  const num = (await opened.json()).num as number;
  const url = (user: string, token: string) => `${server.url.replace("http://", `http://${user}:${token}@`)}/admin/prs`;
  ok(["clone", "-q", url("dave", daveToken), "dave-prs"]);
  const dave = join(work, "dave-prs");
  ok(["fetch", "-q", "origin", `refs/pr/${num}:pr`], dave);
  ok(["checkout", "-q", "pr"], dave);
  const weights = randomBytes(300_000);
  await writeFile(join(dave, "model.bin"), weights);
  await writeFile(join(dave, "notes.txt"), "from dave\n");
  commitAll(dave, "Dave's model");
  const pushed = ok(["rev-parse", "HEAD"], dave).trim();
  ok(["push", "-q", "origin", `HEAD:refs/pr/${num}`], dave);
  assert.equal(await head("prs", `refs%2Fpr%2F${num}`), pushed);
  const lfsFile = await fetch(`${server.url}/admin/prs/resolve/refs%2Fpr%2F${num}/model.bin`);
  assert.deepEqual(Buffer.from(await lfsFile.arrayBuffer()), weights, "the LFS object went up with the push");
  // The push's events are recorded once git has answered (off the push's own path): poll briefly.
  let details = await (await api(`/api/models/admin/prs/discussions/${num}`)).json();
  for (let i = 0; i < 50 && details.status !== "open"; i++) {
    await new Promise((r) => setTimeout(r, 100));
    details = await (await api(`/api/models/admin/prs/discussions/${num}`)).json();
  }
  assert.equal(details.status, "open", "a draft with a commit is open");
  assert.deepEqual(details.events.filter((e: { type: string }) => e.type === "commit").map((e: { data: { oid: string } }) => e.data.oid), [pushed]);

  const main = await head("prs");
  const toMain = run(["push", "origin", "HEAD:main"], dave);
  assert.notEqual(toMain.code, 0, "dave cannot push main");
  assert.match(toMain.out, /only push to your pull requests|rights to write/);
  const other = run(["push", "origin", "HEAD:refs/pr/7"], dave);
  assert.notEqual(other.code, 0, "no PR #7");
  assert.equal(await head("prs"), main);

  ok(["clone", "-q", url("erin", erinToken), "erin-prs"]);
  const erin = join(work, "erin-prs");
  await writeFile(join(erin, "erin.txt"), "erin\n");
  commitAll(erin, "Erin's");
  const refused = run(["push", "origin", `HEAD:refs/pr/${num}`], erin);
  assert.notEqual(refused.code, 0, "erin is not the PR's author");
  assert.match(refused.out, /403|rights|denied/i);
  assert.equal(await head("prs", `refs%2Fpr%2F${num}`), pushed);

  // A writer may push to anyone's open PR.
  ok(["clone", "-q", authed("admin/prs"), "admin-prs"]);
  const admin = join(work, "admin-prs");
  ok(["fetch", "-q", "origin", `refs/pr/${num}:pr`], admin);
  ok(["checkout", "-q", "pr"], admin);
  await writeFile(join(admin, "review.txt"), "lgtm\n");
  commitAll(admin, "Review");
  ok(["push", "-q", "origin", `HEAD:refs/pr/${num}`], admin);
});

test("a merge racing a push to the target branch: no commit is lost, a loser changes nothing", async () => {
  await createRepo("merge-race");
  const prOpen = await api("/api/models/admin/merge-race/commit/main?create_pr=1", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: [{ key: "header", value: { summary: "Proposal" } }, { key: "file", value: { path: "pr.txt", content: "cHI=", encoding: "base64" } }].map((l) => JSON.stringify(l)).join("\n") });
  assert.equal(prOpen.status, 200);
  const num = Number((await prOpen.json()).pullRequestUrl.split("/").pop());
  const prHead = await head("merge-race", `refs%2Fpr%2F${num}`);
  ok(["clone", "-q", authed("admin/merge-race"), "merge-race"]);
  const dir = join(work, "merge-race");
  await writeFile(join(dir, "push.txt"), "push\n");
  commitAll(dir, "Pushed");
  const pushedOid = ok(["rev-parse", "HEAD"], dir).trim();
  const push = new Promise<number | null>((resolve) => spawn("git", ["push", "-q", "origin", "main"], { cwd: dir, env, stdio: "ignore" }).on("exit", resolve));
  const merge = api(`/api/models/admin/merge-race/discussions/${num}/merge`, { method: "POST" });
  const [pushCode, mergeRes] = await Promise.all([push, merge]);
  const final = await head("merge-race");
  const details = await (await api(`/api/models/admin/merge-race/discussions/${num}`)).json();
  ok(["fetch", "-q", "origin", "main"], dir);
  const history = ok(["rev-list", "FETCH_HEAD"], dir).split("\n");
  assert.equal(history[0], final);
  assert.ok(pushCode === 0 || mergeRes.status === 200, "at least one wins");
  if (pushCode === 0) assert.ok(history.includes(pushedOid), "the accepted push is in main");
  if (mergeRes.status === 200) {
    assert.equal(details.status, "merged");
    assert.ok(history.includes(prHead), "the merged PR is in main");
  } else {
    assert.equal(mergeRes.status, 409, await mergeRes.text());
    assert.equal(details.status, "open", "a refused merge leaves the PR open");
    assert.equal(details.changes.mergeCommitId, undefined);
    assert.equal(final, pushedOid, "main is exactly the push");
  }
  if (pushCode !== 0) assert.ok(!history.includes(pushedOid), "a refused push left nothing");
});
