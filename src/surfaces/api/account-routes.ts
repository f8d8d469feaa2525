/** The caller's access tokens: list, create, revoke (`/api/settings/tokens`). */
import type { FastifyInstance } from "fastify";
import type { TokenRecord } from "../../core/ports.js";
import { actorOf } from "../http/context.js";
import type { Services } from "../http/services.js";

const view = (t: TokenRecord) => ({ id: String(t.id), displayName: t.name, role: t.role, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt ?? null });

/** Registers the token routes. */
export function registerAccountRoutes(app: FastifyInstance, svc: Services): void {
  app.get("/api/settings/tokens", async (req) => (await svc.accounts.listTokens(await actorOf(svc, req))).map(view));
  app.post("/api/settings/tokens", async (req) => {
    const { token, record } = await svc.accounts.createOwnToken(await actorOf(svc, req), (req.body ?? {}) as { name?: unknown; role?: unknown });
    return { ...view(record), token };
  });
  app.delete("/api/settings/tokens/:id", async (req) => {
    await svc.accounts.revokeToken(await actorOf(svc, req), Number((req.params as { id: string }).id));
    return {};
  });
}
