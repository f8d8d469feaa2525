/** Users, organizations and access tokens. Tokens and passwords are stored only as hashes. */
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { errors, HubError } from "./errors.js";
import { parseAccountName } from "./ids.js";
import type { Account, MetaStore, TokenRecord } from "./ports.js";

const scryptAsync = promisify(scrypt) as (p: string, s: Buffer, n: number) => Promise<Buffer>;

/** Who is calling: an authenticated token of a user, or nobody. */
export type Actor = { user: Account; token: TokenRecord } | null;

/** Org roles that may write to the org's repos. */
const WRITE_ROLES = new Set(["write", "contributor", "admin"]);

/** True when an org role allows writing. */
export function roleCanWrite(role: string | null): boolean {
  return role !== null && WRITE_ROLES.has(role);
}

/** sha256 of a token: tokens are random and long, so a fast hash is the right tool here. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** scrypt password hash, `scrypt$<salt b64>$<hash b64>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 32);
  return `scrypt$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** Constant-time password check. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const key = await scryptAsync(password, Buffer.from(salt, "base64"), expected.length);
  return timingSafeEqual(key, expected);
}

const TOKEN_RE = /^hf_[A-Za-z0-9]{20,100}$/;

/** Account and token use cases. */
export class Accounts {
  /** When each token's `lastUsed` was last written: at most one DB write per token per minute. */
  private readonly touched = new Map<number, number>();

  constructor(private readonly meta: MetaStore) {}

  /** True before the first account exists. */
  async isEmpty(): Promise<boolean> {
    return (await this.meta.accounts.count()) === 0;
  }

  async createUser(name: string, o: { fullname?: string; email?: string; password?: string; admin?: boolean } = {}): Promise<Account> {
    const n = parseAccountName(name);
    if (await this.meta.accounts.byName(n)) throw errors.conflict(`Account ${n} already exists`);
    return this.meta.accounts.create({
      name: n,
      type: "user",
      fullname: o.fullname ?? n,
      email: o.email ?? null,
      passwordHash: o.password ? await hashPassword(o.password) : null,
      isAdmin: o.admin ?? false,
    });
  }

  async createOrg(name: string, o: { fullname?: string; members?: { user: string; role: string }[] } = {}): Promise<Account> {
    const n = parseAccountName(name);
    if (await this.meta.accounts.byName(n)) throw errors.conflict(`Account ${n} already exists`);
    const members = [];
    for (const m of o.members ?? []) {
      const u = await this.meta.accounts.byName(m.user);
      if (!u || u.type !== "user") throw errors.badRequest(`Unknown user ${m.user}`);
      if (!["read", "contributor", "write", "admin"].includes(m.role)) throw errors.badRequest(`Unknown org role ${m.role}`);
      members.push({ u, role: m.role });
    }
    const org = await this.meta.accounts.create({ name: n, type: "org", fullname: o.fullname ?? n, email: null, passwordHash: null, isAdmin: false });
    for (const m of members) await this.meta.accounts.addMember(org.id, m.u.id, m.role);
    return org;
  }

  /** Creates a token and returns its secret; only the hash is stored. */
  async createToken(userName: string, o: { name?: string; role?: "read" | "write"; value?: string } = {}): Promise<{ token: string; record: TokenRecord }> {
    const user = await this.meta.accounts.byName(userName);
    if (!user || user.type !== "user") throw errors.badRequest(`Unknown user ${userName}`);
    const token = o.value ?? `hf_${randomBytes(30).toString("base64url").replace(/[-_]/g, "").slice(0, 34).padEnd(34, "x")}`;
    if (!TOKEN_RE.test(token)) throw errors.badRequest("Token must look like hf_ followed by 20-100 letters or digits");
    const record = await this.meta.tokens.create({ accountId: user.id, name: o.name ?? "token", role: o.role ?? "write", hash: hashToken(token) });
    return { token, record };
  }

