/**
 * Accounts over HTTP: registration and password sessions, the caller's tokens and SSH keys,
 * organizations and their members, site administration of users.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Account, SshKeyRecord, TokenRecord } from "../../core/ports.js";
import { actorOf, checkSameOrigin, SESSION_COOKIE, sessionCookie } from "../http/context.js";
import type { Services } from "../http/services.js";

const tokenView = (t: TokenRecord) => ({
  id: String(t.id),
  displayName: t.name,
  role: t.role,
  ...(t.fineGrained ? { fineGrained: t.fineGrained } : {}),
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt ?? null,
});

const keyView = (k: SshKeyRecord, withKey = false) => ({
  id: k.id,
  title: k.title,
  key_type: k.keyType,
  fingerprint: k.fingerprint,
  ...(withKey ? { public_key: k.publicKey } : {}),
  created_at: k.createdAt,
  last_used: k.lastUsedAt,
});

const userView = (u: Account) => ({ id: String(u.id), name: u.name, fullname: u.fullname, email: u.email, isAdmin: u.isAdmin, disabled: u.disabled, createdAt: u.createdAt });

const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;
const param = (req: FastifyRequest, k: string) => (req.params as Record<string, string>)[k]!;

/** Registers the account routes. */
export function registerAccountRoutes(app: FastifyInstance, svc: Services): void {
  // ---------------------------------------------------------------- registration and sessions
  app.post("/api/register", async (req, reply) => {
    checkSameOrigin(svc, req);
    const u = await svc.sessions.register(body(req));
    return reply.status(201).send(userView(u));
  });
  app.post("/api/login", async (req, reply: FastifyReply) => {
    // Login CSRF (signing a victim into the attacker's account) is refused like any other.
    checkSameOrigin(svc, req);
    const { session, user, expiresAt } = await svc.sessions.login(body(req), req.ip);
    const secure = (svc.config.publicUrl ?? "").startsWith("https:") ? "; Secure" : "";
    reply.header("Set-Cookie", `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax; Expires=${new Date(expiresAt).toUTCString()}${secure}`);
    return { user: user.name, expiresAt };
  });
  app.post("/api/logout", async (req, reply) => {
    checkSameOrigin(svc, req);
    await svc.sessions.logout(sessionCookie(req));
    reply.header("Set-Cookie", `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    return {};
  });

  // ---------------------------------------------------------------- tokens
  app.get("/api/settings/tokens", async (req) => (await svc.accounts.listTokens(await actorOf(svc, req))).map(tokenView));
  app.post("/api/settings/tokens", async (req) => {
    const { token, record } = await svc.accounts.createOwnToken(await actorOf(svc, req), body(req));
    return { ...tokenView(record), token };
  });
  app.delete("/api/settings/tokens/:id", async (req) => {
    await svc.accounts.revokeToken(await actorOf(svc, req), Number(param(req, "id")));
    return {};
  });

  // ---------------------------------------------------------------- SSH keys (seed 002)
  app.get("/api/user/keys", async (req) => (await svc.sshKeys.list(await actorOf(svc, req))).map((k) => keyView(k)));
  app.post("/api/user/keys", async (req) => keyView(await svc.sshKeys.add(await actorOf(svc, req), body(req))));
  app.get("/api/user/keys/:id", async (req) => keyView(await svc.sshKeys.get(await actorOf(svc, req), Number(param(req, "id"))), true));
  app.delete("/api/user/keys/:id", async (req) => {
    await svc.sshKeys.delete(await actorOf(svc, req), Number(param(req, "id")));
    return { success: true, message: "SSH key deleted successfully" };
  });

  // ---------------------------------------------------------------- organizations
  app.post("/api/organizations/new", async (req, reply) => {
    const o = await svc.orgs.create(await actorOf(svc, req), body(req));
    return reply.status(201).send({ name: o.name, fullname: o.fullname, url: `/${o.name}` });
  });
  app.get("/api/organizations/:org/overview", async (req) => svc.orgs.overview(param(req, "org")));
  app.get("/api/organizations/:org/members", async (req) => svc.orgs.members(await actorOf(svc, req), param(req, "org")));
  app.put("/api/organizations/:org/members/:user", async (req) => svc.orgs.setMember(await actorOf(svc, req), param(req, "org"), param(req, "user"), body(req).role));
  app.delete("/api/organizations/:org/members/:user", async (req) => {
    await svc.orgs.removeMember(await actorOf(svc, req), param(req, "org"), param(req, "user"));
    return {};
  });

  // ---------------------------------------------------------------- site administration
  app.post("/api/admin/users", async (req, reply) => reply.status(201).send(userView(await svc.accounts.adminCreateUser(await actorOf(svc, req), body(req)))));
  app.put("/api/admin/users/:name", async (req) => userView(await svc.accounts.setDisabled(await actorOf(svc, req), param(req, "name"), body(req).disabled)));
  app.delete("/api/admin/users/:name", async (req) => {
    await svc.accounts.deleteUser(await actorOf(svc, req), param(req, "name"));
    return {};
  });
}
