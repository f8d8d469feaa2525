/** HF API: tree, paths-info, refs, commit history, branches, tags, super-squash. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { describe, resolveRevision, type PathInfo } from "../../core/content.js";
import { errors } from "../../core/errors.js";
import { parseRepoPath, repoTypeFromPlural, type CommitOid } from "../../core/ids.js";
import type { CommitObject, GitRepo } from "../../core/ports.js";
import { actorOf, baseUrl, flag, many, rawTail, repoIdOf, revAndPath } from "../http/context.js";
import type { Services } from "../http/services.js";

const PLURALS = ["models", "datasets", "spaces"] as const;
type Body = Record<string, unknown>;

/** Tree/paths-info item in the Hub's shape, optionally with its last commit. */
async function treeItem(git: GitRepo, commit: CommitOid, info: PathInfo, expand: boolean) {
  const item: Record<string, unknown> = { type: info.type, oid: info.oid, size: info.size, path: info.path };
  if (info.lfs) item.lfs = info.lfs;
  if (expand) {
    const c = await git.lastCommitTouching(commit, info.path);
    if (c) item.lastCommit = { id: c.oid, title: c.title, date: new Date(c.date * 1000).toISOString() };
  }
  return item;
}

/** Adds `xetHash` to LFS items that are Xet files of the repo (clients then download through Xet). */
async function addXetHashes(svc: Services, repoId: number, items: Record<string, unknown>[]) {
  const oids = items.map((i) => (i.lfs as { oid?: string } | undefined)?.oid).filter((o): o is string => typeof o === "string");
  if (oids.length === 0) return items;
  const map = await svc.xet.filesForOids(repoId, oids);
  for (const i of items) {
    const h = map.get((i.lfs as { oid?: string } | undefined)?.oid ?? "");
    if (h) i.xetHash = h;
  }
  return items;
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
      return { actor, repo, git: svc.commits.git(repo) };
    };

    app.get(`/api/${plural}/:ns/:name/tree/*`, async (req, reply) => {
      const { repo, git } = await open(req, "read");
      const { rev, path } = revAndPath(rawTail(req, 5));
      const commit = await resolveRevision(git, repo, rev);
      const q = req.query as Record<string, unknown>;
      const recursive = flag(q.recursive);
      const expand = flag(q.expand);
      const entries = await git.listTree(commit, path, recursive);
      if (entries === null) throw errors.entryNotFound(path);
      const pageSize = Math.min(Number(many(q.limit)[0]) || (expand ? 50 : 1000), expand ? 1000 : 10000);
      const offset = cursorOf(q);
      const page = entries.slice(offset, offset + pageSize);
      const items = [];
      for (const e of page) items.push(await treeItem(git, commit, await describe(git, e), expand));
      if (offset + pageSize < entries.length) reply.header("Link", nextLink(svc, req, "cursor", Buffer.from(String(offset + pageSize)).toString("base64url")));
      return addXetHashes(svc, repo.id, items);
    });

    app.post(`/api/${plural}/:ns/:name/paths-info/*`, async (req) => {
      const { repo, git } = await open(req, "read");
      const { rev } = revAndPath(rawTail(req, 5));
      const commit = await resolveRevision(git, repo, rev);
      const b = (req.body ?? {}) as Body;
      const paths = many(b.paths);
      if (paths.length > 1000) throw errors.badRequest("At most 1000 paths per request");
      const expand = b.expand === true || flag(b.expand);
      const out = [];
      for (const p of paths) {
        const path = parseRepoPath(p.replace(/\/+$/, ""));
        const e = await git.stat(commit, path);
        if (e) out.push(await treeItem(git, commit, await describe(git, e), expand));
      }
      return addXetHashes(svc, repo.id, out);
    });

    app.get(`/api/${plural}/:ns/:name/refs`, async (req) => {
      const { git } = await open(req, "read");
      const { branches, tags } = await git.listRefs();
      const view = (prefix: string, m: Map<string, string>) => [...m].map(([name, targetCommit]) => ({ name, ref: `${prefix}${name}`, targetCommit }));
      const q = req.query as Record<string, unknown>;
      return { branches: view("refs/heads/", branches), converts: [], tags: view("refs/tags/", tags), ...(flag(q.include_prs) ? { pullRequests: [] } : {}) };
    });

    app.get(`/api/${plural}/:ns/:name/commits/*`, async (req, reply) => {
      const { repo, git } = await open(req, "read");
      const { rev } = revAndPath(rawTail(req, 5));
      const commit = await resolveRevision(git, repo, rev);
      const q = req.query as Record<string, unknown>;
      const limit = Math.min(Math.max(Number(many(q.limit)[0]) || 50, 1), 1000);
      const page = Math.max(0, Number(many(q.p)[0]) || 0);
      const total = await git.countCommits(commit);
      const commits = await git.log(commit, page * limit, limit);
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
