/**
 * The one access rule. Every surface calls `authorize()`; a private repo that the actor may not
 * read does not exist for them (RepoNotFound: 401 when anonymous, 404 otherwise).
 */
import { roleCanWrite, type Actor } from "./accounts.js";
import { errors, HubError } from "./errors.js";
import { urlPrefix } from "./ids.js";
import type { MetaStore, RepoRecord } from "./ports.js";

/**
 * What an actor wants to do to a repo: see it (info, tree), download its content (gated repos
 * ask for an accepted access request), or write to it.
 */
export type Action = "read" | "download" | "write";

/** Access decisions over the metadata store. */
export class Access {
  constructor(private readonly meta: MetaStore) {}

  /** Role-free membership check: may the user act for this namespace owner? */
  async canWriteNamespace(actor: Actor, ownerId: number): Promise<boolean> {
    if (!actor || actor.token.role !== "write") return false;
    if (actor.user.id === ownerId || actor.user.isAdmin) return true;
    return roleCanWrite(await this.meta.accounts.memberRole(ownerId, actor.user.id));
  }

  private async canRead(actor: Actor, repo: RepoRecord): Promise<boolean> {
    if (!repo.private) return true;
    if (!actor) return false;
    if (actor.user.id === repo.ownerId || actor.user.isAdmin) return true;
    return (await this.meta.accounts.memberRole(repo.ownerId, actor.user.id)) !== null;
  }

  /** Throws unless `actor` may perform `action` on `repo`. */
  async authorize(actor: Actor, action: Action, repo: RepoRecord): Promise<void> {
    if (!(await this.canRead(actor, repo))) throw errors.repoNotFound(actor === null);
    if (action === "read") return;
    if (action === "download") return this.checkGate(actor, repo);
    if (!actor) throw errors.unauthorized("You must be authenticated to write to this repository");
    if (actor.token.role !== "write") throw errors.forbidden("This token has read access only; a write token is required");
    if (!(await this.canWriteNamespace(actor, repo.ownerId))) {
      throw errors.forbidden(`You don't have the rights to write to ${repo.namespace}/${repo.name}`);
    }
  }

  /**
   * A gated repo's content needs an accepted access request, unless the actor belongs to the
   * owner (or is a site admin). Messages follow the Hub's GatedRepo errors.
   */
  private async checkGate(actor: Actor, repo: RepoRecord): Promise<void> {
    if (!repo.gated) return;
    const what = `${repo.type} ${repo.namespace}/${repo.name}`;
    const page = { url: `/${urlPrefix(repo.type)}${repo.namespace}/${repo.name}` };
    if (!actor) throw new HubError("GatedRepo", `Access to ${what} is restricted. You must have access to it and be authenticated to access it. Please log in.`, page, 401);
    if (actor.user.id === repo.ownerId || actor.user.isAdmin) return;
    if ((await this.meta.accounts.memberRole(repo.ownerId, actor.user.id)) !== null) return;
    if ((await this.meta.gate.get(repo.id, actor.user.id))?.status === "accepted") return;
    throw new HubError("GatedRepo", `Access to ${what} is restricted and you are not in the authorized list. Visit the repository page to ask for access.`, page);
  }

  /** May the actor administer the repo (its owner, an admin of the owning org, a site admin)? */
  async isRepoAdmin(actor: Actor, repo: RepoRecord): Promise<boolean> {
    if (!actor || actor.token.role !== "write") return false;
    if (actor.user.id === repo.ownerId || actor.user.isAdmin) return true;
    return (await this.meta.accounts.memberRole(repo.ownerId, actor.user.id)) === "admin";
  }

  /** Owner ids whose private repos the actor may list. */
  async visibleOwners(actor: Actor): Promise<number[]> {
    if (!actor) return [];
    return [actor.user.id, ...(await this.meta.accounts.orgsOf(actor.user.id)).map((o) => o.org.id)];
  }
}
