/** Likes: like/unlike, a repo's likers, a user's likes (huggingface_hub's `unlike`, `list_repo_likers`, `list_liked_repos`). */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { RepoType } from "../../core/ids.js";
import { fullName } from "../../core/repos.js";
import { actorOf, repoIdOf } from "../http/context.js";
import { queryInt, repoParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { nextLink } from "./content-routes.js";

const TYPES: { seg: string; type: RepoType }[] = [
  { seg: "models", type: "model" },
  { seg: "datasets", type: "dataset" },
  { seg: "spaces", type: "space" },
];
const PAGE = 1000;

export function registerLikeRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  for (const { seg, type } of TYPES) {
    for (const [method, on] of [["POST", true], ["DELETE", false]] as const) {
      app.route({ method, url: `/api/${seg}/:ns/:name/like`, schema: { params: repoParams }, handler: async (req) => {
        await svc.likes.set(await actorOf(svc, req), type, repoIdOf(req.params), on);
        return {};
      } });
    }
    app.get(`/api/${seg}/:ns/:name/likers`, { schema: { params: repoParams, querystring: z.object({ limit: queryInt, offset: queryInt }) } }, async (req, reply) => {
      const limit = Math.min(req.query.limit ?? PAGE, PAGE);
      const offset = req.query.offset ?? 0;
      const users = await svc.likes.likers(await actorOf(svc, req), type, repoIdOf(req.params), limit, offset);
      if (users.length === limit) reply.header("Link", nextLink(svc, req, "offset", String(offset + limit)));
      return users.map((u) => ({ user: u.name, fullname: u.fullname, type: "user", avatarUrl: "", isPro: false }));
    });
  }
  app.get("/api/users/:user/likes", { schema: { params: z.object({ user: z.string() }) } }, async (req) => {
    const likes = await svc.likes.likedBy(await actorOf(svc, req), req.params.user);
    return likes.map((l) => ({ createdAt: l.createdAt, repo: { name: fullName(l.repo), type: l.repo.type } }));
  });
}
