/** Opening the metadata database: SQLite in the data folder, or PostgreSQL by URL; migrated. */
import Database from "better-sqlite3";
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from "kysely";
import pg from "pg";
import { migrations } from "./migrations.js";
import type { Database as Schema } from "./schema.js";

/**
 * Opens the metadata database a URL names — `postgres://…` (a pool) — else SQLite at `file` —
 * and brings it to the latest migration (on PostgreSQL Kysely's migrator holds an advisory lock,
 * so nodes starting together take turns).
 */
export async function openDatabase(url: string | undefined, file: string): Promise<{ db: Kysely<Schema>; pool: pg.Pool | null }> {
  if (!url) return { db: await openSqlite(file), pool: null };
  // int8 (sizes, counts) arrives as a string by default; every value Hubble stores is below 2^53.
  pg.types.setTypeParser(20, (v) => Number(v));
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const { error } = await new Migrator({ db, provider: migrations }).migrateToLatest();
  if (error) throw error;
  return { db, pool };
}

export async function openSqlite(file: string): Promise<Kysely<Schema>> {
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // Kysely prepares every query anew; better-sqlite3 statements are reusable, so cache them by SQL.
  const statements = new Map<string, Database.Statement>();
  const database = {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let st = statements.get(sql);
      if (!st) {
        st = sqlite.prepare(sql);
        if (statements.size < 500) statements.set(sql, st);
      }
      return st;
    },
  };
  const db = new Kysely<Schema>({ dialect: new ImmediateSqliteDialect({ database: database as unknown as Database.Database }) });
  const { error } = await new Migrator({ db, provider: migrations }).migrateToLatest();
  if (error) throw error;
  return db;
}

/**
 * Transactions that take SQLite's write lock when they begin (`begin immediate`): with several
 * processes on one database (`serve --workers`), a deferred transaction that reads and then writes
 * fails at once with SQLITE_BUSY when another process wrote meanwhile — the busy timeout cannot
 * help it — while an immediate one waits its turn.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly cfg: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(cfg);
  }

  override createDriver(): Driver {
    return new (class extends SqliteDriver {
      override async beginTransaction(connection: DatabaseConnection): Promise<void> {
        await connection.executeQuery(CompiledQuery.raw("begin immediate"));
      }
    })(this.cfg);
  }
}
