/**
 * Likes, as the Hub has them: a signed-in user likes a repo they can read; who likes a repo and
 * what a user likes are public, but a private repo never shows to someone who cannot read it.
 */
import type { Access } from "./access.js";
import { errors } from "./errors.js";
import type { Actor } from "./accounts.js";
import type { RepoType } from "./ids.js";
import type { Account, MetaStore, RepoRecord } from "./ports.js";
import type { Repos } from "./repos.js";

export class Likes {
  constructor(
    private readonly meta: MetaStore,
    private readonly repos: Repos,
    private readonly access: Access,
  ) {}

  /** Likes (`on`) or unlikes a repo the actor can read; idempotent either way. */
  async set(actor: Actor, type: RepoType, id: string, on: boolean): Promise<void> {
    if (!actor) throw errors.unauthorized("You must be authenticated to like a repository");
    if (actor.token.role === "read") throw errors.forbidden("A write token is required to like a repository");
    const { repo } = await this.repos.get(actor, type, id, "read");
    if (on) await this.meta.likes.add(repo.id, actor.user.id);
    else await this.meta.likes.remove(repo.id, actor.user.id);
  }

  /** Does the actor like this repo (false when signed out)? */
  async mine(actor: Actor, repo: RepoRecord): Promise<boolean> {
    return actor ? this.meta.likes.has(repo.id, actor.user.id) : false;
  }

  /** Who likes a repo the actor can read, newest first. */
  async likers(actor: Actor, type: RepoType, id: string, limit: number, offset: number): Promise<Account[]> {
    const { repo } = await this.repos.get(actor, type, id, "read");
    return this.meta.likes.likers(repo.id, limit, offset);
  }

  /** What a user likes, newest first: only the repos the actor may read. */
  async likedBy(actor: Actor, userName: string): Promise<{ repo: RepoRecord; createdAt: string }[]> {
    const user = await this.meta.accounts.byName(userName);
    if (!user || user.type !== "user") throw errors.notFound(`User ${userName} not found`);
    const out = [];
    for (const l of await this.meta.likes.likedBy(user.id)) if (await this.access.allowed(actor, "read", l.repo)) out.push(l);
    return out;
  }
}
