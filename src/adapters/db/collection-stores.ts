/** Collections and their items (ordered repos with notes). */
import { randomBytes } from "node:crypto";
import { sql, type Kysely, type Selectable } from "kysely";
import type { Account, CollectionItemRecord, CollectionRecord, MetaStore } from "../../core/ports.js";
import { inTx, likeEscape, now, toAccount, toRepo } from "./rows.js";
import type { Database as Schema } from "./schema.js";

type Row = Selectable<Schema["collections"]>;

function toCollection(r: Row, owner: Account): CollectionRecord {
  return { id: r.id, key: r.key, owner, title: r.title, description: r.description, private: r.private === 1, theme: r.theme, position: Number(r.position), createdAt: r.created_at, updatedAt: r.updated_at };
}

async function withOwners(db: Kysely<Schema>, rows: Row[]): Promise<CollectionRecord[]> {
  if (rows.length === 0) return [];
  const owners = await db.selectFrom("accounts").selectAll().where("id", "in", [...new Set(rows.map((r) => r.owner_id))]).execute();
  const byId = new Map(owners.map((o) => [o.id, toAccount(o)]));
  return rows.map((r) => toCollection(r, byId.get(r.owner_id)!));
}

const touch = (db: Kysely<Schema>, id: number) => db.updateTable("collections").set({ updated_at: now() }).where("id", "=", id).execute();

export function collectionStore(db: Kysely<Schema>): MetaStore["collections"] {
  return {
    async create(c) {
      const at = now();
      const row = await db
        .insertInto("collections")
        .values({ key: randomBytes(12).toString("hex"), owner_id: c.ownerId, title: c.title, description: c.description, private: c.private ? 1 : 0, theme: c.theme, created_at: at, updated_at: at })
        .returningAll()
        .executeTakeFirstOrThrow();
      return (await withOwners(db, [row]))[0]!;
    },
    async byKey(key) {
      const r = await db.selectFrom("collections").selectAll().where("key", "=", key).executeTakeFirst();
      return r ? (await withOwners(db, [r]))[0]! : null;
    },
    async byTitle(ownerId, title) {
      const r = await db.selectFrom("collections").selectAll().where("owner_id", "=", ownerId).where(sql<string>`lower(title)`, "=", title.toLowerCase()).executeTakeFirst();
      return r ? (await withOwners(db, [r]))[0]! : null;
    },
    async list(q) {
      let s = db.selectFrom("collections").selectAll();
      s = q.visibleOwnerIds.length ? s.where((e) => e.or([e("private", "=", 0), e("owner_id", "in", q.visibleOwnerIds)])) : s.where("private", "=", 0);
      if (q.ownerId !== undefined) s = s.where("owner_id", "=", q.ownerId);
      if (q.repoId !== undefined) s = s.where("id", "in", db.selectFrom("collection_items").select("collection_id").where("repo_id", "=", q.repoId));
      if (q.search) s = s.where(sql<boolean>`lower(title) like ${`%${likeEscape(q.search.toLowerCase())}%`} escape '\\'`);
      return withOwners(db, await s.orderBy("updated_at", "desc").orderBy("id", "desc").limit(q.limit).offset(q.offset).execute());
    },
    async update(id, p) {
      const set: Partial<Record<keyof Schema["collections"], unknown>> = { updated_at: now() };
      if (p.title !== undefined) set.title = p.title;
      if (p.description !== undefined) set.description = p.description;
      if (p.private !== undefined) set.private = p.private ? 1 : 0;
      if (p.theme !== undefined) set.theme = p.theme;
      if (p.position !== undefined) set.position = p.position;
      await db.updateTable("collections").set(set as never).where("id", "=", id).execute();
    },
    async delete(id) {
      await db.deleteFrom("collections").where("id", "=", id).execute();
    },
    async items(ids) {
      const out = new Map<number, CollectionItemRecord[]>(ids.map((i) => [i, []]));
      if (ids.length === 0) return out;
      const rows = await db
        .selectFrom("collection_items as i")
        .innerJoin("repos as r", "r.id", "i.repo_id")
        .selectAll("r")
        .select(["i.id as item_row", "i.key as item_key", "i.collection_id", "i.position as item_position", "i.note as item_note"])
        .where("i.collection_id", "in", ids)
        .orderBy("i.position")
        .orderBy("i.id")
        .execute();
      for (const r of rows) out.get(r.collection_id)!.push({ id: r.item_row, key: r.item_key, repo: toRepo(r), position: r.item_position, note: r.item_note });
      return out;
    },
    async addItem(collectionId, repoId, note) {
      return inTx(db, async (tx) => {
        const exists = await tx.selectFrom("collection_items").select("id").where("collection_id", "=", collectionId).where("repo_id", "=", repoId).executeTakeFirst();
        if (exists) return null;
        const last = await tx.selectFrom("collection_items").select((e) => e.fn.max("position").as("m")).where("collection_id", "=", collectionId).executeTakeFirst();
        const position = last?.m === null || last?.m === undefined ? 0 : Number(last.m) + 1;
        const row = await tx.insertInto("collection_items").values({ key: randomBytes(12).toString("hex"), collection_id: collectionId, repo_id: repoId, position, note, created_at: now() }).returningAll().executeTakeFirstOrThrow();
        await touch(tx, collectionId);
        const repo = await tx.selectFrom("repos").selectAll().where("id", "=", repoId).executeTakeFirstOrThrow();
        return { id: row.id, key: row.key, repo: toRepo(repo), position, note };
      });
    },
    async updateItem(collectionId, itemKey, p) {
      return inTx(db, async (tx) => {
        const rows = await tx.selectFrom("collection_items").select(["id", "key", "position"]).where("collection_id", "=", collectionId).orderBy("position").orderBy("id").execute();
        const at = rows.findIndex((r) => r.key === itemKey);
        if (at < 0) return false;
        if (p.note !== undefined) await tx.updateTable("collection_items").set({ note: p.note }).where("id", "=", rows[at]!.id).execute();
        if (p.position !== undefined) {
          // Renumber 0…n-1 with the item at its new place: positions stay dense and unique.
          const [moved] = rows.splice(at, 1);
          rows.splice(Math.max(0, Math.min(p.position, rows.length)), 0, moved!);
          for (const [i, r] of rows.entries()) if (r.position !== i) await tx.updateTable("collection_items").set({ position: i }).where("id", "=", r.id).execute();
        }
        await touch(tx, collectionId);
        return true;
      });
    },
    async deleteItem(collectionId, itemKey) {
      return inTx(db, async (tx) => {
        const r = await tx.deleteFrom("collection_items").where("collection_id", "=", collectionId).where("key", "=", itemKey).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) return false;
        await touch(tx, collectionId);
        return true;
      });
    },
  };
}
