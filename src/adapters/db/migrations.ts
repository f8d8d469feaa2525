/**
 * Numbered migrations. Written with Kysely's schema builder only, so the same list runs on SQLite
 * and PostgreSQL. Never edit a released migration; add the next number.
 */
import { randomBytes } from "node:crypto";
import { PostgresAdapter, sql, type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider } from "kysely";

/*
 * The one list runs on SQLite and PostgreSQL. Where the two differ, a helper picks the type:
 * the row id (SQLite `integer primary key autoincrement`, PostgreSQL `serial`) and raw bytes
 * (`blob` / `bytea`). The SQL these helpers produce on SQLite is what the migrations always made.
 */
const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter;
const idColumn =
  (db: Kysely<any>) =>
  <T extends string>(t: CreateTableBuilder<T, any>) =>
    isPostgres(db) ? t.addColumn("id", "serial", (c) => c.primaryKey()) : t.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
const bytes = (db: Kysely<any>) => (isPostgres(db) ? sql`bytea` : "blob");

const m001: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("accounts")
      .$call(idColumn(db))
      .addColumn("name", "varchar(96)", (c) => c.notNull())
      .addColumn("name_lower", "varchar(96)", (c) => c.notNull().unique())
      .addColumn("type", "varchar(8)", (c) => c.notNull())
      .addColumn("fullname", "varchar(256)", (c) => c.notNull())
      .addColumn("email", "varchar(256)")
      .addColumn("password_hash", "varchar(256)")
      .addColumn("is_admin", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("org_members")
      .addColumn("org_id", "integer", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("user_id", "integer", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("role", "varchar(16)", (c) => c.notNull())
      .addPrimaryKeyConstraint("org_members_pk", ["org_id", "user_id"])
      .execute();
    await db.schema
      .createTable("tokens")
      .$call(idColumn(db))
      .addColumn("account_id", "integer", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("name", "varchar(128)", (c) => c.notNull())
      .addColumn("role", "varchar(8)", (c) => c.notNull())
      .addColumn("token_hash", "varchar(64)", (c) => c.notNull().unique())
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addColumn("last_used_at", "varchar(32)")
      .execute();
    await db.schema
      .createTable("repos")
      .$call(idColumn(db))
      .addColumn("type", "varchar(8)", (c) => c.notNull())
      .addColumn("namespace", "varchar(96)", (c) => c.notNull())
      .addColumn("name", "varchar(96)", (c) => c.notNull())
      .addColumn("full_name_lower", "varchar(200)", (c) => c.notNull())
      .addColumn("owner_id", "integer", (c) => c.notNull().references("accounts.id"))
      .addColumn("private", "integer", (c) => c.notNull())
      .addColumn("gated", "varchar(8)")
      .addColumn("default_branch", "varchar(256)", (c) => c.notNull())
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addColumn("last_modified", "varchar(32)", (c) => c.notNull())
      .addColumn("card_data", "text")
      .addColumn("tags", "text", (c) => c.notNull().defaultTo("[]"))
      .addColumn("sdk", "varchar(32)")
      .addColumn("lfs_threshold", "bigint")
      .addColumn("lfs_suffix_rules", "text")
      .addColumn("lfs_keep_versions", "integer")
      .addUniqueConstraint("repos_type_name", ["type", "full_name_lower"])
      .execute();
    await db.schema.createIndex("repos_last_modified").on("repos").columns(["type", "last_modified"]).execute();
    await db.schema
      .createTable("repo_redirects")
      .addColumn("type", "varchar(8)", (c) => c.notNull())
      .addColumn("from_lower", "varchar(200)", (c) => c.notNull())
      .addColumn("repo_id", "integer", (c) => c.notNull().references("repos.id").onDelete("cascade"))
      .addPrimaryKeyConstraint("repo_redirects_pk", ["type", "from_lower"])
      .execute();
    await db.schema
      .createTable("lfs_objects")
      .addColumn("oid", "varchar(64)", (c) => c.primaryKey())
      .addColumn("size", "bigint", (c) => c.notNull())
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("repo_lfs")
      .addColumn("repo_id", "integer", (c) => c.notNull().references("repos.id").onDelete("cascade"))
      .addColumn("oid", "varchar(64)", (c) => c.notNull().references("lfs_objects.oid"))
      .addPrimaryKeyConstraint("repo_lfs_pk", ["repo_id", "oid"])
      .execute();
    void sql;
  },
};

const m002: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("lfs_locks")
      .$call(idColumn(db))
      .addColumn("repo_id", "integer", (c) => c.notNull().references("repos.id").onDelete("cascade"))
      .addColumn("path", "varchar(4096)", (c) => c.notNull())
      .addColumn("ref_name", "varchar(256)")
      .addColumn("owner_id", "integer", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("locked_at", "varchar(32)", (c) => c.notNull())
      .addUniqueConstraint("lfs_locks_repo_path", ["repo_id", "path"])
      .execute();
  },
};

const m003: Migration = {
  async up(db: Kysely<any>) {
    // Xet. Hashes are hex strings in xet-core's order. `chunks` packs 40 bytes per chunk
    // (hash, uncompressed size, serialized end offset); "blob" maps to bytea on PostgreSQL.
    await db.schema
      .createTable("xet_xorbs")
      .addColumn("hash", "varchar(64)", (c) => c.primaryKey())
      .addColumn("length", "bigint", (c) => c.notNull())
      .addColumn("unpacked", "bigint", (c) => c.notNull())
      .addColumn("chunks", bytes(db), (c) => c.notNull())
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("xet_chunks")
      .addColumn("hash", "varchar(64)", (c) => c.primaryKey())
      .addColumn("xorb", "varchar(64)", (c) => c.notNull().references("xet_xorbs.hash"))
      .addColumn("idx", "integer", (c) => c.notNull())
      // The file this entry was registered through (null for xorb-level entries): a dedupe
      // answer then includes the xorbs that follow in that file.
      .addColumn("file_hash", "varchar(64)")
      .execute();
    await db.schema
      .createTable("xet_files")
      .addColumn("hash", "varchar(64)", (c) => c.primaryKey())
      .addColumn("size", "bigint", (c) => c.notNull())
      .addColumn("terms", "text", (c) => c.notNull())
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("repo_xet_files")
      .addColumn("repo_id", "integer", (c) => c.notNull().references("repos.id").onDelete("cascade"))
      .addColumn("file_hash", "varchar(64)", (c) => c.notNull().references("xet_files.hash"))
      .addColumn("sha256", "varchar(64)")
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addPrimaryKeyConstraint("repo_xet_files_pk", ["repo_id", "file_hash"])
      .execute();
    await db.schema.createIndex("repo_xet_files_sha256").on("repo_xet_files").columns(["repo_id", "sha256"]).execute();
    await db.schema
      .createTable("repo_xet_shards")
      .addColumn("repo_id", "integer", (c) => c.notNull().references("repos.id").onDelete("cascade"))
      .addColumn("sha256", "varchar(64)", (c) => c.notNull())
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addPrimaryKeyConstraint("repo_xet_shards_pk", ["repo_id", "sha256"])
      .execute();
  },
};

const m004: Migration = {
  async up(db: Kysely<any>) {
    // Access requests to gated repos: one row per (repo, user); status pending|accepted|rejected.
    await db.schema
      .createTable("repo_access_requests")
      .addColumn("repo_id", "integer", (c) => c.notNull().references("repos.id").onDelete("cascade"))
      .addColumn("user_id", "integer", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("request_id", "varchar(36)", (c) => c.notNull().unique())
      .addColumn("status", "varchar(8)", (c) => c.notNull())
      .addColumn("fields", "text")
      .addColumn("reason", "varchar(1024)")
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
      .addPrimaryKeyConstraint("repo_access_requests_pk", ["repo_id", "user_id"])
      .execute();
  },
};

const m005: Migration = {
  async up(db: Kysely<any>) {
    // Accounts can be disabled by a site admin (their tokens, sessions and keys stop working).
    await db.schema.alterTable("accounts").addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0)).execute();
    // Fine-grained tokens: role "scoped" (the column is varchar(8)) with their scopes as JSON.
    await db.schema.alterTable("tokens").addColumn("scopes", "text").execute();
    // Who created a repo: an org "contributor" may write to the repos they created.
    await db.schema.alterTable("repos").addColumn("created_by", "integer").execute();
    await db.schema
      .createTable("sessions")
      .$call(idColumn(db))
      .addColumn("account_id", "integer", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("session_hash", "varchar(64)", (c) => c.notNull().unique())
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addColumn("expires_at", "varchar(32)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("ssh_keys")
      .$call(idColumn(db))
      .addColumn("account_id", "integer", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("title", "varchar(255)", (c) => c.notNull())
      .addColumn("key_type", "varchar(32)", (c) => c.notNull())
      .addColumn("fingerprint", "varchar(64)", (c) => c.notNull().unique())
      .addColumn("public_key", "text", (c) => c.notNull())
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addColumn("last_used_at", "varchar(32)")
      .execute();
  },
};

const m006: Migration = {
  async up(db: Kysely<any>) {
    // Dedupe entry points per (chunk, file): a dedupe answer is drawn only from files the caller
    // may see, so one chunk needs every file it was registered through, not just the latest.
    await db.schema
      .createTable("xet_dedupe")
      .addColumn("chunk", "varchar(64)", (c) => c.notNull())
      .addColumn("file_hash", "varchar(64)", (c) => c.notNull().references("xet_files.hash"))
      .addColumn("xorb", "varchar(64)", (c) => c.notNull().references("xet_xorbs.hash"))
      .addColumn("idx", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("xet_dedupe_pk", ["chunk", "file_hash"])
      .execute();
    await db
      .insertInto("xet_dedupe")
      .columns(["chunk", "file_hash", "xorb", "idx"])
      .expression(db.selectFrom("xet_chunks").select(["hash", "file_hash", "xorb", "idx"]).where("file_hash", "is not", null))
      .execute();
    await db.schema.createIndex("repo_xet_files_file").on("repo_xet_files").column("file_hash").execute();
    // Opaque repo ids (24 hex, like the Hub's ObjectIds) instead of the sequential row id.
    await db.schema.alterTable("repos").addColumn("hub_id", "varchar(24)").execute();
    for (const r of await db.selectFrom("repos").select("id").execute()) {
      await db.updateTable("repos").set({ hub_id: randomBytes(12).toString("hex") }).where("id", "=", r.id).execute();
    }
    await db.schema.createIndex("repos_hub_id").on("repos").column("hub_id").unique().execute();
    // What the Hub derives from content (safetensors summary, library) beside card data and tags.
    await db.schema.alterTable("repos").addColumn("derived", "text").execute();
    // When a repo got an LFS object (list_lfs_files' pushedAt).
    await db.schema.alterTable("repo_lfs").addColumn("created_at", "varchar(32)").execute();
  },
};

const m007: Migration = {
  async up(db: Kysely<any>) {
    // Login failure counts (core/throttle.ts), shared by every node; times in epoch ms.
    await db.schema
      .createTable("login_throttle")
      .addColumn("key", "varchar(200)", (c) => c.primaryKey())
      .addColumn("failures", "integer", (c) => c.notNull())
      .addColumn("first_ms", "bigint", (c) => c.notNull())
      .addColumn("locked_until_ms", "bigint", (c) => c.notNull())
      .execute();
  },
};

const m009: Migration = {
  async up(db: Kysely<any>) {
    // When a commit or push last referenced an LFS object: GC keeps objects touched within its
    // grace period, so a commit racing a GC run (on another node) never points at a deleted object.
    await db.schema.alterTable("lfs_objects").addColumn("touched_at", "varchar(32)").execute();
  },
};

const m010: Migration = {
  async up(db: Kysely<any>) {
    // Likes: who likes which repo (gone with either), and the count on the repo for lists and sorting.
    await db.schema
      .createTable("repo_likes")
      .addColumn("repo_id", "integer", (c) => c.notNull().references("repos.id").onDelete("cascade"))
      .addColumn("user_id", "integer", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addPrimaryKeyConstraint("repo_likes_pk", ["repo_id", "user_id"])
      .execute();
    await db.schema.createIndex("repo_likes_user").on("repo_likes").columns(["user_id", "created_at"]).execute();
    await db.schema.alterTable("repos").addColumn("likes", "integer", (c) => c.notNull().defaultTo(0)).execute();
  },
};

const m011: Migration = {
  async up(db: Kysely<any>) {
    // Lists sorted by likes (`sort=likes`) read this index instead of sorting every repo.
    await db.schema.createIndex("repos_type_likes").on("repos").columns(["type", "likes"]).execute();
  },
};

const m012: Migration = {
  async up(db: Kysely<any>) {
    // Discussions and pull requests: numbered per repo from a counter on the repo (an atomic
    // increment, so concurrent openers on any node get distinct numbers); events hold comments
    // (with their edit history), status, title and commit changes as JSON.
    await db.schema.alterTable("repos").addColumn("discussion_seq", "integer", (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable("repos").addColumn("discussions_disabled", "integer", (c) => c.notNull().defaultTo(0)).execute();
    await db.schema
      .createTable("discussions")
      .$call(idColumn(db))
      .addColumn("repo_id", "integer", (c) => c.notNull().references("repos.id").onDelete("cascade"))
      .addColumn("num", "integer", (c) => c.notNull())
      .addColumn("author_id", "integer", (c) => c.references("accounts.id").onDelete("set null"))
      .addColumn("title", "varchar(256)", (c) => c.notNull())
      .addColumn("is_pr", "integer", (c) => c.notNull())
      .addColumn("status", "varchar(8)", (c) => c.notNull())
      .addColumn("target_branch", "varchar(256)")
      .addColumn("merge_commit", "varchar(40)")
      .addColumn("num_comments", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
      .addUniqueConstraint("discussions_repo_num", ["repo_id", "num"])
      .execute();
    await db.schema
      .createTable("discussion_events")
      .$call(idColumn(db))
      .addColumn("discussion_id", "integer", (c) => c.notNull().references("discussions.id").onDelete("cascade"))
      .addColumn("event_id", "varchar(24)", (c) => c.notNull().unique())
      .addColumn("type", "varchar(16)", (c) => c.notNull())
      .addColumn("author_id", "integer", (c) => c.references("accounts.id").onDelete("set null"))
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addColumn("data", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("discussion_events_thread").on("discussion_events").columns(["discussion_id", "id"]).execute();
  },
};

const m013: Migration = {
  async up(db: Kysely<any>) {
    // Download counts: per repo and UTC day (nodes add their batches with an atomic upsert), and
    // on the repo the last 30 days and all time, for info, lists and sorting (index on type, downloads).
    await db.schema
      .createTable("repo_downloads")
      .addColumn("repo_id", "integer", (c) => c.notNull().references("repos.id").onDelete("cascade"))
      .addColumn("day", "varchar(10)", (c) => c.notNull())
      .addColumn("count", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("repo_downloads_pk", ["repo_id", "day"])
      .execute();
    await db.schema.alterTable("repos").addColumn("downloads", "integer", (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable("repos").addColumn("downloads_all_time", "integer", (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.createIndex("repos_type_downloads").on("repos").columns(["type", "downloads"]).execute();
  },
};

const m014: Migration = {
  async up(db: Kysely<any>) {
    // Webhooks and their durable outbox: one delivery row per (event, webhook), written when the
    // event happens, sent by the cluster's leader with retries; the rows are the delivery log.
    await db.schema
      .createTable("webhooks")
      .$call(idColumn(db))
      .addColumn("hub_id", "varchar(24)", (c) => c.notNull().unique())
      .addColumn("owner_id", "integer", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("url", "varchar(2048)", (c) => c.notNull())
      .addColumn("secret", "varchar(512)")
      .addColumn("watched", "text", (c) => c.notNull())
      .addColumn("domains", "varchar(64)", (c) => c.notNull())
      .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("webhooks_owner").on("webhooks").column("owner_id").execute();
    // What each webhook watches, indexed, so an event finds its webhooks without scanning them all.
    await db.schema
      .createTable("webhook_watches")
      .addColumn("webhook_id", "integer", (c) => c.notNull().references("webhooks.id").onDelete("cascade"))
      .addColumn("type", "varchar(8)", (c) => c.notNull())
      .addColumn("name_lower", "varchar(200)", (c) => c.notNull())
      .addPrimaryKeyConstraint("webhook_watches_pk", ["webhook_id", "type", "name_lower"])
      .execute();
    await db.schema.createIndex("webhook_watches_item").on("webhook_watches").columns(["type", "name_lower"]).execute();
    await db.schema
      .createTable("webhook_deliveries")
      .$call(idColumn(db))
      .addColumn("webhook_id", "integer", (c) => c.notNull().references("webhooks.id").onDelete("cascade"))
      .addColumn("scope", "varchar(32)", (c) => c.notNull())
      .addColumn("action", "varchar(16)", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("status", "varchar(12)", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("next_at", "varchar(32)", (c) => c.notNull())
      .addColumn("last_status", "integer")
      .addColumn("last_error", "varchar(512)")
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addColumn("delivered_at", "varchar(32)")
      .execute();
    await db.schema.createIndex("webhook_deliveries_due").on("webhook_deliveries").columns(["status", "next_at"]).execute();
    await db.schema.createIndex("webhook_deliveries_hook").on("webhook_deliveries").columns(["webhook_id", "id"]).execute();
  },
};

const m015: Migration = {
  async up(db: Kysely<any>) {
    // Collections: a user's or org's ordered list of repos with notes; the slug's last part
    // (`key`, 24 hex) finds it whatever its title became.
    await db.schema
      .createTable("collections")
      .$call(idColumn(db))
      .addColumn("key", "varchar(24)", (c) => c.notNull().unique())
      .addColumn("owner_id", "integer", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
      .addColumn("title", "varchar(120)", (c) => c.notNull())
      .addColumn("description", "varchar(300)")
      .addColumn("private", "integer", (c) => c.notNull())
      .addColumn("theme", "varchar(12)", (c) => c.notNull())
      .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("collections_owner").on("collections").columns(["owner_id", "updated_at"]).execute();
    await db.schema
      .createTable("collection_items")
      .$call(idColumn(db))
      .addColumn("key", "varchar(24)", (c) => c.notNull().unique())
      .addColumn("collection_id", "integer", (c) => c.notNull().references("collections.id").onDelete("cascade"))
      .addColumn("repo_id", "integer", (c) => c.notNull().references("repos.id").onDelete("cascade"))
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("note", "varchar(1000)")
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addUniqueConstraint("collection_items_repo", ["collection_id", "repo_id"])
      .execute();
    await db.schema.createIndex("collection_items_by_repo").on("collection_items").column("repo_id").execute();
  },
};

const m008: Migration = {
  async up(db: Kysely<any>) {
    // Substring search over repo names through an index made for it, so listing and search stay
    // flat as the catalogue grows (a LIKE '%…%' scan is linear). PostgreSQL: a pg_trgm GIN index,
    // which LIKE uses as is (pg_trgm is a trusted extension: a database owner may create it; where
    // it is missing the migration goes on without the index). SQLite: an FTS5 trigram table kept
    // by triggers, which the list query consults first.
    if (isPostgres(db)) {
      await sql`savepoint trgm`.execute(db);
      try {
        await sql`create extension if not exists pg_trgm`.execute(db);
        await sql`create index repos_name_trgm on repos using gin (full_name_lower gin_trgm_ops)`.execute(db);
        await sql`release savepoint trgm`.execute(db);
      } catch {
        await sql`rollback to savepoint trgm`.execute(db);
      }
      return;
    }
    await sql`create virtual table repos_search using fts5(full_name_lower, content='repos', content_rowid='id', tokenize='trigram')`.execute(db);
    await sql`create trigger repos_search_insert after insert on repos begin insert into repos_search(rowid, full_name_lower) values (new.id, new.full_name_lower); end`.execute(db);
    await sql`create trigger repos_search_delete after delete on repos begin insert into repos_search(repos_search, rowid, full_name_lower) values ('delete', old.id, old.full_name_lower); end`.execute(db);
    await sql`create trigger repos_search_update after update of full_name_lower on repos begin insert into repos_search(repos_search, rowid, full_name_lower) values ('delete', old.id, old.full_name_lower); insert into repos_search(rowid, full_name_lower) values (new.id, new.full_name_lower); end`.execute(db);
    await sql`insert into repos_search(repos_search) values ('rebuild')`.execute(db);
  },
};

/** The ordered migration list. */
export const migrations: MigrationProvider = {
  async getMigrations() {
    return { "001_initial": m001, "002_lfs_locks": m002, "003_xet": m003, "004_access_requests": m004, "005_auth": m005, "006_xet_dedupe_scope": m006, "007_login_throttle": m007, "008_repo_search_index": m008, "009_lfs_touched": m009, "010_likes": m010, "011_likes_index": m011, "012_discussions": m012, "013_downloads": m013, "014_webhooks": m014, "015_collections": m015 };
  },
};
