/**
 * Sign-in, sign-out, sign-up and token pages. Forms post back to Hubble (303 after a change); a
 * cookie-authenticated post must come from this site (checkSameOrigin), as on the JSON API.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { HubError } from "../../core/errors.js";
import { actorOf, baseUrl, checkSameOrigin, sessionClearCookie, sessionCookie, sessionSetCookie } from "../http/context.js";
import type { ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { html, signedIn as signedInOr } from "./reply.js";
import { JoinPage, KeysPage, LoginPage, TokensPage } from "./account-pages.js";

/** Where to go after logging in: a path on this site only. */
const safeNext = (n: string | undefined) => (n && /^\/(?!\/)[^\s]*$/.test(n) ? n : "/");
const text = z.string().max(4096);

/** Registers the account pages. */
export function registerAccountPages(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();

  app.get("/login", { schema: { querystring: z.object({ next: z.string().optional() }) } }, async (req, reply) =>
    html(reply, <LoginPage actor={await actorOf(svc, req)} error={null} username="" registration={svc.config.registration === "open"} next={safeNext(req.query.next)} />),
  );
  app.post("/login", { schema: { body: z.object({ username: text, password: text, next: text.optional() }) } }, async (req, reply) => {
    checkSameOrigin(svc, req);
    try {
      const { session, expiresAt } = await svc.sessions.login(req.body, req.ip);
      return reply.header("Set-Cookie", sessionSetCookie(svc, session, expiresAt)).redirect(safeNext(req.body.next), 303);
    } catch (e) {
      if (!(e instanceof HubError) || e.status >= 500) throw e;
      if (e.kind === "TooManyRequests") reply.header("Retry-After", String(e.extra.retryAfter ?? 1));
      return html(reply, <LoginPage actor={null} error={e.message} username={req.body.username} registration={svc.config.registration === "open"} next={safeNext(req.body.next)} />, e.status);
    }
  });
  app.post("/logout", async (req, reply) => {
    checkSameOrigin(svc, req);
    await svc.sessions.logout(sessionCookie(req));
    return reply.header("Set-Cookie", sessionClearCookie).redirect("/", 303);
  });

  app.get("/join", async (req, reply) => {
    if (svc.config.registration !== "open") throw new HubError("BadRequest", "Registration is closed on this hub: ask the administrator for an account.", {}, 404);
    return html(reply, <JoinPage actor={await actorOf(svc, req)} error={null} username="" email="" />);
  });
  app.post("/join", { schema: { body: z.object({ username: text, email: text, password: text }) } }, async (req, reply) => {
    checkSameOrigin(svc, req);
    try {
      await svc.sessions.register(req.body);
      const { session, expiresAt } = await svc.sessions.login(req.body, req.ip);
      return reply.header("Set-Cookie", sessionSetCookie(svc, session, expiresAt)).redirect("/settings/tokens", 303);
    } catch (e) {
      if (!(e instanceof HubError) || e.status >= 500) throw e;
      return html(reply, <JoinPage actor={null} error={e.message} username={req.body.username} email={req.body.email} />, e.status);
    }
  });

  const signedIn = (req: FastifyRequest, reply: FastifyReply) => signedInOr(svc, req, reply);
  app.get("/settings/tokens", async (req, reply) => {
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    return html(reply, <TokensPage actor={actor} tokens={await svc.accounts.listTokens(actor)} created={null} error={null} />);
  });
  app.post("/settings/tokens", { schema: { body: z.object({ name: text, role: z.enum(["read", "write"]) }) } }, async (req, reply) => {
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    try {
      const { token, record } = await svc.accounts.createOwnToken(actor, req.body);
      // The secret is in this one answer only: never cached.
      reply.header("Cache-Control", "no-store");
      return html(reply, <TokensPage actor={actor} tokens={await svc.accounts.listTokens(actor)} created={{ name: record.name, token }} error={null} />);
    } catch (e) {
      if (!(e instanceof HubError) || e.status >= 500) throw e;
      return html(reply, <TokensPage actor={actor} tokens={await svc.accounts.listTokens(actor)} created={null} error={e.message} />, e.status);
    }
  });
  const keysPage = async (reply: FastifyReply, actor: NonNullable<Awaited<ReturnType<typeof actorOf>>>, host: string, o: { error?: string; title?: string; key?: string; status?: number } = {}) =>
    html(reply, <KeysPage actor={actor} keys={await svc.sshKeys.list(actor)} error={o.error ?? null} title={o.title ?? ""} key={o.key ?? ""} sshHost={svc.config.sshPort ? `${new URL(host).hostname}:${svc.config.sshPort}` : null} />, o.status ?? 200);
  app.get("/settings/keys", async (req, reply) => {
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    return keysPage(reply, actor, baseUrl(svc, req));
  });
  app.post("/settings/keys", { schema: { body: z.object({ title: text, key: text }) } }, async (req, reply) => {
    checkSameOrigin(svc, req);
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    try {
      await svc.sshKeys.add(actor, { title: req.body.title, key: req.body.key.trim() });
      return reply.redirect("/settings/keys", 303);
    } catch (e) {
      if (!(e instanceof HubError) || e.status >= 500) throw e;
      return keysPage(reply, actor, baseUrl(svc, req), { error: e.message, title: req.body.title, key: req.body.key, status: e.status });
    }
  });
  app.post("/settings/keys/:id/delete", { schema: { params: z.object({ id: z.coerce.number().int() }) } }, async (req, reply) => {
    checkSameOrigin(svc, req);
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    await svc.sshKeys.delete(actor, req.params.id);
    return reply.redirect("/settings/keys", 303);
  });
  app.post("/settings/tokens/:id/delete", { schema: { params: z.object({ id: z.coerce.number().int() }) } }, async (req, reply) => {
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    await svc.accounts.revokeToken(actor, req.params.id);
    return reply.redirect("/settings/tokens", 303);
  });
}
