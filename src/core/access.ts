/**
 * The one access rule. Every surface calls `authorize()`; a private repo that the actor may not
 * read does not exist for them (RepoNotFound: 401 when anonymous, 404 otherwise).
 *
 * A decision has two halves: what the *user* may do (owner, site admin, org role) and what the
 * *credential* allows (a read token reads, a write token writes, a fine-grained token only what its
 * scopes name). The actor gets the intersection.
 */
import type { Actor } from "./accounts.js";
import { errors, HubError } from "./errors.js";
import { urlPrefix } from "./ids.js";
import type { Account, MetaStore, RepoRecord, TokenRecord } from "./ports.js";

/**
 * What an actor wants to do to a repo: see it (info, tree, refs), download its content (gated
 * repos ask for an accepted access request), take part in its Community tab (open discussions and
 * pull requests, comment — any signed-in user with a write-capable credential who can see the
 * repo, as on the Hub), write to it, or administer it (settings, delete, move).
 */
export type Action = "read" | "download" | "discuss" | "write" | "admin";

/** A user's standing on a repo, from ownership and org role. */
type Standing = "admin" | "write" | "read" | null;

/** Org roles, weakest first. */
export const ORG_ROLES = ["read", "contributor", "write", "admin"] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** Does a fine-grained scope entity cover this repo (the repo itself, or its namespace)? */
function covers(entity: { type: string; name: string }, repo: { type: string; namespace: string; name: string }): boolean {
  const name = entity.name.toLowerCase();
  if (entity.type === "user" || entity.type === "org") return name === repo.namespace.toLowerCase();
  return entity.type === repo.type && name === `${repo.namespace}/${repo.name}`.toLowerCase();
}

/** What a credential allows on a repo, regardless of who holds it. */
export function credentialAllows(token: TokenRecord, repo: Pick<RepoRecord, "type" | "namespace" | "name">, need: "read" | "discuss" | "write" | "gated"): boolean {
  if (token.role === "write") return true;
  if (token.role === "read") return need !== "write" && need !== "discuss";
  const fg = token.fineGrained;
  if (!fg) return false;
  if (need === "gated" && !fg.canReadGatedRepos) return false;
  const perms = fg.scoped.filter((s) => covers(s.entity, repo)).flatMap((s) => s.permissions);
  if (need === "discuss") return perms.includes("discussion.write") || perms.includes("repo.write");
  return need === "write" ? perms.includes("repo.write") : perms.includes("repo.content.read") || perms.includes("repo.write");
}

/** Access decisions over the metadata store. */
export class Access {
  constructor(private readonly meta: MetaStore) {}

  private async standing(user: Account, repo: RepoRecord): Promise<Standing> {
    if (user.id === repo.ownerId || user.isAdmin) return "admin";
    const role = await this.meta.accounts.memberRole(repo.ownerId, user.id);
    if (role === "admin") return "admin";
    if (role === "write") return "write";
    // A contributor writes to (and administers) the org repos they created, and reads the rest.
    if (role === "contributor") return repo.createdBy === user.id ? "admin" : "read";
    return role === "read" ? "read" : null;
  }

  /** May the actor create repos under (or move repos to) this namespace owner? */
  async canWriteNamespace(actor: Actor, owner: Account): Promise<boolean> {
    if (!actor) return false;
    const t = actor.token;
    const tokenOk = t.role === "write" || (t.role === "fineGrained" && !!t.fineGrained?.scoped.some((s) => (s.entity.type === "user" || s.entity.type === "org") && s.entity.name.toLowerCase() === owner.name.toLowerCase() && s.permissions.includes("repo.write")));
    if (!tokenOk) return false;
    if (actor.user.id === owner.id || actor.user.isAdmin) return true;
    const role = await this.meta.accounts.memberRole(owner.id, actor.user.id);
    return role === "contributor" || role === "write" || role === "admin";
  }

  /** Throws unless `actor` may perform `action` on `repo`. */
  async authorize(actor: Actor, action: Action, repo: RepoRecord): Promise<void> {
    // The credential caps what the user's standing can be used for; out of scope is as anonymous.
    const standing = actor && credentialAllows(actor.token, repo, "read") ? await this.standing(actor.user, repo) : null;
    if (repo.private && standing === null) throw errors.repoNotFound(actor === null);
    if (action === "read") return;
    if (action === "download") return this.checkGate(actor, repo, standing);
    if (action === "discuss") {
      if (!actor) throw errors.unauthorized("You must be authenticated to take part in discussions");
      if (!credentialAllows(actor.token, repo, "discuss")) throw errors.forbidden("This token cannot write to discussions; a write token (or a fine-grained one with discussion.write) is required");
      return;
    }
    if (!actor) throw errors.unauthorized("You must be authenticated to write to this repository");
    if (actor.token.role === "read") throw errors.forbidden("This token has read access only; a write token is required");
    if (!credentialAllows(actor.token, repo, "write")) throw errors.forbidden(`This token has no write permission on ${repo.namespace}/${repo.name}`);
    const full = `${repo.namespace}/${repo.name}`;
    if (standing !== "write" && standing !== "admin") throw errors.forbidden(`You don't have the rights to write to ${full}`);
    if (action === "admin" && standing !== "admin") throw errors.forbidden(`You need admin rights on ${full} for this`);
  }

  /** authorize() as a boolean. */
  async allowed(actor: Actor, action: Action, repo: RepoRecord): Promise<boolean> {
    try {
      await this.authorize(actor, action, repo);
      return true;
    } catch (e) {
      if (e instanceof HubError) return false;
      throw e;
    }
  }

  /**
   * A gated repo's content needs an accepted access request, unless the actor belongs to the
   * owner (or is a site admin). Messages follow the Hub's GatedRepo errors.
   */
  private async checkGate(actor: Actor, repo: RepoRecord, standing: Standing): Promise<void> {
    if (!repo.gated) return;
    const what = `${repo.type} ${repo.namespace}/${repo.name}`;
    const page = { url: `/${urlPrefix(repo.type)}${repo.namespace}/${repo.name}` };
    if (!actor) throw new HubError("GatedRepo", `Access to ${what} is restricted. You must have access to it and be authenticated to access it. Please log in.`, page, 401);
    if (standing !== null) return;
    if (credentialAllows(actor.token, repo, "gated") && (await this.meta.gate.get(repo.id, actor.user.id))?.status === "accepted") return;
    throw new HubError("GatedRepo", `Access to ${what} is restricted and you are not in the authorized list. Visit the repository page to ask for access.`, page);
  }

  /** May the actor administer the repo (its owner, an admin of the owning org, a site admin)? */
  async isRepoAdmin(actor: Actor, repo: RepoRecord): Promise<boolean> {
    return this.allowed(actor, "admin", repo);
  }

  /** Owner ids whose private repos the actor may list. */
  async visibleOwners(actor: Actor): Promise<number[]> {
    if (!actor) return [];
    const owners = [actor.user, ...(await this.meta.accounts.orgsOf(actor.user.id)).map((o) => o.org)];
    const t = actor.token;
    if (t.role !== "fineGrained") return owners.map((o) => o.id);
    // A fine-grained token lists private repos only of the namespaces it may read.
    return owners.filter((o) => credentialAllows(t, { type: "model", namespace: o.name, name: "" }, "read")).map((o) => o.id);
  }
}
