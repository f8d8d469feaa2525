/**
 * Create-repo pages and the repo settings page: forms posting back with the same-site check,
 * redirecting (303) after a change, re-rendering with the error text otherwise. Same use cases and
 * the same `authorize()` as the API (settings need admin on the repo).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { z } from "zod";
import { HubError } from "../../core/errors.js";
import { parseRepoName, type RepoType } from "../../core/ids.js";
import type { RepoRecord } from "../../core/ports.js";
import { actorOf, checkSameOrigin } from "../http/context.js";
import { repoParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { repoPath } from "./pages.js";
import { NewRepoPage, SettingsPage } from "./repo-forms.js";

const html = (reply: FastifyReply, node: VNode, status = 200) => reply.status(status).type("text/html; charset=utf-8").send("<!doctype html>" + renderToString(node));
const NEW: { path: string; type: RepoType }[] = [
  { path: "/new", type: "model" },
  { path: "/new-dataset", type: "dataset" },
  { path: "/new-space", type: "space" },
];
const PREFIX: Record<RepoType, string> = { model: "", dataset: "/datasets", space: "/spaces" };

/** Registers the forms. */
export function registerRepoForms(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const signedIn = async (req: FastifyRequest, reply: FastifyReply) => {
    const actor = await actorOf(svc, req);
    if (!actor) void reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
    return actor;
  };

  for (const { path, type } of NEW) {
    app.get(path, async (req, reply) => {
      const actor = await signedIn(req, reply);
      if (!actor) return reply;
      return html(reply, <NewRepoPage actor={actor} type={type} owners={await svc.orgs.writableNamespaces(actor)} error={null} name="" />);
    });
    app.post(path, { schema: { body: z.object({ owner: z.string(), name: z.string(), visibility: z.enum(["public", "private"]).default("public"), sdk: z.string().optional() }) } }, async (req, reply) => {
      checkSameOrigin(svc, req);
      const actor = await signedIn(req, reply);
      if (!actor) return reply;
      const b = req.body;
      try {
        const repo = await svc.repos.create(actor, { type, name: b.name, organization: b.owner, private: b.visibility === "private", sdk: type === "space" ? (b.sdk ?? "static") : null, license: null, files: [] });
        return reply.redirect(repoPath(repo), 303);
      } catch (e) {
        if (!(e instanceof HubError) || e.status >= 500) throw e;
        return html(reply, <NewRepoPage actor={actor} type={type} owners={await svc.orgs.writableNamespaces(actor)} error={e.message} name={b.name} />, e.status);
      }
    });
  }

  for (const type of ["model", "dataset", "space"] as const) {
    const base = `${PREFIX[type]}/:ns/:name/settings`;
    const open = async (req: FastifyRequest, reply: FastifyReply) => {
      const actor = await signedIn(req, reply);
      if (!actor) return null;
      const { repo } = await svc.repos.get(actor, type, `${(req.params as { ns: string }).ns}/${(req.params as { name: string }).name}`, "admin");
      return { actor, repo };
    };
    const pendingOf = (o: { actor: NonNullable<Awaited<ReturnType<typeof actorOf>>>; repo: RepoRecord }) => (o.repo.gated ? svc.gate.list(o.actor, o.repo, "pending") : Promise.resolve([]));
    app.post(`${base}/gated`, { schema: { params: repoParams, body: z.object({ gated: z.enum(["off", "auto", "manual"]) }) } }, async (req, reply) => {
      checkSameOrigin(svc, req);
      const o = await open(req, reply);
      if (!o) return reply;
      await svc.repos.updateSettings(o.actor, type, `${o.repo.namespace}/${o.repo.name}`, { gated: req.body.gated === "off" ? false : req.body.gated });
      return reply.redirect(`${repoPath(o.repo)}/settings`, 303);
    });
    app.post(`${base}/requests`, { schema: { params: repoParams, body: z.object({ user: z.string(), status: z.enum(["accepted", "rejected"]) }) } }, async (req, reply) => {
      checkSameOrigin(svc, req);
      const o = await open(req, reply);
      if (!o) return reply;
      await svc.gate.handle(o.actor, o.repo, { user: req.body.user, status: req.body.status });
      return reply.redirect(`${repoPath(o.repo)}/settings`, 303);
    });
    app.post(`${base}/move`, { schema: { params: repoParams, body: z.object({ to: z.string() }) } }, async (req, reply) => {
      checkSameOrigin(svc, req);
      const o = await open(req, reply);
      if (!o) return reply;
      try {
        const moved = await svc.repos.move(o.actor, type, `${o.repo.namespace}/${o.repo.name}`, parseRepoName(req.body.to));
        return reply.redirect(repoPath(moved), 303);
      } catch (e) {
        if (!(e instanceof HubError) || e.status >= 500) throw e;
        return html(reply, <SettingsPage actor={o.actor} repo={o.repo} notice={null} error={e.message} pending={await pendingOf(o)} />, e.status);
      }
    });
    app.get(base, { schema: { params: repoParams } }, async (req, reply) => {
      const o = await open(req, reply);
      if (!o) return reply;
      return html(reply, <SettingsPage actor={o.actor} repo={o.repo} notice={null} error={null} pending={await pendingOf(o)} />);
    });
    app.post(`${base}/visibility`, { schema: { params: repoParams, body: z.object({ private: z.enum(["true", "false"]) }) } }, async (req, reply) => {
      checkSameOrigin(svc, req);
      const o = await open(req, reply);
      if (!o) return reply;
      await svc.repos.updateSettings(o.actor, type, `${o.repo.namespace}/${o.repo.name}`, { private: req.body.private === "true" });
      return reply.redirect(`${repoPath(o.repo)}/settings`, 303);
    });
    app.post(`${base}/delete`, { schema: { params: repoParams, body: z.object({ confirm: z.string() }) } }, async (req, reply) => {
      checkSameOrigin(svc, req);
      const o = await open(req, reply);
      if (!o) return reply;
      const id = `${o.repo.namespace}/${o.repo.name}`;
      if (req.body.confirm !== id) return html(reply, <SettingsPage actor={o.actor} repo={o.repo} notice={null} error={`Type ${id} exactly to delete it.`} pending={await pendingOf(o)} />, 400);
      await svc.repos.delete(o.actor, type, id);
      return reply.redirect(`/${o.repo.namespace}`, 303);
    });
  }
}
