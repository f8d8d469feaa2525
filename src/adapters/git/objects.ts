/**
 * Writing git objects without a process per object. A batch stages blobs, trees and commits in
 * one pack file (hashed and deflated here, streamed to disk as they come), and `flush` makes them
 * visible with a single `git index-pack` — so a 1,000-file commit costs one git process, not
 * 1,000. Trees are edited here too, entry by entry, reading the base through the repo's
 * long-lived cat-file: no index file, so a base tree holding names git's index refuses (`..`,
 * `.GIT`) still takes commits. Format: git's Documentation/gitformat-pack.txt.
 */
import { createHash, randomUUID } from "node:crypto";
import { chmod, open, readdir, rename, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { deflate as deflateCb, deflateSync } from "node:zlib";
import { errors, HubError } from "../../core/errors.js";
import type { CommitOid } from "../../core/ids.js";
import type { ObjectBatch, Signature, TreeChange } from "../../core/ports.js";
import { git } from "./run.js";

const deflate = promisify(deflateCb);
const TYPE_CODE = { commit: 1, tree: 2, blob: 3 } as const;
type ObjType = keyof typeof TYPE_CODE;
/** Packs in a repository beyond which a flush asks git to consolidate (`gc --auto`, detached; the repo config turns automatic gc off for pushes, so this call turns it back on). */
const PACK_LIMIT = 40;

/** Object id of a loose object body, as git computes it. */
export function objectId(type: ObjType, data: Buffer): string {
  return createHash("sha1").update(`${type} ${data.length}\0`).update(data).digest("hex");
}

/** The variable-length type+size header of a packed object. */
function packHeader(type: ObjType, size: number): Buffer {
  const out = [];
  let b = (TYPE_CODE[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    out.push(b | 0x80);
    b = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  out.push(b);
  return Buffer.from(out);
}

/** A batch of objects headed for one pack of one repository. */
export class PackBatch implements ObjectBatch {
  private fh: FileHandle | null = null;
  private file: string | null = null;
  private pos = 12;
  private count = 0;
  private readonly seen = new Set<string>();
  /** Writes in order: each add chains on the previous one. */
  private tail: Promise<unknown> = Promise.resolve();
  private done = false;
  private failure: Error | null = null;

  constructor(private readonly gitDir: string) {}

  /**
   * Stages an object and returns its id at once; the deflate and the write run behind, in order,
   * and any failure surfaces at `flush`.
   */
  add(type: ObjType, data: Buffer): string {
    if (this.done) throw new Error("object batch already flushed");
    const oid = objectId(type, data);
    if (this.seen.has(oid)) return oid;
    this.seen.add(oid);
    // Small objects deflate inline (a thread-pool trip costs more than the work).
    const compressed = data.length < 65536 ? Promise.resolve(deflateSync(data)) : deflate(data);
    compressed.catch(() => undefined);
    this.tail = this.tail.then(async () => {
      if (this.failure) return;
      try {
        const body = await compressed;
        if (!this.fh) {
          this.file = join(this.gitDir, "objects", "pack", `tmp_hubble_${randomUUID()}.pack`);
          this.fh = await open(this.file, "wx+", 0o600);
        }
        const head = packHeader(type, data.length);
        const at = this.pos;
        this.pos += head.length + body.length;
        this.count++;
        await this.fh.writev([head, body], at);
      } catch (e) {
        this.failure = e as Error;
      }
    });
    return oid;
  }

  blob(data: Buffer): Promise<string> {
    return Promise.resolve(this.add("blob", data));
  }

  /** Finishes the pack (header, trailing checksum, fsync), indexes it and moves it in place. */
  async flush(): Promise<void> {
    this.done = true;
    await this.tail;
    if (this.failure) {
      await this.discard();
      throw this.failure;
    }
    if (!this.fh || !this.file) return;
    const fh = this.fh;
    const tmp = this.file;
    this.fh = null;
    try {
      const header = Buffer.alloc(12);
      header.write("PACK", 0, "latin1");
      header.writeUInt32BE(2, 4);
      header.writeUInt32BE(this.count, 8);
      await fh.write(header, 0, 12, 0);
      const sha = createHash("sha1");
      const buf = Buffer.alloc(1 << 20);
      for (let at = 0; at < this.pos; ) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, this.pos - at), at);
        if (bytesRead === 0) throw new Error("short read of the pack being written");
        sha.update(buf.subarray(0, bytesRead));
        at += bytesRead;
      }
      const trailer = sha.digest();
      await fh.write(trailer, 0, 20, this.pos);
      await fh.sync();
      await fh.close();
      const idx = tmp.replace(/\.pack$/, ".idx");
      await git(this.gitDir, ["index-pack", "-o", idx, tmp]);
      await chmod(idx, 0o400); // index-pack -o writes 0444 whatever the umask: keep repos private
      await chmod(tmp, 0o400);
      const name = join(this.gitDir, "objects", "pack", `pack-${trailer.toString("hex")}`);
      // The .idx last: git only sees a pack once its index exists.
      await rename(tmp, `${name}.pack`);
      await rename(idx, `${name}.idx`);
    } catch (e) {
      await fh.close().catch(() => undefined);
      await rm(tmp, { force: true });
      await rm(tmp.replace(/\.pack$/, ".idx"), { force: true });
      throw e;
    }
    const packs = (await readdir(join(this.gitDir, "objects", "pack")).catch(() => [])).filter((f) => f.endsWith(".pack")).length;
    if (packs > PACK_LIMIT) void git(this.gitDir, ["-c", "gc.auto=6700", "-c", `gc.autoPackLimit=${PACK_LIMIT}`, "gc", "--auto", "--quiet"]).catch(() => undefined);
  }

  /** Drops whatever was staged. */
  async discard(): Promise<void> {
    this.done = true;
    await this.tail;
    if (this.fh) await this.fh.close().catch(() => undefined);
    if (this.file) await rm(this.file, { force: true });
    this.fh = null;
  }
}

