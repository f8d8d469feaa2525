/** Git LFS locking API on `{repo}.git/info/lfs/locks` (git-lfs `lock`, `locks`, `unlock`, push verify). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errors } from "../../core/errors.js";
import type { RepoType } from "../../core/ids.js";
import type { LockRecord } from "../../core/ports.js";
import { actorOf } from "../http/context.js";
import type { Services } from "../http/services.js";

const LFS_JSON = "application/vnd.git-lfs+json";
const PREFIXES: { prefix: string; type: RepoType }[] = [
  { prefix: "", type: "model" },
  { prefix: "/datasets", type: "dataset" },
  { prefix: "/spaces", type: "space" },
];

/** A lock in the git-lfs wire shape. */
const view = (l: LockRecord) => ({ id: String(l.id), path: l.path, locked_at: l.lockedAt, owner: { name: l.ownerName } });

type Body = { path?: unknown; ref?: { name?: unknown }; force?: unknown; cursor?: unknown; limit?: unknown };

/** Registers the lock routes. Every lock operation needs write access, listing needs read. */
export function registerLockRoutes(app: FastifyInstance, svc: Services): void {
  const open = async (req: FastifyRequest, reply: FastifyReply, type: RepoType, action: "read" | "write") => {
    const p = req.params as { ns: string; name: string };
    const actor = await actorOf(svc, req);
    const { repo } = await svc.repos.get(actor, type, `${p.ns}/${p.name.replace(/\.git$/, "")}`, action);
    reply.type(LFS_JSON);
    return { actor: actor!, repo };
  };

  for (const { prefix, type } of PREFIXES) {
    const base = `${prefix}/:ns/:name/info/lfs/locks`;
    app.post(base, async (req, reply) => {
      const { actor, repo } = await open(req, reply, type, "write");
      const b = (req.body ?? {}) as Body;
      const ref = typeof b.ref?.name === "string" ? b.ref.name : null;
      const { lock, created } = await svc.locks.create(actor, repo, b.path, ref);
      if (!created) return reply.status(409).send({ lock: view(lock), message: "already created lock" });
      return reply.status(201).send({ lock: view(lock) });
    });
    app.get(base, async (req, reply) => {
      const { repo } = await open(req, reply, type, "read");
      const q = req.query as { path?: string; id?: string; cursor?: string; limit?: string };
      const page = await svc.locks.list(repo, q);
      return { locks: page.locks.map(view), ...(page.next_cursor ? { next_cursor: page.next_cursor } : {}) };
    });
    app.post(`${base}/verify`, async (req, reply) => {
      const { actor, repo } = await open(req, reply, type, "write");
      const b = (req.body ?? {}) as Body;
      const r = await svc.locks.verify(actor, repo, b.cursor, b.limit);
      return { ours: r.ours.map(view), theirs: r.theirs.map(view), ...(r.next_cursor ? { next_cursor: r.next_cursor } : {}) };
    });
    app.post(`${base}/:id/unlock`, async (req, reply) => {
      const { actor, repo } = await open(req, reply, type, "write");
      const b = (req.body ?? {}) as Body;
      if (b.force !== undefined && typeof b.force !== "boolean") throw errors.badRequest("'force' must be a boolean");
      const lock = await svc.locks.unlock(actor, repo, (req.params as { id: string }).id, b.force === true);
      return { lock: view(lock) };
    });
  }
}
