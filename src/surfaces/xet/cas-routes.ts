/**
 * The Xet surface: the hub's token routes (`/api/{type}s/{id}/xet-{read|write}-token/{rev}`) and
 * the CAS under `{base}/xet` — every route generation released hf_xet versions call (table in
 * ../shared/protocols/xet.md §2.9); unknown `/xet/v2/*` routes answer a plain 404 so clients fall
 * back to v1.
 */
import { timingSafeEqual } from "node:crypto";
import { PassThrough } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errors, HubError } from "../../core/errors.js";
import type { RepoType } from "../../core/ids.js";
import { actorOf, baseUrl, flag, rawTail, repoIdOf } from "../http/context.js";
import { z } from "zod";
import { queryOne, repoParams, repoTailParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";

const TYPES: { seg: string; type: RepoType }[] = [
  { seg: "models", type: "model" },
  { seg: "datasets", type: "dataset" },
  { seg: "spaces", type: "space" },
];

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
const isLoopback = (ip: string) => /^(127\.|::1$|::ffff:127\.)/.test(ip);

/** The CAS base URL handed to clients: absolute, no trailing slash. */
export const casUrl = (base: string) => `${base}/xet`;

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m ? m[1] : undefined;
}

/** Reads a whole request body up to `max` bytes (413 beyond; 400 when the client stops short). */
async function readBody(req: FastifyRequest, max: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > max) throw new HubError("PayloadTooLarge", `Body larger than ${max} bytes`);
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const p of req.raw) {
      n += (p as Buffer).length;
      if (n > max) throw new HubError("PayloadTooLarge", `Body larger than ${max} bytes`);
      parts.push(p as Buffer);
    }
  } catch (e) {
    if (e instanceof HubError) throw e;
    throw errors.badRequest("Request body was interrupted");
  }
  if (declared !== undefined && n !== Number(declared)) throw errors.badRequest("Truncated request body");
  return Buffer.concat(parts, n);
}

/** `{prefix}/{hash}` of the CAS routes (the prefix is any namespace the client uses). */
const hashParams = z.object({ prefix: z.string(), hash: z.string() });
const idParams = z.object({ id: z.string() });

