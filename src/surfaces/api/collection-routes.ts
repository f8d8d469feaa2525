/**
 * Collections under `/api/collections`, in the shapes huggingface_hub (`create_collection`,
 * `get_collection`, `list_collections`, `update_collection_metadata`, `add_collection_item`,
 * `update_collection_item`, `delete_collection_item`, `delete_collection`) and huggingface.js
 * (`createCollection`, `listCollections`, `deleteCollection`) read.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { collectionSlug, type CollectionView } from "../../core/collections.js";
import type { CollectionItemRecord } from "../../core/ports.js";
import { fullName } from "../../core/repos.js";
import { actorOf } from "../http/context.js";
import { queryInt, queryMany, queryOne, type ZodTypeProvider } from "../http/schema.js";
import type { Services } from "../http/services.js";
import { renderMarkdown } from "../web/markdown.js";
import { nextLink } from "./content-routes.js";

function itemView(i: CollectionItemRecord) {
  const r = i.repo;
  return {
    _id: i.key,
    id: fullName(r),
    type: r.type,
    position: i.position,
    ...(i.note ? { note: { text: i.note, html: renderMarkdown(i.note, { repoPath: "", rev: "main", folder: "" }) } } : {}),
    author: r.namespace,
    private: r.private,
    gated: r.gated,
    likes: r.likes,
    downloads: r.downloads,
    lastModified: r.lastModified,
    repoType: r.type,
    isLikedByUser: false,
  };
}

export function collectionView(v: CollectionView, itemLimit?: number) {
  const c = v.collection;
  return {
    slug: collectionSlug(c),
    title: c.title,
    ...(c.description ? { description: c.description } : {}),
    owner: { name: c.owner.name, fullname: c.owner.fullname, type: c.owner.type, avatarUrl: "", isPro: false, isHf: false },
    items: (itemLimit === undefined ? v.items : v.items.slice(0, itemLimit)).map(itemView),
    lastUpdated: c.updatedAt,
    // A listing has no position of its own (huggingface_hub numbers the listed collections itself).
    ...(itemLimit === undefined ? { position: c.position } : {}),
    private: c.private,
    theme: c.theme,
    upvotes: 0,
    isUpvotedByUser: false,
    gating: false,
  };
}

const slugParams = z.object({ ns: z.string(), slug: z.string() });
const itemParams = slugParams.extend({ item: z.string().regex(/^[0-9a-f]{24}$/, "expected an item id") });
const PAGE = 100;

export function registerCollectionRoutes(server: FastifyInstance, svc: Services): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const slugOf = (p: { ns: string; slug: string }) => `${p.ns}/${p.slug}`;

  app.get("/api/collections", { schema: { querystring: z.object({ owner: queryMany, item: queryMany, q: queryOne, sort: queryOne, limit: queryInt, cursor: queryOne }) } }, async (req, reply) => {
    const q = req.query;
    const limit = Math.min(Math.max(q.limit ?? PAGE, 1), PAGE);
    const offset = Math.max(0, Number.parseInt(Buffer.from(q.cursor ?? "", "base64url").toString() || "0", 10) || 0);
    const views = await svc.collections.list(await actorOf(svc, req), { owner: q.owner?.[0], item: q.item?.[0], search: q.q, limit, offset });
    if (views.length === limit) reply.header("Link", nextLink(svc, req, "cursor", Buffer.from(String(offset + limit)).toString("base64url")));
    // As on the Hub, a listing shows the first 4 items of each collection.
    return views.map((v) => collectionView(v, 4));
  });
  app.post("/api/collections", { schema: { body: z.object({ title: z.unknown(), namespace: z.unknown().optional(), description: z.unknown().optional(), private: z.unknown().optional() }) } }, async (req) => {
    const actor = await actorOf(svc, req);
    const c = await svc.collections.create(actor, req.body);
    return collectionView(await svc.collections.view(actor, c));
  });
  app.get("/api/collections/:ns/:slug", { schema: { params: slugParams } }, async (req) => collectionView(await svc.collections.get(await actorOf(svc, req), slugOf(req.params))));
  app.patch("/api/collections/:ns/:slug", { schema: { params: slugParams, body: z.record(z.string(), z.unknown()) } }, async (req) => ({ success: true, data: collectionView(await svc.collections.update(await actorOf(svc, req), slugOf(req.params), req.body)) }));
  app.delete("/api/collections/:ns/:slug", { schema: { params: slugParams } }, async (req) => {
    await svc.collections.delete(await actorOf(svc, req), slugOf(req.params));
    return {};
  });
  app.post("/api/collections/:ns/:slug/items", { schema: { params: slugParams, body: z.object({ item: z.object({ id: z.unknown(), type: z.unknown() }), note: z.unknown().optional() }) } }, async (req) =>
    collectionView(await svc.collections.addItem(await actorOf(svc, req), slugOf(req.params), req.body as never)),
  );
  app.patch("/api/collections/:ns/:slug/items/:item", { schema: { params: itemParams, body: z.object({ position: z.unknown().optional(), note: z.unknown().optional() }) } }, async (req) => {
    await svc.collections.updateItem(await actorOf(svc, req), slugOf(req.params), req.params.item, req.body);
    return { success: true };
  });
  app.delete("/api/collections/:ns/:slug/items/:item", { schema: { params: itemParams } }, async (req) => {
    await svc.collections.deleteItem(await actorOf(svc, req), slugOf(req.params), req.params.item);
    return { success: true };
  });
}
