/**
 * Routes of the people pages: `/settings/profile` (+ `/settings/password`), `/organizations/new`,
 * `/organizations/{org}/settings/members`, and `/settings/admin/users` for site admins. Forms
 * post back with the same-site check; the use cases are the API's (same rules, same errors).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { VNode } from "preact";
import { z } from "zod";
import type { Actor } from "../../core/accounts.js";
import { HubError } from "../../core/errors.js";
import { actorOf, checkSameOrigin, sessionCookie } from "../http/context.js";
import { queryInt, queryOne, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { html, signedIn as signedInOr } from "./reply.js";
import { AdminUsersPage, MembersPage, NewOrgPage, ProfilePage } from "./people-pages.js";

const text = z.string().max(4096);
const USERS_PAGE = 50;

/** Registers the people pages. */
export function registerPeoplePages(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const signedIn = (req: FastifyRequest, reply: FastifyReply) => signedInOr(svc, req, reply);
  /** Runs a form's change; a refused one re-renders the page with its message and status. */
  const attempt = async (reply: FastifyReply, change: () => Promise<string>, again: (error: string) => VNode | Promise<VNode>) => {
    try {
      return reply.redirect(await change(), 303);
    } catch (e) {
      if (!(e instanceof HubError) || e.status >= 500) throw e;
      if (e.kind === "TooManyRequests") reply.header("Retry-After", String(e.extra.retryAfter ?? 1));
      return html(reply, await again(e.message), e.status);
    }
  };

  app.get("/settings/profile", { schema: { querystring: z.object({ saved: queryOne }) } }, async (req, reply) => {
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    const notice = req.query.saved === "profile" ? "Profile saved." : req.query.saved === "password" ? "Password changed; your other sessions have ended." : null;
    return html(reply, <ProfilePage actor={actor} notice={notice} error={null} />);
  });
  app.post("/settings/profile", { schema: { body: z.object({ fullname: text, email: text.default("") }) } }, async (req, reply) => {
    checkSameOrigin(svc, req);
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    return attempt(reply, async () => (await svc.sessions.updateProfile(actor, req.body), "/settings/profile?saved=profile"), (error) => <ProfilePage actor={actor} notice={null} error={error} />);
  });
  app.post("/settings/password", { schema: { body: z.object({ currentPassword: text, newPassword: text }) } }, async (req, reply) => {
    checkSameOrigin(svc, req);
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    return attempt(reply, async () => (await svc.sessions.changePassword(actor, req.body, req.ip, sessionCookie(req)), "/settings/profile?saved=password"), (error) => <ProfilePage actor={actor} notice={null} error={error} />);
  });

  app.get("/organizations/new", async (req, reply) => {
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    return html(reply, <NewOrgPage actor={actor} error={null} name="" fullname="" />);
  });
  app.post("/organizations/new", { schema: { body: z.object({ name: text, fullname: text.default("") }) } }, async (req, reply) => {
    checkSameOrigin(svc, req);
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    const b = req.body;
    return attempt(reply, async () => `/${(await svc.orgs.create(actor, { name: b.name.trim(), fullname: b.fullname.trim() || undefined })).name}`, (error) => <NewOrgPage actor={actor} error={error} name={b.name} fullname={b.fullname} />);
  });

  const orgParams = z.object({ org: z.string().max(96) });
  const members = async (actor: Actor, org: string) => {
    const list = await svc.orgs.members(actor, org);
    const mine = actor ? list.find((m) => m.user === actor.user.name) : undefined;
    const canManage = !!actor && (actor.user.isAdmin || (mine as { role?: string } | undefined)?.role === "admin");
    return { list, canManage };
  };
  app.get("/organizations/:org/settings/members", { schema: { params: orgParams } }, async (req, reply) => {
    const actor = await actorOf(svc, req);
    const m = await members(actor, req.params.org);
    return html(reply, <MembersPage actor={actor} org={req.params.org} members={m.list} canManage={m.canManage} error={null} />);
  });
  const memberForm = (path: string, body: z.ZodType<{ user: string; role?: string }>, change: (actor: NonNullable<Actor>, org: string, b: { user: string; role?: string }) => Promise<unknown>) =>
    app.post(`/organizations/:org/settings/members${path}`, { schema: { params: orgParams, body } }, async (req, reply) => {
      checkSameOrigin(svc, req);
      const actor = await signedIn(req, reply);
      if (!actor) return reply;
      const org = req.params.org;
      const back = `/organizations/${encodeURIComponent(org)}/settings/members`;
      try {
        await change(actor, org, req.body as { user: string; role?: string });
        return reply.redirect(back, 303);
      } catch (e) {
        if (!(e instanceof HubError) || e.status >= 500) throw e;
        const m = await members(actor, org);
        return html(reply, <MembersPage actor={actor} org={org} members={m.list} canManage={m.canManage} error={e.message} />, e.status);
      }
    });
  memberForm("", z.object({ user: z.string().max(96), role: z.string().max(20) }), (actor, org, b) => svc.orgs.setMember(actor, org, b.user.trim(), b.role ?? "read"));
  memberForm("/remove", z.object({ user: z.string().max(96) }), (actor, org, b) => svc.orgs.removeMember(actor, org, b.user));

  // Site administration: users (the same use cases as /api/admin/users).
  const adminPage = async (actor: NonNullable<Actor>, search: string, page: number, error: string | null) => {
    const users = await svc.accounts.adminListUsers(actor, { search: search || undefined, limit: USERS_PAGE + 1, offset: page * USERS_PAGE });
    const next = users.length > USERS_PAGE ? `/settings/admin/users?${new URLSearchParams({ ...(search ? { search } : {}), p: String(page + 1) })}` : null;
    return <AdminUsersPage actor={actor} users={users.slice(0, USERS_PAGE)} search={search} next={next} error={error} />;
  };
  app.get("/settings/admin/users", { schema: { querystring: z.object({ search: queryOne, p: queryInt }) } }, async (req, reply) => {
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    return html(reply, await adminPage(actor, req.query.search ?? "", req.query.p ?? 0, null));
  });
  app.post("/settings/admin/users", { schema: { body: z.object({ username: text, email: text.default(""), password: text }) } }, async (req, reply) => {
    checkSameOrigin(svc, req);
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    const b = req.body;
    return attempt(reply, async () => (await svc.accounts.adminCreateUser(actor, { username: b.username.trim(), email: b.email.trim() || null, password: b.password }), "/settings/admin/users"), (error) => adminPage(actor, "", 0, error));
  });
  app.post("/settings/admin/users/disable", { schema: { body: z.object({ user: z.string().max(96), disabled: z.enum(["true", "false"]) }) } }, async (req, reply) => {
    checkSameOrigin(svc, req);
    const actor = await signedIn(req, reply);
    if (!actor) return reply;
    await svc.accounts.setDisabled(actor, req.body.user, req.body.disabled === "true");
    return reply.redirect("/settings/admin/users", 303);
  });
}
