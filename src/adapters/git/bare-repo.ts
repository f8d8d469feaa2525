/**
 * GitRepo over one bare repository and the system `git` binary. Reads go through a long-lived
 * `cat-file --batch-command`; writes use plumbing on a private temporary index, and refs move
 * only by compare-and-swap (`update-ref <ref> <new> <old>`).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile, stat as fsStat } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { errors, HubError } from "../../core/errors.js";
import type { CommitOid } from "../../core/ids.js";
import type { CommitObject, GitRepo, GitService, ObjectBatch, Signature, TreeChange, TreeEntry } from "../../core/ports.js";
import { diffCommits, dropBlobs, lastChanges } from "./history.js";
import { editTree, PackBatch, writeCommit } from "./objects.js";
import { CatFile } from "./cat-file.js";
import { git, gitEnv } from "./run.js";
import { LruCache } from "../../core/lru.js";

const ZERO = "0".repeat(40);

/** Immutable by id; keyed by repository too, so one repo's objects never answer for another's. */
const commits = new LruCache<CommitObject>(20_000);
const peeled = new LruCache<CommitOid>(20_000);
/** (repo, commit, path) → the last commit touching it: immutable once the commit exists. */
const lastTouching = new LruCache<CommitOid | "">(50_000);

/** Parses a raw commit object. */
export function parseCommit(oid: string, raw: Buffer): CommitObject {
  const text = raw.toString("utf8");
  const split = text.indexOf("\n\n");
  const head = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? "" : text.slice(split + 2);
  let tree = "";
  const parents: CommitOid[] = [];
  let authorName = "";
  let authorEmail = "";
  let date = 0;
  for (const line of head.split("\n")) {
    if (line.startsWith("tree ")) tree = line.slice(5);
    else if (line.startsWith("parent ")) parents.push(line.slice(7) as CommitOid);
    else if (line.startsWith("author ")) {
      const m = /^author (.*) <([^>]*)> (\d+) [+-]\d{4}$/.exec(line);
      if (m) {
        authorName = m[1]!;
        authorEmail = m[2]!;
        date = Number(m[3]);
      }
    }
  }
  const title = message.split("\n")[0] ?? "";
  return { oid: oid as CommitOid, tree, parents, authorName, authorEmail, date, title, message: message.replace(/\n$/, "") };
}

/** Parses `git ls-tree -l -z` output. */
function parseLsTree(out: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const rec of out.toString("utf8").split("\0")) {
    if (!rec) continue;
    const tab = rec.indexOf("\t");
    const [mode, type, oid, size] = rec.slice(0, tab).split(/ +/);
    entries.push({ mode: mode!, type: type as TreeEntry["type"], oid: oid!, size: size === "-" ? 0 : Number(size), path: rec.slice(tab + 1) });
  }
  return entries;
}

/** Drops `skip` bytes and passes at most `take` bytes. */
function slice(src: Readable, skip: number, take: number): Readable {
  const out = new PassThrough();
  let pos = 0;
  src.on("data", (chunk: Buffer) => {
    const from = Math.max(0, skip - pos);
    const to = Math.min(chunk.length, skip + take - pos);
    pos += chunk.length;
    if (to > from) out.write(chunk.subarray(from, to));
    if (pos >= skip + take) src.destroy();
  });
  src.on("close", () => out.end());
  src.on("error", (e) => out.destroy(e));
  return out;
}

/** One bare repository, read through a shared cat-file process and written with plumbing. */
export class BareRepo implements GitRepo {
  constructor(
    readonly dir: string,
    private readonly cat: () => CatFile,
    private readonly trees: LruCache<TreeEntry[] | null>,
    private readonly hooksDir: string,
  ) {}

  async resolveCommit(rev: string): Promise<CommitOid | null> {
    const candidates = /^[0-9a-f]{40}$/.test(rev)
      ? [rev]
      : rev.startsWith("refs/")
        ? [rev]
        : [`refs/heads/${rev}`, `refs/tags/${rev}`, ...(/^[0-9a-f]{7,39}$/.test(rev) ? [rev] : [])];
    for (const c of candidates) {
      if (c.startsWith("refs/")) {
        // Fast path: read the ref file (or packed-refs) directly; always current, no round trip.
        const target = await this.readRefFile(c);
        if (target === null) continue;
        const commit = await this.peel(target);
        if (commit) return commit;
        continue;
      }
      const info = await this.cat().info(`${c}^{commit}`);
      if (info) return info.oid as CommitOid;
    }
    return null;
  }

