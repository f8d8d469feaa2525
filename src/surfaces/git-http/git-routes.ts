/**
 * Git smart HTTP: `info/refs`, `git-upload-pack`, `git-receive-pack` for every repo type, with or
 * without `.git`, served by the real git in stateless-RPC mode. HTTP Basic carries the token as the
 * password. Pushes run the pre-receive policy, which asks this process (over loopback, with a
 * per-process secret) which LFS objects the repo holds.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createGunzip } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errors, HubError } from "../../core/errors.js";
import type { CommitOid, RepoType } from "../../core/ids.js";
import type { RepoRecord } from "../../core/ports.js";
import type { Actor } from "../../core/accounts.js";
import { actorOf } from "../http/context.js";
import { lfsThreshold } from "../../core/lfs-rules.js";
import { z } from "zod";
import { queryOne, repoParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";

const PREFIXES: { prefix: string; type: RepoType }[] = [
  { prefix: "", type: "model" },
  { prefix: "/datasets", type: "dataset" },
  { prefix: "/spaces", type: "space" },
];
const SERVICES = new Set(["git-upload-pack", "git-receive-pack"]);
/** Largest decompressed request body we accept from a gzip-encoded negotiation. */
const MAX_GUNZIPPED = 64 * 1024 * 1024;

/** One pkt-line. */
function pkt(s: string): string {
  return (s.length + 4).toString(16).padStart(4, "0") + s;
}

/** Validated value for GIT_PROTOCOL from the `Git-Protocol` header. */
function protocolOf(req: FastifyRequest): string | undefined {
  const h = req.headers["git-protocol"];
  if (h === undefined) return undefined;
  if (typeof h !== "string" || !/^version=[0-2](:[A-Za-z0-9._=-]{1,64}){0,8}$/.test(h)) throw errors.badRequest("Invalid Git-Protocol header");
  return h;
}

/** Inflates a gzip body into memory, refusing more than `limit` inflated bytes. */
async function gunzipCapped(body: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  const inflate = createGunzip();
  body.pipe(inflate);
  try {
    for await (const c of inflate as AsyncIterable<Buffer>) {
      n += c.length;
      if (n > limit) throw new HubError("PayloadTooLarge", `Decompressed request body exceeds ${limit} bytes`);
      chunks.push(c);
    }
  } catch (e) {
    inflate.destroy();
    throw e instanceof HubError ? e : new HubError("BadRequest", "Invalid gzip request body");
  }
  return Buffer.concat(chunks);
}

/** Authenticates the pre-receive hook's callback; one per process (the hook runs as our child). */
const hookSecret = randomBytes(32).toString("hex");

/**
 * Environment for a push's pre-receive hook: where to ask (this process's HTTP listener, over
 * loopback: `local` is `host:port`) which LFS objects the repo holds, and the repo's policy.
 */
export function pushHookEnv(repo: RepoRecord, local: string, scope: PushScope): Record<string, string> {
  return {
    HUBBLE_HOOK_URL: `http://${local}/internal/hooks/${repo.id}/lfs-check`,
    HUBBLE_HOOK_SECRET: hookSecret,
    HUBBLE_DEFAULT_BRANCH: repo.defaultBranch,
    // The same threshold preupload and the commit API use.
    HUBBLE_MAX_BLOB: String(lfsThreshold(repo) - 1),
    // What this pusher may move: branches and tags (writers), and these pull requests' refs.
    HUBBLE_PUSH_BRANCHES: scope.branches ? "1" : "0",
    HUBBLE_PUSH_PRS: scope.prs.join(","),
  };
}

type PushScope = { branches: boolean; prs: number[] };

/**
 * The repo a push goes to and what it may move: a writer pushes branches, tags and open PRs; a
 * PR's author (with `discuss`) only that PR's `refs/pr/N`; anyone else gets the write refusal.
 */
export async function pushTarget(svc: Services, actor: Actor, type: RepoType, id: string): Promise<{ repo: RepoRecord; movedFrom: string | null; scope: PushScope }> {
  const { repo, movedFrom } = await svc.repos.get(actor, type, id, "read");
  const scope = await svc.discussions.pushScope(actor, repo);
  if (!scope.branches && scope.prs.length === 0) await svc.access.authorize(actor, "write", repo);
  return { repo, movedFrom, scope };
}

/** Every branch, tag and PR ref with its commit, by full ref name (taken before a push). */
export async function refSnapshot(svc: Services, repo: RepoRecord): Promise<Map<string, CommitOid>> {
  const { branches, tags, pulls } = await svc.commits.git(repo).listRefs();
  return new Map<string, CommitOid>([
    ...[...branches].map(([n, o]) => [`refs/heads/${n}`, o] as [string, CommitOid]),
    ...[...tags].map(([n, o]) => [`refs/tags/${n}`, o] as [string, CommitOid]),
    ...[...pulls].map(([n, o]) => [`refs/pr/${n}`, o] as [string, CommitOid]),
  ]);
}

/**
 * After a push: card data from the default branch, commits on PR refs as their events, and the
 * refs that moved reported (webhooks), from the snapshot taken before the push.
 */
