/** Webhooks, what they watch, and their outbox of deliveries (which is also the delivery log). */
import { randomBytes } from "node:crypto";
import { sql, type Kysely, type Selectable } from "kysely";
import type { MetaStore, WatchedItem, WebhookDelivery, WebhookDomain, WebhookRecord } from "../../core/ports.js";
import { inTx, now } from "./rows.js";
import type { Database as Schema } from "./schema.js";

function toWebhook(r: Selectable<Schema["webhooks"]>): WebhookRecord {
  return { id: r.id, hubId: r.hub_id, ownerId: r.owner_id, url: r.url, secret: r.secret, watched: JSON.parse(r.watched) as WatchedItem[], domains: JSON.parse(r.domains) as WebhookDomain[], disabled: Number(r.disabled) === 1, createdAt: r.created_at };
}

function toDelivery(r: Selectable<Schema["webhook_deliveries"]>): WebhookDelivery {
  return { id: r.id, webhookId: r.webhook_id, scope: r.scope, action: r.action, payload: r.payload, status: r.status as WebhookDelivery["status"], attempts: Number(r.attempts), nextAt: r.next_at, lastStatus: r.last_status, lastError: r.last_error, createdAt: r.created_at, deliveredAt: r.delivered_at };
}

async function setWatches(tx: Kysely<Schema>, webhookId: number, watched: WatchedItem[]): Promise<void> {
  await tx.deleteFrom("webhook_watches").where("webhook_id", "=", webhookId).execute();
  const rows = [...new Map(watched.map((w) => [`${w.type} ${w.name.toLowerCase()}`, { webhook_id: webhookId, type: w.type, name_lower: w.name.toLowerCase() }])).values()];
  if (rows.length) await tx.insertInto("webhook_watches").values(rows).execute();
}

export function webhookStore(db: Kysely<Schema>): MetaStore["webhooks"] {
  return {
    async create(w) {
      return inTx(db, async (tx) => {
        const at = now();
        const row = await tx
          .insertInto("webhooks")
          .values({ hub_id: randomBytes(12).toString("hex"), owner_id: w.ownerId, url: w.url, secret: w.secret, watched: JSON.stringify(w.watched), domains: JSON.stringify(w.domains), disabled: 0, created_at: at, updated_at: at })
          .returningAll()
          .executeTakeFirstOrThrow();
        await setWatches(tx, row.id, w.watched);
        return toWebhook(row);
      });
    },
    async get(hubId) {
      const r = await db.selectFrom("webhooks").selectAll().where("hub_id", "=", hubId).executeTakeFirst();
      return r ? toWebhook(r) : null;
    },
    async byRowId(id) {
      const r = await db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? toWebhook(r) : null;
    },
    async listByOwner(ownerId) {
      return (await db.selectFrom("webhooks").selectAll().where("owner_id", "=", ownerId).orderBy("id").execute()).map(toWebhook);
    },
    async update(hubId, p) {
      return inTx(db, async (tx) => {
        const set: Partial<Record<keyof Schema["webhooks"], unknown>> = { updated_at: now() };
        if (p.url !== undefined) set.url = p.url;
        if (p.secret !== undefined) set.secret = p.secret;
        if (p.watched !== undefined) set.watched = JSON.stringify(p.watched);
        if (p.domains !== undefined) set.domains = JSON.stringify(p.domains);
        if (p.disabled !== undefined) set.disabled = p.disabled ? 1 : 0;
        const row = await tx.updateTable("webhooks").set(set as never).where("hub_id", "=", hubId).returningAll().executeTakeFirst();
        if (!row) return null;
        if (p.watched !== undefined) await setWatches(tx, row.id, p.watched);
        return toWebhook(row);
      });
    },
    async delete(hubId) {
      await db.deleteFrom("webhooks").where("hub_id", "=", hubId).execute();
    },
    async watching(items) {
      if (items.length === 0) return [];
      const rows = await db
        .selectFrom("webhooks")
        .selectAll()
        .where("disabled", "=", 0)
        .where("id", "in", db.selectFrom("webhook_watches").select("webhook_id").where((e) => e.or(items.map((i) => e.and([e("type", "=", i.type), e("name_lower", "=", i.name.toLowerCase())])))))
        .orderBy("id")
        .execute();
      return rows.map(toWebhook);
    },
    async enqueue(rows) {
      if (rows.length === 0) return;
      const at = now();
      await db.insertInto("webhook_deliveries").values(rows.map((r) => ({ webhook_id: r.webhookId, scope: r.scope, action: r.action, payload: r.payload, status: "pending", next_at: at, created_at: at }))).execute();
    },
    async due(at, limit) {
      // The oldest pending delivery of each webhook, when it is due: a webhook's events go out in order.
      const rows = await db
        .selectFrom("webhook_deliveries as d")
        .selectAll()
        .where("d.status", "=", "pending")
        .where("d.next_at", "<=", at)
        .where("d.webhook_id", "in", db.selectFrom("webhooks").select("id").where("disabled", "=", 0))
        .where("d.id", "=", (eb) => eb.selectFrom("webhook_deliveries as e").select(sql<number>`min(e.id)`.as("m")).where("e.webhook_id", "=", eb.ref("d.webhook_id")).where("e.status", "=", "pending"))
        .orderBy("d.id")
        .limit(limit)
        .execute();
      return rows.map(toDelivery);
    },
    async attempted(id, r) {
      await db
        .updateTable("webhook_deliveries")
        .set((eb) => ({ status: r.status, attempts: eb("attempts", "+", 1), last_status: r.httpStatus, last_error: r.error === null ? null : r.error.slice(0, 500), next_at: r.nextAt, delivered_at: r.status === "delivered" ? r.at : null }))
        .where("id", "=", id)
        .execute();
    },
    async deliveries(webhookId, limit) {
      return (await db.selectFrom("webhook_deliveries").selectAll().where("webhook_id", "=", webhookId).orderBy("id", "desc").limit(limit).execute()).map(toDelivery);
    },
  };
}
