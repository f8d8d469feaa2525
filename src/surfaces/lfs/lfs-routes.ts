/**
 * Git LFS surface: the batch API at `{repo}.git/info/lfs/objects/batch` (huggingface_hub,
 * huggingface.js, git-lfs), and the signed transfer routes its answers point to.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errors } from "../../core/errors.js";
import { parseSha256, type RepoType } from "../../core/ids.js";
import { parseRange } from "../api/resolve-routes.js";
import { actorOf, baseUrl } from "../http/context.js";
import { sendBlob } from "../http/send-blob.js";
import { casUrl } from "../xet/cas-routes.js";
import { fullName } from "../../core/repos.js";
import type { Services } from "../http/services.js";

const LFS_JSON = "application/vnd.git-lfs+json";
const PREFIXES: { prefix: string; type: RepoType }[] = [
  { prefix: "", type: "model" },
  { prefix: "/datasets", type: "dataset" },
  { prefix: "/spaces", type: "space" },
];

type Q = { exp?: string; sig?: string };

function abortOnClose(req: FastifyRequest): AbortSignal {
  const ac = new AbortController();
  req.raw.on("close", () => {
    if (!req.raw.complete) ac.abort();
  });
  return ac.signal;
}

/** Registers the batch endpoint and the transfer routes. */
export function registerLfsRoutes(app: FastifyInstance, svc: Services): void {
  for (const { prefix, type } of PREFIXES) {
    app.post(`${prefix}/:ns/:name/info/lfs/objects/batch`, async (req, reply) => {
      const p = req.params as { ns: string; name: string };
      const id = `${p.ns}/${p.name.replace(/\.git$/, "")}`;
      const b = (req.body ?? {}) as { operation?: unknown; transfers?: unknown; objects?: unknown };
      if (b.operation !== "upload" && b.operation !== "download") throw errors.badRequest("'operation' must be upload or download");
      if (!Array.isArray(b.objects)) throw errors.badRequest("'objects' must be a list");
      if (b.objects.length > 1000) throw errors.badRequest("At most 1000 objects per batch");
      const actor = await actorOf(svc, req);
      const { repo } = await svc.repos.get(actor, type, id, b.operation === "upload" ? "write" : "download");
      const transfers = Array.isArray(b.transfers) ? b.transfers.map(String) : ["basic"];
      const base = baseUrl(svc, req);
      // git-xet and huggingface.js offer "xet": the upload action is the write-token route
      // (href, refreshed with the caller's credentials) plus a first token in headers.
      const ref = typeof (b as { ref?: { name?: unknown } }).ref?.name === "string" ? String((b as { ref: { name: string } }).ref.name).replace(/^refs\/heads\//, "") : repo.defaultBranch;
      const xetUpload = () => {
        const { accessToken, exp } = svc.xet.issueToken(repo, "write");
        return {
          href: `${base}/api/${type}s/${fullName(repo)}/xet-write-token/${encodeURIComponent(ref)}`,
          header: { "X-Xet-Cas-Url": casUrl(base), "X-Xet-Access-Token": accessToken, "X-Xet-Token-Expiration": String(exp) },
        };
      };
      const out = await svc.lfs.batch(repo, b.operation, transfers, b.objects, (path) => base + path, req.headers.authorization, xetUpload);
      return reply.type(LFS_JSON).send(out);
    });
  }

  app.put("/lfs/objects/:repoId/:oid/:size", async (req: FastifyRequest, reply: FastifyReply) => {
    const p = req.params as { repoId: string; oid: string; size: string };
    const q = req.query as Q;
    svc.lfs.checkSignature(["put", p.repoId, p.oid, p.size], q.exp, q.sig);
    await svc.lfs.upload(Number(p.repoId), parseSha256(p.oid), Number(p.size), req.raw, abortOnClose(req));
    return reply.status(200).send({});
  });

  app.route({
    method: ["GET", "HEAD"],
    url: "/lfs/objects/:repoId/:oid",
    handler: async (req, reply) => {
      const p = req.params as { repoId: string; oid: string };
      const q = req.query as Q;
      svc.lfs.checkSignature(["get", p.repoId, p.oid], q.exp, q.sig);
      const oid = parseSha256(p.oid);
      const size = await svc.lfs.linkedSize(Number(p.repoId), oid);
      const range = parseRange(req.headers.range, size);
      const reader = req.method === "GET" ? await svc.lfs.reader(Number(p.repoId), oid) : null;
      reply.headers({ "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream", ETag: `"${oid}"` });
      if (range) reply.status(206).header("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
      reply.header("Content-Length", String(range ? range.end - range.start + 1 : size));
      if (req.method === "HEAD" || size === 0) return reply.send(req.method === "HEAD" ? undefined : Buffer.alloc(0));
      const r = range ?? { start: 0, end: size - 1 };
      return sendBlob(reply, reader, () => svc.lfs.open(Number(p.repoId), oid, range ?? undefined), r.start, r.end);
    },
  });

  app.put("/lfs/parts/:uploadId/:part/:size", async (req, reply) => {
    const p = req.params as { uploadId: string; part: string; size: string };
    const q = req.query as Q;
    svc.lfs.checkSignature(["part", p.uploadId, p.part, p.size], q.exp, q.sig);
    const etag = await svc.lfs.uploadPart(p.uploadId, Number(p.part), Number(p.size), req.raw, abortOnClose(req));
    return reply.header("ETag", `"${etag}"`).send({});
  });

  app.post("/lfs/complete/:repoId/:oid/:size/:uploadId", async (req) => {
    const p = req.params as { repoId: string; oid: string; size: string; uploadId: string };
    const q = req.query as Q;
    svc.lfs.checkSignature(["complete", p.repoId, p.oid, p.size, p.uploadId], q.exp, q.sig);
    await svc.lfs.complete(Number(p.repoId), parseSha256(p.oid), Number(p.size), p.uploadId, req.body);
    return {};
  });

  app.post("/lfs/verify/:repoId", async (req) => {
    const p = req.params as { repoId: string };
    const q = req.query as Q;
    svc.lfs.checkSignature(["verify", p.repoId], q.exp, q.sig);
    await svc.lfs.verify(Number(p.repoId), req.body);
    return {};
  });
}
