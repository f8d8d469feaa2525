/** Row ↔ record mapping and shared queries of the metadata stores (one place per table). */
import type { Kysely, Selectable } from "kysely";
import type { AccessRequest, Account, FineGrained, LockRecord, RepoRecord, SshKeyRecord, TokenRecord } from "../../core/ports.js";
import type { RepoType } from "../../core/ids.js";
import type { Database as Schema, ReposTable } from "./schema.js";

export const now = () => new Date().toISOString();

/** Escapes LIKE wildcards with `\` (used with `escape '\'`). */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => "\\" + c);

export function toRepo(r: Selectable<ReposTable>): RepoRecord {
  return {
    id: r.id,
    likes: Number(r.likes ?? 0),
    discussionsDisabled: Number(r.discussions_disabled ?? 0) === 1,
    downloads: Number(r.downloads ?? 0),
    downloadsAllTime: Number(r.downloads_all_time ?? 0),
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

export function gateQuery(db: Kysely<Schema>) {
  return db.selectFrom("repo_access_requests as r").innerJoin("accounts as a", "a.id", "r.user_id").selectAll("a").select(["r.repo_id", "r.request_id", "r.status", "r.fields", "r.reason", "r.created_at as r_created", "r.updated_at as r_updated"]);
}

export function toRequest(r: Selectable<Schema["accounts"]> & { repo_id: number; request_id: string; status: string; fields: string | null; reason: string | null; r_created: string; r_updated: string }): AccessRequest {
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

export function toAccount(r: Selectable<Schema["accounts"]>): Account {
  return { id: r.id, name: r.name, type: r.type, fullname: r.fullname, email: r.email, isAdmin: r.is_admin === 1, createdAt: r.created_at, disabled: Number(r.disabled) === 1 };
}

export function toToken(r: Selectable<Schema["tokens"]>): TokenRecord {
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

export function toSshKey(r: Selectable<Schema["ssh_keys"]>): SshKeyRecord {
  return { id: r.id, accountId: r.account_id, title: r.title, keyType: r.key_type, fingerprint: r.fingerprint, publicKey: r.public_key, createdAt: r.created_at, lastUsedAt: r.last_used_at };
}

export function lockQuery(db: Kysely<Schema>) {
  return db.selectFrom("lfs_locks").innerJoin("accounts", "accounts.id", "lfs_locks.owner_id").selectAll("lfs_locks").select("accounts.name as owner_name");
}

export function toLock(r: Selectable<Schema["lfs_locks"]> & { owner_name: string }): LockRecord {
  return { id: r.id, repoId: r.repo_id, path: r.path, refName: r.ref_name, ownerId: r.owner_id, ownerName: r.owner_name, lockedAt: r.locked_at };
}

/**
 * Runs `fn` in a transaction — or, when `db` already is one (a use case's `MetaStore.transaction`),
 * inside it, so a store's own multi-statement writes join the caller's transaction.
 */
export function inTx<T>(db: Kysely<Schema>, fn: (tx: Kysely<Schema>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
