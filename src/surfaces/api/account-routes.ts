/**
 * Accounts over HTTP: registration and password sessions, the caller's tokens and SSH keys,
 * organizations and their members, site administration of users.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Account, SshKeyRecord, TokenRecord } from "../../core/ports.js";
import { actorOf, checkSameOrigin, sessionClearCookie, sessionCookie, sessionSetCookie } from "../http/context.js";
import type { ZodTypeProvider } from "../http/schema.js";
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

const registerBody = z.object({ username: z.string(), email: z.string(), password: z.string(), fullname: z.string().optional() });
const loginBody = z.object({ username: z.string(), password: z.string() });
const tokenBody = z.object({ name: z.string().optional(), role: z.enum(["read", "write", "fineGrained"]).optional(), fineGrained: z.unknown().optional() }).optional();
const keyBody = z.object({ title: z.string(), key: z.string() });
const orgBody = z.object({ name: z.string(), fullname: z.string().optional() });
const memberBody = z.object({ role: z.string() });
const adminUserBody = z.object({ username: z.string(), email: z.string().nullish(), password: z.string(), fullname: z.string().optional(), admin: z.boolean().optional() });
const disableBody = z.object({ disabled: z.boolean() });
const idParams = z.object({ id: z.coerce.number().int() });
const orgParams = z.object({ org: z.string() });
const memberParams = z.object({ org: z.string(), user: z.string() });
const nameParams = z.object({ name: z.string() });

/** Registers the account routes. */
export function registerAccountRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  // ---------------------------------------------------------------- registration and sessions
  app.post("/api/register", { schema: { body: registerBody } }, async (req, reply) => {
    checkSameOrigin(svc, req);
    const u = await svc.sessions.register(req.body);
    return reply.status(201).send(userView(u));
  });
  app.post("/api/login", { schema: { body: loginBody } }, async (req, reply) => {
    // Login CSRF (signing a victim into the attacker's account) is refused like any other.
    checkSameOrigin(svc, req);
    const { session, user, expiresAt } = await svc.sessions.login(req.body, req.ip);
    reply.header("Set-Cookie", sessionSetCookie(svc, session, expiresAt));
    return { user: user.name, expiresAt };
  });
  app.post("/api/logout", async (req, reply) => {
    checkSameOrigin(svc, req);
    await svc.sessions.logout(sessionCookie(req));
    reply.header("Set-Cookie", sessionClearCookie);
    return {};
  });

  // Hubble's own (the Hub has no password API): the current password proves it is the user, every
  // other session of the account ends; bearer tokens stay (they are revoked on their own page).
  app.post("/api/settings/password", { schema: { body: z.object({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) }) } }, async (req) => {
    await svc.sessions.changePassword(await actorOf(svc, req), req.body, req.ip, sessionCookie(req));
    return {};
  });

  // ---------------------------------------------------------------- tokens
  app.get("/api/settings/tokens", async (req) => (await svc.accounts.listTokens(await actorOf(svc, req))).map(tokenView));
  app.post("/api/settings/tokens", { schema: { body: tokenBody } }, async (req) => {
    const { token, record } = await svc.accounts.createOwnToken(await actorOf(svc, req), req.body ?? {});
    return { ...tokenView(record), token };
  });
  app.delete("/api/settings/tokens/:id", { schema: { params: idParams } }, async (req) => {
    await svc.accounts.revokeToken(await actorOf(svc, req), req.params.id);
    return {};
  });

  // ---------------------------------------------------------------- SSH keys (seed 002)
  app.get("/api/user/keys", async (req) => (await svc.sshKeys.list(await actorOf(svc, req))).map((k) => keyView(k)));
  app.post("/api/user/keys", { schema: { body: keyBody } }, async (req) => keyView(await svc.sshKeys.add(await actorOf(svc, req), req.body)));
  app.get("/api/user/keys/:id", { schema: { params: idParams } }, async (req) => keyView(await svc.sshKeys.get(await actorOf(svc, req), req.params.id), true));
  app.delete("/api/user/keys/:id", { schema: { params: idParams } }, async (req) => {
    await svc.sshKeys.delete(await actorOf(svc, req), req.params.id);
    return { success: true, message: "SSH key deleted successfully" };
  });

  // ---------------------------------------------------------------- organizations
  app.post("/api/organizations/new", { schema: { body: orgBody } }, async (req, reply) => {
    const o = await svc.orgs.create(await actorOf(svc, req), req.body);
    return reply.status(201).send({ name: o.name, fullname: o.fullname, url: `/${o.name}` });
  });
  app.get("/api/organizations/:org/overview", { schema: { params: orgParams } }, async (req) => svc.orgs.overview(req.params.org));
  app.get("/api/organizations/:org/members", { schema: { params: orgParams } }, async (req) => svc.orgs.members(await actorOf(svc, req), req.params.org));
  app.put("/api/organizations/:org/members/:user", { schema: { params: memberParams, body: memberBody } }, async (req) => svc.orgs.setMember(await actorOf(svc, req), req.params.org, req.params.user, req.body.role));
  app.delete("/api/organizations/:org/members/:user", { schema: { params: memberParams } }, async (req) => {
    await svc.orgs.removeMember(await actorOf(svc, req), req.params.org, req.params.user);
    return {};
  });

  // ---------------------------------------------------------------- site administration
  app.post("/api/admin/users", { schema: { body: adminUserBody } }, async (req, reply) => reply.status(201).send(userView(await svc.accounts.adminCreateUser(await actorOf(svc, req), req.body))));
  app.put("/api/admin/users/:name", { schema: { params: nameParams, body: disableBody } }, async (req) => userView(await svc.accounts.setDisabled(await actorOf(svc, req), req.params.name, req.body.disabled)));
  app.delete("/api/admin/users/:name", { schema: { params: nameParams } }, async (req) => {
    await svc.accounts.deleteUser(await actorOf(svc, req), req.params.name);
    return {};
  });
}
