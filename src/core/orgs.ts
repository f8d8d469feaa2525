/**
 * Organizations: creation, members and roles (read, contributor, write, admin). Members are
 * added directly by an org admin (no invitation mail: a self-hosted hub may have no mailer).
 */
import { ORG_ROLES, type OrgRole } from "./access.js";
import { parseFullname, type Actor } from "./accounts.js";
import { errors, HubError } from "./errors.js";
import { parseAccountName } from "./ids.js";
import type { Account, MetaStore } from "./ports.js";

function parseRole(v: unknown): OrgRole {
  if (typeof v !== "string" || !(ORG_ROLES as readonly string[]).includes(v)) throw errors.badRequest(`'role' must be one of ${ORG_ROLES.join(", ")}`);
  return v as OrgRole;
}

/** Organization use cases. */
export class Orgs {
  constructor(private readonly meta: MetaStore) {}

  private async org(name: string): Promise<Account> {
    const o = await this.meta.accounts.byName(String(name));
    if (!o || o.type !== "org") throw errors.notFound(`Organization ${name} not found`);
    return o;
  }

  private async user(name: unknown): Promise<Account> {
    const u = typeof name === "string" ? await this.meta.accounts.byName(name) : null;
    if (!u || u.type !== "user") throw errors.notFound(`User ${String(name)} not found`);
    return u;
  }

  /** Creates an org; the creator becomes its admin. CLI callers pass the initial members. */
  async create(actor: Actor | "cli", b: { name: string; fullname?: string; members?: { user: string; role: string }[] }): Promise<Account> {
    if (actor !== "cli") {
      if (!actor) throw errors.unauthorized("You must be authenticated to create an organization");
      if (actor.token.role !== "write") throw errors.forbidden("A write token is required to create an organization");
    }
    const name = parseAccountName(b.name);
    const fullname = b.fullname === undefined ? name : parseFullname(b.fullname);
    if (await this.meta.accounts.byName(name)) throw errors.conflict(`Account ${name} already exists`);
    const members: { u: Account; role: OrgRole }[] = [];
    if (actor !== "cli") members.push({ u: actor.user, role: "admin" });
    for (const m of b.members ?? []) members.push({ u: await this.user(m.user), role: parseRole(m.role) });
    // The org and its first members in one transaction: never an org without its admin.
    return this.meta.transaction(async (tx) => {
      const org = await tx.accounts.create({ name, type: "org", fullname, email: null, passwordHash: null, isAdmin: false });
      for (const m of members) await tx.accounts.addMember(org.id, m.u.id, m.role);
      return org;
    });
  }

  /** Namespaces the actor may create repos in: their own, and orgs where they may (contributor and up). */
  async writableNamespaces(actor: NonNullable<Actor>): Promise<string[]> {
    const orgs = await this.meta.accounts.orgsOf(actor.user.id);
    return [actor.user.name, ...orgs.filter((o) => o.role !== "read").map((o) => o.org.name)];
  }

  /** The public face of a user or an org (profile pages); 404 for unknown or disabled accounts. */
  async profile(name: string): Promise<{ name: string; fullname: string; type: "user" | "org" }> {
    const a = await this.meta.accounts.byName(name);
    if (!a || a.disabled) throw new HubError("BadRequest", `No user or organization named ${name}`, {}, 404);
    return { name: a.name, fullname: a.fullname, type: a.type };
  }

  /** Public overview in the Hub's shape (`get_organization_overview`). */
  async overview(name: string) {
    const org = await this.org(name);
    const members = await this.meta.accounts.members(org.id);
    return { _id: String(org.id), name: org.name, fullname: org.fullname, avatarUrl: "", isVerified: false, isFollowing: false, numUsers: members.length, numModels: 0, numSpaces: 0, numDatasets: 0, numFollowers: 0, numPapers: 0, type: "org" };
  }

  /**
   * A user's public overview (`get_user_overview`): repo counts as the viewer can see them
   * (`visibleOwnerIds`: owners whose private repos the viewer may list) and their organizations.
   */
  async userOverview(name: string, visibleOwnerIds: number[]) {
    const user = await this.meta.accounts.byName(name);
    if (!user || user.type !== "user" || user.disabled) throw new HubError("BadRequest", "User not found", {}, 404);
    const count = async (type: "model" | "dataset" | "space") => (await this.meta.repos.list({ type, author: user.name, sort: "id", direction: 1, limit: 100_000, offset: 0, visibleOwnerIds })).length;
    const orgs = (await this.meta.accounts.orgsOf(user.id)).map((o) => ({ name: o.org.name, fullname: o.org.fullname, avatarUrl: "", type: "org" }));
    return {
      _id: String(user.id),
      user: user.name,
      fullname: user.fullname,
      avatarUrl: "",
      type: "user",
      isPro: false,
      isFollowing: false,
      createdAt: user.createdAt,
      numModels: await count("model"),
      numDatasets: await count("dataset"),
      numSpaces: await count("space"),
      numDiscussions: 0,
      numPapers: 0,
      numUpvotes: 0,
      numLikes: 0,
      numFollowers: 0,
      numFollowing: 0,
      orgs,
    };
  }

  /** Members as the Hub lists them (`list_organization_members`); roles only for members and site admins. */
  async members(actor: Actor, name: string) {
    const org = await this.org(name);
    const members = await this.meta.accounts.members(org.id);
    const insider = !!actor && (actor.user.isAdmin || members.some((m) => m.user.id === actor.user.id));
    return members.map((m) => ({ _id: String(m.user.id), user: m.user.name, fullname: m.user.fullname, avatarUrl: "", type: "user", isPro: false, ...(insider ? { role: m.role } : {}) }));
  }

  private async requireOrgAdmin(actor: Actor, org: Account): Promise<NonNullable<Actor>> {
    if (!actor) throw errors.unauthorized("You must be authenticated to manage an organization");
    if (actor.token.role !== "write") throw errors.forbidden("A write token is required to manage an organization");
    if (actor.user.isAdmin || (await this.meta.accounts.memberRole(org.id, actor.user.id)) === "admin") return actor;
    throw errors.forbidden(`Only admins of ${org.name} can manage its members`);
  }

  /** Adds a user to the org or changes their role (org admins, site admins). */
  async setMember(actor: Actor, orgName: string, userName: string, role: string): Promise<{ user: string; role: OrgRole }> {
    const org = await this.org(orgName);
    await this.requireOrgAdmin(actor, org);
    const user = await this.user(userName);
    const r = parseRole(role);
    if (r !== "admin") await this.keepAnAdmin(org, user);
    await this.meta.accounts.addMember(org.id, user.id, r);
    return { user: user.name, role: r };
  }

  /** Removes a member (org admins; any member may leave). The last admin cannot go. */
  async removeMember(actor: Actor, orgName: string, userName: string): Promise<void> {
    const org = await this.org(orgName);
    const user = await this.user(userName);
    if (!actor || actor.user.id !== user.id || actor.token.role !== "write") await this.requireOrgAdmin(actor, org);
    if ((await this.meta.accounts.memberRole(org.id, user.id)) === null) throw errors.notFound(`${user.name} is not a member of ${org.name}`);
    await this.keepAnAdmin(org, user);
    await this.meta.accounts.removeMember(org.id, user.id);
  }

  private async keepAnAdmin(org: Account, leaving: Account): Promise<void> {
    const admins = (await this.meta.accounts.members(org.id)).filter((m) => m.role === "admin");
    if (admins.length === 1 && admins[0]!.user.id === leaving.id) throw errors.conflict(`${leaving.name} is the last admin of ${org.name}`);
  }
}
