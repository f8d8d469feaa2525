/**
 * The web surface: server-rendered reading pages on huggingface.co's URLs (home, lists, repo home,
 * tree, blob, history, commit). An encapsulated plugin with its own HTML error pages and a page
 * CSP; every page goes through the same `repos.get` / `authorize()` as the API, so a private repo
 * the viewer cannot see is the same 404 page as a missing one.
 */
import { readFile } from "node:fs/promises";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Actor } from "../../core/accounts.js";
import { HubError } from "../../core/errors.js";
import type { RepoType } from "../../core/ids.js";
import { looksBinary } from "../../core/lfs-rules.js";
import { LruCache } from "../../core/lru.js";
import { actorOf, baseUrl, rawTail, repoIdOf, revAndPath } from "../http/context.js";
import { queryInt, queryOne, repoParams, repoTailParams, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { registerAccountPages } from "./account-routes.js";
import { registerEditRoutes } from "./edit-routes.js";
import { registerCommunityRoutes } from "./community-routes.js";
import { registerPeoplePages } from "./people-routes.js";
import { registerRepoForms } from "./repo-form-routes.js";
import { ErrorPage } from "./layout.js";
import { renderMarkdown, stripFrontMatter } from "./markdown.js";
import { html } from "./reply.js";
import { renderNotebook } from "./notebook.js";
import { preview, previewKind, type Preview } from "../../core/previews.js";
import type { Entry } from "../../core/reads.js";
import { codeCss, codeCssVersion, highlightRows, HIGHLIGHT_CAP, languageOf } from "./highlight.js";
import { facetCounts, FACETS, type Facet } from "./facets.js";
import { BlobPage, type FileView } from "./file-page.js";
import { ListPage } from "./list-page.js";
import { codeRows, type GateView, CommitPage, CommitsPage, patchRows, RepoPage, repoPath, TreePage } from "./pages.js";
import { FAVICON, STYLESHEET } from "./style.js";

const TYPES: { prefix: string; type: RepoType; plural: string }[] = [
  { prefix: "", type: "model", plural: "models" },
  { prefix: "/datasets", type: "dataset", plural: "datasets" },
  { prefix: "/spaces", type: "space", plural: "spaces" },
];

/** Pages load only their own stylesheet: no inline script or style anywhere. */
export const PAGE_CSP = "default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/** Text files shown inline up to this many bytes (the rest is behind raw/download). */
const TEXT_CAP = 256 * 1024;
/** Rendered cards and code rows, by immutable ids (blob oid, and for cards where links point). */
const rendered = new LruCache<string>(32 << 20, (s) => s.length);

const islands: Record<string, Buffer> = {};
const PAGE = 30;
const FACET_SCAN = 1000;
const listQuery = z.object({ search: queryOne, sort: z.enum(["modified", "created", "alphabetical", "likes", "downloads"]).optional(), p: queryInt, pipeline_tag: queryOne, library: queryOne, license: queryOne, language: queryOne, other: queryOne });
/** The cached rendering of a binary file (no HTML rendering is empty-with-a-NUL). */
const BINARY = "\0binary";
const IMAGE = /\.(png|jpe?g|gif|webp|avif|bmp|ico|svg)$/;
const AUDIO = /\.(mp3|wav|ogg|oga|flac|m4a|opus)$/;
const VIDEO = /\.(mp4|webm|mov|m4v|ogv)$/;

/** Thrown by a page loader to send the browser elsewhere (a moved repo's old URL). */
class Redirect extends Error {
  constructor(readonly location: string) {
    super("redirect");
  }
}


/** Registers the web pages. */
export function registerWebRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.addHook("onSend", async (_req, reply, payload) => {
    // Pages replace the global sandbox policy, unless the route chose its own (the upload page).
    if (String(reply.getHeader("Content-Security-Policy")).includes("sandbox")) reply.header("Content-Security-Policy", PAGE_CSP);
    return payload;
  });
  app.setErrorHandler(async (err: FastifyError | HubError | Redirect, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof Redirect) return reply.redirect(err.location, 301);
    let actor: Actor = null;
    try {
      actor = await actorOf(svc, req);
    } catch {
      // a bad credential: render anonymously
    }
    if (!(err instanceof HubError) && !((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500)) req.log.error({ err }, "page failed");
    const e = err instanceof HubError ? err : new HubError((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500 ? "BadRequest" : "Internal", (err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500 ? err.message : "Internal Error");
    // A missing and a private repo are the same page, whoever asks.
    const status = e.kind === "RepoNotFound" ? 404 : e.status;
    const message = e.kind === "GatedRepo" ? "This repository is gated: ask the owners for access on its page, then come back." : e.message;
    return html(reply, <ErrorPage status={status} message={message} actor={actor} />, status);
  });

  registerAccountPages(app, svc);
  registerRepoForms(app, svc);
  registerEditRoutes(app, svc);
  registerCommunityRoutes(app, svc);
  registerPeoplePages(app, svc);
  app.get("/favicon.svg", async (_req, reply) => reply.type("image/svg+xml").header("Cache-Control", "public, max-age=86400").send(FAVICON));
  // Browsers ask for /favicon.ico whatever the page says.
  app.get("/favicon.ico", async (_req, reply) => reply.redirect("/favicon.svg", 301));
  // Island bundles, built by scripts/build-islands.mjs into dist/static.
  app.get("/static/:island", { schema: { params: z.object({ island: z.enum(["upload.js"]) }) } }, async (req, reply) => {
    const body = (islands[req.params.island] ??= await readFile(new URL(`../../../static/${req.params.island}`, import.meta.url)));
    return reply.type("text/javascript; charset=utf-8").header("Cache-Control", "public, max-age=3600").send(body);
  });
  app.get("/static/code.css", async (_req, reply) => reply.type("text/css; charset=utf-8").header("Cache-Control", "public, max-age=3600").send(codeCss()));
  app.get("/static/hubble.css", async (_req, reply) => reply.type("text/css; charset=utf-8").header("Cache-Control", "public, max-age=3600").send(STYLESHEET));

  /** Home: recently updated repos of every type the viewer may see. */
  app.get("/", { schema: { querystring: z.object({ search: queryOne }) } }, async (req, reply) => {
    const actor = await actorOf(svc, req);
    const search = req.query.search ?? "";
    const repos = [];
    for (const t of ["model", "dataset", "space"] as const) repos.push(...(await svc.repos.list(actor, { type: t, search: search || undefined, sort: "lastModified", direction: -1, limit: 30, offset: 0 })));
    repos.sort((a, b) => (a.lastModified < b.lastModified ? 1 : -1));
    return html(reply, <ListPage actor={actor} title="Home" heading="Recently updated" repos={repos.slice(0, 30)} search={search} action="/" endpoint={baseUrl(svc, req)} intro={true} />);
  });


  // A user's or an org's page: their repos the viewer may see.
  app.get("/:owner", { schema: { params: z.object({ owner: z.string() }) } }, async (req, reply) => {
    const actor = await actorOf(svc, req);
    const overview = await svc.orgs.profile(req.params.owner);
    const repos = [];
    for (const t of ["model", "dataset", "space"] as const) repos.push(...(await svc.repos.list(actor, { type: t, author: overview.name, sort: "lastModified", direction: -1, limit: 100, offset: 0 })));
    const heading = overview.fullname && overview.fullname !== overview.name ? `${overview.fullname} (${overview.name})` : overview.name;
    const links = overview.type === "org" ? [{ href: `/organizations/${overview.name}/settings/members`, text: "Members" }] : actor?.user.name === overview.name ? [{ href: "/organizations/new", text: "New organization" }, { href: "/settings/profile", text: "Edit profile" }] : [];
    return html(reply, <ListPage actor={actor} title={overview.name} heading={heading} repos={repos} search="" action="/" endpoint={baseUrl(svc, req)} intro={false} links={links} />);
  });

  for (const { prefix, type, plural } of TYPES) {
    // `/models?pipeline_tag=…&library=…&license=…&language=…&other=…&sort=…&search=…&p=…`, HF's shape.
    app.get(`/${plural}`, { schema: { querystring: listQuery } }, async (req, reply) => {
      const actor = await actorOf(svc, req);
      const q = req.query;
      const pageNo = q.p ?? 0;
      const chosen = Object.fromEntries(FACETS.map((f) => [f, q[f] ?? ""])) as Record<Facet, string>;
      const filter = FACETS.map((f) => chosen[f]).filter(Boolean);
      const sort = q.sort === "created" ? "createdAt" : q.sort === "alphabetical" ? "id" : q.sort === "likes" ? "likes" : q.sort === "downloads" ? "downloads" : "lastModified";
      const base = { type, search: q.search || undefined, filter, sort, direction: sort === "id" ? 1 : -1 } as const;
      const repos = await svc.repos.list(actor, { ...base, limit: PAGE + 1, offset: pageNo * PAGE });
      // Facet counts over the first FACET_SCAN matches (what the viewer may see).
      const facets = facetCounts(await svc.repos.list(actor, { ...base, sort: "lastModified", direction: -1, limit: FACET_SCAN, offset: 0 }));
      return html(
        reply,
        <ListPage actor={actor} title={`${type[0]!.toUpperCase()}${type.slice(1)}s`} heading={`${type[0]!.toUpperCase()}${type.slice(1)}s`} repos={repos.slice(0, PAGE)} search={q.search ?? ""} action={`/${plural}`} endpoint={baseUrl(svc, req)} intro={false}
          browse={{ sort: q.sort ?? "modified", chosen, facets, page: pageNo, hasNext: repos.length > PAGE }} />,
      );
    });

    /** The repo of a page; a moved repo's old URLs answer with a redirect to the new ones. */
    const open = async (req: FastifyRequest, action: "read" | "download" = "read") => {
      const actor = await actorOf(svc, req);
      const { repo, movedFrom } = await svc.repos.get(actor, type, repoIdOf(req.params), action);
      if (movedFrom) {
        const p = req.params as { ns: string; name: string };
        const old = `${prefix}/${p.ns}/${p.name}`;
        throw new Redirect(repoPath(repo) + req.url.slice(old.length));
      }
      return { actor, repo, movedFrom };
    };
    /** May the actor change files from the browser: commit (writers) or open a pull request? */
    const canWrite = async (actor: Actor, repo: Awaited<ReturnType<typeof open>>["repo"]) => {
      if (!actor) return false;
      if (await svc.access.allowed(actor, "write", repo)) return true;
      return !repo.discussionsDisabled && (await svc.access.allowed(actor, "discuss", repo));
    };
    /** How the file page shows a file; every rendering cached by content id. */
    const fileView = async (repo: Awaited<ReturnType<typeof open>>["repo"], rev: string, path: string, entry: Entry, asCode: boolean): Promise<FileView> => {
      const lower = path.toLowerCase();
      if (IMAGE.test(lower)) return { kind: "image" };
      if (AUDIO.test(lower)) return { kind: "audio" };
      if (VIDEO.test(lower)) return { kind: "video" };
      const pk = previewKind(path);
      const contentId = entry.lfs ? entry.lfs.oid : entry.oid;
      if (pk) {
        const key = `preview\0${contentId}\0${pk}`;
        let json = rendered.get(key);
        if (json === undefined) {
          json = JSON.stringify(await preview(pk, path, entry.lfs ? entry.lfs.size : entry.size, (s, e) => svc.reads.range(repo, entry, s, e)));
          rendered.set(key, json);
        }
        return { kind: "preview", preview: JSON.parse(json) as Preview };
      }
      if (entry.lfs) return { kind: "none", why: `This file is stored with ${entry.xetHash ? "Xet" : "LFS"} and not shown here; download it instead.` };
      const md = /\.(md|markdown|ipynb)$/.test(lower) && !asCode && entry.size <= TEXT_CAP;
      const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
      const lang = !md && entry.size <= HIGHLIGHT_CAP ? languageOf(path) : null;
      // Markdown links point at the page's revision, so its rendering is cached per revision and folder.
      const key = md ? `md\0${entry.oid}\0${repoPath(repo)}\0${rev}\0${folder}` : `code\0${entry.oid}\0${lang ?? ""}`;
      let out = rendered.get(key);
      if (out === undefined) {
        const bytes = entry.size === 0 ? Buffer.alloc(0) : await svc.reads.range(repo, entry, 0, TEXT_CAP - 1);
        const text = bytes.toString("utf8");
        out = looksBinary(bytes.subarray(0, 8000)) ? BINARY : md ? (lower.endsWith(".ipynb") ? renderNotebook(text, { repoPath: repoPath(repo), rev, folder }) : renderMarkdown(stripFrontMatter(text), { repoPath: repoPath(repo), rev, folder })) : lang ? await highlightRows(text, lang) : codeRows(text);
        rendered.set(key, out);
      }
      if (out === BINARY) return { kind: "none", why: "This file is binary and not shown here; download it instead." };
      if (md) return { kind: "markdown", html: out };
      const rows = out;
      return { kind: "code", rows, truncated: entry.size > TEXT_CAP };
    };
    const refsOf = async (repo: Awaited<ReturnType<typeof open>>["repo"]) => {
      const { branches, tags } = await svc.reads.refs(repo);
      return { branches: [...branches.keys()], tags: [...tags.keys()] };
    };

    app.get(`${prefix}/:ns/:name`, { schema: { params: repoParams } }, async (req, reply) => {
      const { actor, repo } = await open(req);
      const head = await svc.reads.defaultHead(repo);
      let cardHtml: string | null = null;
      if (head) {
        try {
          const readme = await svc.reads.file(repo, head, "README.md");
          if (!readme.lfs && readme.size <= TEXT_CAP) {
            const key = `card\0${readme.oid}\0${repoPath(repo)}\0${repo.defaultBranch}`;
            cardHtml = rendered.get(key) ?? null;
            if (cardHtml === null) {
              const text = (await svc.reads.blob(repo, readme.oid, readme.size)) as Buffer;
              cardHtml = renderMarkdown(stripFrontMatter(text.toString("utf8")), { repoPath: repoPath(repo), rev: repo.defaultBranch, folder: "" });
              rendered.set(key, cardHtml);
            }
          }
        } catch (e) {
          if (!(e instanceof HubError && e.kind === "EntryNotFound")) throw e;
        }
      }
      let gate: GateView = null;
      if (repo.gated) {
        try {
          await svc.access.authorize(actor, "download", repo);
          gate = actor && (await svc.gate.mine(actor, repo)) === "accepted" ? "granted" : null;
        } catch (e) {
          if (!(e instanceof HubError && e.kind === "GatedRepo")) throw e;
          const mine = await svc.gate.mine(actor, repo);
          gate = !actor ? "login" : mine === "pending" || mine === "rejected" ? mine : "ask";
        }
      }
      const ssh = svc.config.sshPort ? `${new URL(baseUrl(svc, req)).hostname}:${svc.config.sshPort}` : null;
      return html(reply, <RepoPage actor={actor} repo={repo} cardHtml={cardHtml} endpoint={baseUrl(svc, req)} sshHost={ssh} head={head} gate={gate} liked={await svc.likes.mine(actor, repo)} />);
    });

    app.get(`${prefix}/:ns/:name/tree/*`, { schema: { params: repoTailParams, querystring: z.object({ cursor: queryInt, search: queryOne }) } }, async (req, reply) => {
      const { actor, repo } = await open(req);
      const { rev, path } = revAndPath(rawTail(req, prefix ? 4 : 3));
      const offset = req.query.cursor ?? 0;
      const search = (req.query.search ?? "").slice(0, 200);
      const page = await svc.reads.tree(repo, rev, path, { recursive: false, expand: true, offset, limit: 100, nameContains: search || undefined });
      const dirsFirst = [...page.entries].sort((a, b) => (a.type === b.type ? 0 : a.type === "directory" ? -1 : 1));
      const next = page.next === null ? null : `${req.url.split("?")[0]}?${new URLSearchParams({ ...(search ? { search } : {}), cursor: String(page.next) })}`;
      return html(reply, <TreePage actor={actor} repo={repo} rev={rev} path={path} entries={dirsFirst} next={next} refs={await refsOf(repo)} canWrite={await canWrite(actor, repo)} search={search} />);
    });

    app.get(`${prefix}/:ns/:name/blob/*`, { schema: { params: repoTailParams, querystring: z.object({ code: queryOne }) } }, async (req, reply) => {
      const { actor, repo } = await open(req, "download");
      const { rev, path } = revAndPath(rawTail(req, prefix ? 4 : 3));
      const commit = await svc.reads.revision(repo, rev);
      const entry = await svc.reads.file(repo, commit, path);
      const view = await fileView(repo, rev, path, entry, req.query.code === "true" || req.query.code === "1");
      const css = view.kind === "code" && view.rows.includes('<span class="t') ? `/static/code.css?v=${codeCssVersion()}` : null;
      return html(reply, <BlobPage actor={actor} repo={repo} rev={rev} path={path} entry={entry} view={view} refs={await refsOf(repo)} canWrite={await canWrite(actor, repo)} codeCss={css} />);
    });

    app.get(`${prefix}/:ns/:name/commits/*`, { schema: { params: repoTailParams, querystring: z.object({ p: queryInt }) } }, async (req, reply) => {
      const { actor, repo } = await open(req);
      const { rev, path } = revAndPath(rawTail(req, prefix ? 4 : 3));
      const pageNo = req.query.p ?? 0;
      const { total, commits } = await svc.reads.history(repo, rev, { offset: pageNo * 50, limit: 50, path });
      const next = (pageNo + 1) * 50 < total ? `${req.url.split("?")[0]}?p=${pageNo + 1}` : null;
      return html(reply, <CommitsPage actor={actor} repo={repo} rev={rev} path={path} commits={commits} total={total} next={next} refs={await refsOf(repo)} />);
    });

    app.get(`${prefix}/:ns/:name/commit/:sha`, { schema: { params: repoParams.extend({ sha: z.string().regex(/^[0-9a-f]{4,40}$/, "expected a commit id") }) } }, async (req, reply) => {
      // The patch shows content: a gated repo's commit page needs the same access as its files.
      const { actor, repo } = await open(req, "download");
      const d = await svc.reads.commitDiff(repo, req.params.sha, TEXT_CAP);
      const pulls = (await svc.discussions.ofCommit(repo, d.commit.oid)).map((t) => ({ num: t.num, title: t.title, merged: t.mergeCommit === d.commit.oid }));
      return html(reply, <CommitPage actor={actor} repo={repo} commit={d.commit} files={d.files} moreFiles={d.moreFiles} patchRows={patchRows(d.patch)} truncated={d.truncated} pulls={pulls} />);
    });
  }
}
