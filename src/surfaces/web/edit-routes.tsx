/**
 * Routes of the pages that change files: `/{repo}/upload/{rev}` (the upload island's form),
 * `/{repo}/new/{rev}/{folder}` and `/{repo}/edit/{rev}/{path}` (a form posting back: Preview
 * renders the card through the one markdown renderer; Commit checks a README's YAML first and
 * shows the error with its line and column, committing nothing). Writers commit or open a pull
 * request; those who may only discuss open a pull request, like the API's create_pr.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Actor } from "../../core/accounts.js";
import { validateCard } from "../../core/card.js";
import type { CommitOp } from "../../core/commits.js";
import { HubError } from "../../core/errors.js";
import { lfsThreshold } from "../../core/lfs-rules.js";
import { parseRepoPath, type RepoType } from "../../core/ids.js";
import type { DiscussionRecord, RepoRecord } from "../../core/ports.js";
import { checkSameOrigin, rawTail, repoIdOf, revAndPath } from "../http/context.js";
import { repoTailParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { EditPage, UploadPage } from "./edit-pages.js";
import { html, signedIn } from "./reply.js";
import { renderMarkdown, stripFrontMatter } from "./markdown.js";
import { repoPath } from "./pages.js";
import { PAGE_CSP } from "./web-routes.js";

const PREFIX: Record<RepoType, string> = { model: "", dataset: "/datasets", space: "/spaces" };
/** Files per browser upload: what one preupload request takes. */
const MAX_UPLOAD_FILES = 1000;

const editBody = z.object({
  path: z.string().max(1000),
  content: z.string().max(16 * 1024 * 1024),
  summary: z.string().max(1000).default(""),
  description: z.string().max(65536).default(""),
  parent: z.string().regex(/^([0-9a-f]{40})?$/).default(""),
  intent: z.enum(["preview", "commit"]).default("commit"),
  pr: z.string().max(8).optional(),
});

