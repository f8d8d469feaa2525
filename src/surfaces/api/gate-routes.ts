/**
 * Gated repos: `POST /{repo}/ask-access` (the form a user submits; JSON or urlencoded fields) and
 * the owner-side API huggingface_hub calls: `GET …/user-access-request/{status}`, `POST …/handle`,
 * `POST …/grant`.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AccessRequest } from "../../core/ports.js";
import type { RepoType } from "../../core/ids.js";
import { actorOf, repoIdOf } from "../http/context.js";
import { repoParams, type ZodTypeProvider } from "../http/schema.js";
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

const status = z.enum(["pending", "accepted", "rejected"], { error: "must be one of pending, accepted, rejected" });
/** The gate form's answers: any JSON object (or form fields). */
const askBody = z.record(z.string(), z.unknown()).optional();
const handleBody = z
  .object({ user: z.string().optional(), requestId: z.string().optional(), status, rejectionReason: z.string().max(1000).optional() })
  .refine((b) => b.user !== undefined || b.requestId !== undefined, { message: "Give 'user' or 'requestId'" });

/** Registers the gate routes. */
export function registerGateRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  for (const { seg, prefix, type } of TYPES) {
    const open = async (req: FastifyRequest) => {
      const actor = await actorOf(svc, req);
      const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params), "read");
      return { actor, repo };
    };
    app.post(`${prefix}/:ns/:name/ask-access`, { schema: { params: repoParams, body: askBody } }, async (req, reply) => {
      const { actor, repo } = await open(req);
      const r = await svc.gate.ask(actor, repo, req.body ?? {});
      // The repo page's request form (a plain HTML form) goes back to the page.
      if (String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded") && String(req.headers.accept ?? "").includes("text/html")) return reply.redirect(`${prefix}/${repo.namespace}/${repo.name}`, 303);
      return { status: r.status, requestId: r.requestId };
    });
    app.get(`/api/${seg}/:ns/:name/user-access-request/:status`, { schema: { params: repoParams.extend({ status }) } }, async (req) => {
      const { actor, repo } = await open(req);
      return (await svc.gate.list(actor, repo, req.params.status)).map(view);
    });
    app.post(`/api/${seg}/:ns/:name/user-access-request/handle`, { schema: { params: repoParams, body: handleBody } }, async (req) => {
      const { actor, repo } = await open(req);
      await svc.gate.handle(actor, repo, req.body);
      return {};
    });
    app.post(`/api/${seg}/:ns/:name/user-access-request/grant`, { schema: { params: repoParams, body: z.object({ user: z.string() }) } }, async (req) => {
      const { actor, repo } = await open(req);
      return view(await svc.gate.grant(actor, repo, req.body.user));
    });
  }
}
