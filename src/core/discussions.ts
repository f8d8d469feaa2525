/**
 * Discussions and pull requests, the Hub's way: one numbered sequence per repo; a pull request is
 * `refs/pr/N` in the repo itself (no forks), proposed against a branch and merged into it by a
 * fast-forward or a merge commit; its events are comments (edit history kept), status, title and
 * commit changes.
 *
 * Who may do what: anyone who can see the repo and holds a write-capable credential opens threads
 * and comments (access action `discuss`); a thread's author or a repo writer renames it and
 * changes its status; a comment's author edits it, its author or a repo writer hides it; a PR's
 * author or a repo writer adds commits to it; a repo writer merges.
 */
import type { Access } from "./access.js";
import type { Actor } from "./accounts.js";
import type { Commits } from "./commits.js";
import { errors, HubError } from "./errors.js";
import type { CommitOid, RepoType } from "./ids.js";
import type { RefLocks } from "./mutex.js";
import type { CommitObject, DiscussionEventRecord, DiscussionRecord, DiscussionStatus, MetaStore, NewDiscussionEvent, RepoRecord } from "./ports.js";
import type { Repos } from "./repos.js";
import { signatureOf } from "./repos.js";
import { NO_EVENTS, type EventSink } from "./webhooks.js";

/** Threads per page of a listing (the Hub's page size). */
export const DISCUSSION_PAGE = 50;
/** A PR's diff is cut here (the details say so by ending early; the files list stays whole). */
const MAX_DIFF = 4 << 20;
const PR_REF = /^refs\/pr\/([1-9]\d{0,8})$/;

/** The PR number a revision names (`refs/pr/N`), or null. */
export function prNumber(rev: string | null | undefined): number | null {
  const m = rev ? PR_REF.exec(rev) : null;
  return m ? Number(m[1]) : null;
}

/** A thread with what its page and the API's details show. */
export interface ThreadView {
  repo: RepoRecord;
  thread: DiscussionRecord;
  events: DiscussionEventRecord[];
  /** Pull requests: the patch against the merge base (when asked for), and the files it changes. */
  diff?: string;
  files?: { status: string; path: string }[];
  /** Open pull requests: the files that conflict with the target branch. */
  conflicts: string[];
}

/** What a change to a thread answers: the repo and the new or changed event. */
export interface Changed {
  repo: RepoRecord;
  event: DiscussionEventRecord;
}

function checkTitle(raw: unknown): string {
  const title = typeof raw === "string" ? raw.trim() : "";
  if (title.length < 3 || title.length > 200) throw errors.badRequest("The title must be between 3 and 200 characters long");
  return title;
}

function checkText(raw: unknown, what: string): string {
  if (typeof raw !== "string" || raw.trim() === "") throw errors.badRequest(`The ${what} must be a non-empty string`);
  if (raw.length > 65536) throw errors.badRequest(`The ${what} is too long (at most 65536 characters)`);
  return raw;
}

/** A comment's data, as the Hub's API shows it (`latest` is the current text). */
function commentData(raw: string, author: string, at = new Date().toISOString()): Record<string, unknown> {
  return { edited: false, hidden: false, latest: { raw, updatedAt: at, author }, numEdits: 0, editors: [author], history: [] };
}

const isOpen = (t: DiscussionRecord) => t.status === "open" || t.status === "draft";

export class Discussions {
  constructor(
    private readonly meta: MetaStore,
    private readonly repos: Repos,
    private readonly access: Access,
    private readonly commits: Commits,
    private readonly locks: RefLocks,
    private readonly events: EventSink = NO_EVENTS,
  ) {}

  private changed(repo: RepoRecord, thread: DiscussionRecord, scope: "discussion" | "discussion.comment", action: "create" | "update", comment?: DiscussionEventRecord): Promise<void> {
    return this.events.emit({ repo, scope, action, discussion: thread, ...(comment ? { comment } : {}) });
  }

  private async thread(actor: Actor, type: RepoType, id: string, num: number, action: "read" | "discuss" = "read"): Promise<{ repo: RepoRecord; thread: DiscussionRecord }> {
    const { repo } = await this.repos.get(actor, type, id, action);
    const thread = await this.meta.discussions.get(repo.id, num);
    if (!thread) throw errors.notFound(`Discussion #${num} not found in ${repo.namespace}/${repo.name}`);
    return { repo, thread };
  }