  /** Object id stored in a loose ref or in packed-refs; undefined-safe for odd names. */
  private async readRefFile(ref: string): Promise<string | null> {
    if (ref.includes("..") || ref.includes("\0")) return null;
    try {
      // A ref file is 41 bytes in the page cache: one sync read beats four thread-pool trips.
      const text = readFileSync(join(this.dir, ref), "utf8").trim();
      if (/^[0-9a-f]{40}$/.test(text)) return text;
      if (text.startsWith("ref: ")) return this.readRefFile(text.slice(5));
    } catch {
      // not a loose ref (or a directory): fall through to packed-refs
    }
    const packed = await this.packedRefs();
    return packed.get(ref) ?? null;
  }

  private packed: { mtimeMs: number; refs: Map<string, string> } | null = null;

  private async packedRefs(): Promise<Map<string, string>> {
    const st = await fsStat(join(this.dir, "packed-refs")).catch(() => null);
    if (!st) return new Map();
    if (this.packed?.mtimeMs === st.mtimeMs) return this.packed.refs;
    const refs = new Map<string, string>();
    for (const line of (await readFile(join(this.dir, "packed-refs"), "utf8")).split("\n")) {
      const m = /^([0-9a-f]{40}) (refs\/\S+)$/.exec(line);
      if (m) refs.set(m[2]!, m[1]!);
    }
    this.packed = { mtimeMs: st.mtimeMs, refs };
    return refs;
  }

  /** The commit an object id peels to (commits are themselves; annotated tags are followed). */
  private async peel(oid: string): Promise<CommitOid | null> {
    const key = `${this.dir}\0${oid}`;
    const hit = peeled.get(key);
    if (hit !== undefined) return hit;
    const info = await this.cat().info(`${oid}^{commit}`);
    if (!info) return null;
    peeled.set(key, info.oid as CommitOid);
    return info.oid as CommitOid;
  }

  async resolveRef(ref: string) {
    return (await this.cat().info(ref))?.oid ?? null;
  }

  async listRefs() {
    const { stdout } = await git(this.dir, ["for-each-ref", "--format=%(refname)%00%(objectname)%00%(*objectname)", "refs/heads", "refs/tags", "refs/pr", "refs/convert"]);
    const branches = new Map<string, CommitOid>();
    const tags = new Map<string, CommitOid>();
    const pulls = new Map<number, CommitOid>();
    for (const line of stdout.toString().split("\n")) {
      if (!line) continue;
      const [ref, oid, peeled] = line.split("\0") as [string, string, string];
      const target = (peeled || oid) as CommitOid;
      if (ref.startsWith("refs/heads/")) branches.set(ref.slice(11), target);
      else if (ref.startsWith("refs/tags/")) tags.set(ref.slice(10), target);
      else if (/^refs\/pr\/[1-9]\d*$/.test(ref)) pulls.set(Number(ref.slice(8)), target);
    }
    return { branches, tags, pulls };
  }

  async mergeBase(a: CommitOid, b: CommitOid): Promise<CommitOid | null> {
    const { stdout, code } = await git(this.dir, ["merge-base", a, b], { okCodes: [1] });
    return code === 0 ? (stdout.toString().trim() as CommitOid) : null;
  }

  async mergeTree(ours: CommitOid, theirs: CommitOid): Promise<{ tree: string } | { conflicts: string[] }> {
    // Exit 0: clean, stdout is the tree. Exit 1: conflicts; with --name-only and -z the output is
    // the tree, NUL, then each conflicted path once, NUL-terminated, then an empty entry and messages.
    const { stdout, code } = await git(this.dir, ["merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", ours, theirs], { okCodes: [1] });
    const parts = stdout.toString("utf8").split("\0");
    if (code === 0) return { tree: parts[0]!.trim() };
    const conflicts: string[] = [];
    for (const p of parts.slice(1)) {
      if (p === "") break;
      if (!conflicts.includes(p)) conflicts.push(p);
    }
    return { conflicts };
  }

