/**
 * Webhooks under `/api/settings/webhooks`, as huggingface_hub calls them (`create_webhook`,
 * `get_webhook`, `list_webhooks`, `update_webhook`, `enable_webhook`, `disable_webhook`,
 * `delete_webhook`), plus the owner's delivery log (`…/{id}/deliveries`).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { errors } from "../../core/errors.js";
import type { WebhookDelivery, WebhookRecord } from "../../core/ports.js";
import { actorOf } from "../http/context.js";
import type { ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";

const view = (w: WebhookRecord) => ({ id: w.hubId, url: w.url, watched: w.watched, domains: w.domains, secret: w.secret ?? undefined, disabled: w.disabled, createdAt: w.createdAt });
const deliveryView = (d: WebhookDelivery) => ({ id: d.id, event: { scope: d.scope, action: d.action }, status: d.status, attempts: d.attempts, lastStatus: d.lastStatus, lastError: d.lastError, createdAt: d.createdAt, deliveredAt: d.deliveredAt, nextAttemptAt: d.status === "pending" ? d.nextAt : null });
const idParams = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/, "expected a webhook id") });
const body = z.object({ url: z.unknown().optional(), watched: z.unknown().optional(), domains: z.unknown().optional(), secret: z.unknown().optional(), jobSourceId: z.unknown().optional() });

export function registerWebhookRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const base = "/api/settings/webhooks";
  const noJobs = (b: { jobSourceId?: unknown }) => {
    if (b.jobSourceId !== undefined) throw errors.badRequest("Webhooks that trigger Jobs are not supported");
  };
  app.get(base, async (req) => (await svc.webhooks.list(await actorOf(svc, req))).map(view));
  app.post(base, { schema: { body } }, async (req) => {
    noJobs(req.body);
    return { webhook: view(await svc.webhooks.create(await actorOf(svc, req), req.body)) };
  });
  app.get(`${base}/:id`, { schema: { params: idParams } }, async (req) => ({ webhook: view(await svc.webhooks.get(await actorOf(svc, req), req.params.id)) }));
  app.post(`${base}/:id`, { schema: { params: idParams, body } }, async (req) => {
    noJobs(req.body);
    return { webhook: view(await svc.webhooks.update(await actorOf(svc, req), req.params.id, req.body)) };
  });
  app.post(`${base}/:id/enable`, { schema: { params: idParams } }, async (req) => ({ webhook: view(await svc.webhooks.setDisabled(await actorOf(svc, req), req.params.id, false)) }));
  app.post(`${base}/:id/disable`, { schema: { params: idParams } }, async (req) => ({ webhook: view(await svc.webhooks.setDisabled(await actorOf(svc, req), req.params.id, true)) }));
  app.delete(`${base}/:id`, { schema: { params: idParams } }, async (req) => {
    await svc.webhooks.delete(await actorOf(svc, req), req.params.id);
    return {};
  });
  app.get(`${base}/:id/deliveries`, { schema: { params: idParams } }, async (req) => (await svc.webhooks.deliveries(await actorOf(svc, req), req.params.id)).map(deliveryView));
}
