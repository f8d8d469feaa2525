/** HF API: identity, repo lifecycle, repo info and listings. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { validateCard } from "../../core/card.js";
import { errors } from "../../core/errors.js";
import { parseRepoName, repoTypeFromPlural, type RepoType } from "../../core/ids.js";
import type { RepoSettingsPatch } from "../../core/repos.js";
import { DEFAULT_LFS_SUFFIXES, DEFAULT_LFS_THRESHOLD } from "../../core/lfs-rules.js";
import { z } from "zod";
import { actorOf, baseUrl, rawTail, repoIdOf, revAndPath } from "../http/context.js";
import { queryFlag, queryInt, queryMany, queryOne, repoParams, repoTailParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { repoInfo, repoSummary, repoUrl, siblings } from "./repo-views.js";

const PLURALS = ["models", "datasets", "spaces"] as const;

const typeField = z.enum(["model", "dataset", "space"]).nullish().transform((t) => t ?? "model");
const visibility = z.enum(["public", "private", "protected"]);
const createBody = z.object({
  name: z.string(),
  type: typeField,
  organization: z.string().nullish(),
  private: z.boolean().nullish(),
  visibility: visibility.optional(),
  sdk: z.string().nullish(),
  license: z.string().nullish(),
  files: z.array(z.object({ path: z.string(), content: z.string(), encoding: z.string().optional() })).optional(),
});
const deleteBody = z.object({ name: z.string(), type: typeField, organization: z.string().nullish() });
const moveBody = z.object({ fromRepo: z.string(), toRepo: z.string(), type: typeField });
const validateBody = z.object({ content: z.unknown(), repoType: z.string().optional() }).optional();
const listQuery = z.object({ search: queryOne, author: queryOne, filter: queryMany, sort: queryOne, direction: queryOne, limit: queryInt, cursor: queryOne, full: queryFlag, expand: queryMany, "expand[]": queryMany });

/**
 * `expand` (huggingface_hub's `expand=[…]`): the answer holds `_id`, `id` and exactly the properties
 * asked for, some of which only appear this way (`downloadsAllTime`).
 */
function expanded(view: Record<string, unknown>, q: { expand?: string[]; "expand[]"?: string[] }): Record<string, unknown> {
  const asked = [...(q.expand ?? []), ...(q["expand[]"] ?? [])];
  if (asked.length === 0) return view;
  const out: Record<string, unknown> = { _id: view._id, id: view.id };
  for (const k of asked) if (k in view) out[k] = view[k];
  return out;
}
const infoQuery = z.object({ blobs: queryFlag, expand: queryMany, "expand[]": queryMany });
const settingsBody = z
  .object({
    private: z.boolean().optional(),
    visibility: visibility.optional(),
    gated: z.union([z.literal(false), z.literal("auto"), z.literal("manual")]).optional(),
    lfs_threshold_bytes: z.number().nullable().optional(),
    lfs_suffix_rules: z.array(z.string()).nullable().optional(),
    lfs_keep_versions: z.number().nullable().optional(),
    /** The Hub's setting that turns the Community tab off. */
    discussionsDisabled: z.boolean().optional(),
  })
  .transform((b): RepoSettingsPatch => ({
    ...(b.private !== undefined ? { private: b.private } : {}),
    ...(b.visibility !== undefined ? { private: b.visibility !== "public" } : {}),
    ...(b.gated !== undefined ? { gated: b.gated } : {}),
    ...(b.lfs_threshold_bytes !== undefined ? { lfsThreshold: b.lfs_threshold_bytes } : {}),
    ...(b.lfs_suffix_rules !== undefined ? { lfsSuffixRules: b.lfs_suffix_rules } : {}),
    ...(b.lfs_keep_versions !== undefined ? { lfsKeepVersions: b.lfs_keep_versions } : {}),
    ...(b.discussionsDisabled !== undefined ? { discussionsDisabled: b.discussionsDisabled } : {}),
  }));

