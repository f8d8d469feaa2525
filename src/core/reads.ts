/**
 * The read use cases over a repo's content, returning domain objects: the HF JSON routes shape
 * them for the API (and pages will for the web). Surfaces call this instead of driving the git
 * port. Access is checked by the caller (`repos.get`) before any of these run.
 */
import type { Readable } from "node:stream";
import { describe, pointerOf, resolveRevision, SMALL_BLOB, smallBlob, type PathInfo } from "./content.js";
import { errors } from "./errors.js";
import type { CommitOid } from "./ids.js";
import type { CommitObject, GitRepo, GitStore, RepoRecord } from "./ports.js";
import { fullName } from "./repos.js";

/** A file or folder with what the Hub adds to it: its Xet hash and, on request, its last commit. */
export interface Entry extends PathInfo {
  xetHash?: string;
  lastCommit?: CommitObject;
}

/** Xet hashes of a repo's LFS oids (the Xet index). */
export type XetHashes = (repoId: number, oids: string[]) => Promise<Map<string, string>>;

/** A page of a folder. */
export interface TreePage {
  commit: CommitOid;
  entries: Entry[];
  /** Offset of the next page, or null at the end. */
  next: number | null;
}

/** Read use cases. */
export class Reads {
  constructor(
    private readonly git: GitStore,
    private readonly xetHashes: XetHashes,
    /** Reads a range of an LFS/Xet-stored file's content. */
    private readonly readLarge: (repoId: number, oid: string, start: number, end: number) => Promise<Buffer>,
  ) {}

  /** Bytes `[start, end]` of a file's content, wherever it is stored (git, LFS, Xet). */
  async range(repo: RepoRecord, entry: Entry, start: number, end: number): Promise<Buffer> {
    const size = entry.lfs ? entry.lfs.size : entry.size;
    const stop = Math.min(end, size - 1);
    if (stop < start) return Buffer.alloc(0);
    if (entry.lfs) return this.readLarge(repo.id, entry.lfs.oid, start, stop);
    const data = await this.blob(repo, entry.oid, entry.size, { start, end: stop });
    if (Buffer.isBuffer(data)) return data;
    const parts: Buffer[] = [];
    for await (const p of data) parts.push(p as Buffer);
    return Buffer.concat(parts);
  }

  /** The git repository of a record. */
  repoGit(repo: RepoRecord): GitRepo {
    return this.git.open(repo.type, fullName(repo));
  }

  /** The commit a client revision names (`HEAD` = default branch); RevisionNotFound otherwise. */
  revision(repo: RepoRecord, rev: string): Promise<CommitOid> {
    return resolveRevision(this.repoGit(repo), repo, rev);
  }

  /** The commit object at a revision. */
  async commitAt(repo: RepoRecord, rev: string): Promise<CommitObject> {
    return this.repoGit(repo).readCommit(await this.revision(repo, rev));
  }

  /** Adds Xet hashes, and last commits when asked (one history pass per folder). */
  private async enrich(repo: RepoRecord, commit: CommitOid, items: PathInfo[], expand: boolean): Promise<Entry[]> {
    const out: Entry[] = items.map((i) => ({ ...i }));
    const oids = out.map((i) => i.lfs?.oid).filter((o): o is string => typeof o === "string");
    if (oids.length) {
      const map = await this.xetHashes(repo.id, oids);
      for (const i of out) {
        const h = i.lfs ? map.get(i.lfs.oid) : undefined;
        if (h) i.xetHash = h;
      }
    }
    if (expand) {
      const git = this.repoGit(repo);
      const byFolder = new Map<string, Entry[]>();
      for (const i of out) {
        const slash = i.path.lastIndexOf("/");
        const folder = slash < 0 ? "" : i.path.slice(0, slash);
        byFolder.set(folder, [...(byFolder.get(folder) ?? []), i]);
      }
      for (const [folder, list] of byFolder) {
        const last = await git.lastCommitsIn(commit, folder, list.map((i) => i.path.slice(folder ? folder.length + 1 : 0)));
        for (const i of list) {
          const c = last.get(i.path.slice(folder ? folder.length + 1 : 0));
          if (c) i.lastCommit = c;
        }
      }
    }
    return out;
  }

