/**
 * What a repo stores beside git, as the Hub's API shows it: the LFS files list and their
 * permanent deletion (with the history rewrite the Hub documents), server-side copies of large
 * files to another repo (`copy_files`), whole-repo duplication, and storage used per repo.
 */
import type { Access } from "./access.js";
import type { Actor } from "./accounts.js";
import { errors, HubError } from "./errors.js";
import { parseRepoName, type RepoType, type Sha256 } from "./ids.js";
import type { BlobStore, GitStore, MetaStore, RepoRecord } from "./ports.js";
import { fullName, type Repos } from "./repos.js";

const SHA = /^[0-9a-f]{64}$/;

/** One row of `list_lfs_files`. */
export interface LfsFileRow {
  fileOid: string;
  oid: string;
  filename: string;
  pushedAt: string;
  ref: string | null;
  size: number;
  xetHash?: string;
}

/** Storage use cases. */
export class Storage {
  constructor(
    private readonly meta: MetaStore,
    private readonly git: GitStore,
    private readonly blobs: BlobStore,
    private readonly access: Access,
    private readonly repos: Repos,
  ) {}

  /** The large files a repo holds, each with a path it has somewhere in history. */
  async lfsFiles(repo: RepoRecord): Promise<LfsFileRow[]> {
    const pointers = await this.git.open(repo.type, fullName(repo)).lfsPointers();
    const pathOf = new Map<string, string>();
    for (const p of pointers) if (!pathOf.has(p.oid)) pathOf.set(p.oid, p.path);
    return (await this.meta.storage.heldFiles(repo.id)).map((f) => ({
      fileOid: f.oid,
      oid: f.oid,
      filename: pathOf.get(f.oid) ?? "",
      pushedAt: f.createdAt,
      ref: null,
      size: f.size,
      ...(f.xetHash ? { xetHash: f.xetHash } : {}),
    }));
  }

  /**
   * Permanently deletes large files from a repo (admin): the repo's links go, the bytes go where
   * no other repo links them, and with `rewriteHistory` every branch and tag is rewritten without
   * the pointers to them (atomically; a concurrent push makes it a clean 409 with nothing changed).
   */
  async deleteLfsFiles(actor: Actor, repo: RepoRecord, d: { sha: string[]; rewriteHistory: boolean }): Promise<{ deleted: number; rewrittenRefs: string[] }> {
    await this.access.authorize(actor, "admin", repo);
    if (d.sha.length === 0 || d.sha.length > 1000 || !d.sha.every((s) => SHA.test(s))) throw errors.badRequest("'deletions.sha' must be a list of 1 to 1000 sha256 oids");
    const shas = [...new Set(d.sha)];
    const held = new Set((await this.meta.storage.heldFiles(repo.id)).map((f) => f.oid));
    const unknown = shas.filter((s) => !held.has(s));
    if (unknown.length) throw new HubError("EntryNotFound", `Not an LFS file of this repository: ${unknown.slice(0, 5).join(", ")}`);
    let rewrittenRefs: string[] = [];
    if (d.rewriteHistory) {
      const git = this.git.open(repo.type, fullName(repo));
      const doomed = new Set(shas);
      const blobs = new Set((await git.lfsPointers()).filter((p) => doomed.has(p.oid)).map((p) => p.blob));
      if (blobs.size) rewrittenRefs = await git.dropBlobsFromHistory(blobs);
    }
    const orphans = await this.meta.storage.unlink(repo.id, shas);
    for (const oid of orphans) {
      if ((await this.meta.lfs.stored(oid as Sha256)) === null) continue;
      await this.blobs.delete({ kind: "lfs", oid: oid as Sha256 });
      await this.meta.lfs.forget(oid as Sha256);
    }
    return { deleted: shas.length, rewrittenRefs };
  }

