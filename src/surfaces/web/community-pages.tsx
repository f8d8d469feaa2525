/**
 * The Community tab: the list of discussions and pull requests (open/closed), a thread with its
 * timeline (comments rendered by the one markdown renderer, commits, status and title changes)
 * and, for a pull request, "Files changed" and the merge, close and reopen buttons.
 */
import type { Actor } from "../../core/accounts.js";
import type { ThreadView } from "../../core/discussions.js";
import type { DiscussionEventRecord, DiscussionRecord, RepoRecord } from "../../core/ports.js";
import { Alert, Page } from "./layout.js";
import { RepoHeader, repoPath } from "./pages.js";

const day = (iso: string) => iso.slice(0, 10);
const STATUS_LABEL: Record<string, string> = { open: "open", draft: "draft", closed: "closed", merged: "merged" };

/** The thread list, filtered by status, with the form that opens a discussion. */
export function CommunityPage(p: { actor: Actor; repo: RepoRecord; status: "open" | "closed" | "all"; items: DiscussionRecord[]; total: number; page: number; pageSize: number; canOpen: boolean; error: string | null; title: string; description: string }) {
  const base = `${repoPath(p.repo)}/discussions`;
  const filter = (s: "open" | "closed" | "all", label: string) => (
    <a href={`${base}?status=${s}`} aria-current={p.status === s ? "page" : undefined} class="tag">
      {label}
    </a>
  );
  return (
    <Page title={`${p.repo.namespace}/${p.repo.name} · Community`} actor={p.actor}>
      <RepoHeader repo={p.repo} tab="community" rev={p.repo.defaultBranch} />
      <nav class="bar" aria-label="Filter threads">
        {filter("open", "Open")}
        {filter("closed", "Closed")}
        {filter("all", "All")}
        <span class="muted">{p.total} {p.total === 1 ? "thread" : "threads"}</span>
      </nav>
      {p.items.length === 0 ? <p class="empty">No {p.status === "all" ? "" : `${p.status} `}discussions or pull requests yet.</p> : null}
      <ul class="repos threads">
        {p.items.map((t) => (
          <li>
            <span class="badge">{t.isPullRequest ? "pull request" : "discussion"}</span> <a href={`${base}/${t.num}`}>{t.title}</a> <span class="muted">#{t.num}</span>{" "}
            <span class={`badge status-${t.status}`}>{STATUS_LABEL[t.status]}</span>
            <span class="muted">
              {" "}
              · opened {day(t.createdAt)} by {t.author?.name ?? "deleted"} · {t.numComments} {t.numComments === 1 ? "comment" : "comments"}
            </span>
          </li>
        ))}
      </ul>
      {(p.page + 1) * p.pageSize < p.total ? (
        <p>
          <a href={`${base}?status=${p.status}&p=${p.page + 1}`} rel="next">
            Older threads
          </a>
        </p>
      ) : null}
      {p.canOpen ? (
        <section aria-labelledby="new-discussion">
          <h2 id="new-discussion">New discussion</h2>
          <Alert message={p.error} />
          <form method="post" action={`${base}/new`} class="form-page">
            <label>
              Title <input name="title" required minLength={3} maxLength={200} value={p.title} />
            </label>
            <label>
              Description <textarea name="description" rows={6} required>{p.description}</textarea>
            </label>
            <button type="submit">Start discussion</button>
          </form>
        </section>
      ) : p.actor ? null : (
        <p class="muted">
          <a href={`/login?next=${encodeURIComponent(base)}`}>Log in</a> to start a discussion.
        </p>
      )}
    </Page>
  );
}

function Event({ repo, e, html }: { repo: RepoRecord; e: DiscussionEventRecord; html: (raw: string) => string }) {
  const who = e.author?.name ?? "deleted";
  if (e.type === "comment") {
    const d = e.data as { hidden: boolean; edited: boolean; latest: { raw: string } };
    return (
      <article class="comment" id={e.id} aria-label={`Comment by ${who}`}>
        <p class="muted">
          <strong>{who}</strong> · {day(e.createdAt)}
          {d.edited ? " · edited" : ""}
        </p>
        {d.hidden ? <p class="muted">This comment has been hidden.</p> : <div class="card" dangerouslySetInnerHTML={{ __html: html(d.latest.raw) }} />}
      </article>
    );
  }
  if (e.type === "commit") {
    const d = e.data as { oid: string; subject: string };
    return (
      <p class="event">
        {who} added a commit: <a href={`${repoPath(repo)}/commit/${d.oid}`}>{d.subject}</a> <code>{d.oid.slice(0, 7)}</code>
      </p>
    );
  }
  if (e.type === "title-change") {
    const d = e.data as { from: string; to: string };
    return (
      <p class="event">
        {who} changed the title from <q>{d.from}</q> to <q>{d.to}</q>
      </p>
    );
  }
  const status = (e.data as { status: string }).status;
  return (
    <p class="event">
      {who} {status === "merged" ? "merged this pull request" : status === "closed" ? "closed this" : "reopened this"} · {day(e.createdAt)}
    </p>
  );
}