  /** A page of a folder (recursive: everything below it, folders included). */
  async tree(repo: RepoRecord, rev: string, path: string, o: { recursive: boolean; expand: boolean; offset: number; limit: number; nameContains?: string }): Promise<TreePage> {
    const git = this.repoGit(repo);
    const commit = await this.revision(repo, rev);
    const listed = await git.listTree(commit, path, o.recursive);
    if (listed === null) throw errors.entryNotFound(path);
    // The name filter applies before paging, so every page holds matches only.
    const needle = o.nameContains?.toLowerCase();
    const all = needle ? listed.filter((e) => e.path.slice(e.path.lastIndexOf("/") + 1).toLowerCase().includes(needle)) : listed;
    const page = all.slice(o.offset, o.offset + o.limit);
    const items: PathInfo[] = [];
    for (const e of page) items.push(await describe(git, e));
    return { commit, entries: await this.enrich(repo, commit, items, o.expand), next: o.offset + o.limit < all.length ? o.offset + o.limit : null };
  }

  /** The entries that exist among `paths` (missing ones are left out, as the Hub does). */
  async pathsInfo(repo: RepoRecord, rev: string, paths: string[], expand: boolean): Promise<Entry[]> {
    const git = this.repoGit(repo);
    const commit = await this.revision(repo, rev);
    const items: PathInfo[] = [];
    for (const p of paths) {
      const e = await git.stat(commit, p);
      if (e) items.push(await describe(git, e));
    }
    return this.enrich(repo, commit, items, expand);
  }

  /** One file at a commit, for downloads: its entry and, for LFS files, the Xet hash. */
  async file(repo: RepoRecord, commit: CommitOid, path: string): Promise<Entry> {
    const git = this.repoGit(repo);
    const e = await git.stat(commit, path);
    if (!e || e.type !== "blob") throw errors.entryNotFound(path);
    const [entry] = await this.enrich(repo, commit, [await describe(git, e)], false);
    return entry!;
  }

  /**
   * The bytes of a git blob (what `raw` serves, and `resolve` for non-LFS files): small ones from
   * memory (the long-lived cat-file and a cache by id), larger ones streamed.
   */
  async blob(repo: RepoRecord, oid: string, size: number, range?: { start: number; end: number }): Promise<Buffer | Readable> {
    const git = this.repoGit(repo);
    if (size <= SMALL_BLOB) {
      const data = await smallBlob(git, oid);
      return range ? data.subarray(range.start, range.end + 1) : data;
    }
    return git.streamBlob(oid, range);
  }

  /**
   * A commit with what it changed: each file with its status, and for LFS/Xet files the old and
   * new size and oid (from the pointers; the large bytes are never diffed); the textual patch up to
   * `maxBytes`.
   */
  async commitDiff(repo: RepoRecord, rev: string, maxBytes: number) {
    const git = this.repoGit(repo);
    const commit = await git.readCommit(await this.revision(repo, rev));
    const { files, patch, truncated } = await git.diff(commit.parents[0] ?? null, commit.oid, maxBytes);
    // Sizes come from the trees (cat-file), so no blob is read unless it may be a pointer.
    const pointer = async (at: CommitOid | undefined, path: string, blob: string | null) => {
      if (!blob || !at) return null;
      const e = await git.stat(at, path);
      return e && e.type === "blob" ? pointerOf(git, blob, e.size) : null;
    };
    const out = [];
    for (const f of files.slice(0, 1000)) out.push({ ...f, oldLfs: await pointer(commit.parents[0], f.oldPath, f.oldBlob), newLfs: await pointer(commit.oid, f.path, f.newBlob) });
    return { commit, files: out, moreFiles: Math.max(0, files.length - 1000), patch, truncated };
  }

  /** Branches and tags with their commits. */
  refs(repo: RepoRecord) {
    return this.repoGit(repo).listRefs();
  }

  /** A page of history from a revision (of one path, if given), newest first, with the total count. */
  async history(repo: RepoRecord, rev: string, o: { offset: number; limit: number; path?: string }): Promise<{ commit: CommitOid; total: number; commits: CommitObject[] }> {
    const git = this.repoGit(repo);
    const commit = await this.revision(repo, rev);
    return { commit, total: await git.countCommits(commit, o.path || undefined), commits: await git.log(commit, o.offset, o.limit, o.path || undefined) };
  }

  /** Every file of a commit (the siblings of repo info), described when `blobs`. */
  async files(repo: RepoRecord, commit: CommitOid, blobs: boolean): Promise<PathInfo[]> {
    const git = this.repoGit(repo);
    const entries = ((await git.listTree(commit, "", true)) ?? []).filter((e) => e.type === "blob");
    if (!blobs) return entries.map((e) => ({ type: "file" as const, path: e.path, oid: e.oid, size: e.size }));
    const out: PathInfo[] = [];
    for (const e of entries) out.push(await describe(git, e));
    return out;
  }

  /** The head commit of the default branch, or null for an empty repo. */
  defaultHead(repo: RepoRecord): Promise<CommitOid | null> {
    return this.repoGit(repo).resolveCommit(`refs/heads/${repo.defaultBranch}`);
  }
}
