/** HF API: preupload (upload-mode decision) and the NDJSON commit endpoint. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { CommitOp, CommitRequest } from "../../core/commits.js";
import { errors, HubError } from "../../core/errors.js";
import { parseDeletePath, parseRepoPath, parseSha256, repoTypeFromPlural, urlPrefix } from "../../core/ids.js";
import { lfsThreshold } from "../../core/lfs-rules.js";
import type { DiscussionRecord, ObjectBatch } from "../../core/ports.js";
import { prNumber } from "../../core/discussions.js";
import { fullName } from "../../core/repos.js";
import { z } from "zod";
import { actorOf, baseUrl, rawTail, repoIdOf, revAndPath } from "../http/context.js";
import { queryFlag, repoTailParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { ndjson } from "./ndjson.js";

const PLURALS = ["models", "datasets", "spaces"] as const;
/** JSON around a file's base64 content in one NDJSON line (key, path, encoding), generously. */
const LINE_OVERHEAD = 64 * 1024;

function strictBase64(s: unknown, what: string): Buffer {
  if (typeof s !== "string" || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw errors.badRequest(`Invalid base64 in ${what}`);
  return Buffer.from(s, "base64");
}

const preuploadBody = z.object({
  files: z.array(z.object({ path: z.string(), size: z.number().int().nonnegative(), sample: z.string().optional() })),
  gitIgnore: z.string().optional(),
  gitAttributes: z.string().optional(),
});
const commitQuery = z.object({ create_pr: queryFlag });

/** Registers preupload and commit. */
export function registerCommitRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  for (const plural of PLURALS) {
    const type = repoTypeFromPlural(plural);

    app.post(`/api/${plural}/:ns/:name/preupload/*`, { schema: { params: repoTailParams, body: preuploadBody, querystring: commitQuery } }, async (req) => {
      const actor = await actorOf(svc, req);
      const { rev } = revAndPath(rawTail(req, 5));
      const repo = await svc.discussions.uploadTarget(actor, type, repoIdOf(req.params), rev, req.query.create_pr === true);
      const b = req.body;
      if (b.files.length > 1000) throw errors.badRequest("At most 1000 files per preupload request");
      const files = b.files.map((f) => {
        const path = parseRepoPath(f.path);
        return { path, size: f.size, sample: strictBase64(f.sample ?? "", `sample of '${path}'`) };
      });
      return svc.commits.preupload(repo, rev, files, { gitIgnore: b.gitIgnore, gitAttributes: b.gitAttributes });
    });

    // The NDJSON body is read as a stream (readCommitBody), line by line, not by a schema.
    app.post(`/api/${plural}/:ns/:name/commit/*`, { schema: { params: repoTailParams, querystring: commitQuery } }, async (req) => {
      const actor = await actorOf(svc, req);
      const { rev } = revAndPath(rawTail(req, 5));
      const createPr = req.query.create_pr === true;
      const repo = await svc.discussions.uploadTarget(actor, type, repoIdOf(req.params), rev, createPr);
      const ctype = String(req.headers["content-type"] ?? "");
      if (!ctype.startsWith("application/x-ndjson")) throw errors.badRequest("The commit body must be application/x-ndjson");
      const objects = svc.commits.stage(repo);
      const opened: { thread?: DiscussionRecord } = {};
      let oid;
      let commit;
      try {
        commit = await readCommitBody(objects, req, svc.config.maxCommitBytes, lfsThreshold(repo) - 1);
        const c = commit;
        oid = await svc.commits.commit(actor!, repo, rev, commit, createPr ? svc.discussions.opener(actor!, repo, c.summary, c.description, opened) : undefined);
      } catch (e) {
        await objects.discard();
        throw e;
      }
      const pr = prNumber(rev);
      if (pr !== null) await svc.discussions.recordCommits(repo, pr, actor!.user.id, [await svc.commits.git(repo).readCommit(oid)]);
      const web = `${baseUrl(svc, req)}/${urlPrefix(repo.type)}${fullName(repo)}`;
      return {
        success: true,
        commitOid: oid,
        commitUrl: `${web}/commit/${oid}`,
        commitMessage: commit.summary,
        hookOutput: "",
        ...(opened.thread ? { pullRequestUrl: `${web}/discussions/${opened.thread.num}` } : {}),
      };
    });
  }
}

