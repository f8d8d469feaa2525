/**
 * Storage routes huggingface_hub calls: `list_lfs_files` / `permanently_delete_lfs_files`
 * (`…/lfs-files`, `…/lfs-files/batch`), `copy_files` across repos (`…/lfs-files/duplicate`),
 * `duplicate_repo` (`…/duplicate`), `list_user_repos` (`/api/settings/repositories`,
 * `/api/organizations/{org}/settings/repositories`) and `get_user_overview`.
 */
import type { FastifyInstance } from "fastify";
import type { RepoType } from "../../core/ids.js";
import { actorOf, baseUrl, repoIdOf } from "../http/context.js";
import type { Services } from "../http/services.js";
import { repoUrl } from "./repo-views.js";

const TYPES: { seg: string; type: RepoType }[] = [
  { seg: "models", type: "model" },
  { seg: "datasets", type: "dataset" },
  { seg: "spaces", type: "space" },
];

/** Registers the storage routes. */
export function registerStorageRoutes(app: FastifyInstance, svc: Services): void {
  for (const { seg, type } of TYPES) {
    app.get(`/api/${seg}/:ns/:name/lfs-files`, async (req) => {
      const { repo } = await svc.repos.get(await actorOf(svc, req), type, repoIdOf(req.params), "write");
      return svc.storage.lfsFiles(repo);
    });
    app.post(`/api/${seg}/:ns/:name/lfs-files/batch`, async (req) => {
      const actor = await actorOf(svc, req);
      const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params), "read");
      return svc.storage.deleteLfsFiles(actor, repo, req.body);
    });
    app.post(`/api/${seg}/:ns/:name/lfs-files/duplicate`, async (req) => {
      const actor = await actorOf(svc, req);
      const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params), "download");
      return svc.storage.duplicateLfsFiles(actor, repo, req.body);
    });
    app.post(`/api/${seg}/:ns/:name/duplicate`, async (req) => {
      const repo = await svc.storage.duplicateRepo(await actorOf(svc, req), type, repoIdOf(req.params), req.body);
      return { url: repoUrl(baseUrl(svc, req), repo) };
    });
  }
  app.get("/api/settings/repositories", async (req) => svc.storage.namespaceRepos(await actorOf(svc, req), null));
  app.get("/api/organizations/:org/settings/repositories", async (req) => svc.storage.namespaceRepos(await actorOf(svc, req), (req.params as { org: string }).org));
  app.get("/api/users/:user/overview", async (req) => {
    const actor = await actorOf(svc, req);
    return svc.orgs.userOverview((req.params as { user: string }).user, await svc.access.visibleOwners(actor));
  });
}