// ------------------------------------------------------------------ trees

/** One entry of a tree: mode as git writes it ("100644", "40000" …), name as raw bytes (latin1). */
interface Entry {
  mode: string;
  oid: string;
  /** Loaded or new sub-tree, when this entry is a tree being edited. */
  node?: TreeNode;
}

interface TreeNode {
  /** Entries by raw name (a latin1 string: one char per byte). */
  entries: Map<string, Entry>;
  dirty: boolean;
}

const isTree = (mode: string) => mode === "40000";

/** Parses a raw tree object. Names stay raw bytes, whatever they hold. */
export function parseTreeObject(raw: Buffer): Map<string, Entry> {
  const out = new Map<string, Entry>();
  let p = 0;
  while (p < raw.length) {
    const sp = raw.indexOf(32, p);
    const nul = raw.indexOf(0, sp);
    if (sp < 0 || nul < 0 || nul + 21 > raw.length) throw new HubError("Internal", "Malformed tree object");
    out.set(raw.subarray(sp + 1, nul).toString("latin1"), { mode: raw.subarray(p, sp).toString("latin1"), oid: raw.subarray(nul + 1, nul + 21).toString("hex") });
    p = nul + 21;
  }
  return out;
}

/** Serializes entries in git's order (a tree's name compares as if it ended with "/"). */
function serializeTree(entries: Map<string, Entry>): Buffer {
  const key = (name: string, e: Entry) => (isTree(e.mode) ? name + "/" : name);
  const sorted = [...entries].sort(([a, x], [b, y]) => {
    const ka = key(a, x);
    const kb = key(b, y);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return Buffer.concat(sorted.flatMap(([name, e]) => [Buffer.from(`${e.mode} ${name}\0`, "latin1"), Buffer.from(e.oid, "hex")]));
}

/** Raw-byte form of a client path's components. */
const components = (path: string) => path.split("/").map((c) => Buffer.from(c, "utf8").toString("latin1"));

/**
 * Applies changes to the tree of `base` (null: empty) and stages the new trees in `batch`.
 * Deletes (files, then folders) apply before puts, so a file can become a folder in one commit.
 * A delete of a path that is not there is EntryNotFound; putting a file where a folder is (or
 * under a file) is a Conflict.
 */
export async function editTree(readTree: (oid: string) => Promise<Buffer>, baseTree: string | null, changes: TreeChange[], deleteFolders: string[], batch: PackBatch): Promise<string> {
  const load = async (oid: string): Promise<TreeNode> => ({ entries: parseTreeObject(await readTree(oid)), dirty: false });
  const root: TreeNode = baseTree ? await load(baseTree) : { entries: new Map(), dirty: true };

  /** The node of the folder holding `parts`' last component; created when `create`. */
  const parentOf = async (parts: string[], path: string, create: boolean): Promise<TreeNode[] | null> => {
    const chain = [root];
    for (const name of parts.slice(0, -1)) {
      const node = chain[chain.length - 1]!;
      let e = node.entries.get(name);
      if (!e) {
        if (!create) return null;
        e = { mode: "40000", oid: "", node: { entries: new Map(), dirty: true } };
        node.entries.set(name, e);
      } else if (!isTree(e.mode)) {
        if (!create) return null;
        throw errors.conflict(`Cannot create '${path}': '${Buffer.from(parts.slice(0, chain.length).join("/"), "latin1").toString("utf8")}' is a file`);
      }
      e.node ??= await load(e.oid);
      chain.push(e.node);
    }
    return chain;
  };
  const remove = async (path: string, want: "file" | "folder" | "any") => {
    const parts = components(path);
    const chain = await parentOf(parts, path, false);
    const e = chain?.[chain.length - 1]!.entries.get(parts[parts.length - 1]!);
    if (!chain || !e || (want === "file" && isTree(e.mode)) || (want === "folder" && !isTree(e.mode))) {
      throw errors.entryNotFound(want === "folder" ? `A folder with this name doesn't exist: ${path}` : `A file with this name doesn't exist: ${path}`);
    }
    chain[chain.length - 1]!.entries.delete(parts[parts.length - 1]!);
    for (const n of chain) n.dirty = true;
  };

  for (const c of changes) if (c.op === "delete") await remove(c.path, c.folderOk ? "any" : "file");
  for (const f of deleteFolders) await remove(f, "folder");
  for (const c of changes) {
    if (c.op !== "put") continue;
    const parts = components(c.path);
    const chain = (await parentOf(parts, c.path, true))!;
    const node = chain[chain.length - 1]!;
    const name = parts[parts.length - 1]!;
    if (node.entries.get(name) && isTree(node.entries.get(name)!.mode)) throw errors.conflict(`Cannot write the file '${c.path}': a folder with this name exists`);
    node.entries.set(name, { mode: c.mode, oid: c.blob });
    for (const n of chain) n.dirty = true;
  }

  /** Writes dirty trees bottom-up; empty folders disappear, as in git. Returns null for empty. */
  const write = async (node: TreeNode): Promise<string | null> => {
    for (const [name, e] of [...node.entries]) {
      if (!e.node || !e.node.dirty) continue;
      const oid = await write(e.node);
      if (oid === null) node.entries.delete(name);
      else e.oid = oid;
    }
    if (node.entries.size === 0 && node !== root) return null;
    return batch.add("tree", serializeTree(node.entries));
  };
  if (!root.dirty && baseTree) return baseTree;
  return (await write(root))!;
}

/** Stages a commit object (what `git commit-tree` writes, without a process). */
export function writeCommit(batch: PackBatch, tree: string, parents: CommitOid[], message: string, who: Signature, date: Date): CommitOid {
  // git strips these from identities; a newline would otherwise forge header lines.
  const clean = (s: string) => s.replace(/[<>\n\r\0]/g, "").trim() || "unknown";
  const ident = `${clean(who.name)} <${clean(who.email)}> ${Math.floor(date.getTime() / 1000)} +0000`;
  const text = [`tree ${tree}`, ...parents.map((p) => `parent ${p}`), `author ${ident}`, `committer ${ident}`, "", message.endsWith("\n") ? message : message + "\n"].join("\n");
  return batch.add("commit", Buffer.from(text, "utf8")) as CommitOid;
}
