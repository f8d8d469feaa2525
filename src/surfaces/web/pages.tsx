/** Reading pages as Preact components: rendered to HTML on the server, no JavaScript. */
import type { Actor } from "../../core/accounts.js";
import type { CommitObject, RepoRecord } from "../../core/ports.js";
import type { Entry } from "../../core/reads.js";
import { escapeHtml } from "./escape.js";
import { Page } from "./layout.js";

/** `/admin/m`, `/datasets/admin/d`, `/spaces/admin/s`. */
export const repoPath = (r: Pick<RepoRecord, "type" | "namespace" | "name">) => `${r.type === "model" ? "" : `/${r.type}s`}/${r.namespace}/${r.name}`;
export const enc = (s: string) => s.split("/").map(encodeURIComponent).join("/");
const when = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ");

/** Human size, as the Hub shows it. */
export function humanSize(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function RepoHeader({ repo, tab, rev }: { repo: RepoRecord; tab: "card" | "files" | "history" | "community"; rev: string }) {
  const base = repoPath(repo);
  return (
    <div class="repo-head">
      <h1>
        <a href={`/${repo.namespace}`}>{repo.namespace}</a> / <a href={base}>{repo.name}</a>
        {repo.private ? <span class="badge">private</span> : null}
        {repo.gated ? <span class="badge">gated</span> : null}
      </h1>
      <nav class="tabs" aria-label="Repository">
        <a href={base} aria-current={tab === "card" ? "page" : undefined}>
          {repo.type === "model" ? "Model card" : repo.type === "dataset" ? "Dataset card" : "App"}
        </a>
        <a href={`${base}/tree/${encodeURIComponent(rev)}`} aria-current={tab === "files" ? "page" : undefined}>
          Files and versions
        </a>
        <a href={`${base}/commits/${encodeURIComponent(rev)}`} aria-current={tab === "history" ? "page" : undefined}>
          History
        </a>
        <a href={`${base}/discussions`} aria-current={tab === "community" ? "page" : undefined}>
          Community
        </a>
        <a href={`${base}/settings`}>Settings</a>
      </nav>
    </div>
  );
}

/** What a gated repo's page tells the viewer about their access. */
export type GateView = "login" | "ask" | "pending" | "rejected" | "granted" | null;

/** The gated repo's panel: the request form (with the card's `extra_gated_fields`) or the request's state. */
function GatePanel({ repo, gate }: { repo: RepoRecord; gate: GateView }) {
  if (gate === null) return null;
  const fields = repo.cardData?.extra_gated_fields;
  const extra = fields && typeof fields === "object" && !Array.isArray(fields) ? Object.entries(fields as Record<string, unknown>).slice(0, 20) : [];
  const prompt = typeof repo.cardData?.extra_gated_prompt === "string" ? repo.cardData.extra_gated_prompt : null;
  return (
    <section class="gate" aria-label="Access">
      <h2>{gate === "granted" ? "You have been granted access to this repository" : "This repository is gated"}</h2>
      {gate === "login" ? (
        <p>
          Its files are shared with people the owners accept. <a href={`/login?next=${encodeURIComponent(repoPath(repo))}`}>Log in</a> to ask for access.
        </p>
      ) : gate === "pending" ? (
        <p>Your request for access is awaiting review by the owners.</p>
      ) : gate === "rejected" ? (
        <p>Your request for access was not accepted.</p>
      ) : gate === "ask" ? (
        <form method="post" action={`${repoPath(repo)}/ask-access`}>
          <p>{prompt ?? `You need to agree to share your contact information with the owners to access the files of ${repo.namespace}/${repo.name}.`}</p>
          {extra.map(([name, kind]) =>
            kind === "checkbox" ? (
              <label class="choice">
                <input type="checkbox" name={name} value="true" required /> {name}
              </label>
            ) : (
              <label>
                {name} <input name={name} required maxLength={500} />
              </label>
            ),
          )}
          <button type="submit">Request access</button>
        </form>
      ) : null}
    </section>
  );
}

/** Repo home: the rendered card, a metadata sidebar and how to use the repo. */
export function RepoPage(p: { actor: Actor; repo: RepoRecord; cardHtml: string | null; endpoint: string; sshHost: string | null; head: string | null; gate: GateView; liked: boolean }) {
  const { repo } = p;
  const id = `${repo.namespace}/${repo.name}`;
  const card = repo.cardData ?? {};
  const facts: [string, unknown][] = [
    ["License", card.license],
    ["Library", repo.derived?.libraryName ?? card.library_name],
    ["Task", card.pipeline_tag],
    ["Languages", card.language],
    ["Datasets", card.datasets],
    ["Base model", card.base_model],
  ];
  const typeFlag = repo.type === "model" ? "" : ` --repo-type ${repo.type}`;
  return (
    <Page title={id} actor={p.actor}>
      <RepoHeader repo={repo} tab="card" rev={repo.defaultBranch} />
      <GatePanel repo={repo} gate={p.gate} />
      <div class="columns">
        <article class="card">{p.cardHtml === null ? <p class="empty">No model card yet: add a README.md.</p> : <div class="markdown" dangerouslySetInnerHTML={{ __html: p.cardHtml }} />}</article>
        <aside class="sidebar" aria-label="About">
          <dl>
            {facts
              .filter(([, v]) => v !== undefined && v !== null && v !== "")
              .map(([k, v]) => (
                <>
                  <dt>{k}</dt>
                  <dd>{Array.isArray(v) ? v.map(String).join(", ") : String(v)}</dd>
                </>
              ))}
            {repo.type !== "space" ? (
              <>
                <dt>Downloads last month</dt>
                <dd>{repo.downloads.toLocaleString("en")}</dd>
              </>
            ) : null}
            <dt>Likes</dt>
            <dd>
              {repo.likes.toLocaleString("en")}
              {p.actor ? (
                <form method="post" action={`${repoPath(repo)}/like`} class="inline">
                  <input type="hidden" name="on" value={p.liked ? "false" : "true"} />{" "}
                  <button type="submit" aria-pressed={p.liked ? "true" : "false"}>
                    {p.liked ? "Unlike" : "Like"}
                  </button>
                </form>
              ) : null}
            </dd>
            {repo.derived?.safetensors ? (
              <>
                <dt>Parameters</dt>
                <dd>{repo.derived.safetensors.total.toLocaleString("en")}</dd>
              </>
            ) : null}
            {repo.tags.length ? (
              <>
                <dt>Tags</dt>
                <dd>
                  {repo.tags.map((t) => (
                    <a class="tag" href={`/${repo.type}s?filter=${encodeURIComponent(t)}`}>
                      {t}
                    </a>
                  ))}
                </dd>
              </>
            ) : null}
          </dl>
          <h2>Use this {repo.type}</h2>
          <pre tabIndex={0}>
            <code>{`export HF_ENDPOINT=${p.endpoint}\nhf download ${id}${typeFlag}`}</code>
          </pre>
          <pre tabIndex={0}>
            <code>{`git clone ${p.endpoint}${repoPath(repo)}`}</code>
          </pre>
          {p.sshHost ? (
            <pre tabIndex={0}>
              <code>{`git clone ssh://git@${p.sshHost}${repoPath(repo)}.git`}</code>
            </pre>
          ) : null}
          {p.head ? <p class="muted">Last commit {p.head.slice(0, 7)}</p> : null}
        </aside>
      </div>
    </Page>
  );
}

export function Breadcrumb({ repo, rev, path }: { repo: RepoRecord; rev: string; path: string }) {
  const base = `${repoPath(repo)}/tree/${encodeURIComponent(rev)}`;
  const parts = path ? path.split("/") : [];
  return (
    <nav class="crumbs" aria-label="Path">
      <a href={base}>{repo.name}</a>
      {parts.map((part, i) => (
        <>
          {" / "}
          <a href={`${base}/${enc(parts.slice(0, i + 1).join("/"))}`}>{part}</a>
        </>
      ))}
    </nav>
  );
}

/** Branch and tag switcher: real refs, plain links (works without JavaScript). */
export function RefSwitcher({ repo, rev, path, refs, view }: { repo: RepoRecord; rev: string; path: string; refs: { branches: string[]; tags: string[] }; view: "tree" | "blob" | "commits" }) {
  const link = (r: string) => `${repoPath(repo)}/${view}/${encodeURIComponent(r)}${path ? `/${enc(path)}` : ""}`;
  return (
    <details class="refs">
      <summary>
        Revision: <strong>{rev}</strong>
      </summary>
      <ul>
        {refs.branches.map((b) => (
          <li>
            <a href={link(b)}>{b}</a> <span class="muted">branch</span>
          </li>
        ))}
        {refs.tags.map((t) => (
          <li>
            <a href={link(t)}>{t}</a> <span class="muted">tag</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** A folder: one table row per entry, every row a real link. */
export function TreePage(p: { actor: Actor; repo: RepoRecord; rev: string; path: string; entries: Entry[]; next: string | null; refs: { branches: string[]; tags: string[] }; canWrite: boolean; search: string }) {
  const { repo, rev } = p;
  return (
    <Page title={`${repo.namespace}/${repo.name} · ${p.path || "files"}`} actor={p.actor}>
      <RepoHeader repo={repo} tab="files" rev={rev} />
      <div class="bar">
        <RefSwitcher repo={repo} rev={rev} path={p.path} refs={p.refs} view="tree" />
        <Breadcrumb repo={repo} rev={rev} path={p.path} />
        {p.canWrite && p.refs.branches.includes(rev) ? (
          <details class="menu">
            <summary>Add file</summary>
            <ul>
              <li>
                <a href={`${repoPath(repo)}/upload/${encodeURIComponent(rev)}${p.path ? `/${enc(p.path)}` : ""}`}>Upload files</a>
              </li>
              <li>
                <a href={`${repoPath(repo)}/new/${encodeURIComponent(rev)}${p.path ? `/${enc(p.path)}` : ""}`}>Create new file</a>
              </li>
            </ul>
          </details>
        ) : null}
      </div>
      <form method="get" role="search" class="inline-form">
        <label>
          Filter by name <input type="search" name="search" value={p.search} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {p.search && p.entries.length === 0 ? <p class="empty">No file or folder here has “{p.search}” in its name.</p> : null}
      <table class="files">
        <caption>Files at {rev}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Size</th>
            <th scope="col">Last commit</th>
          </tr>
        </thead>
        <tbody>
          {p.entries.map((e) => {
            const name = e.path.split("/").pop()!;
            const href = `${repoPath(repo)}/${e.type === "directory" ? "tree" : "blob"}/${encodeURIComponent(rev)}/${enc(e.path)}`;
            return (
              <tr>
                <td>
                  <a href={href}>{e.type === "directory" ? `${name}/` : name}</a>
                  {e.xetHash ? <span class="badge">Xet</span> : e.lfs ? <span class="badge">LFS</span> : null}
                </td>
                <td>{e.type === "directory" ? "" : humanSize(e.size)}</td>
                <td>{e.lastCommit ? <a href={`${repoPath(repo)}/commit/${e.lastCommit.oid}`}>{e.lastCommit.title}</a> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {p.next ? (
        <p>
          <a href={p.next}>Next page</a>
        </p>
      ) : null}
    </Page>
  );
}

/** History of a revision, newest first. */
export function CommitsPage(p: { actor: Actor; repo: RepoRecord; rev: string; path: string; commits: CommitObject[]; total: number; next: string | null; refs: { branches: string[]; tags: string[] } }) {
  const { repo } = p;
  return (
    <Page title={`${repo.namespace}/${repo.name} · history`} actor={p.actor}>
      <RepoHeader repo={repo} tab="history" rev={p.rev} />
      <div class="bar">
        <RefSwitcher repo={repo} rev={p.rev} path={p.path} refs={p.refs} view="commits" />
        {p.path ? (
          <span>
            History of <a href={`${repoPath(repo)}/blob/${encodeURIComponent(p.rev)}/${enc(p.path)}`}>{p.path}</a> · <a href={`${repoPath(repo)}/commits/${encodeURIComponent(p.rev)}`}>whole repo</a>
          </span>
        ) : null}
        <span class="muted">{p.total} commits</span>
      </div>
      <ol class="commits">
        {p.commits.map((c) => (
          <li>
            <a href={`${repoPath(repo)}/commit/${c.oid}`}>{c.title || "(no message)"}</a>
            <span class="muted">
              {" "}
              {c.authorName} · {when(c.date)} · <code>{c.oid.slice(0, 7)}</code>
            </span>
          </li>
        ))}
      </ol>
      {p.next ? (
        <p>
          <a href={p.next}>Older commits</a>
        </p>
      ) : null}
    </Page>
  );
}

/** A changed file as the commit page lists it. */
export interface ChangedFile {
  status: string;
  path: string;
  oldPath: string;
  oldLfs: { oid: string; size: number } | null;
  newLfs: { oid: string; size: number } | null;
}

const STATUS: Record<string, string> = { A: "added", M: "modified", D: "deleted", R: "renamed", C: "copied", T: "type changed" };

/** One commit, with its changed files (large files as old/new size and oid) and the patch. */
export function CommitPage(p: { actor: Actor; repo: RepoRecord; commit: CommitObject; files: ChangedFile[]; moreFiles: number; patchRows: string; truncated: boolean; pulls: { num: number; title: string; merged: boolean }[] }) {
  const { repo, commit } = p;
  const body = commit.message.split("\n").slice(1).join("\n").trim();
  return (
    <Page title={`${repo.namespace}/${repo.name} · ${commit.oid.slice(0, 7)}`} actor={p.actor}>
      <RepoHeader repo={repo} tab="history" rev={commit.oid} />
      <h2>{commit.title || "(no message)"}</h2>
      {body ? (
        <pre class="message" tabIndex={0}>
          {body}
        </pre>
      ) : null}
      <dl class="commit-facts">
        <dt>Author</dt>
        <dd>{commit.authorName}</dd>
        <dt>Date</dt>
        <dd>{when(commit.date)}</dd>
        <dt>Commit</dt>
        <dd>
          <code>{commit.oid}</code>
        </dd>
        {commit.parents.map((par) => (
          <>
            <dt>Parent</dt>
            <dd>
              <a href={`${repoPath(repo)}/commit/${par}`}>
                <code>{par.slice(0, 7)}</code>
              </a>
            </dd>
          </>
        ))}
      </dl>
      {p.pulls.map((pr) => (
        <p>
          {pr.merged ? "Merged" : "Part of"} pull request <a href={`${repoPath(repo)}/discussions/${pr.num}`}>#{pr.num}: {pr.title}</a>
        </p>
      ))}
      <p>
        <a href={`${repoPath(repo)}/tree/${commit.oid}`}>Browse files at this commit</a>
      </p>
      <h3>Files changed</h3>
      <ul class="changes">
        {p.files.map((f) => (
          <li>
            <span class="badge">{STATUS[f.status] ?? f.status}</span> {f.status === "R" ? `${f.oldPath} → ${f.path}` : f.path}
            {f.oldLfs || f.newLfs ? (
              <span class="muted">
                {" "}
                — large file: {f.oldLfs ? `${humanSize(f.oldLfs.size)} (${f.oldLfs.oid.slice(0, 12)})` : "none"} → {f.newLfs ? `${humanSize(f.newLfs.size)} (${f.newLfs.oid.slice(0, 12)})` : "none"}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      {p.moreFiles ? <p class="muted">and {p.moreFiles} more files</p> : null}
      {p.patchRows ? (
        <table class="code diff">
          <caption class="visually-hidden">Changes</caption>
          <tbody dangerouslySetInnerHTML={{ __html: p.patchRows }} />
        </table>
      ) : null}
      {p.truncated ? <p class="muted">The rest of the changes is not shown here.</p> : null}
    </Page>
  );
}


/**
 * The rows of a text file, one per line with its `#L` anchor: built as one string (escaped here)
 * and cached by blob id by the caller, since a large file would otherwise cost thousands of nodes
 * per request.
 */
export function codeRows(text: string): string {
  const lines = text.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((l, i) => `<tr id="L${i + 1}"><td class="ln"><a href="#L${i + 1}">${i + 1}</a></td><td><code>${escapeHtml(l)}</code></td></tr>`).join("");
}

/** A unified patch as table rows, each line classed (added, removed, hunk, file header), escaped. */
export function patchRows(patch: string): string {
  const lines = patch.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines
    .map((l) => {
      const cls = l.startsWith("diff --git") || l.startsWith("+++") || l.startsWith("---") || l.startsWith("index ") ? "file" : l.startsWith("@@") ? "hunk" : l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : "";
      return `<tr${cls ? ` class="${cls}"` : ""}><td><code>${escapeHtml(l)}</code></td></tr>`;
    })
    .join("");
}