  /**
   * `POST /api/{type}s/{source}/lfs-files/duplicate`: gives another repo (that the caller may
   * write) the large files the source holds, without moving bytes. Files the source does not hold
   * are reported in `failed`.
   */
  async duplicateLfsFiles(actor: Actor, source: RepoRecord, b: { target: { type: RepoType; name: string }; files: { sha256: string; xetHash?: string }[] }): Promise<{ failed: { sha256: string; error: string }[] }> {
    const { repo: target } = await this.repos.get(actor, b.target.type, parseRepoName(b.target.name), "write");
    if (b.files.length > 1000) throw errors.badRequest("'files' must be a list of at most 1000 entries");
    const held = new Map((await this.meta.storage.heldFiles(source.id)).map((f) => [f.oid, f]));
    const failed: { sha256: string; error: string }[] = [];
    const copy: string[] = [];
    for (const f of b.files) {
      const sha = f.sha256;
      const mine = held.get(sha);
      if (!SHA.test(sha) || !mine) failed.push({ sha256: sha, error: "Not an LFS file of the source repository" });
      else if (f.xetHash !== undefined && mine.xetHash !== null && f.xetHash !== mine.xetHash) failed.push({ sha256: sha, error: "xetHash does not match the source file" });
      else copy.push(sha);
    }
    await this.meta.storage.copyLinks(source.id, target.id, copy);
    return { failed };
  }

  /**
   * `duplicate_repo`: a new repo (caller's namespace or one they may write) with the source's
   * branches, tags, card and large files; git objects and stored bytes are shared, not copied.
   */
  /** `private`: null keeps the source's visibility. */
  async duplicateRepo(actor: Actor, type: RepoType, sourceId: string, b: { repository: string; private: boolean | null }): Promise<RepoRecord> {
    if (!actor) throw errors.unauthorized("You must be authenticated to duplicate a repository");
    const { repo: source } = await this.repos.get(actor, type, sourceId, "download");
    const [namespace, name] = parseRepoName(b.repository).split("/") as [string, string];
    const priv = b.private ?? source.private;
    const repo = await this.repos.create(actor, { type, name, organization: namespace, private: priv, sdk: source.sdk, license: null, files: [], withoutGit: true });
    try {
      await this.git.copy(type, fullName(source), fullName(repo));
      await this.meta.storage.copyLinks(source.id, repo.id, null);
      await this.meta.repos.update(repo.id, { cardData: source.cardData, tags: source.tags, lastModified: new Date().toISOString() });
    } catch (e) {
      await this.git.remove(type, fullName(repo)).catch(() => undefined);
      await this.meta.repos.delete(repo.id);
      throw e;
    }
    return (await this.meta.repos.find(type, fullName(repo)))!;
  }

  /**
   * `list_user_repos`: every repo of the caller (or of an org they belong to) with the bytes it
   * stores — git objects plus the large files it holds — and its share of the namespace's total.
   */
  async namespaceRepos(actor: Actor, org: string | null) {
    if (!actor) throw errors.unauthorized("You must be authenticated to list your repositories");
    let owner = actor.user;
    if (org !== null) {
      const o = await this.meta.accounts.byName(org);
      const role = o && o.type === "org" ? await this.meta.accounts.memberRole(o.id, actor.user.id) : null;
      if (!o || (!role && !actor.user.isAdmin)) throw new HubError("BadRequest", "Organization not found", {}, 404);
      owner = o;
    }
    const repos: RepoRecord[] = [];
    for (const type of ["model", "dataset", "space"] as const) {
      repos.push(...(await this.meta.repos.list({ type, author: owner.name, sort: "lastModified", direction: -1, limit: 100_000, offset: 0, visibleOwnerIds: [owner.id] })));
    }
    const large = await this.meta.storage.usage(repos.map((r) => r.id));
    const rows = [];
    for (const r of repos) rows.push({ r, storage: (large.get(r.id) ?? 0) + (await this.git.diskUsage(r.type, fullName(r))) });
    const total = rows.reduce((n, x) => n + x.storage, 0);
    return rows.map(({ r, storage }) => ({
      id: fullName(r),
      type: r.type,
      updatedAt: r.lastModified,
      visibility: r.private ? "private" : "public",
      storage,
      storagePercent: total ? Math.round((storage / total) * 10000) / 100 : 0,
    }));
  }
}