/** A thread: conversation or (for PRs) files changed; comment, merge, close and reopen forms. */
export function ThreadPage(p: {
  actor: Actor;
  v: ThreadView;
  tab: "conversation" | "files";
  patchRows: string;
  canComment: boolean;
  canMerge: boolean;
  canChangeStatus: boolean;
  error: string | null;
  html: (raw: string) => string;
}) {
  const { repo, thread: t } = p.v;
  const base = `${repoPath(repo)}/discussions/${t.num}`;
  const open = t.status === "open" || t.status === "draft";
  const target = t.targetBranch?.replace(/^refs\/heads\//, "") ?? "";
  return (
    <Page title={`${t.title} · ${repo.namespace}/${repo.name} #${t.num}`} actor={p.actor}>
      <RepoHeader repo={repo} tab="community" rev={repo.defaultBranch} />
      <h2>
        {t.title} <span class="muted">#{t.num}</span>
      </h2>
      <p>
        <span class={`badge status-${t.status}`}>{STATUS_LABEL[t.status]}</span>{" "}
        {t.isPullRequest ? (
          <>
            {t.author?.name ?? "deleted"} {t.status === "merged" ? "proposed to merge" : "wants to merge"} <code>refs/pr/{t.num}</code> into <code>{target}</code>
            {t.mergeCommit ? (
              <>
                {" "}
                · merged as <a href={`${repoPath(repo)}/commit/${t.mergeCommit}`}>{t.mergeCommit.slice(0, 7)}</a>
              </>
            ) : null}
          </>
        ) : (
          <>opened by {t.author?.name ?? "deleted"}</>
        )}
      </p>
      {t.isPullRequest ? (
        <nav class="tabs" aria-label="Pull request">
          <a href={base} aria-current={p.tab === "conversation" ? "page" : undefined}>
            Conversation
          </a>
          <a href={`${base}/files`} aria-current={p.tab === "files" ? "page" : undefined}>
            Files changed ({p.v.files?.length ?? 0})
          </a>
        </nav>
      ) : null}
      <Alert message={p.error} />
      {p.tab === "files" ? (
        <section aria-label="Files changed">
          <ul class="changes">
            {(p.v.files ?? []).map((f) => (
              <li>
                <span class="badge">{f.status}</span> {f.path}
              </li>
            ))}
          </ul>
          {p.patchRows ? (
            <table class="code diff">
              <caption class="visually-hidden">Changes</caption>
              <tbody dangerouslySetInnerHTML={{ __html: p.patchRows }} />
            </table>
          ) : (
            <p class="empty">No changes yet.</p>
          )}
        </section>
      ) : (
        <section aria-label="Conversation" class="timeline">
          {p.v.events.map((e) => (
            <Event repo={repo} e={e} html={p.html} />
          ))}
        </section>
      )}
      {t.isPullRequest && open && p.v.conflicts.length ? (
        <Alert message={`This pull request conflicts with ${target} in: ${p.v.conflicts.join(", ")}`} />
      ) : null}
      <div class="bar">
        {p.canMerge && t.isPullRequest && open ? (
          <form method="post" action={`${base}/merge`} class="inline">
            <button type="submit" disabled={p.v.conflicts.length > 0}>
              Merge pull request
            </button>
          </form>
        ) : null}
        {p.canChangeStatus && t.status !== "merged" ? (
          <form method="post" action={`${base}/status`} class="inline">
            <input type="hidden" name="status" value={open ? "closed" : "open"} />
            <button type="submit">{open ? (t.isPullRequest ? "Close pull request" : "Close discussion") : "Reopen"}</button>
          </form>
        ) : null}
      </div>
      {p.canComment ? (
        <form method="post" action={`${base}/comment`} class="form-page">
          <label>
            Add a comment <textarea name="comment" rows={5} required></textarea>
          </label>
          <button type="submit">Comment</button>
        </form>
      ) : p.actor ? null : (
        <p class="muted">
          <a href={`/login?next=${encodeURIComponent(base)}`}>Log in</a> to comment.
        </p>
      )}
    </Page>
  );
}
