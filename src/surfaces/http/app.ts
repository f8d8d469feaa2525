/**
 * The Fastify instance: request ids, body parsers, the one error renderer, and the surfaces'
 * route modules. Handlers never see a stack trace leave the process.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { errors, HubError } from "../../core/errors.js";
import { registerRepoRoutes } from "../api/repo-routes.js";
import { registerContentRoutes } from "../api/content-routes.js";
import { registerCommitRoutes } from "../api/commit-routes.js";
import { registerResolveRoutes } from "../api/resolve-routes.js";
import { registerLfsRoutes } from "../lfs/lfs-routes.js";
import { registerGitRoutes } from "../git-http/git-routes.js";
import { registerLockRoutes } from "../lfs/lock-routes.js";
import { registerXetRoutes } from "../xet/cas-routes.js";
import { registerGateRoutes } from "../api/gate-routes.js";
import { registerAccountRoutes } from "../api/account-routes.js";
import { registerLikeRoutes } from "../api/like-routes.js";
import { registerDiscussionRoutes } from "../api/discussion-routes.js";
import { registerWebhookRoutes } from "../api/webhook-routes.js";
import { registerCollectionRoutes } from "../api/collection-routes.js";
import { registerStorageRoutes } from "../api/storage-routes.js";
import { registerWebRoutes } from "../web/web-routes.js";
import { actorOf, baseUrl, validHost } from "./context.js";
import { zodValidator } from "./schema.js";
import type { Services } from "./services.js";

/** URL shapes that name a repo by a single segment: API, downloads, git and LFS. */
const NAMESPACELESS = [
  /^\/api\/(models|datasets|spaces)\/[^/]+(\/(revision|tree|paths-info|refs|commits|commit|preupload|branch|tag|settings|super-squash|xet-read-token|xet-write-token|lfs-files|duplicate|auth-check|ask-access|user-access-request|discussions|likers|like)(\/.*)?)?$/,
  /^\/(datasets\/|spaces\/)?[^/]+\/(resolve|raw)\/.+$/,
  /^\/(datasets\/|spaces\/)?[^/]+?(\.git)?\/(info\/refs|info\/lfs\/.*|git-upload-pack|git-receive-pack)$/,
];

/**
 * An error renderer for one surface. `hf`: status, `X-Error-Code`, `X-Error-Message`, JSON
 * `{"error"}`. `lfs`: the same plus `message` (what git-lfs prints), the LFS media type and, on
 * 401, `LFS-Authenticate`/`WWW-Authenticate`. `git`: HF JSON plus the Basic challenge on 401 so git
 * asks for credentials. Unknown failures become a bare `Internal Error` (logged, never sent).
 */
export function errorRenderer(svc: Services, flavor: "hf" | "lfs" | "git") {
  return (err: FastifyError | HubError, req: FastifyRequest, reply: FastifyReply) => {
    let base = "";
    try {
      base = baseUrl(svc, req);
    } catch {
      // an invalid Host: the error is rendered without absolute URLs
    }
    let e: HubError;
    if (err instanceof HubError) {
      if (err.status >= 500) req.log.error({ err }, "internal error");
      e = err;
    } else {
      const status = (err as FastifyError).statusCode;
      if (status && status >= 400 && status < 500) e = new HubError(status === 413 ? "PayloadTooLarge" : "BadRequest", err.message, {}, status);
      else {
        req.log.error({ err }, "unhandled error");
        e = new HubError("Internal", "Internal Error");
      }
    }
    if (flavor !== "hf" && e.status === 401) {
      reply.header("WWW-Authenticate", 'Basic realm="Hubble"');
      if (flavor === "lfs") reply.header("LFS-Authenticate", 'Basic realm="Hubble"');
    }
    if (flavor === "lfs") return sendHubError(reply, new HubError(e.kind, e.message, { message: e.message, ...e.extra }, e.statusOverride), base, "application/vnd.git-lfs+json");
    return sendHubError(reply, e, base);
  };
}

/** Renders a HubError the HF way: status, `X-Error-Code`, `X-Error-Message`, JSON `{"error"}`. */
export function sendHubError(reply: FastifyReply, e: HubError, base: string, type = "application/json"): FastifyReply {
  const extra = { ...e.extra };
  if (typeof extra.url === "string" && extra.url.startsWith("/")) extra.url = base + extra.url;
  if (e.hfCode) reply.header("X-Error-Code", e.hfCode);
  if (typeof extra.retryAfter === "number") reply.header("Retry-After", String(extra.retryAfter));
  reply.header("X-Error-Message", e.message.replace(/[^\x20-\x7e]/g, "?").slice(0, 1000));
  return reply.status(e.status).type(type).send({ error: e.message, ...extra });
}