const VALUE_KEYS: Record<string, string[]> = {
  header: ["summary", "description", "parentCommit"],
  file: ["path", "content", "encoding", "oldPath"],
  lfsFile: ["path", "algo", "oid", "size", "oldPath"],
  deletedFile: ["path"],
  deletedFolder: ["path"],
};

/** Parses the NDJSON body, writing regular file contents to git as they arrive. */
/**
 * Parses the NDJSON body, staging regular file contents as they arrive. A file may be inline up
 * to `maxInline` bytes (below the repo's LFS threshold, as preupload and the push policy say), so
 * a line longer than that file in base64 is refused as soon as that many bytes have arrived.
 */
async function readCommitBody(objects: ObjectBatch, req: FastifyRequest, maxTotal: number, maxInline: number): Promise<CommitRequest> {
  let header: { summary: string; description: string; parentCommit?: string } | null = null;
  const ops: CommitOp[] = [];
  const maxLine = Math.ceil(maxInline / 3) * 4 + LINE_OVERHEAD;
  for await (const line of ndjson(req.raw, maxLine, maxTotal, `A commit line may carry a file of at most ${maxInline} bytes; larger files go through LFS (preupload says which)`)) {
    const l = line as { key?: unknown; value?: Record<string, unknown> };
    if (!l || typeof l !== "object" || typeof l.key !== "string" || !l.value || typeof l.value !== "object") throw errors.badRequest("Each NDJSON line must be {\"key\": ..., \"value\": {...}}");
    const allowed = VALUE_KEYS[l.key];
    if (!allowed) throw errors.badRequest(`Unknown commit line key '${l.key}'`);
    const unknown = Object.keys(l.value).find((k) => !allowed.includes(k));
    if (unknown) throw errors.badRequest(`Unknown field '${unknown}' in '${l.key}'`);
    const v = l.value;
    if (l.key === "header") {
      if (header) throw errors.badRequest("Duplicate commit header");
      if (typeof v.summary !== "string" || v.summary.trim() === "") throw errors.badRequest("The commit summary must be a non-empty string");
      if (v.summary.length > 1000) throw errors.badRequest("The commit summary is too long");
      if (v.parentCommit !== undefined && v.parentCommit !== null && (typeof v.parentCommit !== "string" || !/^[0-9a-f]{40}$/.test(v.parentCommit))) throw errors.badRequest("'parentCommit' must be a 40-hex commit id");
      header = { summary: v.summary, description: typeof v.description === "string" ? v.description : "", ...(typeof v.parentCommit === "string" ? { parentCommit: v.parentCommit } : {}) };
      continue;
    }
    if (!header) throw errors.badRequest("The first NDJSON line must be the commit header");
    const path = l.key === "deletedFolder" || l.key === "deletedFile" ? parseDeletePath(v.path) : parseRepoPath(v.path);
    const oldPath = v.oldPath === undefined || v.oldPath === null ? undefined : parseRepoPath(v.oldPath);
    switch (l.key) {
      case "file": {
        if (v.encoding !== undefined && v.encoding !== "base64") throw errors.badRequest("Only base64 encoding is supported");
        const content = strictBase64(v.content, `'${path}'`);
        if (content.length > maxInline) throw new HubError("PayloadTooLarge", `'${path}' is ${content.length} bytes; files of ${maxInline + 1} bytes or more must be uploaded through LFS`);
        ops.push({ kind: "file", path, blob: await objects.blob(content), oldPath, ...(path === ".gitattributes" ? { content } : {}) });
        break;
      }
      case "lfsFile": {
        if (v.algo !== undefined && v.algo !== "sha256") throw errors.badRequest("Only sha256 LFS oids are supported");
        if (v.size !== undefined && (typeof v.size !== "number" || !Number.isSafeInteger(v.size) || v.size < 0)) throw errors.badRequest(`Invalid size for '${path}'`);
        ops.push({ kind: "lfsFile", path, oid: parseSha256(v.oid), size: v.size as number | undefined, oldPath });
        break;
      }
      case "deletedFile":
        ops.push({ kind: "deletedFile", path });
        break;
      case "deletedFolder":
        ops.push({ kind: "deletedFolder", path });
        break;
    }
  }
  if (!header) throw errors.badRequest("Empty commit body: a header line is required");
  return { ...header, ops, objects };
}
