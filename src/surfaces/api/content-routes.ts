/** HF API: tree, paths-info, refs, commit history, branches, tags, super-squash. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { errors } from "../../core/errors.js";
import { parseRepoPath, repoTypeFromPlural } from "../../core/ids.js";
import type { CommitObject } from "../../core/ports.js";
import type { Entry } from "../../core/reads.js";
import { z } from "zod";
import { actorOf, baseUrl, rawTail, repoIdOf, revAndPath } from "../http/context.js";
import { queryFlag, queryInt, queryMany, queryOne, repoParams, repoTailParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";

const PLURALS = ["models", "datasets", "spaces"] as const;

/** Tree/paths-info item in the Hub's shape. */
function treeItem(e: Entry) {
  return {
    type: e.type,
    oid: e.oid,
    size: e.size,
    path: e.path,
    ...(e.lfs ? { lfs: e.lfs } : {}),
    ...(e.xetHash ? { xetHash: e.xetHash } : {}),
    ...(e.lastCommit ? { lastCommit: { id: e.lastCommit.oid, title: e.lastCommit.title, date: new Date(e.lastCommit.date * 1000).toISOString() } } : {}),
  };
}

function commitView(c: CommitObject, formatted: boolean) {
  const body = c.message.split("\n").slice(1).join("\n").replace(/^\n+/, "");
  return {
    id: c.oid,
    authors: [{ user: c.authorName, avatar: "" }],
    date: new Date(c.date * 1000).toISOString(),
    title: c.title,
    message: body,
    ...(formatted ? { formatted: { title: escapeHtml(c.title), message: escapeHtml(body) } } : {}),
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An opaque cursor (base64url of an offset). */
const cursor = queryOne.transform((raw, ctx) => {
  if (!raw) return 0;
  const n = Number.parseInt(Buffer.from(raw, "base64url").toString(), 10);
  if (!Number.isSafeInteger(n) || n < 0) {
    ctx.addIssue({ code: "custom", message: "Invalid cursor" });
    return z.NEVER;
  }
  return n;
});

const treeQuery = z.object({ recursive: queryFlag, expand: queryFlag, limit: queryInt, cursor });
/** paths-info: JSON (huggingface.js) or a form (huggingface_hub), `paths` once or repeated. */
const pathsInfoBody = z
  .object({ paths: z.union([z.string(), z.array(z.string())]).optional(), expand: z.union([z.boolean(), z.string(), z.array(z.string())]).optional() })
  .optional()
  .transform((b) => ({
    paths: b?.paths === undefined ? [] : Array.isArray(b.paths) ? b.paths : [b.paths],
    expand: b?.expand === true || (typeof b?.expand === "string" && ["true", "1", "True"].includes(b.expand)) || (Array.isArray(b?.expand) && b.expand[0] === "true"),
  }));
const refsQuery = z.object({ include_prs: queryFlag });
const commitsQuery = z.object({ limit: queryInt, p: queryInt, expand: queryMany, "expand[]": queryMany });
const branchBody = z.object({ startingPoint: z.string().optional(), emptyBranch: z.boolean().optional(), overwrite: z.boolean().optional() }).optional();
const tagBody = z.object({ tag: z.string(), message: z.string().optional() });
const squashBody = z.object({ message: z.string().optional() }).optional();

export function nextLink(svc: Services, req: FastifyRequest, param: string, value: string): string {
  const base = baseUrl(svc, req);
  const url = new URL(req.url, base + "/");
  url.searchParams.set(param, value);
  return `<${base}${url.pathname}${url.search}>; rel="next"`;
}

/** Registers read routes over content and the ref-writing routes. */
export function registerContentRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const params = repoTailParams;
  for (const plural of PLURALS) {
    const type = repoTypeFromPlural(plural);
    const open = async (req: FastifyRequest, action: "read" | "write") => {
      const actor = await actorOf(svc, req);
      const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params), action);
      return { actor, repo };
    };

    app.get(`/api/${plural}/:ns/:name/tree/*`, { schema: { params, querystring: treeQuery } }, async (req, reply) => {
      const { repo } = await open(req, "read");
      const { rev, path } = revAndPath(rawTail(req, 5));
      const { expand, recursive } = req.query;
      const limit = Math.min(req.query.limit || (expand ? 50 : 1000), expand ? 1000 : 10000);
      const page = await svc.reads.tree(repo, rev, path, { recursive, expand, offset: req.query.cursor, limit });
      if (page.next !== null) reply.header("Link", nextLink(svc, req, "cursor", Buffer.from(String(page.next)).toString("base64url")));
      return page.entries.map(treeItem);
    });

    app.post(`/api/${plural}/:ns/:name/paths-info/*`, { schema: { params, body: pathsInfoBody } }, async (req) => {
      const { repo } = await open(req, "read");
      const { rev } = revAndPath(rawTail(req, 5));
      const { paths, expand } = req.body;
      if (paths.length > 1000) throw errors.badRequest("At most 1000 paths per request");
      return (await svc.reads.pathsInfo(repo, rev, paths.map((p) => parseRepoPath(p.replace(/\/+$/, ""))), expand)).map(treeItem);
    });

    app.get(`/api/${plural}/:ns/:name/refs`, { schema: { params: repoParams, querystring: refsQuery } }, async (req) => {
      const { repo } = await open(req, "read");
      const { branches, tags, pulls } = await svc.reads.refs(repo);
      const view = (prefix: string, m: Map<string, string>) => [...m].map(([name, targetCommit]) => ({ name, ref: `${prefix}${name}`, targetCommit }));
      const prs = [...pulls].sort((a, b) => a[0] - b[0]).map(([n, targetCommit]) => ({ name: `refs/pr/${n}`, ref: `refs/pr/${n}`, targetCommit }));
      return { branches: view("refs/heads/", branches), converts: [], tags: view("refs/tags/", tags), ...(req.query.include_prs ? { pullRequests: prs } : {}) };
    });

    app.get(`/api/${plural}/:ns/:name/commits/*`, { schema: { params, querystring: commitsQuery } }, async (req, reply) => {
      const { repo } = await open(req, "read");
      const { rev } = revAndPath(rawTail(req, 5));
      const q = req.query;
      const limit = Math.min(Math.max(q.limit || 50, 1), 1000);
      const page = q.p ?? 0;
      const { total, commits } = await svc.reads.history(repo, rev, { offset: page * limit, limit });
      reply.header("X-Total-Count", String(total));
      if ((page + 1) * limit < total) reply.header("Link", nextLink(svc, req, "p", String(page + 1)));
      const formatted = q["expand[]"].includes("formatted") || q.expand.includes("formatted");
      return commits.map((c) => commitView(c, formatted));
    });

    app.post(`/api/${plural}/:ns/:name/branch/*`, { schema: { params, body: branchBody } }, async (req) => {
      const { actor, repo } = await open(req, "write");
      const b = req.body ?? {};
      const branch = decodeTail(rawTail(req, 5));
      await svc.commits.createBranch(actor!, repo, branch, { startingPoint: b.startingPoint, emptyBranch: b.emptyBranch === true, overwrite: b.overwrite === true });
      return {};
    });

    app.delete(`/api/${plural}/:ns/:name/branch/*`, { schema: { params } }, async (req) => {
      const { repo } = await open(req, "write");
      await svc.commits.deleteBranch(repo, decodeTail(rawTail(req, 5)));
      return {};
    });

    app.post(`/api/${plural}/:ns/:name/tag/*`, { schema: { params, body: tagBody } }, async (req) => {
      const { repo } = await open(req, "write");
      const { rev } = revAndPath(rawTail(req, 5));
      await svc.commits.createTag(repo, rev, req.body.tag);
      return {};
    });

    app.delete(`/api/${plural}/:ns/:name/tag/*`, { schema: { params } }, async (req) => {
      const { repo } = await open(req, "write");
      await svc.commits.deleteTag(repo, decodeTail(rawTail(req, 5)));
      return {};
    });

    app.post(`/api/${plural}/:ns/:name/super-squash/*`, { schema: { params, body: squashBody } }, async (req) => {
      const { actor, repo } = await open(req, "write");
      const branch = decodeTail(rawTail(req, 5));
      const message = req.body?.message || `Super-squash branch '${branch}'`;
      const oid = await svc.commits.superSquash(actor!, repo, branch, message);
      return { commitId: oid };
    });
  }
}

/** A whole URL tail decoded as one name (branch or tag names may contain `/`). */
function decodeTail(segs: string[]): string {
  try {
    const s = segs.map(decodeURIComponent).join("/");
    if (!s) throw errors.badRequest("Missing name");
    return s;
  } catch (e) {
    throw e instanceof URIError ? errors.badRequest("Invalid percent-encoding in URL") : e;
  }
}
