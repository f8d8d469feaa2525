/**
 * Downloads: `resolve` (content, LFS objects served from the blob store) and `raw` (what git
 * stores, i.e. the pointer text for LFS files), GET and HEAD, with the headers the clients'
 * caches rely on and exact byte ranges.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errors, HubError } from "../../core/errors.js";
import { urlPrefix, type RepoType, type Sha256 } from "../../core/ids.js";
import { fullName } from "../../core/repos.js";
import { actorOf, baseUrl, rawTail, repoIdOf, revAndPath } from "../http/context.js";
import { sendBlob } from "../http/send-blob.js";
import { repoTailParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";

/** Parses a single `bytes=` range against a size; null means "serve everything". */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null; // multi-range or garbage: full content
  let start: number;
  let end: number;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) throw new HubError("RangeNotSatisfiable", "Range Not Satisfiable");
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) throw new HubError("RangeNotSatisfiable", "Range Not Satisfiable");
  return { start, end };
}

const PREFIXES: { prefix: string; type: RepoType }[] = [
  { prefix: "", type: "model" },
  { prefix: "/datasets", type: "dataset" },
  { prefix: "/spaces", type: "space" },
];

/** Registers resolve and raw routes for every repo type. */
export function registerResolveRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  for (const { prefix, type } of PREFIXES) {
    const depth = prefix ? 4 : 3;
    for (const kind of ["resolve", "raw"] as const) {
      app.route({
        method: ["GET", "HEAD"],
        url: `${prefix}/:ns/:name/${kind}/*`,
        // The tail (revision and path) is parsed from the raw URL by revAndPath.
        schema: { params: repoTailParams },
        handler: (req, reply) => serve(svc, type, kind, depth, req, reply),
      });
    }
  }
}

async function serve(svc: Services, type: RepoType, kind: "resolve" | "raw", depth: number, req: FastifyRequest, reply: FastifyReply) {
  const actor = await actorOf(svc, req);
  const { repo, movedFrom } = await svc.repos.get(actor, type, repoIdOf(req.params), "download");
  const tail = rawTail(req, depth);
  if (movedFrom) {
    // Relative, so that the Python client's HEAD follows it (it only follows relative redirects).
    return reply.status(307).header("Location", `/${urlPrefix(type)}${fullName(repo)}/${kind}/${tail.join("/")}`).send();
  }
  const { rev, path } = revAndPath(tail);
  if (!path) throw errors.entryNotFound("");
  const commit = await svc.reads.revision(repo, rev);
  reply.header("X-Repo-Commit", commit);
  const entry = await svc.reads.file(repo, commit, path);
  // Authorized and found: a download by the Hub's rule (counted in memory, written later).
  svc.downloads.hit(repo, path, req.ip);
  const lfs = kind === "resolve" ? entry.lfs : undefined;
  // What git stores: the pointer's own size for an LFS file.
  const gitSize = entry.lfs ? entry.lfs.pointerSize : entry.size;
  const size = lfs ? lfs.size : gitSize;
  const etag = lfs ? lfs.oid : entry.oid;
  const xet = lfs && entry.xetHash ? { fileHash: entry.xetHash } : null;
  const name = path.split("/").pop()!;
  if (xet) {
    // Xet-backed: advertise the Xet file id and where to get a read token for this commit
    // (huggingface_hub then downloads through the CAS); huggingface.js asks for the file info.
    const base = baseUrl(svc, req);
    const auth = `<${base}/api/${type}s/${fullName(repo)}/xet-read-token/${commit}>; rel="xet-auth"`;
    reply.header("X-Xet-Hash", xet.fileHash);
    if (String(req.headers.accept ?? "").includes("application/vnd.xet-fileinfo+json")) {
      const info = `${base}/xet/v1/reconstructions/${xet.fileHash}`;
      reply.headers({ Link: `${auth}, <${info}>; rel="xet-reconstruction-info"`, ETag: `"${etag}"`, "X-Linked-Etag": `"${etag}"`, "X-Linked-Size": String(size) });
      return reply.type("application/vnd.xet-fileinfo+json").send({ hash: xet.fileHash, size, etag, refreshUrl: `${base}/api/${type}s/${fullName(repo)}/xet-read-token/${commit}`, reconstructionUrl: info });
    }
    reply.header("Link", auth);
  }
  // With direct transfers an LFS-stored file is a redirect to the bucket, as the Hub redirects to its
  // CDN: huggingface_hub reads these headers from the 302 and downloads from Location.
  const direct = lfs && !xet ? await svc.lfs.directDownload(repo.id, lfs.oid as Sha256, name) : null;
  if (direct) {
    reply.headers({ ETag: `"${etag}"`, "X-Linked-Etag": `"${etag}"`, "X-Linked-Size": String(size), "Cache-Control": "private, max-age=0, must-revalidate" });
    return reply.status(302).header("Location", direct).send();
  }
  const range = parseRange(req.headers.range, size);
  // nginx sends it (HUBBLE_ACCEL_REDIRECT): decided first, so no file is opened here.
  const accelPath = lfs && req.method === "GET" && svc.config.accelRedirect ? await svc.lfs.localPath(repo.id, lfs.oid as Sha256) : null;
  // Open the object before any header is set, so a missing object is a clean 404.
  const reader = lfs && req.method === "GET" && !accelPath ? await svc.lfs.reader(repo.id, lfs.oid as Sha256) : null;
  reply.headers({
    ETag: `"${etag}"`,
    "X-Linked-Etag": `"${etag}"`,
    "X-Linked-Size": String(size),
    "Accept-Ranges": "bytes",
    "Content-Type": "application/octet-stream",
    "Content-Disposition": `inline; filename*=UTF-8''${encodeURIComponent(name)}; filename="${name.replace(/[^\x20-\x7e]|"/g, "_")}"`,
    "Cache-Control": "private, max-age=0, must-revalidate",
  });
  if (accelPath) return reply.header("X-Accel-Redirect", svc.config.accelRedirect + accelPath).send();
  if (range) reply.status(206).header("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
  reply.header("Content-Length", String(range ? range.end - range.start + 1 : size));
  if (req.method === "HEAD") return reply.send();
  const r = range ?? { start: 0, end: size - 1 };
  if (lfs) return sendBlob(reply, reader, () => svc.lfs.open(repo.id, lfs.oid as Sha256, range ?? undefined), r.start, r.end);
  return reply.send(await svc.reads.blob(repo, entry.oid, gitSize, range ?? undefined));
}

/**
 * With HUBBLE_ACCEL_REDIRECT (nginx in front, embedded store): hands the file to nginx, which sends
 * it itself — sendfile, Ranges — keeping the headers set here (deploy/nginx-embedded.conf copies the
 * ones nginx would drop). True when it did.
 */
export async function accel(svc: Services, reply: FastifyReply, repoId: number, oid: Sha256): Promise<boolean> {
  const prefix = svc.config.accelRedirect;
  const path = prefix ? await svc.lfs.localPath(repoId, oid) : null;
  if (!path) return false;
  await reply.header("X-Accel-Redirect", prefix + path).send();
  return true;
}
