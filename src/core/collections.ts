/**
 * Collections as huggingface_hub and huggingface.js use them: a user's or org's titled, ordered
 * list of repos with notes; public or private. The slug is `owner/title-words-{key}`; only the key
 * finds the collection, so a renamed collection keeps its links.
 *
 * Who sees what: a public collection is visible to all, a private one to its owner (an org's to
 * its members); items are shown only to viewers who can read the repo — a private repo in a
 * public collection stays invisible to outsiders. Changes: the owner user, or an org's writers
 * and admins. A repo can be added only by someone who can read it.
 */
import type { Access } from "./access.js";
import type { Actor } from "./accounts.js";
import { errors } from "./errors.js";
import type { RepoType } from "./ids.js";
import type { Account, CollectionItemRecord, CollectionRecord, MetaStore } from "./ports.js";
import type { Repos } from "./repos.js";

const THEMES = ["orange", "blue", "green", "purple", "pink", "indigo"];
const ITEM_TYPES: RepoType[] = ["model", "dataset", "space"];

/** `owner/words-of-the-title-{key}` */
export function collectionSlug(c: Pick<CollectionRecord, "owner" | "title" | "key">): string {
  const words = c.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "collection";
  return `${c.owner.name}/${words}-${c.key}`;
}

/** The key a slug ends with (what finds the collection), or null. */
export function keyOfSlug(slug: string): string | null {
  const m = /-([0-9a-f]{24})$/.exec(slug) ?? /^([0-9a-f]{24})$/.exec(slug.split("/").pop() ?? "");
  return m ? m[1]! : null;
}

export interface CollectionView {
  collection: CollectionRecord;
  /** Only the items the viewer may read. */
  items: CollectionItemRecord[];
}

export class Collections {
  constructor(
    private readonly meta: MetaStore,
    private readonly repos: Repos,
    private readonly access: Access,
  ) {}

  /** May the actor see a private collection of this owner? */
  private async member(actor: Actor, owner: Account): Promise<boolean> {
    if (!actor) return false;
    if (actor.user.id === owner.id || actor.user.isAdmin) return true;
    return (await this.meta.accounts.memberRole(owner.id, actor.user.id)) !== null;
  }

  private async writer(actor: Actor, owner: Account): Promise<NonNullable<Actor>> {
    if (!actor) throw errors.unauthorized("You must be authenticated to change collections");
    if (actor.token.role === "read") throw errors.forbidden("A write token is required to change collections");
    if (actor.user.id === owner.id || actor.user.isAdmin) return actor;
    const role = await this.meta.accounts.memberRole(owner.id, actor.user.id);
    if (role === "write" || role === "admin") return actor;
    throw errors.forbidden(`You cannot change ${owner.name}'s collections`);
  }

  /** A collection the actor may see (a private one is the same 404 as a missing one). */
  private async find(actor: Actor, slug: string): Promise<CollectionRecord> {
    const key = keyOfSlug(slug);
    const c = key ? await this.meta.collections.byKey(key) : null;
    if (!c || (c.private && !(await this.member(actor, c.owner)))) throw errors.notFound(`Collection ${slug} not found`);
    return c;
  }

  private async visibleItems(actor: Actor, items: CollectionItemRecord[]): Promise<CollectionItemRecord[]> {
    const out = [];
    for (const i of items) if (await this.access.allowed(actor, "read", i.repo)) out.push(i);
    return out;
  }

  /** The account whose collections a page lists. */
  async owner(name: string): Promise<Account> {
    const a = await this.meta.accounts.byName(name);
    if (!a) throw errors.notFound(`${name} not found`);
    return a;
  }

  async view(actor: Actor, c: CollectionRecord): Promise<CollectionView> {
    const items = (await this.meta.collections.items([c.id])).get(c.id) ?? [];
    return { collection: c, items: await this.visibleItems(actor, items) };
  }

  async get(actor: Actor, slug: string): Promise<CollectionView> {
    return this.view(actor, await this.find(actor, slug));
  }

  async list(actor: Actor, q: { owner?: string; item?: string; search?: string; limit: number; offset: number }): Promise<CollectionView[]> {
    let ownerId: number | undefined;
    if (q.owner) {
      const o = await this.meta.accounts.byName(q.owner);
      if (!o) return [];
      ownerId = o.id;
    }
    let repoId: number | undefined;
    if (q.item) {
      // `models/ns/name`, `datasets/ns/name`, `spaces/ns/name` (the Hub's item filter).
      const m = /^(models|datasets|spaces)\/(.+)$/.exec(q.item);
      if (!m) return [];
      const found = await this.repos.get(actor, m[1]!.slice(0, -1) as RepoType, m[2]!).catch(() => null);
      if (!found) return [];
      repoId = found.repo.id;
    }
    const visibleOwnerIds = actor ? [actor.user.id, ...(await this.meta.accounts.orgsOf(actor.user.id)).map((o) => o.org.id)] : [];
    const rows = await this.meta.collections.list({ ownerId, repoId, search: q.search, visibleOwnerIds, limit: q.limit, offset: q.offset });
    const items = await this.meta.collections.items(rows.map((r) => r.id));
    const out = [];
    for (const c of rows) {
      if (c.private && !(await this.member(actor, c.owner))) continue;
      out.push({ collection: c, items: await this.visibleItems(actor, items.get(c.id) ?? []) });
    }
    return out;
  }

