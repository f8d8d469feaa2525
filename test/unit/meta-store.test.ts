/**
 * The metadata stores' conformance suite: one test body per contract, run against SQLite (a file in
 * a temporary folder) and a real PostgreSQL (a throwaway cluster). Covers each aggregate's store and
 * `MetaStore.transaction`: a use case's writes across stores commit together or not at all.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Kysely } from "kysely";
import { openDatabase } from "../../src/adapters/db/open.js";
import { kyselyMetaStore } from "../../src/adapters/db/meta-store.js";
import type { Database } from "../../src/adapters/db/schema.js";
import type { Sha256 } from "../../src/core/ids.js";
import type { MetaStore } from "../../src/core/ports.js";
import { startPostgres, type Postgres } from "../support/postgres.js";

const oid = (c: string) => c.repeat(64) as Sha256;

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`metadata stores on ${backend}`, () => {
    let dir: string;
    let pg: Postgres | undefined;
    let db: Kysely<Database>;
    let meta: MetaStore;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "hubble-stores-"));
      if (backend === "postgres") pg = await startPostgres();
      ({ db } = await openDatabase(pg ? await pg.database() : undefined, join(dir, "hubble.db")));
      meta = kyselyMetaStore(db);
    });
    after(async () => {
      await db?.destroy();
      await pg?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    test("accounts: create, find by any case, unique names, members and roles", async () => {
      const alice = await meta.accounts.create({ name: "Alice", type: "user", fullname: "Alice A", email: "a@x", passwordHash: null, isAdmin: false });
      assert.equal((await meta.accounts.byName("alice"))?.id, alice.id);
      assert.equal((await meta.accounts.byId(alice.id))?.name, "Alice");
      await assert.rejects(meta.accounts.create({ name: "ALICE", type: "user", fullname: "", email: null, passwordHash: null, isAdmin: false }), "names are unique whatever their case");
      const org = await meta.accounts.create({ name: "acme", type: "org", fullname: "Acme", email: null, passwordHash: null, isAdmin: false });
      await meta.accounts.addMember(org.id, alice.id, "write");
      assert.equal(await meta.accounts.memberRole(org.id, alice.id), "write");
      assert.deepEqual((await meta.accounts.orgsOf(alice.id)).map((o) => `${o.org.name}:${o.role}`), ["acme:write"]);
      await meta.accounts.removeMember(org.id, alice.id);
      assert.equal(await meta.accounts.memberRole(org.id, alice.id), null);
    });

    test("tokens: stored by hash, touched, listed, deleted", async () => {
      const bob = await meta.accounts.create({ name: "bob", type: "user", fullname: "Bob", email: null, passwordHash: null, isAdmin: false });
      const t = await meta.tokens.create({ accountId: bob.id, name: "ci", role: "read", fineGrained: null, hash: "h".repeat(64) });
      assert.equal((await meta.tokens.byHash("h".repeat(64)))?.id, t.id);
      assert.equal(t.lastUsedAt, null);
      await meta.tokens.touch(t.id);
      assert.notEqual((await meta.tokens.byId(t.id))?.lastUsedAt, null);
      assert.deepEqual((await meta.tokens.list(bob.id)).map((x) => x.name), ["ci"]);
      await meta.tokens.delete(t.id);
      assert.equal(await meta.tokens.byHash("h".repeat(64)), null);
    });

    test("repos: create, find, unique per type, search by substring, rename with a redirect, delete", async () => {
      const owner = await meta.accounts.create({ name: "carol", type: "user", fullname: "", email: null, passwordHash: null, isAdmin: false });
      const base = { namespace: "carol", ownerId: owner.id, createdBy: owner.id, private: false, defaultBranch: "main", sdk: null };
      const r = await meta.repos.create({ ...base, type: "model", name: "bert-base" });
      await meta.repos.create({ ...base, type: "dataset", name: "bert-base" });
      await assert.rejects(meta.repos.create({ ...base, type: "model", name: "bert-base" }));
      await meta.repos.create({ ...base, type: "model", name: "gpt_tiny" });
      assert.equal((await meta.repos.find("model", "carol/bert-base"))?.id, r.id);
      const names = async (search: string) => (await meta.repos.list({ type: "model", search, sort: "id", direction: 1, limit: 10, offset: 0, visibleOwnerIds: [] })).map((x) => x.name);
      assert.deepEqual(await names("ert-ba"), ["bert-base"]);
      assert.deepEqual(await names("t_t"), ["gpt_tiny"], "`_` is a character, not a wildcard");
      await meta.repos.update(r.id, { cardData: { license: "mit" }, tags: ["license:mit"] });
      assert.deepEqual((await meta.repos.find("model", "carol/bert-base"))?.tags, ["license:mit"]);
      await meta.transaction(async (tx) => {
        await tx.repos.rename(r.id, "carol", "bert-renamed", owner.id);
        await tx.repos.addRedirect("model", "carol/bert-base", r.id);
      });
      assert.equal((await meta.repos.find("model", "carol/bert-renamed"))?.id, r.id);
      assert.equal((await meta.repos.findRedirect("model", "carol/bert-base"))?.name, "bert-renamed");
      await meta.repos.delete(r.id);
      assert.equal(await meta.repos.find("model", "carol/bert-renamed"), null);
    });

    test("lfs: link per repo, touch, and a forget that spares what was touched", async () => {
      const owner = await meta.accounts.create({ name: "dave", type: "user", fullname: "", email: null, passwordHash: null, isAdmin: false });
      const repo = await meta.repos.create({ type: "model", namespace: "dave", name: "w", ownerId: owner.id, createdBy: owner.id, private: false, defaultBranch: "main", sdk: null });
      const other = await meta.repos.create({ type: "model", namespace: "dave", name: "v", ownerId: owner.id, createdBy: owner.id, private: false, defaultBranch: "main", sdk: null });
      await meta.lfs.link(repo.id, oid("a"), 10);
      await meta.lfs.link(repo.id, oid("a"), 10);
      assert.equal(await meta.lfs.linked(repo.id, oid("a")), 10);
      assert.equal(await meta.lfs.linked(other.id, oid("a")), null, "linked to one repo, not to another");
      assert.equal(await meta.lfs.stored(oid("a")), 10);
      assert.deepEqual([...(await meta.lfs.touch([oid("a"), oid("b")]))], [oid("a")], "touch reports what is stored");
      const past = new Date(Date.now() - 60_000).toISOString();
      assert.equal(await meta.lfs.forget(oid("a"), past), false, "touched after the cutoff: kept");
      assert.equal(await meta.lfs.stored(oid("a")), 10);
      assert.equal(await meta.lfs.forget(oid("a"), new Date(Date.now() + 1000).toISOString()), true);
      assert.equal(await meta.lfs.stored(oid("a")), null);
      assert.equal(await meta.lfs.linked(repo.id, oid("a")), null);
    });

    test("transaction: writes across stores commit together, or roll back together on a throw", async () => {
      await assert.rejects(
        meta.transaction(async (tx) => {
          const org = await tx.accounts.create({ name: "ghost-org", type: "org", fullname: "", email: null, passwordHash: null, isAdmin: false });
          await tx.repos.create({ type: "model", namespace: "ghost-org", name: "m", ownerId: org.id, createdBy: org.id, private: false, defaultBranch: "main", sdk: null });
          // A store that opens its own transaction joins the caller's.
          await tx.lfs.link((await tx.repos.find("model", "ghost-org/m"))!.id, oid("c"), 3);
          throw new Error("the use case fails after its writes");
        }),
        /use case fails/,
      );
      assert.equal(await meta.accounts.byName("ghost-org"), null, "the account was rolled back");
      assert.equal(await meta.repos.find("model", "ghost-org/m"), null, "the repo too");
      assert.equal(await meta.lfs.stored(oid("c")), null, "and the LFS link made inside a store's own transaction");
      const made = await meta.transaction(async (tx) => {
        const org = await tx.accounts.create({ name: "real-org", type: "org", fullname: "", email: null, passwordHash: null, isAdmin: false });
        return tx.repos.create({ type: "model", namespace: "real-org", name: "m", ownerId: org.id, createdBy: org.id, private: false, defaultBranch: "main", sdk: null });
      });
      assert.equal((await meta.repos.find("model", "real-org/m"))?.id, made.id, "committed");
    });
  });
}