  /** Is the actor the thread's author or a repo writer? */
  private async authorOrWriter(actor: NonNullable<Actor>, repo: RepoRecord, thread: DiscussionRecord): Promise<boolean> {
    return thread.author?.id === actor.user.id || (await this.access.allowed(actor, "write", repo));
  }

  /** Opening new threads: `discuss` on the repo, with its Community tab on. */
  private async openable(actor: Actor, type: RepoType, id: string): Promise<{ repo: RepoRecord; user: NonNullable<Actor> }> {
    const { repo } = await this.repos.get(actor, type, id, "discuss");
    if (repo.discussionsDisabled) throw errors.forbidden("Discussions are disabled for this repository");
    return { repo, user: actor! };
  }

  async list(actor: Actor, type: RepoType, id: string, q: { author?: string; type?: string; status?: string; page: number }) {
    const { repo } = await this.repos.get(actor, type, id, "read");
    let authorId: number | undefined;
    if (q.author) {
      const a = await this.meta.accounts.byName(q.author);
      if (!a) return { repo, items: [], total: 0, start: q.page * DISCUSSION_PAGE };
      authorId = a.id;
    }
    const isPullRequest = q.type === "pull_request" ? true : q.type === "discussion" ? false : undefined;
    const status = q.status === "open" || q.status === "closed" ? q.status : undefined;
    const start = q.page * DISCUSSION_PAGE;
    const { items, total } = await this.meta.discussions.list(repo.id, { authorId, isPullRequest, status, limit: DISCUSSION_PAGE, offset: start });
    return { repo, items, total, start };
  }

  async details(actor: Actor, type: RepoType, id: string, num: number, withDiff: boolean): Promise<ThreadView> {
    const { repo, thread } = await this.thread(actor, type, id, num);
    const events = await this.meta.discussions.events(thread.id);
    const view: ThreadView = { repo, thread, events, conflicts: [] };
    if (!thread.isPullRequest) return view;
    const git = this.commits.git(repo);
    const head = await git.resolveCommit(`refs/pr/${num}`);
    const base = thread.targetBranch ? await git.resolveCommit(thread.targetBranch) : null;
    if (!head || !base) return view;
    // A merged PR shows what it brought: against the merge base recorded when it was merged (the
    // branch has moved on since, maybe to the PR's own head after a fast-forward).
    const mergedAt = thread.status === "merged" ? [...events].reverse().find((e) => e.type === "status-change" && (e.data as { status?: string }).status === "merged") : undefined;
    const recorded = (mergedAt?.data as { mergeBase?: string } | undefined)?.mergeBase;
    const from = recorded ? (recorded as CommitOid) : await git.mergeBase(base, head);
    // The patch is content: behind a gate only those who may download see it (file names are
    // readable like the tree's).
    const patch = withDiff && (await this.access.allowed(actor, "download", repo));
    const d = await git.diff(from, head, patch ? MAX_DIFF : 0);
    view.files = d.files.map((f) => ({ status: f.status, path: f.path }));
    if (patch) view.diff = d.patch;
    if (isOpen(thread) && from !== head) {
      const merged = await git.mergeTree(base, head);
      if ("conflicts" in merged) view.conflicts = merged.conflicts;
    }
    return view;
  }

  /** Opens a discussion, or an empty (draft) pull request whose ref starts at the default branch. */
  async create(actor: Actor, type: RepoType, id: string, o: { title: unknown; description: unknown; pullRequest: boolean }): Promise<DiscussionRecord> {
    const { repo, user } = await this.openable(actor, type, id);
    const title = checkTitle(o.title);
    const description = checkText(o.description, "description");
    const events: NewDiscussionEvent[] = [{ type: "comment", authorId: user.user.id, data: commentData(description, user.user.name) }];
    let thread: DiscussionRecord;
    if (!o.pullRequest) thread = await this.meta.discussions.create({ repoId: repo.id, authorId: user.user.id, title, isPullRequest: false, status: "open", targetBranch: null }, events);
    else {
      const git = this.commits.git(repo);
      const target = `refs/heads/${repo.defaultBranch}`;
      const start = await git.resolveCommit(target);
      if (!start) throw errors.badRequest("The repository has no commit to open a pull request against");
      thread = await this.placePr(repo, { repoId: repo.id, authorId: user.user.id, title, isPullRequest: true, status: "draft", targetBranch: target }, events, start);
    }
    await this.changed(repo, thread, "discussion", "create");
    return thread;
  }

