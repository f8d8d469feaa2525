/**
 * The Community tab's routes: `/{repo}/discussions` (list and the new-discussion form),
 * `/{repo}/discussions/{num}` (a thread) and `/files` (a PR's changes), and the forms posting
 * back (comment, merge, close/reopen) with the same-site check and the same use cases as the API;
 * and the collection pages (`/collections/{owner}`, `/collections/{owner}/{slug}`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Actor } from "../../core/accounts.js";
import { DISCUSSION_PAGE } from "../../core/discussions.js";
import { HubError } from "../../core/errors.js";
import type { RepoType } from "../../core/ids.js";
import type { RepoRecord } from "../../core/ports.js";
import { actorOf, checkSameOrigin, repoIdOf } from "../http/context.js";
import { queryInt, queryOne, repoParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { CommunityPage, ThreadPage } from "./community-pages.js";
import { CollectionListPage, CollectionPage } from "./collection-pages.js";
import { renderMarkdown } from "./markdown.js";
import { patchRows, repoPath } from "./pages.js";
import { html, signedIn } from "./reply.js";

const PREFIX: Record<RepoType, string> = { model: "", dataset: "/datasets", space: "/spaces" };
const numParams = repoParams.extend({ num: z.coerce.number().int().positive() });

export function registerCommunityRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();

  // Collections: an owner's list, and one collection (the Hub's /collections/{slug}).
  app.get("/collections/:owner", { schema: { params: z.object({ owner: z.string() }) } }, async (req, reply) => {
    const actor = await actorOf(svc, req);
    const owner = await svc.collections.owner(req.params.owner);
    const views = await svc.collections.list(actor, { owner: owner.name, limit: 100, offset: 0 });
    return html(reply, <CollectionListPage actor={actor} owner={owner} views={views} />);
  });
  app.get("/collections/:owner/:slug", { schema: { params: z.object({ owner: z.string(), slug: z.string() }) } }, async (req, reply) => {
    const actor = await actorOf(svc, req);
    const view = await svc.collections.get(actor, `${req.params.owner}/${req.params.slug}`);
    return html(reply, <CollectionPage actor={actor} view={view} noteHtml={(t) => renderMarkdown(t, { repoPath: "", rev: "main", folder: "" })} />);
  });
  for (const type of ["model", "dataset", "space"] as const) {
    const base = `${PREFIX[type]}/:ns/:name/discussions`;

    const list = async (req: FastifyRequest, reply: FastifyReply, q: { status?: string; p?: number }, form: { error: string | null; title: string; description: string }, code = 200) => {
      const actor = await actorOf(svc, req);
      const status = q.status === "closed" || q.status === "all" ? q.status : "open";
      const page = q.p ?? 0;
      const r = await svc.discussions.list(actor, type, repoIdOf(req.params), { status, page });
      const canOpen = !r.repo.discussionsDisabled && (await svc.access.allowed(actor, "discuss", r.repo));
      return html(reply, <CommunityPage actor={actor} repo={r.repo} status={status} items={r.items} total={r.total} page={page} pageSize={DISCUSSION_PAGE} canOpen={canOpen} {...form} />, code);
    };

    // The repo page's Like button (same rule as the API's like/unlike).
    app.post(`${PREFIX[type]}/:ns/:name/like`, { schema: { params: repoParams, body: z.object({ on: z.enum(["true", "false"]) }) } }, async (req, reply) => {
      checkSameOrigin(svc, req);
      const actor = await signedIn(svc, req, reply);
      if (!actor) return reply;
      await svc.likes.set(actor, type, repoIdOf(req.params), req.body.on === "true");
      const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params));
      return reply.redirect(repoPath(repo), 303);
    });

    app.get(base, { schema: { params: repoParams, querystring: z.object({ status: queryOne, p: queryInt }) } }, async (req, reply) => list(req, reply, req.query, { error: null, title: "", description: "" }));

    app.post(`${base}/new`, { schema: { params: repoParams, body: z.object({ title: z.string().max(1000), description: z.string().max(65536) }) } }, async (req, reply) => {
      checkSameOrigin(svc, req);
      const actor = await signedIn(svc, req, reply);
      if (!actor) return reply;
      try {
        const t = await svc.discussions.create(actor, type, repoIdOf(req.params), { title: req.body.title, description: req.body.description.replace(/\r\n/g, "\n"), pullRequest: false });
        const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params));
        return reply.redirect(`${repoPath(repo)}/discussions/${t.num}`, 303);
      } catch (e) {
        if (!(e instanceof HubError) || e.status >= 500 || e.kind === "RepoNotFound") throw e;
        return list(req, reply, {}, { error: e.message, title: req.body.title, description: req.body.description }, e.status);
      }
    });

    const thread = async (req: FastifyRequest, reply: FastifyReply, num: number, tab: "conversation" | "files", error: string | null = null, code = 200) => {
      const actor = await actorOf(svc, req);
      const v = await svc.discussions.details(actor, type, repoIdOf(req.params), num, tab === "files");
      // A PR's changes are content: a gated repo shows them to those who may download it.
      if (tab === "files") await svc.access.authorize(actor, "download", v.repo);
      const mayWrite = await svc.access.allowed(actor, "write", v.repo);
      const base = { repoPath: repoPath(v.repo), rev: v.repo.defaultBranch, folder: "" };
      return html(
        reply,
        <ThreadPage
          actor={actor}
          v={v}
          tab={tab}
          patchRows={v.diff ? patchRows(v.diff) : ""}
          canComment={await svc.access.allowed(actor, "discuss", v.repo)}
          canMerge={mayWrite}
          canChangeStatus={!!actor && (mayWrite || v.thread.author?.id === actor.user.id)}
          error={error}
          html={(raw) => renderMarkdown(raw, base)}
        />,
        code,
      );
    };

    app.get(`${base}/:num`, { schema: { params: numParams } }, async (req, reply) => thread(req, reply, req.params.num, "conversation"));
    app.get(`${base}/:num/files`, { schema: { params: numParams } }, async (req, reply) => thread(req, reply, req.params.num, "files"));

    /** A form that changes a thread: on a refusal the thread is shown again with the reason. */
    const change = (fn: (actor: NonNullable<Actor>, id: string, num: number, body: Record<string, string>) => Promise<unknown>) =>
      async (req: FastifyRequest, reply: FastifyReply) => {
        checkSameOrigin(svc, req);
        const actor = await signedIn(svc, req, reply);
        if (!actor) return reply;
        const num = (req.params as { num: number }).num;
        try {
          await fn(actor, repoIdOf(req.params), num, (req.body as Record<string, string> | undefined) ?? {});
        } catch (e) {
          if (!(e instanceof HubError) || e.status >= 500 || e.kind === "RepoNotFound") throw e;
          return thread(req, reply, num, "conversation", e.message, e.status);
        }
        const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params)).catch(() => ({ repo: null as RepoRecord | null }));
        return reply.redirect(`${repo ? repoPath(repo) : ""}/discussions/${num}`, 303);
      };
    const body = z.record(z.string(), z.string().max(65536));
    app.post(`${base}/:num/comment`, { schema: { params: numParams, body } }, change((a, id, num, b) => svc.discussions.comment(a, type, id, num, (b.comment ?? "").replace(/\r\n/g, "\n"))));
    app.post(`${base}/:num/merge`, { schema: { params: numParams, body: body.optional() } }, change((a, id, num) => svc.discussions.merge(a, type, id, num)));
    app.post(`${base}/:num/status`, { schema: { params: numParams, body } }, change((a, id, num, b) => svc.discussions.setStatus(a, type, id, num, b.status)));
  }
}