/** Registers identity, lifecycle, info and listing routes. */
export function registerRepoRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get("/api/whoami-v2", async (req) => svc.accounts.whoami(await actorOf(svc, req)));

  app.post("/api/repos/create", { schema: { body: createBody } }, async (req, reply) => {
    const b = req.body;
    const files = (b.files ?? []).map((f) => ({ path: f.path, content: f.encoding === "base64" ? strictBase64(f.content) : Buffer.from(f.content) }));
    const repo = await svc.repos.create(await actorOf(svc, req), {
      type: b.type,
      name: b.name,
      organization: b.organization ?? null,
      private: b.private === true || b.visibility === "private" || b.visibility === "protected",
      sdk: b.sdk ?? null,
      license: b.license && /^[\w.+-]{1,64}$/.test(b.license) ? b.license : null,
      files,
    });
    return reply.status(200).send({ url: repoUrl(baseUrl(svc, req), repo), id: repo.hubId, name: `${repo.namespace}/${repo.name}` });
  });

  app.delete("/api/repos/delete", { schema: { body: deleteBody } }, async (req) => {
    const b = req.body;
    const actor = await actorOf(svc, req);
    const namespace = b.organization || actor?.user.name;
    if (!namespace) throw errors.unauthorized("You must be authenticated to delete a repository");
    await svc.repos.delete(actor, b.type, parseRepoName(`${namespace}/${b.name}`));
    return {};
  });

  app.post("/api/repos/move", { schema: { body: moveBody } }, async (req) => {
    const b = req.body;
    const repo = await svc.repos.move(await actorOf(svc, req), b.type, parseRepoName(b.fromRepo), parseRepoName(b.toRepo));
    return { url: repoUrl(baseUrl(svc, req), repo) };
  });

  app.post("/api/validate-yaml", { schema: { body: validateBody } }, async (req, reply) => {
    const content = req.body?.content;
    const v = typeof content === "string" ? validateCard(content) : { errors: ["'content' must be a string"], warnings: [] };
    const body = { errors: v.errors.map((message) => ({ message })), warnings: v.warnings.map((message) => ({ message })) };
    return reply.status(v.errors.length ? 400 : 200).send(body);
  });

  for (const plural of PLURALS) {
    const type = repoTypeFromPlural(plural);
    app.get(`/api/${plural}`, { schema: { querystring: listQuery } }, (req, reply) => listRepos(svc, type, req, req.query, reply));
    app.get(`/api/${plural}/:ns/:name`, { schema: { params: repoParams, querystring: infoQuery } }, (req) => info(svc, type, req, null, req.query));
    app.get(`/api/${plural}/:ns/:name/revision/*`, { schema: { params: repoTailParams, querystring: infoQuery } }, (req) => info(svc, type, req, 5, req.query));
    app.put(`/api/${plural}/:ns/:name/settings`, { schema: { params: repoParams, body: settingsBody } }, async (req) => {
      const repo = await svc.repos.updateSettings(await actorOf(svc, req), type, repoIdOf(req.params), req.body);
      return { private: repo.private, gated: repo.gated };
    });
    app.get(`/api/${plural}/:ns/:name/settings/lfs`, { schema: { params: repoParams } }, async (req) => {
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
    app.get(`/api/${plural}/:ns/:name/auth-check`, { schema: { params: repoParams } }, async (req) => {
      await svc.repos.get(await actorOf(svc, req), type, repoIdOf(req.params), "download");
      return {};
    });
    app.get(`/api/${plural}/:ns/:name/auth-check/write`, { schema: { params: repoParams } }, async (req) => {
      await svc.repos.get(await actorOf(svc, req), type, repoIdOf(req.params), "write");
      return {};
    });
  }
}

function strictBase64(s: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw errors.badRequest("Invalid base64 content");
  return Buffer.from(s, "base64");
}

async function info(svc: Services, type: RepoType, req: FastifyRequest, revAt: number | null, q: z.output<typeof infoQuery>) {
  const actor = await actorOf(svc, req);
  const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params), "read");
  const rev = revAt === null ? repo.defaultBranch : revAndPath(rawTail(req, revAt)).rev;
  const view = await repoInfo(svc.reads, repo, rev, q.blobs);
  return q.expand?.length || q["expand[]"]?.length ? expanded({ ...view, downloadsAllTime: repo.downloadsAllTime }, q) : view;
}

async function listRepos(svc: Services, type: RepoType, req: FastifyRequest, q: z.output<typeof listQuery>, reply: FastifyReply) {
  const actor = await actorOf(svc, req);
  const limit = Math.min(Math.max(q.limit || 1000, 1), 1000);
  const offset = Math.max(0, Number.parseInt(Buffer.from(q.cursor ?? "", "base64url").toString() || "0", 10) || 0);
  const sort = q.sort === "createdAt" ? "createdAt" : q.sort === "id" ? "id" : q.sort === "likes" ? "likes" : q.sort === "downloads" ? "downloads" : "lastModified";
  const direction = q.direction === "1" ? 1 : -1;
  const rows = await svc.repos.list(actor, {
    type,
    search: q.search,
    author: q.author,
    filter: q.filter,
    sort,
    direction,
    limit,
    offset,
  });
  const full = q.full;
  const items = [];
  for (const r of rows) {
    const base = { ...repoSummary(r), ...(q.expand?.length || q["expand[]"]?.length ? { downloadsAllTime: r.downloadsAllTime } : {}) };
    if (!full) {
      items.push(expanded(base, q));
      continue;
    }
    const commit = await svc.reads.defaultHead(r);
    items.push(expanded({ ...base, sha: commit, siblings: commit ? siblings(await svc.reads.files(r, commit, false), false) : [] }, q));
  }
  if (rows.length === limit) {
    const url = new URL(req.url, baseUrl(svc, req) + "/");
    url.searchParams.set("cursor", Buffer.from(String(offset + limit)).toString("base64url"));
    reply.header("Link", `<${baseUrl(svc, req)}${url.pathname}${url.search}>; rel="next"`);
  }
  return items;
}
