/**
 * Create-repo pages and the repo settings page: forms posting back with the same-site check,
 * redirecting (303) after a change, re-rendering with the error text otherwise. Same use cases and
 * the same `authorize()` as the API (settings need admin on the repo).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { errors, HubError } from "../../core/errors.js";
import { parseRepoName, parseRevision, type RepoType } from "../../core/ids.js";
import type { RepoRecord } from "../../core/ports.js";
import { actorOf, checkSameOrigin } from "../http/context.js";
import { repoParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { repoPath } from "./pages.js";
import { html, signedIn as signedInOr } from "./reply.js";
import { NewRepoPage, SettingsPage } from "./repo-forms.js";

const NEW: { path: string; type: RepoType }[] = [
  { path: "/new", type: "model" },
  { path: "/new-dataset", type: "dataset" },
  { path: "/new-space", type: "space" },
];
const PREFIX: Record<RepoType, string> = { model: "", dataset: "/datasets", space: "/spaces" };

/** Registers the forms. */
export function registerRepoForms(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const signedIn = (req: FastifyRequest, reply: FastifyReply) => signedInOr(svc, req, reply);

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
    type Opened = { actor: NonNullable<Awaited<ReturnType<typeof actorOf>>>; repo: RepoRecord };
    /** The settings page of a repo, with a notice or an error (then with the error's status). */
    const page = async (reply: FastifyReply, o: Opened, error: string | null = null, status = 200) => {
      const requests = o.repo.gated ? (await Promise.all((["pending", "accepted", "rejected"] as const).map((st) => svc.gate.list(o.actor, o.repo, st)))).flat() : [];
      const { branches, tags } = await svc.reads.refs(o.repo);
      return html(reply, <SettingsPage actor={o.actor} repo={o.repo} notice={null} error={error} requests={requests} branches={[...branches.keys()]} tags={[...tags.keys()]} />, status);
    };
    /** A settings form: same-site, admin, then the change; a refused change re-renders with its error. */
    const form = <B,>(path: string, body: z.ZodType<B>, change: (o: Opened, b: B) => Promise<string | void>) =>
      app.post(`${base}/${path}`, { schema: { params: repoParams, body } }, async (req, reply) => {
        checkSameOrigin(svc, req);
        const o = await open(req, reply);
        if (!o) return reply;
        try {
          const to = await change(o, req.body as B);
          return reply.redirect(to ?? `${repoPath(o.repo)}/settings`, 303);
        } catch (e) {
          if (!(e instanceof HubError) || e.status >= 500) throw e;
          return page(reply, o, e.message, e.status);
        }
      });
    const id = (o: Opened) => `${o.repo.namespace}/${o.repo.name}`;
    const name = z.object({ name: z.string().min(1).max(256) });
    const nameFrom = name.extend({ from: z.string().min(1).max(256) });
    form("grant", z.object({ user: z.string().min(1).max(100) }), async (o, b) => void (await svc.gate.grant(o.actor, o.repo, b.user.trim())));
    form("branches", nameFrom, async (o, b) => svc.commits.createBranch(o.actor, o.repo, parseRevision(b.name.trim()), { startingPoint: b.from.trim() }));
    form("branches/delete", name, async (o, b) => {
      if (b.name === o.repo.defaultBranch) throw errors.badRequest("The default branch cannot be deleted");
      await svc.commits.deleteBranch(o.repo, b.name);
    });
    form("tags", nameFrom, async (o, b) => svc.commits.createTag(o.repo, parseRevision(b.from.trim()), b.name.trim()));
    form("tags/delete", name, async (o, b) => svc.commits.deleteTag(o.repo, b.name));
    form("community", z.object({ disabled: z.enum(["true", "false"]) }), async (o, b) => void (await svc.repos.updateSettings(o.actor, type, id(o), { discussionsDisabled: b.disabled === "true" })));
    form("lfs", z.object({ threshold: z.string().max(20).default(""), suffixes: z.string().max(10_000).default("") }), async (o, b) => {
      const t = b.threshold.trim();
      if (t !== "" && !/^\d+$/.test(t)) throw errors.badRequest("The threshold is a number of bytes");
      const suffixes = b.suffixes.split(/\r?\n/).map((x) => x.trim()).filter(Boolean);
      await svc.repos.updateSettings(o.actor, type, id(o), { lfsThreshold: t === "" ? null : Number(t), lfsSuffixRules: suffixes.length ? suffixes : null });
    });
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
        return page(reply, o, e.message, e.status);
      }
    });
    app.get(base, { schema: { params: repoParams } }, async (req, reply) => {
      const o = await open(req, reply);
      if (!o) return reply;
      return page(reply, o);
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
      if (req.body.confirm !== id) return page(reply, o, `Type ${id} exactly to delete it.`, 400);
      await svc.repos.delete(o.actor, type, id);
      return reply.redirect(`/${o.repo.namespace}`, 303);
    });
  }
}
