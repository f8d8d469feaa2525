/**
 * Discussions and pull requests, in the shapes huggingface_hub reads (`get_repo_discussions`,
 * `get_discussion_details`, `create_discussion`, `comment_discussion`, `edit_discussion_comment`,
 * `hide_discussion_comment`, `rename_discussion`, `change_discussion_status`, `merge_pull_request`).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { DiscussionEventRecord, DiscussionRecord, RepoRecord, Account } from "../../core/ports.js";
import { urlPrefix, type RepoType } from "../../core/ids.js";
import { fullName } from "../../core/repos.js";
import { actorOf, baseUrl, repoIdOf } from "../http/context.js";
import { queryFlag, queryInt, queryOne, repoParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { renderMarkdown } from "../web/markdown.js";

const TYPES: { seg: string; type: RepoType }[] = [
  { seg: "models", type: "model" },
  { seg: "datasets", type: "dataset" },
  { seg: "spaces", type: "space" },
];

/** A user as the discussion API shows one. */
export function authorView(a: Account | null | undefined): Record<string, unknown> | undefined {
  if (!a) return undefined;
  return { name: a.name, fullname: a.fullname, type: "user", avatarUrl: "", isPro: false, isHf: false, isMod: false };
}

const repoView = (repo: RepoRecord) => ({ name: fullName(repo), type: repo.type });

/** A thread in a listing. */
export function threadView(repo: RepoRecord, t: DiscussionRecord) {
  return { num: t.num, title: t.title, status: t.status, createdAt: t.createdAt, author: authorView(t.author), isPullRequest: t.isPullRequest, numComments: t.numComments, pinned: false, repo: repoView(repo), topReactions: [] };
}

/** One event; comments get their HTML from the one markdown renderer. */
export function eventView(repo: RepoRecord, e: DiscussionEventRecord) {
  let data: Record<string, unknown> = e.data;
  if (e.type === "comment") {
    const base = { repoPath: `/${urlPrefix(repo.type)}${fullName(repo)}`, rev: repo.defaultBranch, folder: "" };
    const version = (v: { raw: string; updatedAt: string; author?: string }) => ({ raw: v.raw, html: renderMarkdown(v.raw, base), updatedAt: v.updatedAt, author: v.author ? { name: v.author } : undefined });
    const d = e.data as { latest: { raw: string; updatedAt: string; author?: string }; history: { raw: string; updatedAt: string; author?: string }[] };
    data = { ...e.data, latest: version(d.latest), history: d.history.map(version) };
  }
  return { id: e.id, type: e.type, createdAt: e.createdAt, author: authorView(e.author), data };
}

const numParams = repoParams.extend({ num: z.coerce.number().int().positive() });
const commentParams = numParams.extend({ commentId: z.string().regex(/^[0-9a-fA-F]{24}$/, "expected a comment id") });
const listQuery = z.object({ p: queryInt, type: queryOne, status: queryOne, author: queryOne });
const createBody = z.object({ title: z.unknown(), description: z.unknown().optional(), pullRequest: z.boolean().optional() });
const optionalComment = z.object({ comment: z.unknown().optional() }).nullish();

export function registerDiscussionRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  for (const { seg, type } of TYPES) {
    const base = `/api/${seg}/:ns/:name/discussions`;

    app.get(base, { schema: { params: repoParams, querystring: listQuery } }, async (req) => {
      const q = req.query;
      const { repo, items, total, start } = await svc.discussions.list(await actorOf(svc, req), type, repoIdOf(req.params), { author: q.author, type: q.type, status: q.status, page: q.p ?? 0 });
      return { discussions: items.map((t) => threadView(repo, t)), count: total, start };
    });

    app.post(base, { schema: { params: repoParams, body: createBody } }, async (req, reply) => {
      const b = req.body;
      const t = await svc.discussions.create(await actorOf(svc, req), type, repoIdOf(req.params), { title: b.title, description: b.description ?? "", pullRequest: b.pullRequest === true });
      const id = repoIdOf(req.params);
      return reply.send({ num: t.num, url: `${baseUrl(svc, req)}/${urlPrefix(type)}${id}/discussions/${t.num}`, ...(t.isPullRequest ? { pullRequest: { ref: `refs/pr/${t.num}` } } : {}) });
    });

    app.get(`${base}/:num`, { schema: { params: numParams, querystring: z.object({ diff: queryFlag }) } }, async (req) => {
      const v = await svc.discussions.details(await actorOf(svc, req), type, repoIdOf(req.params), req.params.num, req.query.diff === true);
      const t = v.thread;
      return {
        ...threadView(v.repo, t),
        events: v.events.map((e) => eventView(v.repo, e)),
        ...(t.isPullRequest ? { changes: { base: t.targetBranch, ...(t.mergeCommit ? { mergeCommitId: t.mergeCommit } : {}) }, filesWithConflicts: v.conflicts } : {}),
        ...(v.diff !== undefined ? { diff: v.diff } : {}),
      };
    });

    app.post(`${base}/:num/comment`, { schema: { params: numParams, body: z.object({ comment: z.unknown() }) } }, async (req) => {
      const c = await svc.discussions.comment(await actorOf(svc, req), type, repoIdOf(req.params), req.params.num, req.body.comment);
      return { newMessage: eventView(c.repo, c.event) };
    });

    app.post(`${base}/:num/comment/:commentId/edit`, { schema: { params: commentParams, body: z.object({ content: z.unknown() }) } }, async (req) => {
      const c = await svc.discussions.editComment(await actorOf(svc, req), type, repoIdOf(req.params), req.params.num, req.params.commentId, req.body.content);
      return { updatedComment: eventView(c.repo, c.event) };
    });

    app.post(`${base}/:num/comment/:commentId/hide`, { schema: { params: commentParams } }, async (req) => {
      const c = await svc.discussions.hideComment(await actorOf(svc, req), type, repoIdOf(req.params), req.params.num, req.params.commentId);
      return { updatedComment: eventView(c.repo, c.event) };
    });

    app.post(`${base}/:num/title`, { schema: { params: numParams, body: z.object({ title: z.unknown() }) } }, async (req) => {
      const c = await svc.discussions.rename(await actorOf(svc, req), type, repoIdOf(req.params), req.params.num, req.body.title);
      return { newTitle: eventView(c.repo, c.event) };
    });

    app.post(`${base}/:num/status`, { schema: { params: numParams, body: z.object({ status: z.unknown(), comment: z.unknown().optional() }) } }, async (req) => {
      const c = await svc.discussions.setStatus(await actorOf(svc, req), type, repoIdOf(req.params), req.params.num, req.body.status, req.body.comment);
      return { newStatus: eventView(c.repo, c.event) };
    });

    app.post(`${base}/:num/merge`, { schema: { params: numParams, body: optionalComment } }, async (req) => {
      const r = await svc.discussions.merge(await actorOf(svc, req), type, repoIdOf(req.params), req.params.num, req.body?.comment);
      return { num: r.thread.num, status: "merged", mergeCommitId: r.mergeCommit };
    });
  }
}

