/**
 * Git LFS surface: the batch API at `{repo}.git/info/lfs/objects/batch` (huggingface_hub,
 * huggingface.js, git-lfs), and the signed transfer routes its answers point to.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { HubError } from "../../core/errors.js";
import { parseSha256, type RepoType } from "../../core/ids.js";
import { accel, parseRange } from "../api/resolve-routes.js";
import { actorOf, baseUrl } from "../http/context.js";
import { sendBlob } from "../http/send-blob.js";
import { casUrl } from "../xet/cas-routes.js";
import { fullName } from "../../core/repos.js";
import { repoParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";

const LFS_JSON = "application/vnd.git-lfs+json";
const PREFIXES: { prefix: string; type: RepoType }[] = [
  { prefix: "", type: "model" },
  { prefix: "/datasets", type: "dataset" },
  { prefix: "/spaces", type: "space" },
];


function abortOnClose(req: FastifyRequest): AbortSignal {
  const ac = new AbortController();
  req.raw.on("close", () => {
    if (!req.raw.complete) ac.abort();
  });
  return ac.signal;
}

/**
 * The batch request. Objects are checked one by one by the core (a bad one gets its own error in
 * the answer, as git-lfs expects), so here they are only a list.
 */
const batchBody = z.object({
  operation: z.enum(["upload", "download"], { error: "'operation' must be upload or download" }),
  transfers: z.array(z.string()).optional(),
  objects: z.array(z.unknown()).max(1000, "At most 1000 objects per batch"),
  ref: z.object({ name: z.string().optional() }).nullish(),
});
/** Signed transfer routes: the signature covers the path values exactly as sent. */
const signed = z.object({ exp: z.string().optional(), sig: z.string().optional() });
const objectParams = z.object({ repoId: z.string(), oid: z.string() });
const putParams = objectParams.extend({ size: z.string() });
const partParams = z.object({ uploadId: z.string(), part: z.string(), size: z.string() });
const completeParams = z.object({ repoId: z.string(), oid: z.string(), size: z.string(), uploadId: z.string() });
const completeBody = z.object({ oid: z.string(), parts: z.array(z.unknown()) });
const verifyBody = z.object({ oid: z.string(), size: z.number().int().nonnegative().optional() });