  /** The caller's own tokens (never their secrets). */
  async listTokens(actor: Actor): Promise<TokenRecord[]> {
    if (!actor) throw errors.unauthorized("You must be authenticated to list tokens");
    return this.meta.tokens.list(actor.user.id);
  }

  /** Creates a token for the caller; needs a write token (a read token cannot mint a write one). */
  async createOwnToken(actor: Actor, b: { name?: unknown; role?: unknown }): Promise<{ token: string; record: TokenRecord }> {
    if (!actor) throw errors.unauthorized("You must be authenticated to create tokens");
    if (actor.token.role !== "write") throw errors.forbidden("A write token is required to create tokens");
    const name = b.name === undefined ? "token" : b.name;
    if (typeof name !== "string" || name.length < 1 || name.length > 128 || /[\x00-\x1f]/.test(name)) throw errors.badRequest("'name' must be 1-128 printable characters");
    const role = b.role ?? "read";
    if (role !== "read" && role !== "write") throw errors.badRequest("'role' must be read or write");
    return this.createToken(actor.user.name, { name, role });
  }

  /** Revokes a token of the caller (site admins may revoke any); a token never seen is a 404. */
  async revokeToken(actor: Actor, id: number): Promise<void> {
    if (!actor) throw errors.unauthorized("You must be authenticated to revoke tokens");
    if (actor.token.role !== "write") throw errors.forbidden("A write token is required to revoke tokens");
    const t = Number.isSafeInteger(id) ? await this.meta.tokens.byId(id) : null;
    if (!t || (t.accountId !== actor.user.id && !actor.user.isAdmin)) throw new HubError("BadRequest", "Token not found", {}, 404);
    await this.meta.tokens.delete(t.id);
  }

  /** Tokens of a user (CLI administration). */
  async tokensOf(userName: string): Promise<TokenRecord[]> {
    const user = await this.meta.accounts.byName(userName);
    if (!user || user.type !== "user") throw errors.badRequest(`Unknown user ${userName}`);
    return this.meta.tokens.list(user.id);
  }

  /** Deletes a token by id (CLI administration). */
  async deleteToken(id: number): Promise<boolean> {
    const t = await this.meta.tokens.byId(id);
    if (!t) return false;
    await this.meta.tokens.delete(id);
    return true;
  }

  /** Resolves a bearer token to an actor; a token that does not exist is an error, not anonymity. */
  async authenticate(token: string | undefined): Promise<Actor> {
    if (token === undefined || token === "") return null;
    const record = await this.meta.tokens.byHash(hashToken(token));
    if (!record) throw errors.unauthorized();
    const user = await this.meta.accounts.byId(record.accountId);
    if (!user) throw errors.unauthorized();
    const now = Date.now();
    if ((this.touched.get(record.id) ?? 0) < now - 60_000) {
      this.touched.set(record.id, now);
      void this.meta.tokens.touch(record.id).catch(() => undefined);
    }
    return { user, token: record };
  }

  /** whoami-v2 body in the Hub's shape. */
  async whoami(actor: Actor) {
    if (!actor) throw errors.unauthorized("Invalid user token.");
    const orgs = await this.meta.accounts.orgsOf(actor.user.id);
    return {
      type: "user",
      id: String(actor.user.id),
      name: actor.user.name,
      fullname: actor.user.fullname,
      email: actor.user.email,
      emailVerified: actor.user.email !== null,
      canPay: false,
      isPro: false,
      periodEnd: null,
      avatarUrl: "",
      billingMode: "prepaid",
      orgs: orgs.map(({ org, role }) => ({ type: "org", id: String(org.id), name: org.name, fullname: org.fullname, roleInOrg: role, isEnterprise: false, avatarUrl: "" })),
      auth: { type: "access_token", accessToken: { displayName: actor.token.name, role: actor.token.role, createdAt: actor.token.createdAt } },
    };
  }
}
