/**
 * Gated repos: `POST /{repo}/ask-access` (the form a user submits; JSON or urlencoded fields) and
 * the owner-side API huggingface_hub calls: `GET …/user-access-request/{status}`, `POST …/handle`,
 * `POST …/grant`.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { parseStatus } from "../../core/gate.js";
import type { AccessRequest } from "../../core/ports.js";
import type { RepoType } from "../../core/ids.js";
import { actorOf, repoIdOf } from "../http/context.js";
import type { Services } from "../http/services.js";

const TYPES: { seg: string; prefix: string; type: RepoType }[] = [
  { seg: "models", prefix: "", type: "model" },
  { seg: "datasets", prefix: "/datasets", type: "dataset" },
  { seg: "spaces", prefix: "/spaces", type: "space" },
];

const view = (r: AccessRequest) => ({
  user: { user: r.user.name, fullname: r.user.fullname, ...(r.user.email ? { email: r.user.email } : {}) },
  requestId: r.requestId,
  status: r.status,
  timestamp: r.createdAt,
  ...(r.fields ? { fields: r.fields } : {}),
});

/** Registers the gate routes. */
export function registerGateRoutes(app: FastifyInstance, svc: Services): void {
  for (const { seg, prefix, type } of TYPES) {
    const open = async (req: FastifyRequest) => {
      const actor = await actorOf(svc, req);
      const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params), "read");
      return { actor, repo };
    };
    app.post(`${prefix}/:ns/:name/ask-access`, async (req) => {
      const { actor, repo } = await open(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const r = await svc.gate.ask(actor, repo, typeof body === "object" && !Array.isArray(body) ? body : {});
      return { status: r.status, requestId: r.requestId };
    });
    app.get(`/api/${seg}/:ns/:name/user-access-request/:status`, async (req) => {
      const { actor, repo } = await open(req);
      return (await svc.gate.list(actor, repo, parseStatus((req.params as { status: string }).status))).map(view);
    });
    app.post(`/api/${seg}/:ns/:name/user-access-request/handle`, async (req) => {
      const { actor, repo } = await open(req);
      await svc.gate.handle(actor, repo, (req.body ?? {}) as Record<string, unknown>);
      return {};
    });
    app.post(`/api/${seg}/:ns/:name/user-access-request/grant`, async (req) => {
      const { actor, repo } = await open(req);
      const r = await svc.gate.grant(actor, repo, ((req.body ?? {}) as { user?: unknown }).user);
      return view(r);
    });
  }
}
