/** HF API: identity, repo lifecycle, repo info and listings. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { validateCard } from "../../core/card.js";
import { errors } from "../../core/errors.js";
import { parseRepoName, repoTypeFromBody, repoTypeFromPlural, type RepoType } from "../../core/ids.js";
import { DEFAULT_LFS_SUFFIXES, DEFAULT_LFS_THRESHOLD } from "../../core/lfs-rules.js";
import { actorOf, baseUrl, flag, many, rawTail, repoIdOf, revAndPath } from "../http/context.js";
import type { Services } from "../http/services.js";
import { repoInfo, repoSummary, repoUrl, siblings } from "./repo-views.js";

const PLURALS = ["models", "datasets", "spaces"] as const;

type Body = Record<string, unknown>;
const bodyOf = (req: FastifyRequest): Body => (req.body && typeof req.body === "object" ? (req.body as Body) : {});

/** Registers identity, lifecycle, info and listing routes. */
export function registerRepoRoutes(app: FastifyInstance, svc: Services): void {
  app.get("/api/whoami-v2", async (req) => svc.accounts.whoami(await actorOf(svc, req)));

  app.post("/api/repos/create", async (req, reply) => {
    const b = bodyOf(req);
    const type = repoTypeFromBody(b.type);
    if (b.organization !== undefined && b.organization !== null && typeof b.organization !== "string") throw errors.badRequest("'organization' must be a string");
    const files = Array.isArray(b.files) ? b.files : [];
    const decoded = files.map((f: { path?: unknown; content?: unknown; encoding?: unknown }) => {
      if (typeof f?.path !== "string" || typeof f.content !== "string") throw errors.badRequest("Each file needs a path and a content");
      return { path: f.path, content: f.encoding === "base64" ? strictBase64(f.content) : Buffer.from(f.content) };
    });
    const isPrivate = b.private === true || b.visibility === "private" || b.visibility === "protected";
    const repo = await svc.repos.create(await actorOf(svc, req), {
      type,
      name: String(b.name ?? ""),
      organization: (b.organization as string | null | undefined) ?? null,
      private: isPrivate,
      sdk: typeof b.sdk === "string" ? b.sdk : null,
      license: typeof b.license === "string" && /^[\w.+-]{1,64}$/.test(b.license) ? b.license : null,
      files: decoded,
    });
    return reply.status(200).send({ url: repoUrl(baseUrl(svc, req), repo), id: repo.hubId, name: `${repo.namespace}/${repo.name}` });
  });

  app.delete("/api/repos/delete", async (req) => {
    const b = bodyOf(req);
    const type = repoTypeFromBody(b.type);
    const actor = await actorOf(svc, req);
    const namespace = typeof b.organization === "string" && b.organization ? b.organization : actor?.user.name;
    if (!namespace) throw errors.unauthorized("You must be authenticated to delete a repository");
    await svc.repos.delete(actor, type, parseRepoName(`${namespace}/${String(b.name ?? "")}`));
    return {};
  });

  app.post("/api/repos/move", async (req) => {
    const b = bodyOf(req);
    const type = repoTypeFromBody(b.type);
    const from = parseRepoName(b.fromRepo);
    const to = parseRepoName(b.toRepo);
    const repo = await svc.repos.move(await actorOf(svc, req), type, from, to);
    return { url: repoUrl(baseUrl(svc, req), repo) };
  });

  app.post("/api/validate-yaml", async (req, reply) => {
    const b = bodyOf(req);
    const v = typeof b.content === "string" ? validateCard(b.content) : { errors: ["'content' must be a string"], warnings: [] };
    const body = { errors: v.errors.map((message) => ({ message })), warnings: v.warnings.map((message) => ({ message })) };
    return reply.status(v.errors.length ? 400 : 200).send(body);
  });

  for (const plural of PLURALS) {
    const type = repoTypeFromPlural(plural);
    app.get(`/api/${plural}`, (req, reply) => listRepos(svc, type, req, reply));
    app.get(`/api/${plural}/:ns/:name`, (req) => info(svc, type, req, null));
    app.get(`/api/${plural}/:ns/:name/revision/*`, (req) => info(svc, type, req, 5));
    app.put(`/api/${plural}/:ns/:name/settings`, async (req) => {
      const repo = await svc.repos.updateSettings(await actorOf(svc, req), type, repoIdOf(req.params), bodyOf(req));
      return { private: repo.private, gated: repo.gated };
    });
    app.get(`/api/${plural}/:ns/:name/settings/lfs`, async (req) => {
      const { repo } = await svc.repos.get(await actorOf(svc, req), type, repoIdOf(req.params), "write");
      const suffixes = [...new Set([...DEFAULT_LFS_SUFFIXES, ...(repo.lfsSuffixRules ?? [])])];
      return {
        lfs_threshold_bytes: repo.lfsThreshold,
        lfs_keep_versions: repo.lfsKeepVersions,
        lfs_suffix_rules: repo.lfsSuffixRules,
        lfs_threshold_bytes_effective: repo.lfsThreshold ?? DEFAULT_LFS_THRESHOLD,
        lfs_threshold_bytes_source: repo.lfsThreshold === null ? "server_default" : "repository",
        lfs_suffix_rules_effective: suffixes,
        lfs_suffix_rules_source: repo.lfsSuffixRules === null ? "server_default" : "merged",
        server_defaults: { lfs_threshold_bytes: DEFAULT_LFS_THRESHOLD, lfs_suffix_rules_default: DEFAULT_LFS_SUFFIXES },
      };
    });
    // As on the Hub, a gated repo's auth-check answers GatedRepo until access is granted.
    app.get(`/api/${plural}/:ns/:name/auth-check`, async (req) => {
      await svc.repos.get(await actorOf(svc, req), type, repoIdOf(req.params), "download");
      return {};
    });
    app.get(`/api/${plural}/:ns/:name/auth-check/write`, async (req) => {
      await svc.repos.get(await actorOf(svc, req), type, repoIdOf(req.params), "write");
      return {};
    });
  }
}

