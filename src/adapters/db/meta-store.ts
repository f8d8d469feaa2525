/**
 * MetaStore over Kysely. Only portable SQL is used, so SQLite (embedded) and PostgreSQL
 * (scale-out) share this code; the dialect is chosen in main.ts.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { PostgresAdapter, sql, type Kysely, type Selectable } from "kysely";
import type { AccessRequest, Account, FineGrained, LockRecord, MetaStore, RepoQuery, RepoRecord, SshKeyRecord, TokenRecord } from "../../core/ports.js";
import type { RepoType, Sha256 } from "../../core/ids.js";
import type { Database as Schema, ReposTable } from "./schema.js";
import { kyselyStorageIndex } from "./storage-index.js";
import { kyselyThrottleStore } from "./throttle-store.js";
import { kyselyXetIndex } from "./xet-index.js";

const now = () => new Date().toISOString();

/** Opens (and migrates) the embedded SQLite database in WAL mode. */
/** Escapes LIKE wildcards with `\` (used with `escape '\'`). */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => "\\" + c);

function toRepo(r: Selectable<ReposTable>): RepoRecord {
  return {
    id: r.id,
    type: r.type as RepoType,
    namespace: r.namespace,
    name: r.name,
    ownerId: r.owner_id,
    private: r.private === 1,
    gated: r.gated === "auto" || r.gated === "manual" ? r.gated : false,
    defaultBranch: r.default_branch,
    createdAt: r.created_at,
    lastModified: r.last_modified,
    cardData: r.card_data ? (JSON.parse(r.card_data) as Record<string, unknown>) : null,
    tags: JSON.parse(r.tags) as string[],
    sdk: r.sdk,
    lfsThreshold: r.lfs_threshold === null ? null : Number(r.lfs_threshold),
    lfsSuffixRules: r.lfs_suffix_rules ? (JSON.parse(r.lfs_suffix_rules) as string[]) : null,
    lfsKeepVersions: r.lfs_keep_versions,
    createdBy: r.created_by ?? null,
    hubId: r.hub_id ?? String(r.id).padStart(24, "0"),
    derived: r.derived ? (JSON.parse(r.derived) as RepoRecord["derived"]) : null,
  };
}

function gateQuery(db: Kysely<Schema>) {
  return db.selectFrom("repo_access_requests as r").innerJoin("accounts as a", "a.id", "r.user_id").selectAll("a").select(["r.repo_id", "r.request_id", "r.status", "r.fields", "r.reason", "r.created_at as r_created", "r.updated_at as r_updated"]);
}

function toRequest(r: Selectable<Schema["accounts"]> & { repo_id: number; request_id: string; status: string; fields: string | null; reason: string | null; r_created: string; r_updated: string }): AccessRequest {
  return {
    requestId: r.request_id,
    repoId: r.repo_id,
    user: toAccount(r),
    status: r.status as AccessRequest["status"],
    fields: r.fields ? (JSON.parse(r.fields) as Record<string, unknown>) : null,
    reason: r.reason,
    createdAt: r.r_created,
    updatedAt: r.r_updated,
  };
}

function toAccount(r: Selectable<Schema["accounts"]>): Account {
  return { id: r.id, name: r.name, type: r.type, fullname: r.fullname, email: r.email, isAdmin: r.is_admin === 1, createdAt: r.created_at, disabled: Number(r.disabled) === 1 };
}

function toToken(r: Selectable<Schema["tokens"]>): TokenRecord {
  const fine = r.role === "scoped";
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    role: fine ? "fineGrained" : r.role === "write" ? "write" : "read",
    fineGrained: fine ? (JSON.parse(r.scopes ?? "null") as FineGrained | null) : undefined,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  };
}

function toSshKey(r: Selectable<Schema["ssh_keys"]>): SshKeyRecord {
  return { id: r.id, accountId: r.account_id, title: r.title, keyType: r.key_type, fingerprint: r.fingerprint, publicKey: r.public_key, createdAt: r.created_at, lastUsedAt: r.last_used_at };
}

