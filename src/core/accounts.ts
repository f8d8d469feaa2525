/** Users, access tokens and credentials. Tokens and passwords are stored only as hashes. */
import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { errors } from "./errors.js";
import { parseAccountName, parseRepoName, type RepoType } from "./ids.js";
import { REPO_PERMISSIONS, type Account, type FineGrained, type MetaStore, type TokenRecord } from "./ports.js";

const scryptAsync = promisify(scrypt) as (p: string, s: Buffer, n: number) => Promise<Buffer>;

/**
 * Who is calling: a user and the credential they presented, or nobody. Credentials that are not
 * stored tokens (a login session, an SSH key, a short-lived git-lfs-authenticate token) carry a
 * synthetic TokenRecord with id 0 so that one rule (core/access.ts) judges them all.
 */
export type Actor = { user: Account; token: TokenRecord } | null;

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
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Checks a new password: long enough to resist guessing, short enough not to be a DoS on scrypt. */
export function parsePassword(p: unknown): string {
  if (typeof p !== "string" || p.length < 8 || p.length > 1024) throw errors.badRequest("'password' must be 8-1024 characters");
  return p;
}

const TOKEN_RE = /^hf_[A-Za-z0-9]{20,100}$/;
/** Prefix of the short-lived repo tokens handed out by git-lfs-authenticate. */
const REPO_TOKEN_PREFIX = "hbl_";
const ENTITY_TYPES = new Set(["user", "org", "model", "dataset", "space"]);

/** Validates the `fineGrained` body of a token creation (the Hub's whoami shape). */
export function parseFineGrained(v: unknown): FineGrained {
  const o = (v ?? {}) as Record<string, unknown>;
  if (typeof o !== "object" || Array.isArray(o)) throw errors.badRequest("'fineGrained' must be an object");
  const scoped = o.scoped ?? [];
  if (!Array.isArray(scoped) || scoped.length > 100) throw errors.badRequest("'fineGrained.scoped' must be a list of at most 100 entries");
  return {
    canReadGatedRepos: o.canReadGatedRepos === true,
    global: [],
    scoped: scoped.map((s: { entity?: { type?: unknown; name?: unknown }; permissions?: unknown }) => {
      const type = s?.entity?.type;
      if (typeof type !== "string" || !ENTITY_TYPES.has(type)) throw errors.badRequest("Scope entity type must be one of user, org, model, dataset, space");
      const name = type === "user" || type === "org" ? parseAccountName(s.entity?.name) : parseRepoName(s.entity?.name);
      const perms = s.permissions;
      if (!Array.isArray(perms) || perms.length === 0 || !perms.every((p) => (REPO_PERMISSIONS as readonly unknown[]).includes(p))) {
        throw errors.badRequest(`Scope permissions must be a non-empty list of ${REPO_PERMISSIONS.join(", ")}`);
      }
      return { entity: { type: type as FineGrained["scoped"][number]["entity"]["type"], name }, permissions: [...new Set(perms as string[])] };
    }),
  };
}

/** Account and token use cases. */
export class Accounts {
  /** When each token's `lastUsed` was last written: at most one DB write per token per minute. */
  private readonly touched = new Map<number, number>();

  constructor(
    private readonly meta: MetaStore,
    /** Signs the short-lived repo tokens of git-lfs-authenticate. */
    private readonly secret: Buffer,
  ) {}

  /** True before the first account exists. */
  async isEmpty(): Promise<boolean> {
    return (await this.meta.accounts.count()) === 0;
  }

