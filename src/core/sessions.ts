/**
 * Registration and password sessions. A session is a random secret (the cookie), stored only as
 * its sha256, that authenticates like a write token of its user until it expires or logs out.
 * Login failures are throttled per user name and per client address; an unknown user costs the
 * same scrypt as a wrong password, so timing does not tell which names exist.
 */
import { randomBytes } from "node:crypto";
import { Accounts, hashPassword, hashToken, parseEmail, parseFullname, parsePassword, verifyPassword, type Actor } from "./accounts.js";
import { errors, HubError } from "./errors.js";
import { parseAccountName } from "./ids.js";
import type { Account, MetaStore } from "./ports.js";
import { Throttle, type ThrottleStore } from "./throttle.js";

const SESSION_PREFIX = "hbs_";

/** Session use cases. */
export class Sessions {
  /** 5 free failures per user name in 15 min, then 1 s, 2 s, 4 s … up to 15 min. */
  private readonly byUser: Throttle;
  /** A client address gets more room (several users behind one NAT), then the same curve. */
  private readonly byAddress: Throttle;
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly meta: MetaStore,
    private readonly accounts: Accounts,
    private readonly o: { registration: "open" | "closed"; sessionTtlSeconds: number },
    /** Failure counts: the database's, so every node shares one budget. */
    throttleStore: ThrottleStore = meta.throttle,
  ) {
    this.byUser = new Throttle({ free: 5, windowMs: 15 * 60_000, baseLockMs: 1000, maxLockMs: 15 * 60_000 }, throttleStore);
    this.byAddress = new Throttle({ free: 20, windowMs: 15 * 60_000, baseLockMs: 1000, maxLockMs: 15 * 60_000 }, throttleStore);
  }

  /** Self-service registration (unless the config closes it). */
  async register(b: { username: string; email: string; password: string; fullname?: string }): Promise<Account> {
    if (this.o.registration !== "open") throw errors.forbidden("Registration is disabled on this hub; ask an administrator for an account");
    const name = parseAccountName(b.username);
    const email = parseEmail(b.email);
    const password = parsePassword(b.password);
    const fullname = b.fullname === undefined ? undefined : parseFullname(b.fullname);
    return this.accounts.createUser(name, { email, password, fullname });
  }

  /** Checks a password and opens a session; returns its secret (the cookie value). */
  async login(b: { username: string; password: string }, address: string): Promise<{ session: string; user: Account; expiresAt: string }> {
    if (b.password.length > 1024 || b.username.length > 96) throw errors.badRequest("'username' or 'password' is too long");
    const userKey = `u:${b.username.toLowerCase()}`;
    const addrKey = `a:${address}`;
    const wait = Math.max(await this.byUser.waitMs(userKey), await this.byAddress.waitMs(addrKey));
    if (wait > 0) throw tooMany(wait);
    const user = await this.meta.accounts.byName(b.username);
    const stored = user && user.type === "user" ? await this.meta.accounts.passwordHash(user.id) : null;
    // Same work whether or not the user exists or has a password.
    const ok = await verifyPassword(b.password, stored ?? (await this.dummy()));
    if (!ok || !user || !stored) {
      const lock = Math.max(await this.byUser.fail(userKey), await this.byAddress.fail(addrKey));
      if (lock > 0) throw tooMany(lock);
      throw errors.unauthorized("Invalid username or password");
    }
    await this.byUser.succeed(userKey);
    if (user.disabled) throw errors.forbidden("This account is disabled");
    const session = `${SESSION_PREFIX}${randomBytes(32).toString("base64url")}`;
    const expiresAt = new Date(Date.now() + this.o.sessionTtlSeconds * 1000).toISOString();
    await this.meta.sessions.create({ accountId: user.id, hash: hashToken(session), expiresAt });
    return { session, user, expiresAt };
  }

  /**
   * Changes a user's password after checking the current one (throttled like a login); every other
   * session of the account ends, the caller's own (if any) stays.
   */
  async changePassword(actor: Actor, b: { currentPassword: string; newPassword: string }, address: string, keepSession: string | undefined): Promise<void> {
    if (!actor) throw errors.unauthorized("You must be logged in to change your password");
    if (b.currentPassword.length > 1024) throw errors.badRequest("'currentPassword' is too long");
    const key = `u:${actor.user.name.toLowerCase()}`;
    const wait = Math.max(await this.byUser.waitMs(key), await this.byAddress.waitMs(`a:${address}`));
    if (wait > 0) throw tooMany(wait);
    const stored = await this.meta.accounts.passwordHash(actor.user.id);
    if (!stored || !(await verifyPassword(b.currentPassword, stored))) {
      const lock = Math.max(await this.byUser.fail(key), await this.byAddress.fail(`a:${address}`));
      if (lock > 0) throw tooMany(lock);
      throw errors.forbidden("The current password is not right");
    }
    const password = parsePassword(b.newPassword);
    await this.meta.accounts.setPassword(actor.user.id, await hashPassword(password));
    await this.meta.sessions.deleteAllOf(actor.user.id, keepSession ? hashToken(keepSession) : null);
  }

  /** Updates a user's display name and e-mail. */
  async updateProfile(actor: Actor, b: { fullname: string; email: string }): Promise<void> {
    if (!actor) throw errors.unauthorized("You must be logged in");
    const fullname = parseFullname(b.fullname);
    const email = b.email.trim() === "" ? null : parseEmail(b.email.trim());
    await this.meta.accounts.setProfile(actor.user.id, { fullname, email });
  }

  /** Ends a session (unknown sessions are fine: logging out twice is not an error). */
  async logout(session: string | undefined): Promise<void> {
    if (session) await this.meta.sessions.delete(hashToken(session));
  }

  /** The actor of a session cookie, or null when it is unknown or expired. */
  async actor(session: string | undefined): Promise<Actor> {
    if (!session || !session.startsWith(SESSION_PREFIX)) return null;
    const s = await this.meta.sessions.byHash(hashToken(session));
    if (!s) return null;
    if (s.expiresAt < new Date().toISOString()) {
      await this.meta.sessions.delete(hashToken(session));
      return null;
    }
    return Accounts.synthetic(await this.accounts.activeUser(s.accountId), "web session");
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
    return this.dummyHash;
  }
}

function tooMany(ms: number): HubError {
  const seconds = Math.ceil(ms / 1000);
  return new HubError("TooManyRequests", `Too many failed login attempts; try again in ${seconds} s`, { retryAfter: seconds });
}