function lockQuery(db: Kysely<Schema>) {
  return db.selectFrom("lfs_locks").innerJoin("accounts", "accounts.id", "lfs_locks.owner_id").selectAll("lfs_locks").select("accounts.name as owner_name");
}

function toLock(r: Selectable<Schema["lfs_locks"]> & { owner_name: string }): LockRecord {
  return { id: r.id, repoId: r.repo_id, path: r.path, refName: r.ref_name, ownerId: r.owner_id, ownerName: r.owner_name, lockedAt: r.locked_at };
}

/** Builds the MetaStore on a Kysely handle. */
export function kyselyMetaStore(db: Kysely<Schema>): MetaStore {
  // PostgreSQL or SQLite: where their SQL differs (search index, row locks).
  const sqliteSearch = !(db.getExecutor().adapter instanceof PostgresAdapter);
  return {
    accounts: {
      async create(a) {
        const row = await db
          .insertInto("accounts")
          .values({ name: a.name, name_lower: a.name.toLowerCase(), type: a.type, fullname: a.fullname, email: a.email, password_hash: a.passwordHash, is_admin: a.isAdmin ? 1 : 0, created_at: now() })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toAccount(row);
      },
      async byName(name) {
        const r = await db.selectFrom("accounts").selectAll().where("name_lower", "=", name.toLowerCase()).executeTakeFirst();
        return r ? toAccount(r) : null;
      },
      async byId(id) {
        const r = await db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
        return r ? toAccount(r) : null;
      },
      async listUsers(q) {
        let s = db.selectFrom("accounts").selectAll().where("type", "=", "user");
        if (q.search) s = s.where(sql<boolean>`name_lower like ${`%${likeEscape(q.search.toLowerCase())}%`} escape '\\'`);
        return (await s.orderBy("name_lower").limit(q.limit).offset(q.offset).execute()).map(toAccount);
      },
      async count() {
        const r = await db.selectFrom("accounts").select((e) => e.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
        return Number(r.n);
      },
      async addMember(orgId, userId, role) {
        await db.insertInto("org_members").values({ org_id: orgId, user_id: userId, role }).onConflict((oc) => oc.columns(["org_id", "user_id"]).doUpdateSet({ role })).execute();
      },
      async orgsOf(userId) {
        const rows = await db.selectFrom("org_members").innerJoin("accounts", "accounts.id", "org_members.org_id").selectAll("accounts").select("org_members.role").where("org_members.user_id", "=", userId).execute();
        return rows.map((r) => ({ org: toAccount(r), role: r.role }));
      },
      async memberRole(orgId, userId) {
        const r = await db.selectFrom("org_members").select("role").where("org_id", "=", orgId).where("user_id", "=", userId).executeTakeFirst();
        return r?.role ?? null;
      },
      async members(orgId) {
        const rows = await db.selectFrom("org_members").innerJoin("accounts", "accounts.id", "org_members.user_id").selectAll("accounts").select("org_members.role").where("org_members.org_id", "=", orgId).orderBy("accounts.name_lower").execute();
        return rows.map((r) => ({ user: toAccount(r), role: r.role }));
      },
      async removeMember(orgId, userId) {
        await db.deleteFrom("org_members").where("org_id", "=", orgId).where("user_id", "=", userId).execute();
      },
      async passwordHash(id) {
        return (await db.selectFrom("accounts").select("password_hash").where("id", "=", id).executeTakeFirst())?.password_hash ?? null;
      },
      async setPassword(id, hash) {
        await db.updateTable("accounts").set({ password_hash: hash }).where("id", "=", id).execute();
      },
      async setProfile(id, p) {
        await db.updateTable("accounts").set({ fullname: p.fullname, email: p.email }).where("id", "=", id).execute();
      },
      async setDisabled(id, disabled) {
        await db.updateTable("accounts").set({ disabled: disabled ? 1 : 0 }).where("id", "=", id).execute();
      },
      async delete(id) {
        await db.transaction().execute(async (tx) => {
          // Explicit deletes besides the cascades: SQLite only cascades with foreign_keys on.
          for (const t of ["tokens", "sessions", "ssh_keys"] as const) await tx.deleteFrom(t).where("account_id", "=", id).execute();
          await tx.deleteFrom("org_members").where((e) => e.or([e("org_id", "=", id), e("user_id", "=", id)])).execute();
          await tx.deleteFrom("repo_access_requests").where("user_id", "=", id).execute();
          await tx.deleteFrom("lfs_locks").where("owner_id", "=", id).execute();
          await tx.deleteFrom("accounts").where("id", "=", id).execute();
        });
      },
      async repoCount(id) {
        const r = await db.selectFrom("repos").select((e) => e.fn.countAll<number>().as("n")).where("owner_id", "=", id).executeTakeFirstOrThrow();
        return Number(r.n);
      },
    },
    throttle: kyselyThrottleStore(db),
    sessions: {
      async create(s) {
        await db.insertInto("sessions").values({ account_id: s.accountId, session_hash: s.hash, created_at: now(), expires_at: s.expiresAt }).execute();
      },
      async byHash(hash) {
        const r = await db.selectFrom("sessions").selectAll().where("session_hash", "=", hash).executeTakeFirst();
        return r ? { id: r.id, accountId: r.account_id, createdAt: r.created_at, expiresAt: r.expires_at } : null;
      },
      async delete(hash) {
        await db.deleteFrom("sessions").where("session_hash", "=", hash).execute();
      },
      async deleteAllOf(accountId, exceptHash) {
        let q = db.deleteFrom("sessions").where("account_id", "=", accountId);
        if (exceptHash !== null) q = q.where("session_hash", "!=", exceptHash);
        await q.execute();
      },
    },
    sshKeys: {
      async create(k) {
        const row = await db
          .insertInto("ssh_keys")
          .values({ account_id: k.accountId, title: k.title, key_type: k.keyType, fingerprint: k.fingerprint, public_key: k.publicKey, created_at: now(), last_used_at: null })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toSshKey(row);
      },
      async list(accountId) {
        return (await db.selectFrom("ssh_keys").selectAll().where("account_id", "=", accountId).orderBy("id").execute()).map(toSshKey);
      },
      async byId(id) {
        const r = await db.selectFrom("ssh_keys").selectAll().where("id", "=", id).executeTakeFirst();
        return r ? toSshKey(r) : null;
      },
      async byFingerprint(fp) {
        const r = await db.selectFrom("ssh_keys").selectAll().where("fingerprint", "=", fp).executeTakeFirst();
        return r ? toSshKey(r) : null;
      },
      async touch(id) {
        await db.updateTable("ssh_keys").set({ last_used_at: now() }).where("id", "=", id).execute();
      },
      async delete(id) {
        await db.deleteFrom("ssh_keys").where("id", "=", id).execute();
      },
    },
    tokens: {
      async create(t) {
        const row = await db.insertInto("tokens").values({ account_id: t.accountId, name: t.name, role: t.role === "fineGrained" ? "scoped" : t.role, scopes: t.fineGrained ? JSON.stringify(t.fineGrained) : null, token_hash: t.hash, created_at: now(), last_used_at: null }).returningAll().executeTakeFirstOrThrow();
        return toToken(row);
      },
      async byHash(hash) {
        const r = await db.selectFrom("tokens").selectAll().where("token_hash", "=", hash).executeTakeFirst();
        return r ? toToken(r) : null;
      },
      async touch(id) {
        await db.updateTable("tokens").set({ last_used_at: now() }).where("id", "=", id).execute();
      },
      async list(accountId) {
        return (await db.selectFrom("tokens").selectAll().where("account_id", "=", accountId).orderBy("id").execute()).map(toToken);
      },
      async byId(id) {
        const r = await db.selectFrom("tokens").selectAll().where("id", "=", id).executeTakeFirst();
        return r ? toToken(r) : null;
      },
      async delete(id) {
        await db.deleteFrom("tokens").where("id", "=", id).execute();
      },
    },
    repos: {
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
        await db.transaction().execute(async (tx) => {
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
        const col = q.sort === "createdAt" ? "repos.created_at" : q.sort === "id" ? "repos.full_name_lower" : "repos.last_modified";
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
    },
    lfs: {
      async link(repoId, oid, size) {
        await db.transaction().execute(async (tx) => {
          await tx.insertInto("lfs_objects").values({ oid, size, created_at: now() }).onConflict((oc) => oc.column("oid").doNothing()).execute();
          await tx.insertInto("repo_lfs").values({ repo_id: repoId, oid, created_at: now() }).onConflict((oc) => oc.columns(["repo_id", "oid"]).doNothing()).execute();
        });
      },
      async linked(repoId, oid: Sha256) {
        const r = await db.selectFrom("repo_lfs").innerJoin("lfs_objects", "lfs_objects.oid", "repo_lfs.oid").select("lfs_objects.size").where("repo_lfs.repo_id", "=", repoId).where("repo_lfs.oid", "=", oid).executeTakeFirst();
        return r ? Number(r.size) : null;
      },
      async stored(oid: Sha256) {
        const r = await db.selectFrom("lfs_objects").select("size").where("oid", "=", oid).executeTakeFirst();
        return r ? Number(r.size) : null;
      },
      async all() {
        const rows = await db.selectFrom("lfs_objects").selectAll().execute();
        return rows.map((r) => ({ oid: r.oid as Sha256, size: Number(r.size), createdAt: r.touched_at && r.touched_at > r.created_at ? r.touched_at : r.created_at }));
      },
      async touch(oids) {
        if (!oids.length) return new Set();
        const rows = await db.updateTable("lfs_objects").set({ touched_at: now() }).where("oid", "in", oids).returning("oid").execute();
        return new Set(rows.map((r) => r.oid));
      },
      async forget(oid, unusedSince) {
        return db.transaction().execute(async (tx) => {
          // The row lock (PostgreSQL) / write lock (SQLite, immediate) orders this against a touch.
          let q = tx.selectFrom("lfs_objects").select(["created_at", "touched_at"]).where("oid", "=", oid);
          if (!sqliteSearch) q = q.forUpdate();
          const row = await q.executeTakeFirst();
          if (!row) return false;
          if (unusedSince !== undefined && (row.created_at > unusedSince || (row.touched_at !== null && row.touched_at > unusedSince))) return false;
          await tx.deleteFrom("repo_lfs").where("oid", "=", oid).execute();
          await tx.deleteFrom("lfs_objects").where("oid", "=", oid).execute();
          return true;
        });
      },
    },
    locks: {
      async create(l) {
        return db.transaction().execute(async (tx) => {
          const existing = await lockQuery(tx).where("lfs_locks.repo_id", "=", l.repoId).where("lfs_locks.path", "=", l.path).executeTakeFirst();
          if (existing) return { lock: toLock(existing), created: false };
          const { id } = await tx.insertInto("lfs_locks").values({ repo_id: l.repoId, path: l.path, ref_name: l.refName, owner_id: l.ownerId, locked_at: now() }).returning("id").executeTakeFirstOrThrow();
          return { lock: toLock(await lockQuery(tx).where("lfs_locks.id", "=", id).executeTakeFirstOrThrow()), created: true };
        });
      },
      async list(repoId, q) {
        let s = lockQuery(db).where("lfs_locks.repo_id", "=", repoId);
        if (q.path !== undefined) s = s.where("lfs_locks.path", "=", q.path);
        if (q.id !== undefined) s = s.where("lfs_locks.id", "=", q.id);
        return (await s.orderBy("lfs_locks.id").limit(q.limit).offset(q.offset).execute()).map(toLock);
      },
      async delete(id) {
        await db.deleteFrom("lfs_locks").where("id", "=", id).execute();
      },
    },
    async allRepos() {
      return (await db.selectFrom("repos").selectAll().execute()).map(toRepo);
    },
    xet: kyselyXetIndex(db),
    storage: kyselyStorageIndex(db),
    gate: {
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
    },
  };
}
