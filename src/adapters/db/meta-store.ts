/**
 * MetaStore over Kysely: one store per aggregate (account-stores.ts, repo-stores.ts,
 * lfs-stores.ts, xet-index.ts, storage-index.ts, throttle-store.ts), each built on a handle that is
 * the database or a transaction. Only portable SQL is used, so SQLite (embedded) and PostgreSQL
 * (scale-out) share this code; where they differ a store is told which it is on.
 */
import { PostgresAdapter, type Kysely } from "kysely";
import type { MetaStore } from "../../core/ports.js";
import { accountStore, sessionStore, sshKeyStore, tokenStore } from "./account-stores.js";
import { discussionStore } from "./discussion-stores.js";
import { webhookStore } from "./webhook-stores.js";
import { collectionStore } from "./collection-stores.js";
import { lfsStore, lockStore } from "./lfs-stores.js";
import { downloadStore, gateStore, likeStore, repoStore } from "./repo-stores.js";
import { toRepo } from "./rows.js";
import type { Database as Schema } from "./schema.js";
import { kyselyStorageIndex } from "./storage-index.js";
import { kyselyThrottleStore } from "./throttle-store.js";
import { kyselyXetIndex } from "./xet-index.js";

/** Builds the MetaStore on a Kysely handle: the database, or a transaction of it. */
export function kyselyMetaStore(db: Kysely<Schema>): MetaStore {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const store: MetaStore = {
    accounts: accountStore(db),
    throttle: kyselyThrottleStore(db),
    sessions: sessionStore(db),
    sshKeys: sshKeyStore(db),
    tokens: tokenStore(db),
    repos: repoStore(db, pg),
    lfs: lfsStore(db, pg),
    locks: lockStore(db),
    async allRepos() {
      return (await db.selectFrom("repos").selectAll().execute()).map(toRepo);
    },
    xet: kyselyXetIndex(db),
    storage: kyselyStorageIndex(db),
    gate: gateStore(db),
    likes: likeStore(db),
    discussions: discussionStore(db),
    downloads: downloadStore(db),
    webhooks: webhookStore(db),
    collections: collectionStore(db),
    transaction(fn) {
      // Inside a transaction already: the caller's work joins it.
      if (db.isTransaction) return fn(store);
      return db.transaction().execute((tx) => fn(kyselyMetaStore(tx)));
    },
  };
  return store;
}
