/** Repositories (with their renames and the catalogue search) and gated-access requests. */
import { randomBytes, randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { MetaStore, RepoQuery } from "../../core/ports.js";
import { gateQuery, inTx, likeEscape, now, toAccount, toRepo, toRequest } from "./rows.js";
import type { Database as Schema, ReposTable } from "./schema.js";

/** The repos store on a database handle or a transaction. */
export function repoStore(db: Kysely<Schema>, pg: boolean): MetaStore["repos"] {
  const sqliteSearch = !pg;
  return {
    async create(r) {
      const ts = now();
      const row = await db
        .insertInto("repos")
        .values({
          type: r.type, namespace: r.namespace, name: r.name, full_name_lower: `${r.namespace}/${r.name}`.toLowerCase(), owner_id: r.ownerId, created_by: r.createdBy,
          private: r.private ? 1 : 0, gated: null, default_branch: r.defaultBranch, created_at: ts, last_modified: ts, card_data: null, tags: "[]", sdk: r.sdk,
          lfs_threshold: null, lfs_suffix_rules: null, lfs_keep_versions: null, hub_id: randomBytes(12).toString("hex"),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRepo(row);
    },
    async find(type, fullName) {
      const r = await db.selectFrom("repos").selectAll().where("type", "=", type).where("full_name_lower", "=", fullName.toLowerCase()).executeTakeFirst();
      return r ? toRepo(r) : null;
    },
    async delete(id) {
      await inTx(db, async (tx) => {
        await tx.deleteFrom("repo_redirects").where("repo_id", "=", id).execute();
        await tx.deleteFrom("repo_lfs").where("repo_id", "=", id).execute();
        await tx.deleteFrom("repos").where("id", "=", id).execute();
      });
    },
    async rename(id, namespace, name, ownerId) {
      await db.updateTable("repos").set({ namespace, name, owner_id: ownerId, full_name_lower: `${namespace}/${name}`.toLowerCase() }).where("id", "=", id).execute();
    },
    async update(id, p) {
      const set: Partial<Record<keyof ReposTable, unknown>> = {};
      if (p.private !== undefined) set.private = p.private ? 1 : 0;
      if (p.gated !== undefined) set.gated = p.gated === false ? null : p.gated;
      if (p.cardData !== undefined) set.card_data = p.cardData === null ? null : JSON.stringify(p.cardData);
      if (p.tags !== undefined) set.tags = JSON.stringify(p.tags);
      if (p.lastModified !== undefined) set.last_modified = p.lastModified;
      if (p.lfsThreshold !== undefined) set.lfs_threshold = p.lfsThreshold;
      if (p.lfsSuffixRules !== undefined) set.lfs_suffix_rules = p.lfsSuffixRules === null ? null : JSON.stringify(p.lfsSuffixRules);
      if (p.lfsKeepVersions !== undefined) set.lfs_keep_versions = p.lfsKeepVersions;
      if (p.discussionsDisabled !== undefined) set.discussions_disabled = p.discussionsDisabled ? 1 : 0;
      if (p.derived !== undefined) set.derived = p.derived === null ? null : JSON.stringify(p.derived);
      if (Object.keys(set).length === 0) return;
      await db.updateTable("repos").set(set as never).where("id", "=", id).execute();
    },
    async list(q: RepoQuery) {
      let s = db.selectFrom("repos").innerJoin("accounts", "accounts.id", "repos.owner_id").selectAll("repos").where("repos.type", "=", q.type);
      if (q.visibleOwnerIds.length > 0) {
        s = s.where((e) => e.or([e("repos.private", "=", 0), e("repos.owner_id", "in", q.visibleOwnerIds)]));
      } else {
        s = s.where("repos.private", "=", 0);
      }
      if (q.author) s = s.where("accounts.name_lower", "=", q.author.toLowerCase());
      // LIKE with an explicit ESCAPE: without it `\_` is not an escape (SQLite has no default).
      if (q.search) {
        // SQLite: narrow through the trigram index first (it needs 3 characters; its LIKE has no
        // ESCAPE, so `_` and `%` match more there), then the exact test below.
        if (sqliteSearch && q.search.length >= 3) s = s.where("repos.id", "in", sql<number>`(select rowid from repos_search where full_name_lower like ${`%${q.search.toLowerCase()}%`})`);
        s = s.where(sql<boolean>`repos.full_name_lower like ${`%${likeEscape(q.search.toLowerCase())}%`} escape '\\'`);
      }
      for (const f of q.filter ?? []) s = s.where(sql<boolean>`repos.tags like ${`%${likeEscape(JSON.stringify(f))}%`} escape '\\'`);
      const col = q.sort === "createdAt" ? "repos.created_at" : q.sort === "id" ? "repos.full_name_lower" : q.sort === "likes" ? "repos.likes" : q.sort === "downloads" ? "repos.downloads" : "repos.last_modified";
      const dir = q.direction === 1 ? "asc" : "desc";
      const rows = await s.orderBy(col, dir).orderBy("repos.id", dir).limit(q.limit).offset(q.offset).execute();
      return rows.map(toRepo);
    },
    async addRedirect(type, fromFullName, repoId) {
      const from = fromFullName.toLowerCase();
      await db.insertInto("repo_redirects").values({ type, from_lower: from, repo_id: repoId }).onConflict((oc) => oc.columns(["type", "from_lower"]).doUpdateSet({ repo_id: repoId })).execute();
    },
    async findRedirect(type, fullName) {
      const r = await db.selectFrom("repo_redirects").innerJoin("repos", "repos.id", "repo_redirects.repo_id").selectAll("repos").where("repo_redirects.type", "=", type).where("repo_redirects.from_lower", "=", fullName.toLowerCase()).executeTakeFirst();
      return r ? toRepo(r) : null;
    },
  };
}

/** The gate store on a database handle or a transaction. */
export function gateStore(db: Kysely<Schema>): MetaStore["gate"] {
  return {
    async get(repoId, userId) {
      const r = await gateQuery(db).where("r.repo_id", "=", repoId).where("r.user_id", "=", userId).executeTakeFirst();
      return r ? toRequest(r) : null;
    },
    async byRequestId(repoId, requestId) {
      const r = await gateQuery(db).where("r.repo_id", "=", repoId).where("r.request_id", "=", requestId).executeTakeFirst();
      return r ? toRequest(r) : null;
    },
    async set(repoId, userId, status, o = {}) {
      const t = now();
      await db
        .insertInto("repo_access_requests")
        .values({ repo_id: repoId, user_id: userId, request_id: randomUUID(), status, fields: o.fields ? JSON.stringify(o.fields) : null, reason: o.reason ?? null, created_at: t, updated_at: t })
        .onConflict((oc) =>
          oc.columns(["repo_id", "user_id"]).doUpdateSet({
            status,
            updated_at: t,
            reason: o.reason ?? null,
            ...(o.fields !== undefined ? { fields: o.fields ? JSON.stringify(o.fields) : null } : {}),
          }),
        )
        .execute();
      return toRequest(await gateQuery(db).where("r.repo_id", "=", repoId).where("r.user_id", "=", userId).executeTakeFirstOrThrow());
    },
    async list(repoId, status) {
      return (await gateQuery(db).where("r.repo_id", "=", repoId).where("r.status", "=", status).orderBy("r.created_at").execute()).map(toRequest);
    },
  };
}

/** Likes, with the count on the repo kept in the same transaction. */
export function likeStore(db: Kysely<Schema>): MetaStore["likes"] {
  return {
    async add(repoId, userId) {
      return inTx(db, async (tx) => {
        const r = await tx.insertInto("repo_likes").values({ repo_id: repoId, user_id: userId, created_at: now() }).onConflict((oc) => oc.columns(["repo_id", "user_id"]).doNothing()).executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return false;
        await tx.updateTable("repos").set((eb) => ({ likes: eb("likes", "+", 1) })).where("id", "=", repoId).execute();
        return true;
      });
    },
    async remove(repoId, userId) {
      return inTx(db, async (tx) => {
        const r = await tx.deleteFrom("repo_likes").where("repo_id", "=", repoId).where("user_id", "=", userId).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) return false;
        await tx.updateTable("repos").set((eb) => ({ likes: eb("likes", "-", 1) })).where("id", "=", repoId).execute();
        return true;
      });
    },
    async likers(repoId, limit, offset) {
      const rows = await db.selectFrom("repo_likes as l").innerJoin("accounts as a", "a.id", "l.user_id").selectAll("a").where("l.repo_id", "=", repoId).orderBy("l.created_at", "desc").orderBy("a.id").limit(limit).offset(offset).execute();
      return rows.map(toAccount);
    },
    async likedBy(userId) {
      const rows = await db.selectFrom("repo_likes as l").innerJoin("repos as r", "r.id", "l.repo_id").selectAll("r").select("l.created_at as liked_at").where("l.user_id", "=", userId).orderBy("l.created_at", "desc").execute();
      return rows.map((r) => ({ repo: toRepo(r), createdAt: r.liked_at }));
    },
    async has(repoId, userId) {
      return !!(await db.selectFrom("repo_likes").select("repo_id").where("repo_id", "=", repoId).where("user_id", "=", userId).executeTakeFirst());
    },
  };
}

/** Download counts: day rows plus the totals on the repo, changed together. */
export function downloadStore(db: Kysely<Schema>): MetaStore["downloads"] {
  return {
    async add(batch) {
      if (batch.length === 0) return;
      await inTx(db, async (tx) => {
        for (const b of batch) {
          await tx.insertInto("repo_downloads").values({ repo_id: b.repoId, day: b.day, count: b.count }).onConflict((oc) => oc.columns(["repo_id", "day"]).doUpdateSet((eb) => ({ count: eb("repo_downloads.count", "+", b.count) }))).execute();
          await tx.updateTable("repos").set((eb) => ({ downloads: eb("downloads", "+", b.count), downloads_all_time: eb("downloads_all_time", "+", b.count) })).where("id", "=", b.repoId).execute();
        }
      });
    },
    async roll(sinceDay) {
      // Only repos that had downloads can change; a day leaving the window lowers their count.
      await db
        .updateTable("repos")
        .set({ downloads: sql<number>`(select coalesce(sum(d.count), 0) from repo_downloads d where d.repo_id = repos.id and d.day >= ${sinceDay})` })
        .where("downloads", ">", 0)
        .execute();
    },
  };
}