/** Registers the upload and edit pages. */
export function registerEditRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  for (const type of ["model", "dataset", "space"] as const) {
    const base = `${PREFIX[type]}/:ns/:name`;
    const segs = PREFIX[type] ? 4 : 3;
    /**
     * Signed in, or sent to log in; the repo's revision must be a branch. Writers commit (or open
     * a pull request); those who may only take part in discussions open a pull request.
     */
    const open = async (req: FastifyRequest, reply: FastifyReply) => {
      const actor = await signedIn(svc, req, reply);
      if (!actor) return null;
      // "download": the edit page shows a file's content, so a gated repo's gate applies.
      const { repo } = await svc.repos.get(actor, type, repoIdOf(req.params), "download");
      const prOnly = !(await svc.access.allowed(actor, "write", repo));
      if (prOnly) await svc.discussions.uploadTarget(actor, type, repoIdOf(req.params), null, true);
      const { rev, path } = revAndPath(rawTail(req, segs));
      const { branches } = await svc.reads.refs(repo);
      if (!branches.has(rev)) throw new HubError("RevisionNotFound", `Branch ${rev} does not exist: changes are committed to a branch`);
      return { actor, repo, rev, path, branches: [...branches.keys()], prOnly };
    };

    app.get(`${base}/upload/*`, { schema: { params: repoTailParams } }, async (req, reply) => {
      const o = await open(req, reply);
      if (!o) return reply;
      // The upload library hashes with WebAssembly: allowed to compile it, still no eval of scripts.
      reply.header("Content-Security-Policy", PAGE_CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"));
      return html(reply, <UploadPage actor={o.actor} repo={o.repo} rev={o.rev} branches={o.branches} folder={o.path} maxFileBytes={svc.config.maxFileBytes} maxFiles={MAX_UPLOAD_FILES} prOnly={o.prOnly} />);
    });

    app.get(`${base}/new/*`, { schema: { params: repoTailParams } }, async (req, reply) => {
      const o = await open(req, reply);
      if (!o) return reply;
      const head = await svc.reads.revision(o.repo, o.rev);
      return html(reply, <EditPage actor={o.actor} repo={o.repo} rev={o.rev} mode="new" oldPath="" path={o.path ? `${o.path}/` : ""} content="" parent={head} summary="" error={null} errorAt={null} previewHtml={null} prOnly={o.prOnly} />);
    });

    app.get(`${base}/edit/*`, { schema: { params: repoTailParams } }, async (req, reply) => {
      const o = await open(req, reply);
      if (!o) return reply;
      const head = await svc.reads.revision(o.repo, o.rev);
      const entry = await svc.reads.file(o.repo, head, o.path);
      if (entry.lfs || entry.size > lfsThreshold(o.repo) - 1) throw new HubError("BadRequest", "Large files cannot be edited in the browser: upload a new version instead");
      const bytes = entry.size === 0 ? Buffer.alloc(0) : ((await svc.reads.blob(o.repo, entry.oid, entry.size)) as Buffer);
      return html(reply, <EditPage actor={o.actor} repo={o.repo} rev={o.rev} mode="edit" oldPath={o.path} path={o.path} content={bytes.toString("utf8")} parent={head} summary="" error={null} errorAt={null} previewHtml={null} prOnly={o.prOnly} />);
    });

    const save = (mode: "new" | "edit") => async (req: FastifyRequest<{ Body: z.infer<typeof editBody> }>, reply: FastifyReply) => {
      checkSameOrigin(svc, req);
      const o = await open(req, reply);
      if (!o) return reply;
      const b = req.body;
      // Browsers send a textarea's lines with CRLF; the file keeps what was typed.
      const content = b.content.replace(/\r\n/g, "\n");
      const again = (status: number, error: string | null, errorAt: { line: number; column: number } | null, previewHtml: string | null) =>
        html(reply, <EditPage actor={o.actor} repo={o.repo} rev={o.rev} mode={mode} oldPath={mode === "edit" ? o.path : ""} path={b.path} content={content} parent={b.parent || null} summary={b.summary} error={error} errorAt={errorAt} previewHtml={previewHtml} prOnly={o.prOnly} />, status);
      let path: string;
      try {
        path = parseRepoPath(b.path.trim());
      } catch (e) {
        if (e instanceof HubError) return again(e.status, e.message, null, null);
        throw e;
      }
      const isCard = /\.md$/i.test(path);
      const card = path === "README.md" ? validateCard(content) : null;
      if (b.intent === "preview") {
        const previewHtml = isCard ? renderMarkdown(stripFrontMatter(content), { repoPath: repoPath(o.repo), rev: o.rev, folder: path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "" }) : null;
        return again(200, card?.errors.length ? card.errors.join("; ") : isCard ? null : "Only markdown files have a preview.", card?.at ?? null, previewHtml);
      }
      if (card?.errors.length) return again(400, `README.md was not committed: ${card.errors.join("; ")}`, card.at ?? null, null);
      const bytes = Buffer.from(content, "utf8");
      if (bytes.length > lfsThreshold(o.repo) - 1) return again(413, "This file is too large to commit from the editor: upload it instead.", null, null);
      const asPr = o.prOnly || b.pr === "on";
      const opened: { thread?: DiscussionRecord } = {};
      const summary = b.summary.trim() || (mode === "new" ? `Create ${path}` : `Update ${path}`);
      const oid = await commitOne(svc, o.actor, o.repo, o.rev, {
        path,
        bytes,
        oldPath: mode === "edit" && o.path !== path ? o.path : null,
        summary,
        description: b.description,
        parent: b.parent || undefined,
        openPr: asPr ? svc.discussions.opener(o.actor, o.repo, summary, b.description, opened) : undefined,
      }).catch((e: unknown) => e);
      if (oid instanceof HubError && oid.status < 500) return again(oid.status, oid.message, null, null);
      if (oid instanceof Error) throw oid;
      if (opened.thread) return reply.redirect(`${repoPath(o.repo)}/discussions/${opened.thread.num}`, 303);
      return reply.redirect(`${repoPath(o.repo)}/blob/${encodeURIComponent(o.rev)}/${path.split("/").map(encodeURIComponent).join("/")}`, 303);
    };
    app.post(`${base}/new/*`, { schema: { params: repoTailParams, body: editBody } }, save("new"));
    app.post(`${base}/edit/*`, { schema: { params: repoTailParams, body: editBody } }, save("edit"));
  }
}

/** One file written (and, on a rename, the old one removed) in one commit; stale parents refused. */
async function commitOne(svc: Services, actor: NonNullable<Actor>, repo: RepoRecord, rev: string, f: { path: string; bytes: Buffer; oldPath: string | null; summary: string; description: string; parent?: string; openPr?: Parameters<Services["commits"]["commit"]>[4] }) {
  const objects = svc.commits.stage(repo);
  try {
    const path = parseRepoPath(f.path);
    const ops: CommitOp[] = [{ kind: "file", path, blob: await objects.blob(f.bytes), ...(path === ".gitattributes" ? { content: f.bytes } : {}) }];
    if (f.oldPath) ops.push({ kind: "deletedFile", path: parseRepoPath(f.oldPath) });
    return await svc.commits.commit(actor, repo, rev, { summary: f.summary, description: f.description, parentCommit: f.parent, ops, objects }, f.openPr);
  } catch (e) {
    await objects.discard();
    throw e;
  }
}
