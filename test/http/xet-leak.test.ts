/**
 * The Xet dedupe leak, replayed as an attacker with an account of their own (issue 11): mallory
 * knows the first chunk of a 3 MB file in admin's private repo and tries to get the rest through
 * the global dedupe route, a forged shard and a reconstruction in her own repo. Then the same
 * against a public file: the answer is useful for dedupe yet carries no raw chunk hash.
 */
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chunkHash, fileHash, hashToHex, hmacWith, verificationHash, type XetHash } from "../../src/core/xet/hashing.js";
import { parseShard } from "../../src/core/xet/shard.js";
import { header, harness, ndjson, type Harness } from "./helpers.js";
import { shardBytes, xetUpload } from "../xet-builders.js";

let h: Harness;
let mallory: { authorization: string };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const MiB = 1 << 20;

before(async () => {
  h = await harness();
  await h.hub.services.accounts.createUser("mallory", {});
  mallory = bearer((await h.hub.services.accounts.createToken("mallory", { name: "m", role: "write" })).token);
  for (const [name, priv, auth] of [["admin/secret", true, h.auth], ["admin/open", false, h.auth], ["mallory/loot", false, mallory]] as const) {
    const r = await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: auth, payload: { name: name.split("/")[1], type: "model", private: priv } });
    assert.equal(r.statusCode, 200, r.body);
  }
});
after(async () => {
  await h?.close();
});

async function casToken(repo: string, op: "read" | "write", auth: { authorization: string }): Promise<string> {
  const r = await h.hub.app.inject({ method: "GET", url: `/api/models/${repo}/xet-${op}-token/main`, headers: auth });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().accessToken;
}
const inject = (method: "GET" | "POST", url: string, token: string, payload?: Buffer) => h.hub.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

/** A 3 MB file of 48 random 64 KiB chunks, uploaded through the CAS and committed by admin. */
async function adminFile(repo: string) {
  const chunks = Array.from({ length: 48 }, () => randomBytes(64 * 1024));
  const u = await xetUpload(chunks);
  const token = await casToken(repo, "write", h.auth);
  assert.equal((await inject("POST", `/xet/v1/xorbs/default/${u.xorbHex}`, token, u.xorb)).statusCode, 200);
  assert.equal((await inject("POST", "/xet/v1/shards", token, u.shard)).statusCode, 200);
  const c = await h.hub.app.inject({
    method: "POST",
    url: `/api/models/${repo}/commit/main`,
    headers: { ...h.auth, "content-type": "application/x-ndjson" },
    payload: ndjson(header("weights"), { key: "lfsFile", value: { path: "model.bin", algo: "sha256", oid: u.sha256, size: u.content.length } }),
  });
  assert.equal(c.statusCode, 200, c.body);
  return { ...u, chunks };
}

/** Does `body` contain any of these raw hashes anywhere? */
const holdsAny = (body: Buffer, hashes: XetHash[]) => hashes.some((x) => body.indexOf(Buffer.from(x)) >= 0);

/**
 * What mallory can build from a dedupe answer: a shard claiming the whole file in her repo, with
 * verification hashes computed from the hashes the answer gave her.
 */
async function forgedShard(victim: Awaited<ReturnType<typeof adminFile>>, answeredHashes: XetHash[]) {
  const list = answeredHashes.map((hash, i) => ({ hash, size: victim.chunks[i]!.length }));
  return shardBytes(
    [{ fileHash: await fileHash(list), terms: [{ xorb: victim.parsed.hash, bytes: victim.content.length, start: 0, end: list.length, verification: await verificationHash(list.map((c) => c.hash)) }], sha256: victim.sha256 }],
    [],
  );
}