function strictBase64(s: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw errors.badRequest("Invalid base64 content");
  return Buffer.from(s, "base64");
}

async function info(svc: Services, type: RepoType, req: FastifyRequest, revAt: number | null) {
  const actor = await actorOf(svc, req);
  const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params), "read");
  const rev = revAt === null ? repo.defaultBranch : revAndPath(rawTail(req, revAt)).rev;
  const q = req.query as Record<string, unknown>;
  return repoInfo(svc.reads, repo, rev, flag(q.blobs));
}

async function listRepos(svc: Services, type: RepoType, req: FastifyRequest, reply: FastifyReply) {
  const q = req.query as Record<string, unknown>;
  const actor = await actorOf(svc, req);
  const limit = Math.min(Math.max(Number(many(q.limit)[0] ?? 1000) || 1000, 1), 1000);
  const offset = Math.max(0, Number.parseInt(Buffer.from(many(q.cursor)[0] ?? "", "base64url").toString() || "0", 10) || 0);
  const sortKey = many(q.sort)[0];
  const sort = sortKey === "createdAt" ? "createdAt" : sortKey === "id" ? "id" : "lastModified";
  const direction = many(q.direction)[0] === "1" ? 1 : -1;
  const rows = await svc.repos.list(actor, {
    type,
    search: many(q.search)[0],
    author: many(q.author)[0],
    filter: many(q.filter),
    sort,
    direction,
    limit,
    offset,
  });
  const full = flag(q.full);
  const items = [];
  for (const r of rows) {
    const base = repoSummary(r);
    if (!full) {
      items.push(base);
      continue;
    }
    const commit = await svc.reads.defaultHead(r);
    items.push({ ...base, sha: commit, siblings: commit ? siblings(await svc.reads.files(r, commit, false), false) : [] });
  }
  if (rows.length === limit) {
    const url = new URL(req.url, baseUrl(svc, req) + "/");
    url.searchParams.set("cursor", Buffer.from(String(offset + limit)).toString("base64url"));
    reply.header("Link", `<${baseUrl(svc, req)}${url.pathname}${url.search}>; rel="next"`);
  }
  return items;
}