function formParser(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const cur = out[k];
    out[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}

/** HUBBLE_TRUST_PROXY → Fastify's trustProxy (the client address then comes from X-Forwarded-For). */
function trustProxyOption(v: string | undefined): boolean | string[] {
  if (v === undefined || v === "false") return false;
  if (v === "true") return true;
  return v.split(",");
}

/** Builds the HTTP application around the services. */
export async function buildApp(svc: Services, logger: boolean | object = false): Promise<FastifyInstance> {
  const app = Fastify({
    logger,
    trustProxy: trustProxyOption(svc.config.trustProxy),
    bodyLimit: 16 * 1024 * 1024,
    genReqId: (req) => {
      const given = req.headers["x-request-id"] ?? req.headers["x-amzn-trace-id"];
      return typeof given === "string" && /^[\w.:=;-]{1,128}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 2048, ignoreDuplicateSlashes: false },
  });
  svc.traffic.attach(app.server);

  app.addHook("onRequest", async (req, reply) => {
    reply.header("X-Request-Id", req.id);
    // Nothing Hubble serves is to be sniffed into another type, framed, or run as a page here.
    reply.header("X-Content-Type-Options", "nosniff");
    reply.header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox");
    reply.header("Referrer-Policy", "strict-origin-when-cross-origin");
    // Absolute URLs (LFS actions carrying credentials, CAS URLs, repo URLs) are built from the
    // Host unless HUBBLE_PUBLIC_URL is set: refuse one that is not a plain host[:port].
    if (!svc.config.publicUrl && !validHost(req.host)) throw new HubError("BadRequest", "Invalid Host header");
  });

  const jsonParser = (_req: unknown, body: string, done: (e: Error | null, v?: unknown) => void) => {
    if (body === "") return done(null, {});
    try {
      done(null, JSON.parse(body));
    } catch {
      done(new HubError("BadRequest", "Malformed JSON body"));
    }
  };
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(["application/json", "application/vnd.git-lfs+json"], { parseAs: "string" }, jsonParser);
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => done(null, formParser(body as string)));
  // NDJSON commits and binary uploads are consumed as streams by their handlers.
  app.addContentTypeParser("*", (_req, _payload, done) => done(null));
  // Route schemas are zod (surfaces/http/schema.ts); every plugin below inherits the compiler.
  app.setValidatorCompiler(zodValidator);

  // The root renders errors the HF way (health, telemetry, unknown routes); each surface below is
  // an encapsulated plugin with its own renderer.
  app.setErrorHandler(errorRenderer(svc, "hf"));
  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split("?")[0]!;
    // A repo id without a namespace (`gpt2`): every repo here has one, so it does not exist —
    // answered like any missing repo (RepoNotFound; 401 for anonymous callers, with the Basic
    // challenge git and git-lfs expect), never as an unknown route.
    if (NAMESPACELESS.some((re) => re.test(path))) {
      let anonymous = true;
      try {
        anonymous = (await actorOf(svc, req)) === null;
      } catch {
        // a bad credential: still a missing repo
      }
      if (anonymous) reply.header("WWW-Authenticate", 'Basic realm="Hubble"');
      return sendHubError(reply, errors.repoNotFound(anonymous), "");
    }
    return sendHubError(reply, new HubError("BadRequest", `Cannot ${req.method} ${path}`, {}, 404), "");
  });

  app.get("/health", async () => ({ status: "ok" }));
  app.route({ method: ["GET", "HEAD", "POST"], url: "/api/telemetry/*", handler: async () => ({}) });

  await app.register(async (api) => {
    api.setErrorHandler(errorRenderer(svc, "hf"));
    registerRepoRoutes(api, svc);
    registerContentRoutes(api, svc);
    registerCommitRoutes(api, svc);
    registerResolveRoutes(api, svc);
    registerGateRoutes(api, svc);
    registerAccountRoutes(api, svc);
    registerStorageRoutes(api, svc);
    registerLikeRoutes(api, svc);
    registerDiscussionRoutes(api, svc);
    registerWebhookRoutes(api, svc);
    registerCollectionRoutes(api, svc);
  });
  await app.register(async (lfs) => {
    lfs.setErrorHandler(errorRenderer(svc, "lfs"));
    registerLfsRoutes(lfs, svc);
    registerLockRoutes(lfs, svc);
  });
  await app.register(async (xet) => {
    xet.setErrorHandler(errorRenderer(svc, "hf"));
    registerXetRoutes(xet, svc);
  });
  // The web pages: their own HTML error pages and page CSP (surfaces/web).
  await app.register(async (web) => registerWebRoutes(web, svc));
  await app.register(async (gitHttp) => {
    gitHttp.setErrorHandler(errorRenderer(svc, "git"));
    registerGitRoutes(gitHttp, svc);
  });
  return app;
}