  /** Creates the PR's row, then its ref (a fresh ref: compare-and-swap against nothing); undone if the ref fails. */
  private async placePr(repo: RepoRecord, d: Parameters<MetaStore["discussions"]["create"]>[0], events: NewDiscussionEvent[], head: CommitOid): Promise<DiscussionRecord> {
    const thread = await this.meta.discussions.create(d, events);
    try {
      if (!(await this.commits.git(repo).updateRef(`refs/pr/${thread.num}`, head, null))) throw new HubError("Conflict", `refs/pr/${thread.num} already exists`);
    } catch (e) {
      await this.meta.discussions.remove(thread.id);
      throw e;
    }
    return thread;
  }

  /**
   * The `openPr` of a `create_pr` commit: a pull request titled with the commit's summary, its
   * description the commit's description, its first commit the new one.
   */
  opener(actor: NonNullable<Actor>, repo: RepoRecord, summary: string, description: string, out: { thread?: DiscussionRecord }) {
    return async (commit: CommitOid, base: string) => {
      const title = summary.trim().length >= 3 ? summary.trim().slice(0, 200) : `Upload: ${summary.trim()}`.slice(0, 200);
      const events: NewDiscussionEvent[] = [
        { type: "comment", authorId: actor.user.id, data: commentData(description.trim() || summary, actor.user.name) },
        { type: "commit", authorId: actor.user.id, data: { oid: commit, subject: summary } },
      ];
      out.thread = await this.placePr(repo, { repoId: repo.id, authorId: actor.user.id, title, isPullRequest: true, status: "open", targetBranch: base }, events, commit);
      await this.commits.refsUpdated(repo, [{ ref: `refs/pr/${out.thread.num}`, oldSha: null, newSha: commit }]);
      await this.changed(repo, out.thread, "discussion", "create");
    };
  }

  /**
   * The repo a client may upload to for a commit on `rev`: a new PR (`createPr`) needs `discuss`;
   * `refs/pr/N` needs to be its author or a writer; `null` (an upload whose target the client did
   * not say, as huggingface_hub does for `create_pr`) needs `discuss`; anything else `write`.
   */
  async uploadTarget(actor: Actor, type: RepoType, id: string, rev: string | null, createPr: boolean): Promise<RepoRecord> {
    if (createPr) return (await this.openable(actor, type, id)).repo;
    const num = prNumber(rev);
    if (num !== null) {
      const { repo, thread } = await this.thread(actor, type, id, num);
      await this.checkPrWriter(actor, repo, thread);
      return repo;
    }
    if (rev === null) {
      const { repo } = await this.repos.get(actor, type, id, "discuss");
      return repo;
    }
    return (await this.repos.get(actor, type, id, "write")).repo;
  }

  private async checkPrWriter(actor: Actor, repo: RepoRecord, thread: DiscussionRecord): Promise<void> {
    if (!actor) throw errors.unauthorized("You must be authenticated to push to a pull request");
    if (!thread.isPullRequest) throw errors.badRequest(`#${thread.num} is a discussion, not a pull request`);
    if (await this.access.allowed(actor, "write", repo)) return this.checkPrOpen(thread);
    await this.access.authorize(actor, "discuss", repo);
    if (thread.author?.id !== actor.user.id) throw errors.forbidden(`Only the author of pull request #${thread.num} or a writer of the repository can push to it`);
    this.checkPrOpen(thread);
  }

  private checkPrOpen(thread: DiscussionRecord): void {
    if (!isOpen(thread)) throw errors.badRequest(`Pull request #${thread.num} is ${thread.status}; reopen it to push to it`);
  }

  /** Records commits that arrived on a PR's ref (API commit or push); a draft becomes open. */
  async recordCommits(repo: RepoRecord, num: number, authorId: number | null, commits: CommitObject[]): Promise<void> {
    const thread = await this.meta.discussions.get(repo.id, num);
    if (!thread || !thread.isPullRequest) return;
    for (const [i, c] of commits.entries()) {
      await this.meta.discussions.addEvent(thread.id, { type: "commit", authorId, data: { oid: c.oid, subject: c.title } }, i === 0 && thread.status === "draft" ? { status: "open" } : {});
    }
  }

  /** Which refs a push by this actor may move: branches and tags (writers), and these PR numbers. */
  async pushScope(actor: Actor, repo: RepoRecord): Promise<{ branches: boolean; prs: number[] }> {
    const branches = await this.access.allowed(actor, "write", repo);
    if (!actor || (!branches && !(await this.access.allowed(actor, "discuss", repo)))) return { branches, prs: [] };
    const { items } = await this.meta.discussions.list(repo.id, { isPullRequest: true, status: "open", authorId: branches ? undefined : actor.user.id, limit: 100_000, offset: 0 });
    return { branches, prs: items.map((t) => t.num) };
  }