  async create(actor: Actor, b: { title?: unknown; namespace?: unknown; description?: unknown; private?: unknown }): Promise<CollectionRecord> {
    const title = checkTitle(b.title);
    const namespace = typeof b.namespace === "string" ? b.namespace : actor?.user.name;
    const owner = namespace ? await this.meta.accounts.byName(namespace) : null;
    if (!owner) throw errors.notFound(`Namespace ${String(namespace)} not found`);
    await this.writer(actor, owner);
    const existing = await this.meta.collections.byTitle(owner.id, title);
    if (existing) throw errors.conflict(`A collection named "${title}" already exists in ${owner.name}`, { slug: collectionSlug(existing) });
    return this.meta.collections.create({ ownerId: owner.id, title, description: checkDescription(b.description), private: b.private === true, theme: THEMES[Math.floor(Math.random() * THEMES.length)]! });
  }

  async update(actor: Actor, slug: string, b: { title?: unknown; description?: unknown; private?: unknown; theme?: unknown; position?: unknown }): Promise<CollectionView> {
    const c = await this.find(actor, slug);
    await this.writer(actor, c.owner);
    const patch: Parameters<MetaStore["collections"]["update"]>[1] = {};
    if (b.title !== undefined) patch.title = checkTitle(b.title);
    if (b.description !== undefined) patch.description = checkDescription(b.description);
    if (b.private !== undefined) {
      if (typeof b.private !== "boolean") throw errors.badRequest("'private' must be a boolean");
      patch.private = b.private;
    }
    if (b.theme !== undefined) {
      if (typeof b.theme !== "string" || !THEMES.includes(b.theme)) throw errors.badRequest(`'theme' must be one of ${THEMES.join(", ")}`);
      patch.theme = b.theme;
    }
    if (b.position !== undefined) {
      if (!Number.isInteger(b.position) || (b.position as number) < 0) throw errors.badRequest("'position' must be a non-negative integer");
      patch.position = b.position as number;
    }
    if (patch.title && patch.title.toLowerCase() !== c.title.toLowerCase() && (await this.meta.collections.byTitle(c.owner.id, patch.title))) throw errors.conflict(`A collection named "${patch.title}" already exists in ${c.owner.name}`);
    await this.meta.collections.update(c.id, patch);
    return this.get(actor, c.key);
  }

  async delete(actor: Actor, slug: string): Promise<void> {
    const c = await this.find(actor, slug);
    await this.writer(actor, c.owner);
    await this.meta.collections.delete(c.id);
  }

  async addItem(actor: Actor, slug: string, b: { item?: { id?: unknown; type?: unknown }; note?: unknown }): Promise<CollectionView> {
    const c = await this.find(actor, slug);
    await this.writer(actor, c.owner);
    const type = b.item?.type;
    if (type === "paper" || type === "collection" || type === "bucket") throw errors.badRequest(`Items of type ${type} are not supported here: collections hold models, datasets and spaces`);
    if (typeof type !== "string" || !ITEM_TYPES.includes(type as RepoType)) throw errors.badRequest("'item.type' must be model, dataset or space");
    if (typeof b.item?.id !== "string") throw errors.badRequest("'item.id' must be a repo id");
    // Only a repo the actor can read: a private repo is the same 404 as a missing one.
    const { repo } = await this.repos.get(actor, type as RepoType, b.item.id.replace(/^(models|datasets|spaces)\//, ""), "read");
    const added = await this.meta.collections.addItem(c.id, repo.id, checkNote(b.note));
    if (!added) throw errors.conflict(`${b.item.id} is already in this collection`);
    return this.get(actor, c.key);
  }

  async updateItem(actor: Actor, slug: string, itemKey: string, b: { position?: unknown; note?: unknown }): Promise<void> {
    const c = await this.find(actor, slug);
    await this.writer(actor, c.owner);
    const patch: { position?: number; note?: string | null } = {};
    if (b.position !== undefined) {
      if (!Number.isInteger(b.position) || (b.position as number) < 0) throw errors.badRequest("'position' must be a non-negative integer");
      patch.position = b.position as number;
    }
    if (b.note !== undefined) patch.note = checkNote(b.note);
    if (!(await this.meta.collections.updateItem(c.id, itemKey, patch))) throw errors.notFound(`Item ${itemKey} not found in the collection`);
  }

  async deleteItem(actor: Actor, slug: string, itemKey: string): Promise<void> {
    const c = await this.find(actor, slug);
    await this.writer(actor, c.owner);
    if (!(await this.meta.collections.deleteItem(c.id, itemKey))) throw errors.notFound(`Item ${itemKey} not found in the collection`);
  }
}

function checkTitle(t: unknown): string {
  const title = typeof t === "string" ? t.trim() : "";
  if (title.length < 1 || title.length > 60) throw errors.badRequest("The title must be 1 to 60 characters long");
  return title;
}

function checkDescription(d: unknown): string | null {
  if (d === undefined || d === null || d === "") return null;
  if (typeof d !== "string" || d.length > 150) throw errors.badRequest("The description must be at most 150 characters");
  return d;
}

function checkNote(n: unknown): string | null {
  if (n === undefined || n === null || n === "") return null;
  if (typeof n !== "string" || n.length > 500) throw errors.badRequest("A note must be at most 500 characters");
  return n;
}
