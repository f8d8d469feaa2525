/**
 * Writing history: NDJSON commits, branches, tags and super-squash. Commits to one ref are
 * serialised in-process, and the ref itself only moves by compare-and-swap, so a concurrent writer
 * (another node, a git push) makes us fail cleanly with 412 rather than lose its commit.
 */
import type { Actor } from "./accounts.js";
import { deriveMetadata } from "./derived.js";
import { preupload, type PreuploadFile } from "./preupload.js";
import { errors, HubError } from "./errors.js";
import { lfsPatterns, trackLine } from "./gitattributes.js";
import { parseRefName, type CommitOid, type RepoPath, type Sha256 } from "./ids.js";
import { formatPointer } from "./lfs-pointer.js";
import { KeyedMutex, type RefLocks } from "./mutex.js";
import type { GitRepo, GitStore, MetaStore, ObjectBatch, RepoRecord, TreeChange } from "./ports.js";
import { fullName, signatureOf } from "./repos.js";
import { resolveRevision } from "./content.js";
import { NO_EVENTS, type EventSink } from "./webhooks.js";

/** One operation of a commit, parsed from the NDJSON body. */
export type CommitOp =
  /** `content` is kept only for `.gitattributes` (its LFS patterns are read before the commit is written). */
  | { kind: "file"; path: RepoPath; blob: string; oldPath?: RepoPath; content?: Buffer }
  | { kind: "lfsFile"; path: RepoPath; oid: Sha256; size?: number; oldPath?: RepoPath }
  | { kind: "deletedFile"; path: RepoPath }
  | { kind: "deletedFolder"; path: RepoPath };

/** A commit request. */
export interface CommitRequest {
  summary: string;
  description: string;
  parentCommit?: string;
  ops: CommitOp[];
  /** Where the ops' blobs were staged; the commit adds its trees and commit object, then flushes. */
  objects: ObjectBatch;
}

/**
 * Refuses a commit that names a path twice, or a path both as a file and as a folder: the Hub
 * answers these with an error rather than letting the last line win.
 */
export function checkCommitPaths(ops: CommitOp[]): void {
  const written = new Set<string>();
  const touched = new Map<string, string>();
  const claim = (path: string, what: string) => {
    const before = touched.get(path);
    if (before) throw errors.badRequest(`'${path}' appears twice in this commit (${before} and ${what})`);
    touched.set(path, what);
  };
  for (const op of ops) {
    claim(op.path, op.kind);
    if (op.kind === "file" || op.kind === "lfsFile") {
      written.add(op.path);
      if (op.oldPath !== undefined && op.oldPath !== op.path) claim(op.oldPath, `the source of '${op.path}'`);
    }
  }
  for (const path of written) {
    for (let i = path.indexOf("/"); i > 0; i = path.indexOf("/", i + 1)) {
      const folder = path.slice(0, i);
      if (written.has(folder)) throw errors.badRequest(`'${folder}' is written both as a file and as a folder (of '${path}') in this commit`);
    }
  }
}

const STALE = "The branch was updated since you opened this page. Please refresh and try again.";

/** Write use cases over git refs. */
export class Commits {
  constructor(
    private readonly meta: MetaStore,
    private readonly gitStore: GitStore,
    /** Size of an LFS object the repo holds (LFS store or a Xet file), or null. */
    private readonly held: (repoId: number, oid: Sha256) => Promise<number | null> = (r, o) => meta.lfs.linked(r, o),
    /** Bytes [start, end] of a large file the repo holds (safetensors headers). */
    private readonly readLfs: (repoId: number, oid: Sha256, start: number, end: number) => Promise<Buffer> = async () => Buffer.alloc(0),
    /** Ref locks: in process on one node, across nodes on PostgreSQL. */
    private readonly locks: RefLocks = new KeyedMutex(),
    /** Where ref updates are reported (webhooks). */
    private readonly events: EventSink = NO_EVENTS,
  ) {}

  /** Reports ref updates (`repo.content`), with the default branch's head when it moved. */
  refsUpdated(repo: RepoRecord, updatedRefs: { ref: string; oldSha: string | null; newSha: string | null }[]): Promise<void> {
    if (updatedRefs.length === 0) return Promise.resolve();
    const main = updatedRefs.find((r) => r.ref === `refs/heads/${repo.defaultBranch}`);
    return this.events.emit({ repo, scope: "repo.content", action: "update", updatedRefs, ...(main ? { headSha: main.newSha } : {}) });
  }

  /** The git repository of a record. */
  git(repo: RepoRecord): GitRepo {
    return this.gitStore.open(repo.type, fullName(repo));
  }

  /** Where a commit's objects are staged while its body streams in (see CommitRequest.objects). */
  stage(repo: RepoRecord): ObjectBatch {
    return this.git(repo).objects();
  }

  /** The preupload decisions for files about to be committed to `rev`. */
  preupload(repo: RepoRecord, rev: string, files: PreuploadFile[], o: { gitIgnore?: string; gitAttributes?: string }) {
    return preupload(this.git(repo), repo, rev, files, o);
  }

