/** The file page: how a file is shown (code, markdown, media, a data preview, or facts). */
import type { Actor } from "../../core/accounts.js";
import type { RepoRecord } from "../../core/ports.js";
import type { Preview } from "../../core/previews.js";
import type { Entry } from "../../core/reads.js";
import { Page } from "./layout.js";
import { Breadcrumb, enc, humanSize, RefSwitcher, RepoHeader, repoPath } from "./pages.js";

/** How a file page shows the file. */
export type FileView =
  | { kind: "code"; rows: string; truncated: boolean }
  | { kind: "markdown"; html: string }
  | { kind: "image" | "audio" | "video" }
  | { kind: "preview"; preview: Preview }
  | { kind: "none"; why: string };

function PreviewTable({ p, path }: { p: Preview; path: string }) {
  return (
    <section class="preview" aria-label="Preview">
      {p.facts.length ? (
        <dl class="facts">
          {p.facts.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </>
          ))}
        </dl>
      ) : null}
      {p.columns.length ? (
        <div class="scroll" tabIndex={0} role="region" aria-label={`Table of ${path}`}>
          <table class="files data">
            <caption>{p.kind === "safetensors" ? "Tensors" : p.kind === "gguf" ? "Metadata" : "First rows"}</caption>
            <thead>
              <tr>
                {p.columns.map((c) => (
                  <th scope="col">{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr>
                  {r.map((c) => (
                    <td>{c}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {p.more ? <p class="muted">Only the beginning is shown.</p> : null}
      {p.note ? <p class="muted">{p.note}</p> : null}
    </section>
  );
}

/** One file: code (highlighted), markdown rendered, media inline, data previews, else facts and a download link. */
export function BlobPage(p: { actor: Actor; repo: RepoRecord; rev: string; path: string; entry: Entry; view: FileView; refs: { branches: string[]; tags: string[] }; canWrite: boolean; codeCss: string | null }) {
  const { repo, rev, entry, view } = p;
  const raw = `${repoPath(repo)}/raw/${encodeURIComponent(rev)}/${enc(p.path)}`;
  const resolve = `${repoPath(repo)}/resolve/${encodeURIComponent(rev)}/${enc(p.path)}`;
  const self = `${repoPath(repo)}/blob/${encodeURIComponent(rev)}/${enc(p.path)}`;
  const name = p.path.split("/").pop()!;
  return (
    <Page title={`${repo.namespace}/${repo.name} · ${p.path}`} actor={p.actor} styles={p.codeCss ? [p.codeCss] : undefined}>
      <RepoHeader repo={repo} tab="files" rev={rev} />
      <div class="bar">
        <RefSwitcher repo={repo} rev={rev} path={p.path} refs={p.refs} view="blob" />
        <Breadcrumb repo={repo} rev={rev} path={p.path} />
      </div>
      <p class="file-facts">
        {humanSize(entry.lfs ? entry.lfs.size : entry.size)}
        {entry.lfs ? ` · stored with ${entry.xetHash ? "Xet" : "LFS"} · sha256 ${entry.lfs.oid}` : ""}
        {entry.xetHash ? ` · Xet hash ${entry.xetHash}` : ""}
        {" · "}
        <a href={raw}>raw</a> · <a href={`${resolve}?download=true`}>download</a> · <a href={`${repoPath(repo)}/commits/${encodeURIComponent(rev)}/${enc(p.path)}`}>history</a>
        {view.kind === "markdown" ? (
          <>
            {" · "}
            <a href={`${self}?code=true`}>view code</a>
          </>
        ) : null}
        {p.canWrite && !entry.lfs && p.refs.branches.includes(rev) ? (
          <>
            {" · "}
            <a href={`${repoPath(repo)}/edit/${encodeURIComponent(rev)}/${enc(p.path)}`}>edit</a>
          </>
        ) : null}
      </p>
      {view.kind === "code" ? (
        <>
          <table class="code">
            <caption class="visually-hidden">{p.path}</caption>
            <tbody dangerouslySetInnerHTML={{ __html: view.rows }} />
          </table>
          {view.truncated ? <p class="muted">Only the beginning of the file is shown.</p> : null}
        </>
      ) : view.kind === "markdown" ? (
        <article class="markdown" dangerouslySetInnerHTML={{ __html: view.html }} />
      ) : view.kind === "image" ? (
        <p class="media">
          <img src={resolve} alt={name} />
        </p>
      ) : view.kind === "audio" ? (
        <audio controls src={resolve} aria-label={name}></audio>
      ) : view.kind === "video" ? (
        <video controls src={resolve} aria-label={name} class="media"></video>
      ) : view.kind === "preview" ? (
        <PreviewTable p={view.preview} path={p.path} />
      ) : view.kind === "none" ? (
        <p class="empty">{view.why}</p>
      ) : null}
    </Page>
  );
}
