/** Accounts (users and organizations, members), login sessions, SSH keys and tokens. */
import { sql, type Kysely } from "kysely";
import type { MetaStore } from "../../core/ports.js";
import { inTx, likeEscape, now, toAccount, toSshKey, toToken } from "./rows.js";
import type { Database as Schema } from "./schema.js";

/** The accounts store on a database handle or a transaction. */
export function accountStore(db: Kysely<Schema>): MetaStore["accounts"] {
  return {
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
      await inTx(db, async (tx) => {
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
  };
}

/** The sessions store on a database handle or a transaction. */
export function sessionStore(db: Kysely<Schema>): MetaStore["sessions"] {
  return {
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
  };
}

/** The sshKeys store on a database handle or a transaction. */
export function sshKeyStore(db: Kysely<Schema>): MetaStore["sshKeys"] {
  return {
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
  };
}

/** The tokens store on a database handle or a transaction. */
export function tokenStore(db: Kysely<Schema>): MetaStore["tokens"] {
  return {
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
  };
}