/** Registers the token routes, the CAS routes and the signed xorb-range route. */
export function registerXetRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  // ---------------------------------------------------------------- hub token routes
  for (const { seg, type } of TYPES) {
    for (const op of ["read", "write"] as const) {
      const handler = async (req: FastifyRequest, reply: FastifyReply) => {
        const actor = await actorOf(svc, req);
        const tail = rawTail(req, 5);
        let rev = "";
        try {
          rev = tail.map(decodeURIComponent).join("/");
        } catch {
          throw errors.badRequest("Invalid percent-encoding in URL");
        }
        // `None` is what huggingface_hub sends when it does not know the revision (create_pr).
        const known = rev && rev !== "None" ? rev : null;
        const createPr = flag((req.query as Record<string, unknown>).create_pr);
        const repo = op === "read" ? (await svc.repos.get(actor, type, repoIdOf(req.params), "download")).repo : await svc.discussions.uploadTarget(actor, type, repoIdOf(req.params), known, createPr);
        if (op === "read" && known) await svc.reads.revision(repo, known);
        const { accessToken, exp } = svc.xet.issueToken(repo, op);
        const cas = casUrl(baseUrl(svc, req));
        // Both the headers (huggingface_hub's own parser) and the JSON body (hf_xet's refresher).
        reply.headers({ "X-Xet-Cas-Url": cas, "X-Xet-Access-Token": accessToken, "X-Xet-Token-Expiration": String(exp), "Cache-Control": "no-store" });
        return { casUrl: cas, accessToken, exp };
      };
      app.get(`/api/${seg}/:ns/:name/xet-${op}-token`, { schema: { params: repoParams } }, handler);
      app.get(`/api/${seg}/:ns/:name/xet-${op}-token/*`, { schema: { params: repoTailParams } }, handler);
    }
  }

  // ---------------------------------------------------------------- CAS
  const uploadXorb = async (req: FastifyRequest) => {
    svc.xet.authorize(bearer(req), "write");
    const hash = (req.params as { hash: string }).hash;
    return svc.xet.uploadSlot(async () => {
      const body = await readBody(req, svc.xet.cfg.maxBody);
      return { was_inserted: await svc.xet.putXorb(hash, body) };
    });
  };
  const headXorb = async (req: FastifyRequest, reply: FastifyReply) => {
    svc.xet.authorize(bearer(req), "read");
    const len = await svc.xet.xorbLength((req.params as { hash: string }).hash);
    if (len === null) throw new HubError("EntryNotFound", "Xorb not found");
    return reply.header("Content-Length", String(len)).send();
  };
  for (const p of ["/xet/v1/xorbs", "/xet/xorbs", "/xet/xorb"]) {
    app.post(`${p}/:prefix/:hash`, { schema: { params: hashParams } }, uploadXorb);
    app.head(`${p}/:prefix/:hash`, { schema: { params: hashParams } }, headXorb);
  }

  // Upload grants (hf_xet ≥ 1.8 asks first): with presigned transfers the xorb goes straight to
  // the bucket and is verified at commit; without, a plain 404 sends the client to POST /v1/xorbs.
  const grantBody = z.object({ length: z.unknown(), checksum: z.object({ algo: z.string(), value: z.string() }).optional() });
  app.post("/xet/v1/xorb-grants/:prefix/:hash", { schema: { params: hashParams, body: grantBody } }, async (req, reply) => {
    if (!svc.xetGrants.offered) throw new HubError("EntryNotFound", "Upload grants are not offered; use POST /v1/xorbs");
    svc.xet.authorize(bearer(req), "write");
    const grant = await svc.xetGrants.grant(req.params.hash, req.body.length);
    return grant ? reply.status(201).send(grant) : reply.status(200).send();
  });
  app.post("/xet/v1/xorb-commits/:prefix/:hash/grant/:id", { schema: { params: hashParams.extend({ id: z.string() }) } }, async (req) => {
    if (!svc.xetGrants.offered) throw new HubError("EntryNotFound", "Upload grants are not offered");
    svc.xet.authorize(bearer(req), "write");
    const out = await svc.xet.uploadSlot(() => svc.xetGrants.commit(req.params.hash, req.params.id));
    if (out === "not-found") throw new HubError("EntryNotFound", "No uploaded data for this grant");
    return {};
  });

  const uploadShard = async (req: FastifyRequest) => {
    const grant = svc.xet.authorize(bearer(req), "write");
    return svc.xet.uploadSlot(async () => {
      const body = await readBody(req, svc.xet.cfg.maxBody);
      return { result: await svc.xet.putShard(grant.repoId, body) };
    });
  };
  app.post("/xet/v1/shards", uploadShard);

  // `/v2/shards`: the same verified upload, answered as an NDJSON progress stream (validating,
  // committing, then a terminal `result` or `error` frame; the last frame is repeated as a
  // heartbeat while work goes on). hf_xet tries it first and falls back to v1 only on 404/501.
  app.post("/xet/v2/shards", async (req, reply) => {
    const grant = svc.xet.authorize(bearer(req), "write");
    // The slot is held until the shard is verified and indexed, as for v1.
    await svc.xet.uploadSlot(async () => {
      const body = await readBody(req, svc.xet.cfg.maxBody);
      svc.xet.metrics.shardsReceivedV2++;
      const out = new PassThrough();
      let last = "";
      const frame = (f: object) => {
        last = JSON.stringify(f) + "\n";
        out.write(last);
      };
      const heartbeat = setInterval(() => out.write(last), 5_000);
      frame({ type: "validating", verified: 0, total: 1 });
      void reply.type("application/x-ndjson").header("Cache-Control", "no-store").send(out);
      try {
        await svc.xet.putShard(grant.repoId, body);
        frame({ type: "validating", verified: 1, total: 1 });
        frame({ type: "committing", stage: "uploading" });
        frame({ type: "committing", stage: "syncing" });
        frame({ type: "result" });
      } catch (e) {
        // The status is already 200: a refusal is the terminal error frame (retryable only for ours).
        const status = e instanceof HubError ? e.status : 500;
        if (status >= 500) req.log.error({ err: e }, "shard upload failed");
        frame({ type: "error", message: e instanceof HubError ? e.message : "Internal error", retryable: status >= 500 });
      } finally {
        clearInterval(heartbeat);
        out.end();
      }
    });
    return reply;
  });
  app.post("/xet/shards", uploadShard);
  app.route({ method: ["POST", "PUT"], url: "/xet/shard/:prefix/:hash", schema: { params: hashParams }, handler: uploadShard });

  const dedupe = async (req: FastifyRequest, reply: FastifyReply) => {
    // Dedupe serves uploads only: a write token, answers scoped to what its repo's owner may see.
    const grant = svc.xet.authorize(bearer(req), "write");
    const shard = await svc.xet.dedupe((req.params as { hash: string }).hash, grant);
    if (!shard) throw new HubError("EntryNotFound", "Chunk not tracked");
    return reply.type("application/octet-stream").send(shard);
  };
  for (const p of ["/xet/v1/chunks", "/xet/chunks", "/xet/chunk"]) app.get(`${p}/:prefix/:hash`, { schema: { params: hashParams } }, dedupe);

  const reconstruction = (version: 1 | 2) => async (req: FastifyRequest, reply: FastifyReply) => {
    const grant = svc.xet.authorize(bearer(req), "read");
    const base = baseUrl(svc, req);
    const out = await svc.xet.reconstruction(grant.repoId, (req.params as { id: string }).id, req.headers.range, version, (path) => base + path);
    if (out === "unsatisfiable") throw new HubError("RangeNotSatisfiable", "Range Not Satisfiable");
    return reply.send(out);
  };
  app.get("/xet/v2/reconstructions/:id", { schema: { params: idParams } }, reconstruction(2));
  for (const p of ["/xet/v1/reconstructions", "/xet/reconstructions", "/xet/reconstruction"]) app.get(`${p}/:id`, { schema: { params: idParams } }, reconstruction(1));

  app.head("/xet/v1/files/:id", { schema: { params: idParams } }, async (req, reply) => {
    const grant = svc.xet.authorize(bearer(req), "read");
    const f = await svc.xet.readable(grant.repoId, req.params.id);
    return reply.header("Content-Length", String(f.size)).send();
  });

  // Signed, self-authorising xorb byte ranges (the client fetches them without credentials).
  app.get("/xet/fetch/:xorb/:range", { schema: { params: z.object({ xorb: z.string(), range: z.string() }), querystring: z.object({ exp: queryOne, sig: queryOne }) } }, async (req, reply) => {
    const p = req.params;
    const q = req.query;
    const m = /^(\d+)-(\d+)$/.exec(p.range);
    if (!m) throw errors.badRequest("Invalid range");
    const [start, end] = [Number(m[1]), Number(m[2])];
    svc.xet.checkFetch(p.xorb, start, end, q.exp, q.sig);
    let from = start;
    let to = end;
    const h = req.headers.range;
    if (h) {
      const r = /^bytes=(\d+)-(\d+)$/.exec(h.trim());
      if (!r || Number(r[1]) < start || Number(r[2]) > end || Number(r[1]) > Number(r[2])) throw new HubError("RangeNotSatisfiable", "Range outside the signed range");
      [from, to] = [Number(r[1]), Number(r[2])];
    }
    const len = await svc.xet.xorbLength(p.xorb);
    if (len === null || end >= len) throw new HubError("EntryNotFound", "Xorb not found");
    reply.headers({ "Content-Type": "application/octet-stream", "Content-Length": String(to - from + 1), "Accept-Ranges": "bytes" });
    if (h) reply.status(206).header("Content-Range", `bytes ${from}-${to}/${len}`);
    return reply.send(await svc.xet.xorbBytes(p.xorb, from, to));
  });

  // hf_xet posts telemetry to the host root; accepted and dropped.
  app.post("/v1/telemetry", async () => ({}));

  // Counters in the Prometheus text format: for loopback callers, or with HUBBLE_METRICS_TOKEN.
  app.get("/metrics", async (req, reply) => {
    const want = svc.config.metricsToken;
    const given = bearer(req);
    const tokenOk = want !== undefined && given !== undefined && given.length === want.length && timingSafeEqual(Buffer.from(given), Buffer.from(want));
    if (!tokenOk && !isLoopback(req.ip)) throw errors.forbidden("Metrics are served to loopback callers, or with the HUBBLE_METRICS_TOKEN bearer token");
    const m = svc.xet.metrics;
    const lines = [
      ["hubble_xet_xorb_bytes_received_total", "Bytes of xorb bodies received", m.xorbBytesReceived],
      ["hubble_xet_xorbs_stored_total", "Xorbs verified and stored", m.xorbsStored],
      ["hubble_xet_xorb_bytes_stored_total", "Bytes of xorbs stored", m.xorbBytesStored],
      ["hubble_xet_shards_received_total", "Shard uploads received", m.shardsReceived],
      ["hubble_xet_shards_v2_received_total", "Shard uploads received through /v2/shards", m.shardsReceivedV2],
      ["hubble_xet_shard_bytes_received_total", "Bytes of shard bodies received", m.shardBytesReceived],
      ["hubble_xet_reconstructions_total", "Reconstruction plans served", m.reconstructions],
      ["hubble_xet_grants_issued_total", "Xorb upload grants issued (direct transfers)", m.grantsIssued],
      ["hubble_xet_grants_committed_total", "Xorbs committed through upload grants", m.grantsCommitted],
      ["hubble_xet_grants_refused_total", "Granted uploads refused at commit", m.grantsRefused],
      ["hubble_xet_staged_bytes_verified_total", "Bytes of granted uploads read back from the store to verify them", m.stagedBytesVerified],
      ["hubble_lfs_staged_bytes_verified_total", "Bytes of direct LFS uploads read back from the store to verify them", svc.lfs.metrics.stagedBytesVerified],
      ["hubble_lfs_staged_refused_total", "Direct LFS uploads refused at verify", svc.lfs.metrics.stagedRefused],
      ["hubble_http_bytes_received_total", "Bytes received from HTTP clients on this node (headers and bodies)", svc.traffic.received()],
      ["hubble_http_bytes_sent_total", "Bytes sent to HTTP clients by this node (headers and bodies)", svc.traffic.sent()],
    ] as const;
    let text = lines.map(([name, help, v]) => `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${v}\n`).join("");
    const schemes = ["none", "lz4", "bg4-lz4"];
    text += "# HELP hubble_xet_chunks_stored_total Chunks of stored xorbs by compression scheme\n# TYPE hubble_xet_chunks_stored_total counter\n";
    text += m.chunksByScheme.map((n, i) => `hubble_xet_chunks_stored_total{scheme="${schemes[i]}"} ${n}\n`).join("");
    text += `# HELP hubble_process_pid The process that answered (one of several with serve --workers)\n# TYPE hubble_process_pid gauge\nhubble_process_pid ${process.pid}\n`;
    text += `# HELP hubble_leader Whether this node runs the cluster's one-at-a-time jobs (sweeps)\n# TYPE hubble_leader gauge\nhubble_leader ${svc.cluster.leader ? 1 : 0}\n`;
    return reply.type("text/plain; version=0.0.4").send(text);
  });
}