test("attack on a private file: no dedupe answer, the forged shard and the reconstruction are refused", async () => {
  const victim = await adminFile("admin/secret");
  const first = hashToHex(await chunkHash(victim.chunks[0]!)); // mallory holds the first 64 KiB
  const rawHashes = victim.parsed.chunks.map((c) => c.hash);
  const write = await casToken("mallory/loot", "write", mallory);

  const dedupe = await inject("GET", `/xet/v1/chunks/default-merkledb/${first}`, write);
  assert.equal(dedupe.statusCode, 404, "the file is in a repo mallory cannot see: no xorb ids, sizes or hashes");
  assert.equal(dedupe.headers["x-error-code"], "EntryNotFound");
  assert.equal(holdsAny(dedupe.rawPayload, rawHashes), false);
  const read = await casToken("mallory/loot", "read", mallory);
  assert.equal((await inject("GET", `/xet/v1/chunks/default-merkledb/${first}`, read)).statusCode, 403, "dedupe serves uploads: a read token is refused");

  // Guessing: mallory knows the first chunk's raw hash and the xorb id (say, leaked elsewhere),
  // but not the others; a shard over the whole file cannot verify.
  const guessed = [victim.parsed.chunks[0]!.hash, ...Array.from({ length: 47 }, () => new Uint8Array(randomBytes(32)))];
  const forged = await inject("POST", "/xet/v1/shards", write, await forgedShard(victim, guessed));
  assert.equal(forged.statusCode, 400);
  assert.match(String(forged.headers["x-error-message"]), /does not match the content of xorb/);
  // Nothing was registered for her repo: the reconstruction and the plain download are refused.
  const rec = await inject("GET", `/xet/v2/reconstructions/${victim.fileHex}`, read);
  assert.equal(rec.statusCode, 404);
  assert.equal(rec.headers["x-error-code"], "EntryNotFound");
  const commit = await h.hub.app.inject({
    method: "POST",
    url: "/api/models/mallory/loot/commit/main",
    headers: { ...mallory, "content-type": "application/x-ndjson" },
    payload: ndjson(header("loot"), { key: "lfsFile", value: { path: "loot.bin", algo: "sha256", oid: victim.sha256, size: victim.content.length } }),
  });
  assert.equal(commit.statusCode, 400, "the oid is not hers to reference");
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/mallory/loot/resolve/main/loot.bin", headers: mallory })).statusCode, 404);
});

test("a public file's dedupe answer is keyed (fresh HMAC key per answer); only the real bytes unlock it", async () => {
  const victim = await adminFile("admin/open");
  const rawHashes = victim.parsed.chunks.map((c) => c.hash);
  const first = hashToHex(rawHashes[0]!);
  const write = await casToken("mallory/loot", "write", mallory);
  const a = await inject("GET", `/xet/v1/chunks/default-merkledb/${first}`, write);
  const b = await inject("GET", `/xet/v1/chunks/default-merkledb/${first}`, write);
  assert.equal(a.statusCode, 200);
  assert.equal(holdsAny(a.rawPayload, rawHashes), false, "no raw chunk hash anywhere in the answer");
  const keyOf = (body: Buffer) => body.subarray(body.length - 200 + 72, body.length - 200 + 104);
  assert.notDeepEqual(keyOf(a.rawPayload), Buffer.alloc(32), "the footer carries an HMAC key");
  assert.notDeepEqual(keyOf(a.rawPayload), keyOf(b.rawPayload), "each answer has its own key");
  // What the client does with it: HMAC(key, own chunk hash) matches the answer's entries.
  const keyed = await hmacWith(new Uint8Array(keyOf(a.rawPayload)));
  const answered = parseShard(a.rawPayload).xorbs[0]!;
  assert.equal(hashToHex(answered.xorbHash), victim.xorbHex);
  assert.deepEqual(answered.chunks.map((c) => hashToHex(c.hash)), rawHashes.map((x) => hashToHex(keyed(x))));

  // Forging with the answered (keyed) hashes fails; nothing becomes readable through her repo.
  const forged = await inject("POST", "/xet/v1/shards", write, await forgedShard(victim, answered.chunks.map((c) => c.hash)));
  assert.equal(forged.statusCode, 400);
  const read = await casToken("mallory/loot", "read", mallory);
  assert.equal((await inject("GET", `/xet/v2/reconstructions/${victim.fileHex}`, read)).statusCode, 404);

  // Holding the bytes is what counts: her own shard over admin's xorb, from the real content, is accepted.
  const real = await Promise.all(victim.chunks.map(async (c) => ({ hash: await chunkHash(c), size: c.length })));
  const own = shardBytes([{ fileHash: await fileHash(real), terms: [{ xorb: victim.parsed.hash, bytes: victim.content.length, start: 0, end: 48, verification: await verificationHash(real.map((c) => c.hash)) }], sha256: victim.sha256 }], []);
  assert.equal((await inject("POST", "/xet/v1/shards", write, own)).statusCode, 200);
  assert.equal((await inject("GET", `/xet/v2/reconstructions/${victim.fileHex}`, read)).statusCode, 200);
  assert.ok(victim.content.length >= 3 * MiB);
});