export function afterPush(svc: Services, repo: RepoRecord, actor: Actor, before: Map<string, CommitOid>, done: Promise<number>): Promise<void> {
  const git = svc.commits.git(repo);
  return done
    .then(async (code) => {
      if (code !== 0) return;
      const head = await git.resolveCommit(`refs/heads/${repo.defaultBranch}`);
      if (head) await svc.commits.refreshCard(repo, git, head);
      const after = await refSnapshot(svc, repo);
      const pulls = new Map([...before].filter(([r]) => r.startsWith("refs/pr/")).map(([r, o]) => [Number(r.slice(8)), o]));
      await svc.discussions.afterPush(repo, actor, pulls);
      const moved = [...new Set([...before.keys(), ...after.keys()])].filter((r) => before.get(r) !== after.get(r)).map((ref) => ({ ref, oldSha: before.get(ref) ?? null, newSha: after.get(ref) ?? null }));
      await svc.commits.refsUpdated(repo, moved);
    })
    .catch(() => undefined);
}

/** Registers the smart HTTP routes and the internal hook callback. */
export function registerGitRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();

  // A 401 carries the Basic challenge (the surface's error renderer adds it), so git asks for credentials.
  const open = async (req: FastifyRequest, _reply: FastifyReply, type: RepoType, service: string): Promise<{ repo: RepoRecord; actor: Actor; scope: PushScope | null }> => {
    const p = req.params as { ns: string; name: string };
    const id = `${p.ns}/${p.name.replace(/\.git$/, "")}`;
    const actor = await actorOf(svc, req);
    if (service !== "git-receive-pack") return { repo: (await svc.repos.get(actor, type, id, "download")).repo, actor, scope: null };
    const { repo, movedFrom, scope } = await pushTarget(svc, actor, type, id);
    if (movedFrom) throw errors.repoNotFound(actor === null);
    return { repo, actor, scope };
  };

  for (const { prefix, type } of PREFIXES) {
    app.get(`${prefix}/:ns/:name/info/refs`, { schema: { params: repoParams, querystring: z.object({ service: queryOne }) } }, async (req, reply) => {
      const service = req.query.service ?? "";
      if (!SERVICES.has(service)) throw errors.forbidden("Dumb HTTP is not supported; use a git client with smart HTTP");
      const { repo } = await open(req, reply, type, service);
      const proc = svc.commits.git(repo).serve(service.slice(4) as "upload-pack" | "receive-pack", { advertise: true, protocol: protocolOf(req) });
      proc.stdin.end();
      reply.raw.on("close", () => proc.kill());
      const chunks: Buffer[] = [Buffer.from(pkt(`# service=${service}\n`) + "0000")];
      for await (const c of proc.stdout) chunks.push(c as Buffer);
      if ((await proc.done) !== 0) throw new HubError("Internal", "git failed to advertise refs");
      return reply
        .header("Content-Type", `application/x-${service}-advertisement`)
        .header("Cache-Control", "no-cache, max-age=0, must-revalidate")
        .send(Buffer.concat(chunks));
    });

    for (const service of SERVICES) {
      app.post(`${prefix}/:ns/:name/${service}`, { schema: { params: repoParams } }, async (req, reply) => {
        const { repo, actor, scope } = await open(req, reply, type, service);
        if (req.headers["content-type"] !== `application/x-${service}-request`) throw errors.badRequest(`Content-Type must be application/x-${service}-request`);
        // git gzips negotiation requests (small: wants and haves). Inflate them fully, with a cap,
        // before git starts, so a bad or oversized body gets a clean 400/413 instead of a cut stream.
        const gzipped = req.headers["content-encoding"] === "gzip" ? await gunzipCapped(req.raw, MAX_GUNZIPPED) : null;
        const git = svc.commits.git(repo);
        const before = scope ? await refSnapshot(svc, repo) : new Map<string, CommitOid>();
        const local = req.socket.localAddress?.includes(":") ? `[${req.socket.localAddress}]` : req.socket.localAddress;
        const proc = git.serve(service.slice(4) as "upload-pack" | "receive-pack", {
          advertise: false,
          protocol: protocolOf(req),
          hookEnv: scope ? pushHookEnv(repo, `${local}:${req.socket.localPort}`, scope) : undefined,
        });
        if (gzipped) proc.stdin.end(gzipped);
        else {
          req.raw.on("error", () => proc.kill());
          req.raw.pipe(proc.stdin as NodeJS.WritableStream);
        }
        reply.raw.on("close", () => {
          if (!reply.raw.writableFinished) proc.kill();
        });
        if (service === "git-receive-pack") void afterPush(svc, repo, actor, before, proc.done);
        return reply.header("Content-Type", `application/x-${service}-result`).header("Cache-Control", "no-cache").send(proc.stdout);
      });
    }
  }

  app.post("/internal/hooks/:repoId/lfs-check", { schema: { params: z.object({ repoId: z.coerce.number().int() }), body: z.object({ oids: z.array(z.string()) }) } }, async (req) => {
    const given = Buffer.from(String(req.headers["x-hubble-hook-secret"] ?? ""));
    const want = Buffer.from(hookSecret);
    if (given.length !== want.length || !timingSafeEqual(given, want)) throw errors.forbidden("Invalid hook secret");
    return { missing: await svc.lfs.missing(req.params.repoId, req.body.oids) };
  });
}