  async readCommit(oid: CommitOid): Promise<CommitObject> {
    const key = `${this.dir}\0${oid}`;
    const hit = commits.get(key);
    if (hit) return hit;
    const obj = await this.cat().contents(oid);
    if (!obj || obj.type !== "commit") throw errors.revisionNotFound(oid);
    const c = parseCommit(obj.oid, obj.data!);
    commits.set(key, c);
    return c;
  }

  async log(from: CommitOid, skip: number, limit: number, path?: string) {
    const { stdout } = await git(this.dir, ["rev-list", `--skip=${skip}`, `--max-count=${limit}`, from, ...(path ? ["--", path] : [])], path ? { env: { GIT_LITERAL_PATHSPECS: "1" } } : {});
    const oids = stdout.toString().split("\n").filter(Boolean);
    return Promise.all(oids.map((o) => this.readCommit(o as CommitOid)));
  }

  async countCommits(from: CommitOid, path?: string) {
    const { stdout } = await git(this.dir, ["rev-list", "--count", from, ...(path ? ["--", path] : [])], path ? { env: { GIT_LITERAL_PATHSPECS: "1" } } : {});
    return Number(stdout.toString().trim());
  }

  async lastCommitTouching(from: CommitOid, path: string) {
    const key = `${this.dir}\0${from}\0${path}`;
    let oid = lastTouching.get(key);
    if (oid === undefined) {
      const { stdout } = await git(this.dir, ["log", "-1", "--format=%H", from, "--", path], { env: { GIT_LITERAL_PATHSPECS: "1" } });
      oid = stdout.toString().trim() as CommitOid | "";
      lastTouching.set(key, oid);
    }
    return oid ? this.readCommit(oid) : null;
  }

  async lastCommitsIn(from: CommitOid, folder: string, names: string[]): Promise<Map<string, CommitObject>> {
    const out = new Map<string, CommitObject>();
    const wanted = new Set<string>();
    for (const n of names) {
      const hit = lastTouching.get(`${this.dir}\0${from}\0${folder ? `${folder}/${n}` : n}`);
      if (hit === undefined) wanted.add(n);
      else if (hit) out.set(n, await this.readCommit(hit));
    }
    if (wanted.size === 0) return out;
    const found = await lastChanges(this.dir, from, folder, wanted);
    for (const n of wanted) {
      const oid = found.get(n);
      lastTouching.set(`${this.dir}\0${from}\0${folder ? `${folder}/${n}` : n}`, oid ?? "");
      if (oid) out.set(n, await this.readCommit(oid));
    }
    return out;
  }

  diff(from: CommitOid | null, to: CommitOid, maxBytes: number) {
    return diffCommits(this.dir, from, to, maxBytes);
  }

  dropBlobsFromHistory(blobs: Set<string>): Promise<string[]> {
    return dropBlobs(this.dir, blobs);
  }

  async listTree(commit: CommitOid, path: string, recursive: boolean) {
    const key = `${this.dir}\0${commit}\0${path}\0${recursive}`;
    const hit = this.trees.get(key);
    if (hit !== undefined) return hit;
    let result: TreeEntry[] | null;
    if (path !== "" && (await this.stat(commit, path))?.type !== "tree") result = null;
    else {
      const args = ["ls-tree", "-l", "-z", ...(recursive ? ["-r", "-t"] : []), commit, ...(path ? ["--", `${path}/`] : [])];
      const { stdout } = await git(this.dir, args, { env: { GIT_LITERAL_PATHSPECS: "1" } });
      result = parseLsTree(stdout).filter((e) => e.path !== path);
    }
    this.trees.set(key, result);
    return result;
  }

  async stat(commit: CommitOid, path: string): Promise<TreeEntry | null> {
    const info = await this.cat().info(`${commit}:${path}`);
    if (!info || (info.type !== "blob" && info.type !== "tree")) return null;
    return { mode: info.type === "tree" ? "040000" : "100644", type: info.type, oid: info.oid, size: info.type === "blob" ? info.size : 0, path };
  }

  async readBlob(oid: string) {
    const obj = await this.cat().contents(oid);
    if (!obj) throw errors.entryNotFound(oid);
    return obj.data!;
  }

