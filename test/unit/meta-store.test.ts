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

    const user = async (name: string) => meta.accounts.create({ name, type: "user", fullname: "", email: null, passwordHash: null, isAdmin: false });
    const repoOf = async (ownerName: string, name: string, priv = false) => {
      const o = (await meta.accounts.byName(ownerName)) ?? (await user(ownerName));
      return meta.repos.create({ type: "model", namespace: o.name, name, ownerId: o.id, createdBy: o.id, private: priv, defaultBranch: "main", sdk: null });
    };

    test("discussions: numbers distinct under 20 concurrent openers, events with their patch, filters, commits found", async () => {
      const repo = await repoOf("erin", "talk");
      const erin = (await meta.accounts.byName("erin"))!;
      const made = await Promise.all(Array.from({ length: 20 }, (_, i) => meta.discussions.create({ repoId: repo.id, authorId: erin.id, title: `t${i}`, isPullRequest: i % 2 === 0, status: "open", targetBranch: i % 2 === 0 ? "refs/heads/main" : null }, [{ type: "comment", authorId: erin.id, data: { latest: { raw: "x" } } }])));
      assert.deepEqual(made.map((d) => d.num).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
      assert.ok(made.every((d) => d.numComments === 1 && d.author?.name === "erin"));
      const pr = made.find((d) => d.isPullRequest)!;
      await meta.discussions.addEvent(pr.id, { type: "commit", authorId: erin.id, data: { oid: "c".repeat(40), subject: "s" } });
      await meta.discussions.addEvent(pr.id, { type: "status-change", authorId: erin.id, data: { status: "merged" } }, { status: "merged", mergeCommit: "d".repeat(40) });
      const after = (await meta.discussions.get(repo.id, pr.num))!;
      assert.deepEqual([after.status, after.mergeCommit, after.numComments], ["merged", "d".repeat(40), 1]);
      assert.deepEqual((await meta.discussions.events(pr.id)).map((e) => e.type), ["comment", "commit", "status-change"]);
      assert.deepEqual((await meta.discussions.withCommit(repo.id, "c".repeat(40))).map((d) => d.num), [pr.num]);
      assert.deepEqual((await meta.discussions.withCommit(repo.id, "d".repeat(40))).map((d) => d.num), [pr.num]);
      const page = await meta.discussions.list(repo.id, { isPullRequest: true, status: "open", limit: 5, offset: 0 });
      assert.equal(page.total, 9, "ten PRs, one merged");
      assert.equal(page.items.length, 5);
      assert.ok(page.items.every((d, i) => i === 0 || page.items[i - 1]!.num > d.num), "newest first");
      await meta.discussions.remove(pr.id);
      assert.equal(await meta.discussions.get(repo.id, pr.num), null);
      assert.equal((await meta.discussions.create({ repoId: repo.id, authorId: erin.id, title: "next", isPullRequest: false, status: "open", targetBranch: null }, [])).num, 21, "a removed number is not given out again");
    });

    test("downloads: batches add to day rows and totals; the roll drops days that left the window", async () => {
      const repo = await repoOf("fay", "dl");
      await meta.downloads.add([{ repoId: repo.id, day: "2026-01-01", count: 3 }]);
      await meta.downloads.add([{ repoId: repo.id, day: "2026-01-01", count: 2 }, { repoId: repo.id, day: "2026-03-01", count: 4 }]);
      let r = (await meta.repos.find("model", "fay/dl"))!;
      assert.deepEqual([r.downloads, r.downloadsAllTime], [9, 9]);
      await meta.downloads.roll("2026-02-01");
      r = (await meta.repos.find("model", "fay/dl"))!;
      assert.deepEqual([r.downloads, r.downloadsAllTime], [4, 9]);
    });

    test("webhooks: watched items indexed, outbox due per webhook in order, disabled queues wait", async () => {
      const gus = await user("gus");
      const w = await meta.webhooks.create({ ownerId: gus.id, url: "http://x/", secret: null, watched: [{ type: "user", name: "Gus" }, { type: "model", name: "gus/m" }], domains: ["repo"] });
      const other = await meta.webhooks.create({ ownerId: gus.id, url: "http://y/", secret: "s", watched: [{ type: "org", name: "acme" }], domains: ["discussion"] });
      assert.deepEqual((await meta.webhooks.watching([{ type: "user", name: "gus" }])).map((x) => x.id), [w.id], "names match whatever their case");
      assert.deepEqual((await meta.webhooks.watching([{ type: "org", name: "ACME" }, { type: "model", name: "gus/m" }])).map((x) => x.id), [w.id, other.id]);
      await meta.webhooks.enqueue([1, 2, 3].map((n) => ({ webhookId: w.id, scope: "repo.content", action: "update", payload: String(n) })).concat([{ webhookId: other.id, scope: "discussion", action: "create", payload: "o" }]));
      const at = new Date(Date.now() + 1000).toISOString();
      let due = await meta.webhooks.due(at, 10);
      assert.deepEqual(due.map((d) => d.payload), ["1", "o"], "one per webhook, its oldest");
      await meta.webhooks.attempted(due[0]!.id, { status: "pending", httpStatus: 500, error: "HTTP 500", nextAt: new Date(Date.now() + 60_000).toISOString(), at });
      await meta.webhooks.attempted(due[1]!.id, { status: "delivered", httpStatus: 200, error: null, nextAt: at, at });
      due = await meta.webhooks.due(at, 10);
      assert.deepEqual(due.map((d) => d.payload), [], "the failed one is not due yet and the later ones wait behind it");
      await meta.webhooks.update(w.hubId, { disabled: true });
      assert.deepEqual(await meta.webhooks.due(new Date(Date.now() + 120_000).toISOString(), 10), [], "a disabled webhook's queue waits");
      assert.deepEqual((await meta.webhooks.watching([{ type: "user", name: "gus" }])), []);
      await meta.webhooks.update(w.hubId, { disabled: false, watched: [{ type: "user", name: "someone-else" }] });
      assert.deepEqual((await meta.webhooks.watching([{ type: "user", name: "gus" }])), [], "watches follow an update");
      const log = await meta.webhooks.deliveries(w.id, 10);
      assert.deepEqual(log.map((d) => [d.payload, d.status, d.attempts, d.lastStatus]), [["3", "pending", 0, null], ["2", "pending", 0, null], ["1", "pending", 1, 500]]);
      await meta.webhooks.delete(w.hubId);
      assert.deepEqual(await meta.webhooks.deliveries(w.id, 10), [], "deliveries go with their webhook");
    });

    test("collections: items appended, moved densely, once per collection; gone with their repo", async () => {
      const hal = await user("hal");
      const c = await meta.collections.create({ ownerId: hal.id, title: "Mine", description: null, private: false, theme: "blue" });
      const repos = [await repoOf("hal", "a"), await repoOf("hal", "b"), await repoOf("hal", "c")];
      for (const r of repos) assert.ok(await meta.collections.addItem(c.id, r.id, null));
      assert.equal(await meta.collections.addItem(c.id, repos[0]!.id, null), null, "once per collection");
      const items = async () => (await meta.collections.items([c.id])).get(c.id)!.map((i) => `${i.repo.name}:${i.position}`);
      assert.deepEqual(await items(), ["a:0", "b:1", "c:2"]);
      const cKey = (await meta.collections.items([c.id])).get(c.id)![2]!.key;
      assert.ok(await meta.collections.updateItem(c.id, cKey, { position: 0, note: "top" }));
      assert.deepEqual(await items(), ["c:0", "a:1", "b:2"]);
      assert.equal(await meta.collections.updateItem(c.id, "f".repeat(24), { position: 0 }), false);
      await meta.repos.delete(repos[1]!.id);
      assert.deepEqual(await items(), ["c:0", "a:1"], "a deleted repo leaves its collections");
      assert.equal((await meta.collections.byTitle(hal.id, "MINE"))?.id, c.id);
      assert.deepEqual((await meta.collections.list({ repoId: repos[0]!.id, visibleOwnerIds: [], limit: 10, offset: 0 })).map((x) => x.id), [c.id]);
      await meta.collections.update(c.id, { private: true });
      assert.deepEqual(await meta.collections.list({ ownerId: hal.id, visibleOwnerIds: [], limit: 10, offset: 0 }), [], "private: not listed for others");
      assert.equal((await meta.collections.list({ ownerId: hal.id, visibleOwnerIds: [hal.id], limit: 10, offset: 0 })).length, 1);
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
