/** HF API: tree, paths-info, refs, commit history, branches, tags, super-squash. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { errors } from "../../core/errors.js";
import { parseRepoPath, repoTypeFromPlural } from "../../core/ids.js";
import type { CommitObject } from "../../core/ports.js";
import type { Entry } from "../../core/reads.js";
import { actorOf, baseUrl, flag, many, rawTail, repoIdOf, revAndPath } from "../http/context.js";
import type { Services } from "../http/services.js";

const PLURALS = ["models", "datasets", "spaces"] as const;
type Body = Record<string, unknown>;

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

/** Offset from an opaque cursor. */
function cursorOf(q: Record<string, unknown>): number {
  const raw = many(q.cursor)[0];
  if (!raw) return 0;
  const n = Number.parseInt(Buffer.from(raw, "base64url").toString(), 10);
  if (!Number.isSafeInteger(n) || n < 0) throw errors.badRequest("Invalid cursor");
  return n;
}

function nextLink(svc: Services, req: FastifyRequest, param: string, value: string): string {
  const base = baseUrl(svc, req);
  const url = new URL(req.url, base + "/");
  url.searchParams.set(param, value);
  return `<${base}${url.pathname}${url.search}>; rel="next"`;
}

/** Registers read routes over content and the ref-writing routes. */
export function registerContentRoutes(app: FastifyInstance, svc: Services): void {
  for (const plural of PLURALS) {
    const type = repoTypeFromPlural(plural);
    const open = async (req: FastifyRequest, action: "read" | "write") => {
      const actor = await actorOf(svc, req);
      const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params), action);
      return { actor, repo };
    };

    app.get(`/api/${plural}/:ns/:name/tree/*`, async (req, reply) => {
      const { repo } = await open(req, "read");
      const { rev, path } = revAndPath(rawTail(req, 5));
      const q = req.query as Record<string, unknown>;
      const expand = flag(q.expand);
      const limit = Math.min(Number(many(q.limit)[0]) || (expand ? 50 : 1000), expand ? 1000 : 10000);
      const page = await svc.reads.tree(repo, rev, path, { recursive: flag(q.recursive), expand, offset: cursorOf(q), limit });
      if (page.next !== null) reply.header("Link", nextLink(svc, req, "cursor", Buffer.from(String(page.next)).toString("base64url")));
      return page.entries.map(treeItem);
    });

    app.post(`/api/${plural}/:ns/:name/paths-info/*`, async (req) => {
      const { repo } = await open(req, "read");
      const { rev } = revAndPath(rawTail(req, 5));
      const b = (req.body ?? {}) as Body;
      const paths = many(b.paths);
      if (paths.length > 1000) throw errors.badRequest("At most 1000 paths per request");
      const expand = b.expand === true || flag(b.expand);
      return (await svc.reads.pathsInfo(repo, rev, paths.map((p) => parseRepoPath(p.replace(/\/+$/, ""))), expand)).map(treeItem);
    });

    app.get(`/api/${plural}/:ns/:name/refs`, async (req) => {
      const { repo } = await open(req, "read");
      const { branches, tags } = await svc.reads.refs(repo);
      const view = (prefix: string, m: Map<string, string>) => [...m].map(([name, targetCommit]) => ({ name, ref: `${prefix}${name}`, targetCommit }));
      const q = req.query as Record<string, unknown>;
      return { branches: view("refs/heads/", branches), converts: [], tags: view("refs/tags/", tags), ...(flag(q.include_prs) ? { pullRequests: [] } : {}) };
    });

    app.get(`/api/${plural}/:ns/:name/commits/*`, async (req, reply) => {
      const { repo } = await open(req, "read");
      const { rev } = revAndPath(rawTail(req, 5));
      const q = req.query as Record<string, unknown>;
      const limit = Math.min(Math.max(Number(many(q.limit)[0]) || 50, 1), 1000);
      const page = Math.max(0, Number(many(q.p)[0]) || 0);
      const { total, commits } = await svc.reads.history(repo, rev, { offset: page * limit, limit });
      reply.header("X-Total-Count", String(total));
      if ((page + 1) * limit < total) reply.header("Link", nextLink(svc, req, "p", String(page + 1)));
      const formatted = many(q["expand[]"]).includes("formatted") || many(q.expand).includes("formatted");
      return commits.map((c) => commitView(c, formatted));
    });

    app.post(`/api/${plural}/:ns/:name/branch/*`, async (req) => {
      const { actor, repo } = await open(req, "write");
      const b = (req.body ?? {}) as Body;
      const branch = decodeTail(rawTail(req, 5));
      await svc.commits.createBranch(actor!, repo, branch, {
        startingPoint: typeof b.startingPoint === "string" ? b.startingPoint : undefined,
        emptyBranch: b.emptyBranch === true,
        overwrite: b.overwrite === true,
      });
      return {};
    });

    app.delete(`/api/${plural}/:ns/:name/branch/*`, async (req) => {
      const { repo } = await open(req, "write");
      await svc.commits.deleteBranch(repo, decodeTail(rawTail(req, 5)));
      return {};
    });

    app.post(`/api/${plural}/:ns/:name/tag/*`, async (req) => {
      const { repo } = await open(req, "write");
      const b = (req.body ?? {}) as Body;
      const { rev } = revAndPath(rawTail(req, 5));
      await svc.commits.createTag(repo, rev, String(b.tag ?? ""));
      return {};
    });

    app.delete(`/api/${plural}/:ns/:name/tag/*`, async (req) => {
      const { repo } = await open(req, "write");
      await svc.commits.deleteTag(repo, decodeTail(rawTail(req, 5)));
      return {};
    });

    app.post(`/api/${plural}/:ns/:name/super-squash/*`, async (req) => {
      const { actor, repo } = await open(req, "write");
      const b = (req.body ?? {}) as Body;
      const branch = decodeTail(rawTail(req, 5));
      const message = typeof b.message === "string" && b.message ? b.message : `Super-squash branch '${branch}'`;
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