  /** After a push: commits that arrived on PR refs become their events. */
  async afterPush(repo: RepoRecord, actor: Actor, before: Map<number, CommitOid>): Promise<void> {
    const git = this.commits.git(repo);
    const { pulls } = await git.listRefs();
    for (const [num, head] of pulls) {
      const old = before.get(num);
      if (old === head) continue;
      const added: CommitObject[] = [];
      for (const c of await git.log(head, 0, 100)) {
        if (c.oid === old) break;
        added.push(c);
      }
      await this.recordCommits(repo, num, actor?.user.id ?? null, added.reverse());
    }
  }

  /** The pull requests a commit belongs to or was merged by (the caller has read the repo). */
  ofCommit(repo: RepoRecord, oid: string): Promise<DiscussionRecord[]> {
    return this.meta.discussions.withCommit(repo.id, oid);
  }

  async comment(actor: Actor, type: RepoType, id: string, num: number, text: unknown): Promise<Changed> {
    const { repo, thread } = await this.thread(actor, type, id, num, "discuss");
    const raw = checkText(text, "comment");
    const event = await this.meta.discussions.addEvent(thread.id, { type: "comment", authorId: actor!.user.id, data: commentData(raw, actor!.user.name) });
    await this.changed(repo, thread, "discussion.comment", "create", event);
    return { repo, event };
  }

  private async commentOf(thread: DiscussionRecord, eventId: string): Promise<DiscussionEventRecord> {
    const e = await this.meta.discussions.event(thread.id, eventId.toLowerCase());
    if (!e || e.type !== "comment") throw errors.notFound(`Comment ${eventId} not found in #${thread.num}`);
    return e;
  }

  /** Edits a comment (its author only); the text it had goes to its history. */
  async editComment(actor: Actor, type: RepoType, id: string, num: number, eventId: string, text: unknown): Promise<Changed> {
    const { repo, thread } = await this.thread(actor, type, id, num, "discuss");
    const e = await this.commentOf(thread, eventId);
    const raw = checkText(text, "comment");
    if (e.author?.id !== actor!.user.id) throw errors.forbidden("Only the author of a comment can edit it");
    const d = e.data as { hidden: boolean; latest: Record<string, unknown>; history: unknown[]; numEdits: number; editors: string[] };
    if (d.hidden) throw errors.badRequest("A hidden comment cannot be edited");
    const data = { ...d, edited: true, latest: { raw, updatedAt: new Date().toISOString(), author: actor!.user.name }, history: [d.latest, ...d.history], numEdits: d.numEdits + 1, editors: [...new Set([...d.editors, actor!.user.name])] };
    await this.meta.discussions.setEventData(e.id, data);
    await this.changed(repo, thread, "discussion.comment", "update", { ...e, data });
    return { repo, event: { ...e, data } };
  }

  /** Hides a comment for good (its author or a repo writer): its text and history are dropped. */
  async hideComment(actor: Actor, type: RepoType, id: string, num: number, eventId: string): Promise<Changed> {
    const { repo, thread } = await this.thread(actor, type, id, num, "discuss");
    const e = await this.commentOf(thread, eventId);
    if (e.author?.id !== actor!.user.id && !(await this.access.allowed(actor, "write", repo))) throw errors.forbidden("Only the author of a comment or a writer of the repository can hide it");
    const d = e.data as Record<string, unknown>;
    const data = { ...d, hidden: true, hiddenBy: actor!.user.name, latest: { raw: "This comment has been hidden", updatedAt: new Date().toISOString(), author: actor!.user.name }, history: [] };
    await this.meta.discussions.setEventData(e.id, data);
    await this.changed(repo, thread, "discussion.comment", "update", { ...e, data });
    return { repo, event: { ...e, data } };
  }

  async rename(actor: Actor, type: RepoType, id: string, num: number, title: unknown): Promise<Changed> {
    const { repo, thread } = await this.thread(actor, type, id, num, "discuss");
    if (!(await this.authorOrWriter(actor!, repo, thread))) throw errors.forbidden("Only the author or a writer of the repository can rename this");
    const to = checkTitle(title);
    const event = await this.meta.discussions.addEvent(thread.id, { type: "title-change", authorId: actor!.user.id, data: { from: thread.title, to } }, { title: to });
    await this.changed(repo, { ...thread, title: to }, "discussion", "update");
    return { repo, event };
  }

