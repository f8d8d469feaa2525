/** Git LFS locking API on `{repo}.git/info/lfs/locks` (git-lfs `lock`, `locks`, `unlock`, push verify). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { RepoType } from "../../core/ids.js";
import type { LockRecord } from "../../core/ports.js";
import { actorOf } from "../http/context.js";
import { queryOne, repoParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";

const LFS_JSON = "application/vnd.git-lfs+json";
const PREFIXES: { prefix: string; type: RepoType }[] = [
  { prefix: "", type: "model" },
  { prefix: "/datasets", type: "dataset" },
  { prefix: "/spaces", type: "space" },
];

/** A lock in the git-lfs wire shape. */
const view = (l: LockRecord) => ({ id: String(l.id), path: l.path, locked_at: l.lockedAt, owner: { name: l.ownerName } });

const refField = z.object({ name: z.string().optional() }).nullish();
const createBody = z.object({ path: z.string(), ref: refField });
const listQuery = z.object({ path: queryOne, id: queryOne, cursor: queryOne, limit: queryOne });
/** git-lfs sends cursor and limit as JSON strings or numbers. */
const stringish = z.union([z.string(), z.number()]).optional().transform((v) => (v === undefined ? undefined : String(v)));
const verifyBody = z.object({ cursor: stringish, limit: stringish, ref: refField }).optional();
const unlockBody = z.object({ force: z.boolean().optional(), ref: refField }).optional();

/** Registers the lock routes. Every lock operation needs write access, listing needs read. */
export function registerLockRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const open = async (req: FastifyRequest, reply: FastifyReply, type: RepoType, action: "read" | "write") => {
    const p = req.params as { ns: string; name: string };
    const actor = await actorOf(svc, req);
    const { repo } = await svc.repos.get(actor, type, `${p.ns}/${p.name.replace(/\.git$/, "")}`, action);
    reply.type(LFS_JSON);
    return { actor: actor!, repo };
  };

  for (const { prefix, type } of PREFIXES) {
    const base = `${prefix}/:ns/:name/info/lfs/locks`;
    app.post(base, { schema: { params: repoParams, body: createBody } }, async (req, reply) => {
      const { actor, repo } = await open(req, reply, type, "write");
      const { lock, created } = await svc.locks.create(actor, repo, req.body.path, req.body.ref?.name ?? null);
      if (!created) return reply.status(409).send({ lock: view(lock), message: "already created lock" });
      return reply.status(201).send({ lock: view(lock) });
    });
    app.get(base, { schema: { params: repoParams, querystring: listQuery } }, async (req, reply) => {
      const { repo } = await open(req, reply, type, "read");
      const page = await svc.locks.list(repo, req.query);
      return { locks: page.locks.map(view), ...(page.next_cursor ? { next_cursor: page.next_cursor } : {}) };
    });
    app.post(`${base}/verify`, { schema: { params: repoParams, body: verifyBody } }, async (req, reply) => {
      const { actor, repo } = await open(req, reply, type, "write");
      const r = await svc.locks.verify(actor, repo, req.body?.cursor, req.body?.limit);
      return { ours: r.ours.map(view), theirs: r.theirs.map(view), ...(r.next_cursor ? { next_cursor: r.next_cursor } : {}) };
    });
    app.post(`${base}/:id/unlock`, { schema: { params: repoParams.extend({ id: z.string() }), body: unlockBody } }, async (req, reply) => {
      const { actor, repo } = await open(req, reply, type, "write");
      const lock = await svc.locks.unlock(actor, repo, req.params.id, req.body?.force === true);
      return { lock: view(lock) };
    });
  }
}