/** Registers the batch endpoint and the transfer routes. */
export function registerLfsRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  for (const { prefix, type } of PREFIXES) {
    app.post(`${prefix}/:ns/:name/info/lfs/objects/batch`, { schema: { params: repoParams, body: batchBody } }, async (req, reply) => {
      const p = req.params;
      const id = `${p.ns}/${p.name.replace(/\.git$/, "")}`;
      const b = req.body;
      const actor = await actorOf(svc, req);
      // Uploads go where the client says it will commit: a branch needs write access, a pull
      // request's ref its author (or a writer), no ref at all (huggingface_hub's create_pr) `discuss`.
      const repo = b.operation === "upload" ? await svc.discussions.uploadTarget(actor, type, id, b.ref?.name ?? null, false) : (await svc.repos.get(actor, type, id, "download")).repo;
      const transfers = b.transfers ?? ["basic"];
      const base = baseUrl(svc, req);
      // git-xet and huggingface.js offer "xet": the upload action is the write-token route
      // (href, refreshed with the caller's credentials) plus a first token in headers.
      // No ref (a PR about to be opened): the refresh route without a revision asks what this batch did.
      const ref = b.ref?.name ? `/${encodeURIComponent(b.ref.name.replace(/^refs\/heads\//, ""))}` : "";
      const xetUpload = () => {
        const { accessToken, exp } = svc.xet.issueToken(repo, "write");
        return {
          href: `${base}/api/${type}s/${fullName(repo)}/xet-write-token${ref}`,
          header: { "X-Xet-Cas-Url": casUrl(base), "X-Xet-Access-Token": accessToken, "X-Xet-Token-Expiration": String(exp) },
        };
      };
      const out = await svc.lfs.batch(repo, b.operation, transfers, b.objects, (path) => base + path, req.headers.authorization, xetUpload);
      return reply.type(LFS_JSON).send(out);
    });
  }

  app.put("/lfs/objects/:repoId/:oid/:size", { schema: { params: putParams, querystring: signed } }, async (req, reply) => {
    const p = req.params;
    const q = req.query;
    svc.lfs.checkSignature(["put", p.repoId, p.oid, p.size], q.exp, q.sig);
    await svc.lfs.upload(Number(p.repoId), parseSha256(p.oid), Number(p.size), req.raw, abortOnClose(req));
    return reply.status(200).send({});
  });

  app.route({
    method: ["GET", "HEAD"],
    url: "/lfs/objects/:repoId/:oid",
    schema: { params: objectParams, querystring: signed },
    handler: async (req, reply) => {
      const p = req.params;
      const q = req.query;
      svc.lfs.checkSignature(["get", p.repoId, p.oid], q.exp, q.sig);
      const oid = parseSha256(p.oid);
      const size = await svc.lfs.linkedSize(Number(p.repoId), oid);
      const range = parseRange(req.headers.range, size);
      reply.headers({ "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream", ETag: `"${oid}"` });
      if (req.method === "GET" && (await accel(svc, reply, Number(p.repoId), oid))) return reply;
      const reader = req.method === "GET" ? await svc.lfs.reader(Number(p.repoId), oid) : null;
      if (range) reply.status(206).header("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
      reply.header("Content-Length", String(range ? range.end - range.start + 1 : size));
      if (req.method === "HEAD" || size === 0) return reply.send(req.method === "HEAD" ? undefined : Buffer.alloc(0));
      const r = range ?? { start: 0, end: size - 1 };
      return sendBlob(reply, reader, () => svc.lfs.open(Number(p.repoId), oid, range ?? undefined), r.start, r.end);
    },
  });

  app.put("/lfs/parts/:uploadId/:part/:size", { schema: { params: partParams, querystring: signed } }, async (req, reply) => {
    const p = req.params;
    const q = req.query;
    svc.lfs.checkSignature(["part", p.uploadId, p.part, p.size], q.exp, q.sig);
    const etag = await svc.lfs.uploadPart(p.uploadId, Number(p.part), Number(p.size), req.raw, abortOnClose(req));
    return reply.header("ETag", `"${etag}"`).send({});
  });

  app.post("/lfs/complete/:repoId/:oid/:size/:uploadId", { schema: { params: completeParams, querystring: signed, body: completeBody } }, async (req) => {
    const p = req.params;
    const q = req.query;
    svc.lfs.checkSignature(["complete", p.repoId, p.oid, p.size, p.uploadId], q.exp, q.sig);
    await svc.lfs.complete(Number(p.repoId), parseSha256(p.oid), Number(p.size), p.uploadId, req.body);
    return {};
  });

  // Direct (presigned) uploads: the node only verifies and promotes what the client put in the bucket.
  const stagedParams = z.object({ repoId: z.string(), oid: z.string(), size: z.string(), stage: z.string() });
  app.post("/lfs/verify-staged/:repoId/:oid/:size/:stage", { schema: { params: stagedParams, querystring: signed, body: verifyBody } }, async (req) => {
    const p = req.params;
    const q = req.query;
    svc.lfs.checkSignature(["verify-staged", p.repoId, p.oid, p.size, p.stage], q.exp, q.sig);
    if (req.body.oid !== p.oid || (req.body.size !== undefined && String(req.body.size) !== p.size)) throw new HubError("Unprocessable", "Verify request does not match the upload");
    await svc.lfs.promote(Number(p.repoId), parseSha256(p.oid), Number(p.size), p.stage);
    return {};
  });
  app.post("/lfs/complete-staged/:repoId/:oid/:size/:stage/:uploadId", { schema: { params: stagedParams.extend({ uploadId: z.string() }), querystring: signed, body: completeBody } }, async (req) => {
    const p = req.params;
    const q = req.query;
    svc.lfs.checkSignature(["complete-staged", p.repoId, p.oid, p.size, p.stage, p.uploadId], q.exp, q.sig);
    await svc.lfs.completeStaged(Number(p.repoId), parseSha256(p.oid), Number(p.size), p.stage, p.uploadId, req.body);
    return {};
  });

  app.post("/lfs/verify/:repoId", { schema: { params: z.object({ repoId: z.string() }), querystring: signed, body: verifyBody } }, async (req) => {
    const p = req.params;
    const q = req.query;
    svc.lfs.checkSignature(["verify", p.repoId], q.exp, q.sig);
    await svc.lfs.verify(Number(p.repoId), req.body);
    return {};
  });
}