  streamBlob(oid: string, range?: { start: number; end: number }): Readable {
    const child = spawn("git", ["cat-file", "blob", oid], { cwd: this.dir, env: gitEnv(), stdio: ["ignore", "pipe", "ignore"] });
    const out = range ? slice(child.stdout, range.start, range.end - range.start + 1) : child.stdout;
    out.on("close", () => child.kill());
    return out;
  }

  objects(): PackBatch {
    return new PackBatch(this.dir);
  }

  async buildTree(base: CommitOid | null, changes: TreeChange[], deleteFolders: string[], objects: ObjectBatch) {
    const readTree = async (oid: string) => {
      const obj = await this.cat().contents(oid);
      if (!obj || obj.type !== "tree") throw new HubError("Internal", `Tree ${oid} is missing`);
      return obj.data!;
    };
    const baseTree = base ? (await this.readCommit(base)).tree : null;
    return editTree(readTree, baseTree, changes, deleteFolders, objects as PackBatch);
  }

  async commitTree(tree: string, parents: CommitOid[], message: string, who: Signature, objects: ObjectBatch, date = new Date()) {
    return writeCommit(objects as PackBatch, tree, parents, message, who, date);
  }

  async updateRef(ref: string, next: CommitOid, expected: CommitOid | null) {
    const { code } = await git(this.dir, ["update-ref", ref, next, expected ?? ZERO], { okCodes: [128, 1] });
    return code === 0;
  }

  async deleteRef(ref: string, expected: CommitOid) {
    const { code } = await git(this.dir, ["update-ref", "-d", ref, expected], { okCodes: [128, 1] });
    return code === 0;
  }

  async setHead(branch: string) {
    await git(this.dir, ["symbolic-ref", "HEAD", `refs/heads/${branch}`]);
  }

  async lfsPointers() {
    const listed = (await git(this.dir, ["rev-list", "--all", "--objects"])).stdout.toString().split("\n");
    const pathOf = new Map<string, string>();
    const order: string[] = [];
    for (const l of listed) {
      const i = l.indexOf(" ");
      if (i < 0) continue; // commits, and the root tree
      const oid = l.slice(0, i);
      if (!pathOf.has(oid)) order.push(oid);
      pathOf.set(oid, l.slice(i + 1));
    }
    const checks = (await git(this.dir, ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], { input: order.join("\n") + "\n" })).stdout.toString().split("\n");
    const small = checks.map((c) => c.split(" ")).filter(([, t, n]) => t === "blob" && Number(n) <= 200 && Number(n) > 0).map(([o]) => o!);
    const out: { path: string; oid: string; blob: string }[] = [];
    for (const oid of small) {
      const m = /^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:([0-9a-f]{64})\nsize \d+\n$/.exec((await this.readBlob(oid)).toString("utf8"));
      if (m) out.push({ path: pathOf.get(oid)!, oid: m[1]!, blob: oid });
    }
    return out;
  }

  serve(service: "upload-pack" | "receive-pack", o: { advertise: boolean; duplex?: boolean; protocol?: string; hookEnv?: Record<string, string> }): GitService {
    const config = service === "upload-pack"
      ? ["-c", "uploadpack.allowFilter=true", "-c", "uploadpack.allowReachableSHA1InWant=true"]
      : ["-c", `core.hooksPath=${this.hooksDir}`, "-c", "receive.advertisePushOptions=false", "-c", "receive.fsckObjects=true"];
    const args = [...config, service, ...(o.duplex ? [] : ["--stateless-rpc"]), ...(o.advertise ? ["--advertise-refs"] : []), "."];
    const env = gitEnv({ ...(o.protocol ? { GIT_PROTOCOL: o.protocol } : {}), ...(o.hookEnv ?? {}) });
    const child = spawn("git", args, { cwd: this.dir, env, stdio: ["pipe", "pipe", "pipe"] });
    // Drained by default; a caller that wants the messages reads them (the stream then pauses as usual).
    setImmediate(() => {
      if (child.stderr.readableFlowing === null) child.stderr.resume();
    });
    child.stdin.on("error", () => undefined);
    const done = new Promise<number>((resolve) => {
      child.on("close", (code) => resolve(code ?? -1));
      child.on("error", () => resolve(-1));
    });
    return { stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, done, kill: () => child.kill("SIGKILL") };
  }
}

