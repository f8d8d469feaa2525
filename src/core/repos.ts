/** Repository lifecycle: create, delete, move, settings, lookup and listing. */
import { MAX_LFS_THRESHOLD } from "./lfs-rules.js";
import type { Access, Action } from "./access.js";
import type { Actor } from "./accounts.js";
import { errors, HubError } from "./errors.js";
import { initialReadme, parseCardData, tagsFromCard } from "./card.js";
import { defaultGitattributes } from "./gitattributes.js";
import { parseAccountName, parseNameSegment, parseRepoPath, urlPrefix, type RepoType } from "./ids.js";
import type { GitStore, MetaStore, RepoRecord } from "./ports.js";

/** Signature used for commits made by a user through the API. */
export function signatureOf(actor: NonNullable<Actor>) {
  return { name: actor.user.name, email: actor.user.email ?? `${actor.user.name}@users.noreply.hubble` };
}

/** Display id `namespace/name`. */
export function fullName(repo: Pick<RepoRecord, "namespace" | "name">): string {
  return `${repo.namespace}/${repo.name}`;
}

/** Inputs of repo creation (the union of what huggingface_hub and huggingface.js send). */
export interface CreateRepoInput {
  type: RepoType;
  name: string;
  organization: string | null;
  private: boolean;
  sdk: string | null;
  /** A license id (`mit`, `apache-2.0` …) for the README the repo starts with. */
  license: string | null;
  files: { path: string; content: Buffer }[];
  /** Only the record: the caller brings the git repository (duplication). */
  withoutGit?: boolean;
}

/** A change of repo settings (any subset). */
export interface RepoSettingsPatch {
  private?: boolean;
  gated?: false | "auto" | "manual";
  lfsThreshold?: number | null;
  lfsSuffixRules?: string[] | null;
  lfsKeepVersions?: number | null;
  discussionsDisabled?: boolean;
}

/** Repo lifecycle use cases. */
export class Repos {
  constructor(
    private readonly meta: MetaStore,
    private readonly git: GitStore,
    private readonly access: Access,
  ) {}

  /** Finds a repo the actor may use for `action`; follows move redirects. */
  async get(actor: Actor, type: RepoType, id: string, action: Action = "read"): Promise<{ repo: RepoRecord; movedFrom: string | null }> {
    let repo = await this.meta.repos.find(type, id);
    let movedFrom: string | null = null;
    if (!repo) {
      repo = await this.meta.repos.findRedirect(type, id);
      if (repo) movedFrom = id;
    }
    if (!repo) throw errors.repoNotFound(actor === null);
    await this.access.authorize(actor, action, repo);
    return { repo, movedFrom };
  }

  async create(actor: Actor, input: CreateRepoInput): Promise<RepoRecord> {
    if (!actor) throw errors.unauthorized("You must be authenticated to create a repository");
    const name = parseNameSegment(input.name, "repo name");
    const namespace = parseAccountName(input.organization ?? actor.user.name);
    const owner = await this.meta.accounts.byName(namespace);
    if (!owner) throw errors.forbidden(`Namespace ${namespace} does not exist`);
    if (!(await this.access.canWriteNamespace(actor, owner))) throw errors.forbidden(`You don't have the rights to create a repository under ${namespace}`);
    const existing = await this.meta.repos.find(input.type, `${owner.name}/${name}`);
    if (existing) throw errors.conflict("You already created this repo", { url: `/${urlPrefix(input.type)}${fullName(existing)}` });
    const files = input.files.map((f) => ({ path: parseRepoPath(f.path), content: f.content }));
    let repo: RepoRecord;
    try {
      repo = await this.meta.repos.create({ type: input.type, namespace: owner.name, name, ownerId: owner.id, createdBy: actor.user.id, private: input.private, defaultBranch: "main", sdk: input.sdk });
    } catch (e) {
      throw e instanceof HubError ? e : errors.conflict("You already created this repo");
    }
    if (input.withoutGit) return repo;
    try {
      const git = await this.git.init(input.type, fullName(repo), repo.defaultBranch);
      if (!files.some((f) => f.path === ".gitattributes")) files.unshift({ path: ".gitattributes" as never, content: Buffer.from(defaultGitattributes()) });
      const readme = files.some((f) => f.path === "README.md") ? null : initialReadme(input.type, name, { sdk: input.sdk, license: input.license });
      if (readme) files.push({ path: "README.md" as never, content: Buffer.from(readme) });
      const objects = git.objects();
      const changes = [];
      for (const f of files) changes.push({ op: "put" as const, path: f.path, mode: "100644" as const, blob: await objects.blob(f.content) });
      const tree = await git.buildTree(null, changes, [], objects);
      const commit = await git.commitTree(tree, [], "initial commit", signatureOf(actor), objects);
      await objects.flush();
      if (!(await git.updateRef(`refs/heads/${repo.defaultBranch}`, commit, null))) throw new HubError("Internal", "Could not create the initial commit");
      const card = parseCardData(files.find((f) => f.path === "README.md")?.content.toString("utf8") ?? "");
      if (card) await this.meta.repos.update(repo.id, { cardData: card, tags: tagsFromCard(card) });
      return (await this.meta.repos.find(input.type, fullName(repo))) ?? repo;
    } catch (e) {
      await this.git.remove(input.type, fullName(repo)).catch(() => undefined);
      await this.meta.repos.delete(repo.id);
      throw e;
    }
  }