  async createUser(name: string, o: { fullname?: string; email?: string | null; password?: string; admin?: boolean } = {}): Promise<Account> {
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

  /** Creates a token and returns its secret; only the hash is stored. */
  async createToken(userName: string, o: { name?: string; role?: TokenRecord["role"]; fineGrained?: FineGrained; value?: string } = {}): Promise<{ token: string; record: TokenRecord }> {
    const user = await this.meta.accounts.byName(userName);
    if (!user || user.type !== "user") throw errors.badRequest(`Unknown user ${userName}`);
    const token = o.value ?? `hf_${randomBytes(30).toString("base64url").replace(/[-_]/g, "").slice(0, 34).padEnd(34, "x")}`;
    if (!TOKEN_RE.test(token)) throw errors.badRequest("Token must look like hf_ followed by 20-100 letters or digits");
    const role = o.role ?? "write";
    if (role === "fineGrained" && !o.fineGrained) throw errors.badRequest("A fine-grained token needs 'fineGrained' scopes");
    const record = await this.meta.tokens.create({ accountId: user.id, name: o.name ?? "token", role, fineGrained: role === "fineGrained" ? o.fineGrained : null, hash: hashToken(token) });
    return { token, record };
  }

  /** The caller's own tokens (never their secrets). */
  async listTokens(actor: Actor): Promise<TokenRecord[]> {
    if (!actor) throw errors.unauthorized("You must be authenticated to list tokens");
    return this.meta.tokens.list(actor.user.id);
  }

  /** Only a full write credential manages tokens and account settings. */
  private requireWriteCredential(actor: Actor, what: string): asserts actor is NonNullable<Actor> {
    if (!actor) throw errors.unauthorized(`You must be authenticated to ${what}`);
    if (actor.token.role !== "write") throw errors.forbidden(`A write token is required to ${what}`);
  }

  /** Creates a token for the caller; a read or fine-grained token cannot mint one. */
  async createOwnToken(actor: Actor, b: { name?: string; role?: "read" | "write" | "fineGrained"; fineGrained?: unknown }): Promise<{ token: string; record: TokenRecord }> {
    this.requireWriteCredential(actor, "create tokens");
    const name = b.name ?? "token";
    if (name.length < 1 || name.length > 128 || /[\x00-\x1f]/.test(name)) throw errors.badRequest("'name' must be 1-128 printable characters");
    const role = b.role ?? "read";
    let fineGrained: FineGrained | undefined;
    if (role === "fineGrained") {
      fineGrained = parseFineGrained(b.fineGrained);
      for (const s of fineGrained.scoped) {
        const t = s.entity.type;
        const exists = t === "user" || t === "org" ? (await this.meta.accounts.byName(s.entity.name))?.type === t : await this.meta.repos.find(t as RepoType, s.entity.name);
        if (!exists) throw errors.badRequest(`Scope entity ${t} ${s.entity.name} does not exist`);
      }
    }
    return this.createToken(actor.user.name, { name, role, fineGrained });
  }

  /** Revokes a token of the caller (site admins may revoke any); a token never seen is a 404. */
  async revokeToken(actor: Actor, id: number): Promise<void> {
    this.requireWriteCredential(actor, "revoke tokens");
    const t = Number.isSafeInteger(id) ? await this.meta.tokens.byId(id) : null;
    if (!t || (t.accountId !== actor.user.id && !actor.user.isAdmin)) throw errors.notFound("Token not found");
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
    if (token.startsWith(REPO_TOKEN_PREFIX)) return this.repoTokenActor(token);
    const record = await this.meta.tokens.byHash(hashToken(token));
    if (!record) throw errors.unauthorized();
    const user = await this.activeUser(record.accountId);
    const now = Date.now();
    if ((this.touched.get(record.id) ?? 0) < now - 60_000) {
      this.touched.set(record.id, now);
      void this.meta.tokens.touch(record.id).catch(() => undefined);
    }
    return { user, token: record };
  }

  /** The user behind a credential, refusing deleted and disabled accounts alike. */
  async activeUser(id: number): Promise<Account> {
    const user = await this.meta.accounts.byId(id);
    if (!user || user.type !== "user") throw errors.unauthorized();
    if (user.disabled) throw errors.unauthorized("This account is disabled");
    return user;
  }

  /** An actor for a credential that is not a stored token (session, SSH key). */
  static synthetic(user: Account, name: string, role: TokenRecord["role"] = "write", fineGrained?: FineGrained): NonNullable<Actor> {
    return { user, token: { id: 0, accountId: user.id, name, role, fineGrained, createdAt: user.createdAt } };
  }

  /**
   * A short-lived token limited to one repo, as `git-lfs-authenticate` hands out: HMAC-signed
   * claims (user, repo, write or not, expiry), nothing stored. Redeemed by `authenticate()` as a
   * fine-grained credential scoped to that repo, so the user's current rights still apply.
   */
  issueRepoToken(user: Account, repo: { type: RepoType; fullName: string }, write: boolean, ttlSeconds: number): string {
    const claims = Buffer.from(JSON.stringify({ u: user.id, t: repo.type, n: repo.fullName, w: write ? 1 : 0, e: Math.floor(Date.now() / 1000) + ttlSeconds })).toString("base64url");
    return `${REPO_TOKEN_PREFIX}${claims}.${this.sign(claims)}`;
  }

  private sign(claims: string): string {
    return createHmac("sha256", this.secret).update(`repo-token:${claims}`).digest("base64url");
  }

  private async repoTokenActor(token: string): Promise<Actor> {
    const [claims, sig] = token.slice(REPO_TOKEN_PREFIX.length).split(".");
    if (!claims || !sig) throw errors.unauthorized();
    const want = Buffer.from(this.sign(claims));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw errors.unauthorized();
    const c = JSON.parse(Buffer.from(claims, "base64url").toString("utf8")) as { u: number; t: string; n: string; w: number; e: number };
    if (c.e < Date.now() / 1000) throw errors.unauthorized("This token has expired");
    const user = await this.activeUser(c.u);
    const permissions = c.w ? ["repo.content.read", "repo.write"] : ["repo.content.read"];
    return Accounts.synthetic(user, "git-lfs-authenticate", "fineGrained", { canReadGatedRepos: true, global: [], scoped: [{ entity: { type: c.t as "model", name: c.n }, permissions }] });
  }

  /** whoami-v2 body in the Hub's shape. */
  async whoami(actor: Actor) {
    if (!actor) throw errors.unauthorized("Invalid user token.");
    const orgs = await this.meta.accounts.orgsOf(actor.user.id);
    const t = actor.token;
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
      auth: {
        type: "access_token",
        accessToken: { displayName: t.name, role: t.role, createdAt: t.createdAt, ...(t.role === "fineGrained" && t.fineGrained ? { fineGrained: t.fineGrained } : {}) },
      },
    };
  }