  /** Closes or reopens (the author or a writer), with an optional comment first. */
  async setStatus(actor: Actor, type: RepoType, id: string, num: number, status: unknown, comment?: unknown): Promise<Changed> {
    if (status !== "open" && status !== "closed") throw errors.badRequest("The status must be 'open' or 'closed'");
    const { repo, thread } = await this.thread(actor, type, id, num, "discuss");
    if (!(await this.authorOrWriter(actor!, repo, thread))) throw errors.forbidden("Only the author or a writer of the repository can change the status");
    if (thread.status === "merged") throw errors.badRequest(`Pull request #${num} is merged`);
    if (isOpen(thread) === (status === "open")) throw errors.badRequest(`#${num} is already ${status}`);
    if (comment !== undefined && comment !== null && comment !== "") await this.meta.discussions.addEvent(thread.id, { type: "comment", authorId: actor!.user.id, data: commentData(checkText(comment, "comment"), actor!.user.name) });
    const event = await this.meta.discussions.addEvent(thread.id, { type: "status-change", authorId: actor!.user.id, data: { status } }, { status: status as DiscussionStatus });
    await this.changed(repo, { ...thread, status: status as DiscussionStatus }, "discussion", "update");
    return { repo, event };
  }

  /**
   * Merges a pull request into its target branch (repo writers): a fast-forward when the branch
   * has not moved since the PR started, else a merge commit from `git merge-tree`; conflicts are a
   * 409 naming the files. The branch moves by compare-and-swap, so a racing push or commit makes
   * exactly one of them win and the other fail cleanly.
   */
  async merge(actor: Actor, type: RepoType, id: string, num: number, comment?: unknown): Promise<{ thread: DiscussionRecord; mergeCommit: CommitOid }> {
    const { repo, thread } = await this.thread(actor, type, id, num);
    await this.access.authorize(actor, "write", repo);
    if (!thread.isPullRequest) throw errors.badRequest(`#${num} is a discussion, not a pull request`);
    const branch = thread.targetBranch!.replace(/^refs\/heads\//, "");
    return this.locks.run(`${repo.id}:${branch}`, async () => {
      const fresh = (await this.meta.discussions.get(repo.id, num))!;
      if (!isOpen(fresh)) throw errors.badRequest(`Pull request #${num} is ${fresh.status}`);
      const git = this.commits.git(repo);
      const head = await git.resolveCommit(`refs/pr/${num}`);
      const base = await git.resolveCommit(fresh.targetBranch!);
      if (!head || !base) throw errors.badRequest(`Pull request #${num} has no head or its target branch is gone`);
      const mb = await git.mergeBase(base, head);
      let next: CommitOid;
      if (mb === head) next = base;
      else if (mb === base) next = head;
      else {
        const merged = await git.mergeTree(base, head);
        if ("conflicts" in merged) throw errors.conflict(`Pull request #${num} conflicts with ${branch} in: ${merged.conflicts.join(", ")}`, { conflictingFiles: merged.conflicts });
        const objects = git.objects();
        next = await git.commitTree(merged.tree, [base, head], `Merge pull request #${num}: ${fresh.title}`, signatureOf(actor!), objects);
        await objects.flush();
      }
      if (next !== base && !(await git.updateRef(fresh.targetBranch!, next, base))) throw errors.conflict(`${branch} moved while merging pull request #${num}; nothing was changed, try again`);
      if (comment !== undefined && comment !== null && comment !== "") await this.meta.discussions.addEvent(fresh.id, { type: "comment", authorId: actor!.user.id, data: commentData(checkText(comment, "comment"), actor!.user.name) });
      await this.meta.discussions.addEvent(fresh.id, { type: "status-change", authorId: actor!.user.id, data: { status: "merged", ...(mb ? { mergeBase: mb } : {}) } }, { status: "merged", mergeCommit: next });
      if (branch === repo.defaultBranch && next !== base) await this.commits.refreshCard(repo, git, next);
      const merged = { ...fresh, status: "merged" as const, mergeCommit: next };
      if (next !== base) await this.commits.refsUpdated(repo, [{ ref: fresh.targetBranch!, oldSha: base, newSha: next }]);
      await this.changed(repo, merged, "discussion", "update");
      return { thread: merged, mergeCommit: next };
    });
  }
}