  async delete(actor: Actor, type: RepoType, id: string): Promise<void> {
    const { repo, movedFrom } = await this.get(actor, type, id, "admin");
    if (movedFrom) throw errors.repoNotFound(actor === null);
    await this.meta.repos.delete(repo.id);
    await this.git.remove(type, fullName(repo));
  }

  async move(actor: Actor, type: RepoType, from: string, to: string): Promise<RepoRecord> {
    const { repo, movedFrom } = await this.get(actor, type, from, "admin");
    if (movedFrom) throw errors.repoNotFound(actor === null);
    const [ns, name] = to.split("/") as [string, string];
    const owner = await this.meta.accounts.byName(ns);
    if (!owner || !(await this.access.canWriteNamespace(actor, owner))) throw errors.forbidden(`You don't have the rights to move a repository to ${ns}`);
    if (await this.meta.repos.find(type, to)) throw errors.conflict(`A ${type} repository called ${to} already exists`);
    const target = `${owner.name}/${name}`;
    await this.git.move(type, fullName(repo), target);
    try {
      // The new name and the redirect from the old one land together or not at all.
      await this.meta.transaction(async (tx) => {
        await tx.repos.rename(repo.id, owner.name, name, owner.id);
        await tx.repos.addRedirect(type, fullName(repo), repo.id);
      });
    } catch (e) {
      await this.git.move(type, target, fullName(repo));
      throw e;
    }
    return { ...repo, namespace: owner.name, name, ownerId: owner.id };
  }

  /** Changes settings (admin). The surface has checked the shapes; ranges are the core's rule. */
  async updateSettings(actor: Actor, type: RepoType, id: string, body: RepoSettingsPatch): Promise<RepoRecord> {
    const { repo } = await this.get(actor, type, id, "admin");
    const patch: Parameters<MetaStore["repos"]["update"]>[1] = {};
    if (body.private !== undefined) patch.private = body.private;
    if (body.gated !== undefined) patch.gated = body.gated;
    if (body.discussionsDisabled !== undefined) patch.discussionsDisabled = body.discussionsDisabled;
    if (body.lfsThreshold !== undefined) {
      const v = body.lfsThreshold;
      if (v !== null && (!Number.isInteger(v) || v < 1 || v > MAX_LFS_THRESHOLD)) throw errors.badRequest(`'lfs_threshold_bytes' must be an integer from 1 to ${MAX_LFS_THRESHOLD}, or null`);
      patch.lfsThreshold = v;
    }
    if (body.lfsSuffixRules !== undefined) {
      const v = body.lfsSuffixRules;
      if (v !== null && !v.every((s) => /^\.[A-Za-z0-9._-]{1,32}$/.test(s))) throw errors.badRequest("'lfs_suffix_rules' must be a list of suffixes like '.ext'");
      patch.lfsSuffixRules = v;
    }
    if (body.lfsKeepVersions !== undefined) {
      const v = body.lfsKeepVersions;
      if (v !== null && (!Number.isInteger(v) || v < 1)) throw errors.badRequest("'lfs_keep_versions' must be a positive integer or null");
      patch.lfsKeepVersions = v;
    }
    await this.meta.repos.update(repo.id, patch);
    return { ...repo, ...patch };
  }

  async list(actor: Actor, q: Omit<Parameters<MetaStore["repos"]["list"]>[0], "visibleOwnerIds">): Promise<RepoRecord[]> {
    return this.meta.repos.list({ ...q, visibleOwnerIds: await this.access.visibleOwners(actor) });
  }
}