  // ------------------------------------------------------------ site administration

  private requireSiteAdmin(actor: Actor): asserts actor is NonNullable<Actor> {
    this.requireWriteCredential(actor, "administer users");
    if (!actor.user.isAdmin) throw errors.forbidden("Only a site admin can do this");
  }

  private async userNamed(name: string): Promise<Account> {
    const u = await this.meta.accounts.byName(String(name));
    if (!u || u.type !== "user") throw errors.notFound(`User ${name} not found`);
    return u;
  }

  /** Site admin: the users, a page at a time. */
  async adminListUsers(actor: Actor, q: { search?: string; limit: number; offset: number }): Promise<Account[]> {
    this.requireSiteAdmin(actor);
    return this.meta.accounts.listUsers(q);
  }

  /** Site admin: creates a user (with a password, so they can log in). */
  async adminCreateUser(actor: Actor, b: { username: string; email?: string | null; password: string; fullname?: string; admin?: boolean }): Promise<Account> {
    this.requireSiteAdmin(actor);
    const email = b.email === undefined || b.email === null ? null : parseEmail(b.email);
    const fullname = b.fullname === undefined ? undefined : parseFullname(b.fullname);
    return this.createUser(parseAccountName(b.username), { email, fullname, password: parsePassword(b.password), admin: b.admin === true });
  }

  /** Site admin: disables or re-enables a user; a disabled user's credentials all stop working. */
  async setDisabled(actor: Actor | "cli", name: string, disabled: boolean): Promise<Account> {
    if (actor !== "cli") this.requireSiteAdmin(actor);
    const u = await this.userNamed(name);
    if (actor !== "cli" && u.id === actor.user.id) throw errors.badRequest("You cannot disable yourself");
    await this.meta.accounts.setDisabled(u.id, disabled);
    return { ...u, disabled };
  }

  /** Site admin: deletes a user (their tokens, sessions, keys, memberships go too). Repos must be moved or deleted first. */
  async deleteUser(actor: Actor | "cli", name: string): Promise<void> {
    if (actor !== "cli") this.requireSiteAdmin(actor);
    const u = await this.userNamed(name);
    if (actor !== "cli" && u.id === actor.user.id) throw errors.badRequest("You cannot delete yourself");
    const n = await this.meta.accounts.repoCount(u.id);
    if (n > 0) throw errors.conflict(`User ${u.name} still owns ${n} repositories; delete or move them first`);
    await this.meta.accounts.delete(u.id);
  }
}

/** A plausible email address (the Hub sends mail; we only store it). */
export function parseEmail(v: unknown): string {
  if (typeof v !== "string" || v.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) throw errors.badRequest("'email' must be an email address");
  return v;
}

/** A display name: 1-256 printable characters. */
export function parseFullname(v: unknown): string {
  if (typeof v !== "string" || v.length < 1 || v.length > 256 || /[\x00-\x1f]/.test(v)) throw errors.badRequest("'fullname' must be 1-256 printable characters");
  return v;
}
