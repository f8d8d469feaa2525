/** Discussions and pull requests with their events (comments, status, title and commit changes). */
import { randomBytes } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { Account, DiscussionEventRecord, DiscussionEventType, DiscussionRecord, DiscussionStatus, MetaStore, NewDiscussionEvent } from "../../core/ports.js";
import { inTx, now, toAccount } from "./rows.js";
import type { Database as Schema } from "./schema.js";

type Row = Selectable<Schema["discussions"]>;
type EventRow = Selectable<Schema["discussion_events"]>;

/** The accounts behind a set of ids, in one query. */
async function accountsById(db: Kysely<Schema>, ids: (number | null)[]): Promise<Map<number, Account>> {
  const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom("accounts").selectAll().where("id", "in", wanted).execute();
  return new Map(rows.map((r) => [r.id, toAccount(r)]));
}

function toDiscussion(r: Row, who: Map<number, Account>): DiscussionRecord {
  return {
    id: r.id,
    repoId: r.repo_id,
    num: r.num,
    author: r.author_id === null ? null : (who.get(r.author_id) ?? null),
    title: r.title,
    isPullRequest: r.is_pr === 1,
    status: r.status as DiscussionStatus,
    targetBranch: r.target_branch,
    mergeCommit: r.merge_commit,
    numComments: Number(r.num_comments),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toEvent(r: EventRow, who: Map<number, Account>): DiscussionEventRecord {
  return { id: r.event_id, type: r.type as DiscussionEventType, author: r.author_id === null ? null : (who.get(r.author_id) ?? null), createdAt: r.created_at, data: JSON.parse(r.data) as Record<string, unknown> };
}

/** Inserts one event; comments count towards the thread's number of comments. */
async function insertEvent(tx: Kysely<Schema>, discussionId: number, e: NewDiscussionEvent, at: string): Promise<EventRow> {
  const row = await tx
    .insertInto("discussion_events")
    .values({ discussion_id: discussionId, event_id: randomBytes(12).toString("hex"), type: e.type, author_id: e.authorId, created_at: at, data: JSON.stringify(e.data) })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (e.type === "comment") await tx.updateTable("discussions").set((eb) => ({ num_comments: eb("num_comments", "+", 1) })).where("id", "=", discussionId).execute();
  return row;
}

/** The discussions store on a database handle or a transaction. */
export function discussionStore(db: Kysely<Schema>): MetaStore["discussions"] {
  const one = async (r: Row | undefined) => (r ? toDiscussion(r, await accountsById(db, [r.author_id])) : null);
  return {
    async create(d, events) {
      return inTx(db, async (tx) => {
        // One UPDATE … RETURNING: the row lock (PostgreSQL) or the write lock (SQLite) makes the
        // increment atomic, so two openers never read the same number.
        const seq = await tx.updateTable("repos").set((eb) => ({ discussion_seq: eb("discussion_seq", "+", 1) })).where("id", "=", d.repoId).returning("discussion_seq").executeTakeFirstOrThrow();
        const at = now();
        const row = await tx
          .insertInto("discussions")
          .values({ repo_id: d.repoId, num: Number(seq.discussion_seq), author_id: d.authorId, title: d.title, is_pr: d.isPullRequest ? 1 : 0, status: d.status, target_branch: d.targetBranch, merge_commit: null, created_at: at, updated_at: at })
          .returningAll()
          .executeTakeFirstOrThrow();
        for (const e of events) await insertEvent(tx, row.id, e, at);
        const fresh = await tx.selectFrom("discussions").selectAll().where("id", "=", row.id).executeTakeFirstOrThrow();
        return toDiscussion(fresh, await accountsById(tx, [fresh.author_id]));
      });
    },
    async get(repoId, num) {
      return one(await db.selectFrom("discussions").selectAll().where("repo_id", "=", repoId).where("num", "=", num).executeTakeFirst());
    },
    async list(repoId, q) {
      let s = db.selectFrom("discussions").where("repo_id", "=", repoId);
      if (q.authorId !== undefined) s = s.where("author_id", "=", q.authorId);
      if (q.isPullRequest !== undefined) s = s.where("is_pr", "=", q.isPullRequest ? 1 : 0);
      if (q.status === "open") s = s.where("status", "in", ["open", "draft"]);
      if (q.status === "closed") s = s.where("status", "in", ["closed", "merged"]);
      const total = await s.select((e) => e.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      const rows = await s.selectAll().orderBy("num", "desc").limit(q.limit).offset(q.offset).execute();
      const who = await accountsById(db, rows.map((r) => r.author_id));
      return { items: rows.map((r) => toDiscussion(r, who)), total: Number(total.n) };
    },
    async events(discussionId) {
      const rows = await db.selectFrom("discussion_events").selectAll().where("discussion_id", "=", discussionId).orderBy("id").execute();
      const who = await accountsById(db, rows.map((r) => r.author_id));
      return rows.map((r) => toEvent(r, who));
    },
    async event(discussionId, eventId) {
      const r = await db.selectFrom("discussion_events").selectAll().where("discussion_id", "=", discussionId).where("event_id", "=", eventId).executeTakeFirst();
      return r ? toEvent(r, await accountsById(db, [r.author_id])) : null;
    },
    async addEvent(discussionId, e, patch = {}) {
      return inTx(db, async (tx) => {
        const at = now();
        const set: { updated_at: string; status?: string; title?: string; merge_commit?: string } = { updated_at: at };
        if (patch.status !== undefined) set.status = patch.status;
        if (patch.title !== undefined) set.title = patch.title;
        if (patch.mergeCommit !== undefined) set.merge_commit = patch.mergeCommit;
        await tx.updateTable("discussions").set(set).where("id", "=", discussionId).execute();
        const row = await insertEvent(tx, discussionId, e, at);
        return toEvent(row, await accountsById(tx, [row.author_id]));
      });
    },
    async setEventData(eventId, data) {
      await db.updateTable("discussion_events").set({ data: JSON.stringify(data) }).where("event_id", "=", eventId).execute();
    },
    async withCommit(repoId, oid) {
      if (!/^[0-9a-f]{40}$/.test(oid)) return [];
      const viaEvent = db.selectFrom("discussion_events").select("discussion_id").where("type", "=", "commit").where("data", "like", `%"oid":"${oid}"%`);
      const rows = await db
        .selectFrom("discussions")
        .selectAll()
        .where("repo_id", "=", repoId)
        .where((e) => e.or([e("merge_commit", "=", oid), e("id", "in", viaEvent)]))
        .orderBy("num")
        .limit(20)
        .execute();
      const who = await accountsById(db, rows.map((r) => r.author_id));
      return rows.map((r) => toDiscussion(r, who));
    },
    async remove(discussionId) {
      await db.deleteFrom("discussions").where("id", "=", discussionId).execute();
    },
  };
}
