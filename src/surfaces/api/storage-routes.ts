/**
 * Storage routes huggingface_hub calls: `list_lfs_files` / `permanently_delete_lfs_files`
 * (`…/lfs-files`, `…/lfs-files/batch`), `copy_files` across repos (`…/lfs-files/duplicate`),
 * `duplicate_repo` (`…/duplicate`), `list_user_repos` (`/api/settings/repositories`,
 * `/api/organizations/{org}/settings/repositories`) and `get_user_overview`.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { RepoType } from "../../core/ids.js";
import { actorOf, baseUrl, repoIdOf } from "../http/context.js";
import { repoParams, repoTypeBody, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { repoUrl } from "./repo-views.js";

const TYPES: { seg: string; type: RepoType }[] = [
  { seg: "models", type: "model" },
  { seg: "datasets", type: "dataset" },
  { seg: "spaces", type: "space" },
];

/** `permanently_delete_lfs_files`: `rewriteHistory` defaults to true, as on the Hub. */
const deletions = z.object({ deletions: z.object({ sha: z.array(z.string()).min(1).max(1000), rewriteHistory: z.boolean().default(true) }) });
/** `copy_files` across repos. */
const duplicateFiles = z.object({
  target: z.object({ type: repoTypeBody, name: z.string() }),
  files: z.array(z.object({ sha256: z.string(), xetHash: z.string().optional(), filename: z.string().optional() })).max(1000),
});
/** `duplicate_repo`: visibility (or the older `private`) may be left out to keep the source's. */
const duplicateRepo = z
  .object({ repository: z.string(), visibility: z.enum(["public", "private", "protected"]).optional(), private: z.boolean().optional() })
  .transform((b) => ({ repository: b.repository, private: b.visibility !== undefined ? b.visibility !== "public" : (b.private ?? null) }));

/** Registers the storage routes. */
export function registerStorageRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  for (const { seg, type } of TYPES) {
    app.get(`/api/${seg}/:ns/:name/lfs-files`, { schema: { params: repoParams } }, async (req) => {
      const { repo } = await svc.repos.get(await actorOf(svc, req), type, repoIdOf(req.params), "write");
      return svc.storage.lfsFiles(repo);
    });
    app.post(`/api/${seg}/:ns/:name/lfs-files/batch`, { schema: { params: repoParams, body: deletions } }, async (req) => {
      const actor = await actorOf(svc, req);
      const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params), "read");
      return svc.storage.deleteLfsFiles(actor, repo, req.body.deletions);
    });
    app.post(`/api/${seg}/:ns/:name/lfs-files/duplicate`, { schema: { params: repoParams, body: duplicateFiles } }, async (req) => {
      const actor = await actorOf(svc, req);
      const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params), "download");
      return svc.storage.duplicateLfsFiles(actor, repo, req.body);
    });
    app.post(`/api/${seg}/:ns/:name/duplicate`, { schema: { params: repoParams, body: duplicateRepo } }, async (req) => {
      const repo = await svc.storage.duplicateRepo(await actorOf(svc, req), type, repoIdOf(req.params), req.body);
      return { url: repoUrl(baseUrl(svc, req), repo) };
    });
  }
  app.get("/api/settings/repositories", async (req) => svc.storage.namespaceRepos(await actorOf(svc, req), null));
  app.get("/api/organizations/:org/settings/repositories", { schema: { params: z.object({ org: z.string() }) } }, async (req) => svc.storage.namespaceRepos(await actorOf(svc, req), req.params.org));
  app.get("/api/users/:user/overview", { schema: { params: z.object({ user: z.string() }) } }, async (req) => {
    const actor = await actorOf(svc, req);
    return svc.orgs.userOverview(req.params.user, await svc.access.visibleOwners(actor));
  });
}