  /** Maps a client revision to the ref a commit may advance (branches and refs/pr/N only). */
  private async targetRef(git: GitRepo, repo: RepoRecord, rev: string): Promise<{ ref: string; head: CommitOid }> {
    const r = rev === "HEAD" ? repo.defaultBranch : rev;
    const ref = r.startsWith("refs/pr/") ? r : `refs/heads/${r}`;
    const head = await git.resolveCommit(ref);
    if (!head) throw errors.revisionNotFound(rev);
    return { ref, head };
  }

  /**
   * Commits `req` on top of `rev`. With `openPr`, the branch does not move: the commit is built on
   * the branch head (or on `parentCommit`, as the Hub does for `create_pr`) and handed to `openPr`,
   * which opens the pull request and places its ref.
   */
  async commit(actor: NonNullable<Actor>, repo: RepoRecord, rev: string, req: CommitRequest, openPr?: (commit: CommitOid, base: string) => Promise<void>): Promise<CommitOid> {
    const git = this.git(repo);
    const objects = req.objects;
    checkCommitPaths(req.ops);
    // A new pull request's ref is new: nothing to serialise against (its number is unique).
    const run = <T>(fn: () => Promise<T>) => (openPr ? fn() : this.locks.run(`${repo.id}:${rev}`, fn));
    return run(async () => {
      const target = await this.targetRef(git, repo, rev);
      const { ref } = target;
      let { head } = target;
      if (openPr) {
        if (!ref.startsWith("refs/heads/")) throw errors.badRequest("A pull request can only be opened against a branch");
        if (req.parentCommit !== undefined) {
          const parent = await git.resolveCommit(req.parentCommit);
          if (!parent) throw errors.revisionNotFound(req.parentCommit);
          head = parent;
        }
      } else if (req.parentCommit !== undefined && req.parentCommit !== head) throw new HubError("PreconditionFailed", STALE);
      const changes: TreeChange[] = [];
      const folders: string[] = [];
      const lfsPaths: string[] = [];
      const lfsOids: Sha256[] = [];
      let attributes: string | null = null;
      for (const op of req.ops) {
        if (op.kind === "deletedFile") changes.push({ op: "delete", path: op.path });
        else if (op.kind === "deletedFolder") folders.push(op.path);
        else {
          if (op.oldPath !== undefined && op.oldPath !== op.path) changes.push({ op: "delete", path: op.oldPath });
          if (op.kind === "file") {
            changes.push({ op: "put", path: op.path, mode: "100644", blob: op.blob });
            if (op.path === ".gitattributes") attributes = (op.content ?? Buffer.alloc(0)).toString("utf8");
          } else {
            const held = await this.held(repo.id, op.oid);
            if (held === null) throw errors.badRequest(`LFS object ${op.oid} for '${op.path}' was not uploaded to this repository`);
            if (op.size !== undefined && op.size !== held) throw errors.badRequest(`LFS object ${op.oid}: size ${op.size} does not match the stored ${held}`);
            changes.push({ op: "put", path: op.path, mode: "100644", blob: await objects.blob(Buffer.from(formatPointer(op.oid, held))) });
            lfsPaths.push(op.path);
            lfsOids.push(op.oid);
          }
        }
      }
      if (lfsPaths.length) {
        if (attributes === null) {
          const cur = await git.stat(head, ".gitattributes");
          attributes = cur?.type === "blob" ? (await git.readBlob(cur.oid)).toString("utf8") : "";
        }
        const patterns = lfsPatterns(attributes);
        const missing = lfsPaths.filter((p) => !patterns.some((r) => r.test(p)));
        if (missing.length) {
          const text = (attributes && !attributes.endsWith("\n") ? attributes + "\n" : attributes) + missing.map(trackLine).join("\n") + "\n";
          const blob = await objects.blob(Buffer.from(text));
          const at = changes.findIndex((c) => c.op === "put" && c.path === ".gitattributes");
          if (at >= 0) changes.splice(at, 1);
          changes.push({ op: "put", path: ".gitattributes", mode: "100644", blob });
        }
      }
      if (lfsOids.length) {
        // Touch, then re-check: a GC (on any node) either sees the touch and keeps the objects,
        // or removed them before it and the commit is refused here — never a dangling pointer.
        await this.meta.lfs.touch(lfsOids);
        for (const o of lfsOids) if ((await this.held(repo.id, o)) === null) throw errors.badRequest(`LFS object ${o} was removed while committing; upload it again`);
      }
      const tree = await git.buildTree(head, changes, folders, objects);
      const message = req.description ? `${req.summary}\n\n${req.description}` : req.summary;
      const oid = await git.commitTree(tree, [head], message, signatureOf(actor), objects);
      await objects.flush();
      if (openPr) {
        await openPr(oid, ref);
        return oid;
      }
      if (!(await git.updateRef(ref, oid, head))) throw new HubError("PreconditionFailed", STALE);
      if (ref === `refs/heads/${repo.defaultBranch}`) await this.refreshCard(repo, git, oid);
      await this.refsUpdated(repo, [{ ref, oldSha: head, newSha: oid }]);
      return oid;
    });
  }

  /** Re-derives card data, tags and the safetensors summary after the default branch moved. */
  async refreshCard(repo: RepoRecord, git: GitRepo, commit: CommitOid): Promise<void> {
    const d = await deriveMetadata(git, commit, (oid, start, end) => this.readLfs(repo.id, oid as Sha256, start, end));
    await this.meta.repos.update(repo.id, { cardData: d.cardData, tags: d.tags, derived: { libraryName: d.libraryName, safetensors: d.safetensors }, lastModified: new Date().toISOString() });
  }

  async createBranch(actor: NonNullable<Actor>, repo: RepoRecord, branch: string, o: { startingPoint?: string; emptyBranch?: boolean; overwrite?: boolean }): Promise<void> {
    const git = this.git(repo);
    // As on the Hub: a missing starting point is RevisionNotFound before the name is judged.
    const start = o.emptyBranch ? null : await resolveRevision(git, repo, o.startingPoint ?? repo.defaultBranch);
    if (branch.startsWith("refs/")) throw errors.badRequest("Invalid reference for a branch");
    parseRefName(branch);
    if (await git.resolveRef(`refs/tags/${branch}`)) throw errors.conflict(`A tag named ${branch} exists: a branch of the same name would be ambiguous`);
    await this.locks.run(`${repo.id}:${branch}`, async () => {
      const existing = await git.resolveCommit(`refs/heads/${branch}`);
      if (existing && !o.overwrite) throw errors.conflict(`Reference refs/heads/${branch} already exists`);
      let target: CommitOid;
      if (start) target = start;
      else {
        const objects = git.objects();
        target = await git.commitTree(await git.buildTree(null, [], [], objects), [], `Create empty branch ${branch}`, signatureOf(actor), objects);
        await objects.flush();
      }
      if (!(await git.updateRef(`refs/heads/${branch}`, target, existing))) throw errors.conflict(`Reference refs/heads/${branch} already exists`);
      await this.refsUpdated(repo, [{ ref: `refs/heads/${branch}`, oldSha: existing, newSha: target }]);
    });
  }

  async deleteBranch(repo: RepoRecord, branch: string): Promise<void> {
    if (branch === repo.defaultBranch) throw errors.forbidden(`Cannot delete refs/heads/${branch}: it is the default branch`);
    const git = this.git(repo);
    const head = await git.resolveCommit(`refs/heads/${branch}`);
    if (!head) throw errors.revisionNotFound(branch);
    if (!(await git.deleteRef(`refs/heads/${branch}`, head))) throw new HubError("PreconditionFailed", STALE);
    await this.refsUpdated(repo, [{ ref: `refs/heads/${branch}`, oldSha: head, newSha: null }]);
  }

  async createTag(repo: RepoRecord, rev: string, tag: string): Promise<void> {
    const git = this.git(repo);
    const target = await resolveRevision(git, repo, rev);
    parseRefName(tag, "tag");
    if (await git.resolveRef(`refs/heads/${tag}`)) throw errors.conflict(`A branch named ${tag} exists: a tag of the same name would be ambiguous`);
    if (await git.resolveCommit(`refs/tags/${tag}`)) throw errors.conflict(`Tag ${tag} already exists`);
    if (!(await git.updateRef(`refs/tags/${tag}`, target, null))) throw errors.conflict(`Tag ${tag} already exists`);
    await this.refsUpdated(repo, [{ ref: `refs/tags/${tag}`, oldSha: null, newSha: target }]);
  }

  async deleteTag(repo: RepoRecord, tag: string): Promise<void> {
    const git = this.git(repo);
    const target = await git.resolveRef(`refs/tags/${tag}`);
    if (!target) throw errors.revisionNotFound(tag);
    if (!(await git.deleteRef(`refs/tags/${tag}`, target as CommitOid))) throw errors.revisionNotFound(tag);
    await this.refsUpdated(repo, [{ ref: `refs/tags/${tag}`, oldSha: target, newSha: null }]);
  }

  async superSquash(actor: NonNullable<Actor>, repo: RepoRecord, branch: string, message: string): Promise<CommitOid> {
    const git = this.git(repo);
    return this.locks.run(`${repo.id}:${branch}`, async () => {
      const { ref, head } = await this.targetRef(git, repo, branch);
      const c = await git.readCommit(head);
      const objects = git.objects();
      const oid = await git.commitTree(c.tree, [], message, signatureOf(actor), objects);
      await objects.flush();
      if (!(await git.updateRef(ref, oid, head))) throw new HubError("PreconditionFailed", STALE);
      await this.refsUpdated(repo, [{ ref, oldSha: head, newSha: oid }]);
      return oid;
    });
  }
}
