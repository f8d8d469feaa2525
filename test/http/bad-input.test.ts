/**
 * Bad input gets a clear 4xx with the HF error headers and changes nothing.
 */
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { file, harness, header, ndjson, type Harness } from "./helpers.js";

let h: Harness;
const REPO = "admin/bad-input";

before(async () => {
  h = await harness({ HUBBLE_MAX_COMMIT_BYTES: String(2 * 1024 * 1024) });
  const r = await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "bad-input", type: "model" } });
  assert.equal(r.statusCode, 200);
});
after(async () => h.close());

async function head(): Promise<string> {
  const r = await h.hub.app.inject({ method: "GET", url: `/api/models/${REPO}`, headers: h.auth });
  return r.json().sha;
}

async function commitRaw(payload: string | Buffer, contentType = "application/x-ndjson") {
  return h.hub.app.inject({ method: "POST", url: `/api/models/${REPO}/commit/main`, headers: { ...h.auth, "content-type": contentType }, payload });
}

/** Asserts a clean 4xx: status, JSON error, request id, no stack trace. */
function assertClean(r: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number) {
  assert.equal(r.statusCode, status, r.body);
  assert.ok(r.headers["x-request-id"], "X-Request-Id present");
  assert.ok(r.headers["x-error-message"], "X-Error-Message present");
  const body = JSON.parse(r.body);
  assert.equal(typeof body.error, "string");
  assert.doesNotMatch(r.body, /at .*\.(js|ts):\d+/, "no stack trace");
}

describe("commit endpoint refuses bad input atomically", () => {
  const cases: [string, string | Buffer, number][] = [
    ["malformed NDJSON", ndjson(header()) + "{not json}\n", 400],
    ["missing header", ndjson(file("a.txt", "a")), 400],
    ["unknown line key", ndjson(header(), { key: "copyFile", value: { path: "x" } }), 400],
    ["unknown value field", ndjson(header(), { key: "file", value: { path: "a.txt", content: "YQ==", encoding: "base64", mode: "755" } }), 400],
    ["bad base64", ndjson(header(), { key: "file", value: { path: "a.txt", content: "@@not-base64@@", encoding: "base64" } }), 400],
    ["path with ..", ndjson(header(), file("../escape.txt", "x")), 422],
    ["absolute path", ndjson(header(), file("/etc/passwd", "x")), 422],
    ["path into .git/", ndjson(header(), file(".git/config", "x")), 400],
    ["NUL in path", ndjson(header(), file("a\u0000b", "x")), 400],
    ["newline in path", ndjson(header(), file("a\nb.txt", "x")), 400],
    ["carriage return in a folder name", ndjson(header(), file("dir\r/b.txt", "x")), 400],
    ["DEL in path", ndjson(header(), file("a\u007f", "x")), 400],
    [".GIT in any case", ndjson(header(), file("sub/.GiT/config", "x")), 400],
    ["empty component", ndjson(header(), file("a//b", "x")), 400],
    ["a path given twice", ndjson(header(), file("twice.txt", "1"), file("twice.txt", "2")), 400],
    ["a file written and deleted in one commit", ndjson(header(), file("x.txt", "1"), { key: "deletedFile", value: { path: "x.txt" } }), 400],
    ["a file and a folder of the same name", ndjson(header(), file("both", "1"), file("both/inner.txt", "2")), 400],
    ["the folder first, then the file", ndjson(header(), file("both2/inner.txt", "2"), file("both2", "1")), 400],
    ["over-long path", ndjson(header(), file("d/".repeat(3000) + "x", "x")), 400],
    ["wrong oid format", ndjson(header(), { key: "lfsFile", value: { path: "w.bin", algo: "sha256", oid: "xyz", size: 3 } }), 400],
    ["LFS object never uploaded", ndjson(header(), { key: "lfsFile", value: { path: "w.bin", algo: "sha256", oid: "a".repeat(64), size: 3 } }), 400],
    ["deleting a missing file", ndjson(header(), file("ok.txt", "fine"), { key: "deletedFile", value: { path: "missing.txt" } }), 404],
    ["invalid parentCommit", ndjson(header("t", "nothex")), 400],
    ["oversized body", ndjson(header(), file("big.txt", Buffer.alloc(3 * 1024 * 1024, 97))), 413],
  ];
  for (const [name, payload, status] of cases) {
    test(name, async () => {
      const before = await head();
      const r = await commitRaw(payload);
      assertClean(r, status);
      assert.equal(await head(), before, "branch unchanged");
    });
  }

  test("the messages say what is wrong", async () => {
    const msg = async (payload: string) => String((await commitRaw(payload)).headers["x-error-message"]);
    assert.match(await msg(ndjson(header(), file("a\nb.txt", "x"))), /control characters/);
    assert.match(await msg(ndjson(header(), file("../x", "x"))), /escapes the repository/);
    assert.match(await msg(ndjson(header(), file("t.txt", "1"), file("t.txt", "2"))), /'t.txt' appears twice/);
    assert.match(await msg(ndjson(header(), file("f", "1"), file("f/g", "2"))), /both as a file and as a folder/);
  });

  test("a backslash is an ordinary character in a file name, as on the Hub", async () => {
    const name = "folder/..\\..\\file";
    const r = await commitRaw(ndjson(header("backslash"), file(name, "not a traversal")));
    assert.equal(r.statusCode, 200, r.body);
    const info = await h.hub.app.inject({ method: "POST", url: `/api/models/${REPO}/paths-info/main`, headers: { ...h.auth, "content-type": "application/json" }, payload: { paths: [name] } });
    assert.deepEqual(info.json().map((e: { path: string }) => e.path), [name]);
    const raw = await h.hub.app.inject({ method: "GET", url: `/${REPO}/resolve/main/${encodeURIComponent(name).replace(/%2F/g, "/")}`, headers: h.auth });
    assert.equal(raw.body, "not a traversal");
  });

  test("deleting a folder named without a trailing slash (delete_folder('1'))", async () => {
    assert.equal((await commitRaw(ndjson(header("folder"), file("1/a.txt", "a"), file("1/sub/b.txt", "b"), file("keep.txt", "k")))).statusCode, 200);
    const r = await commitRaw(ndjson(header("rm folder"), { key: "deletedFolder", value: { path: "1" } }));
    assert.equal(r.statusCode, 200, r.body);
    const tree = await h.hub.app.inject({ method: "GET", url: `/api/models/${REPO}/tree/main`, headers: h.auth });
    const paths = tree.json().map((e: { path: string }) => e.path);
    assert.ok(!paths.includes("1") && paths.includes("keep.txt"), paths.join(","));
    assertClean(await commitRaw(ndjson(header("again"), { key: "deletedFolder", value: { path: "1" } })), 404);
  });

  test("a JSON body is refused (the commit API is NDJSON)", async () => {
    assertClean(await commitRaw(JSON.stringify({ summary: "x" }), "application/json"), 400);
  });

  test("stale parentCommit is 412 with the Hub's message", async () => {
    const parent = await head();
    assert.equal((await commitRaw(ndjson(header("one"), file("one.txt", "1")))).statusCode, 200);
    const r = await commitRaw(ndjson(header("two", parent), file("two.txt", "2")));
    assertClean(r, 412);
    assert.match(JSON.parse(r.body).error, /The branch was updated since you opened this page/);
  });
});

describe("names, revisions and bodies", () => {
  test("invalid and over-long repo names", async () => {
    for (const name of ["a".repeat(97), "bad name", "x--y", "-lead", "..", "has/slash"]) {
      const r = await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name, type: "model" } });
      assertClean(r, 400);
    }
    const r = await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "ok", type: "notatype" } });
    assertClean(r, 400);
  });

  test("invalid branch and tag names", async () => {
    for (const b of ["a..b", "a%20b", "x.lock", "refs%2Fpr%2F5"]) {
      assertClean(await h.hub.app.inject({ method: "POST", url: `/api/models/${REPO}/branch/${b}`, headers: h.auth, payload: {} }), 400);
    }
    assertClean(await h.hub.app.inject({ method: "POST", url: `/api/models/${REPO}/tag/main`, headers: h.auth, payload: { tag: "bad tag" } }), 400);
  });

  test("invalid revisions", async () => {
    const r = await h.hub.app.inject({ method: "GET", url: `/api/models/${REPO}/revision/a..b`, headers: h.auth });
    assertClean(r, 400);
    const r2 = await h.hub.app.inject({ method: "GET", url: `/api/models/${REPO}/revision/nope`, headers: h.auth });
    assertClean(r2, 404);
    assert.equal(r2.headers["x-error-code"], "RevisionNotFound");
  });

  test("route schemas name the field that is wrong (zod), with a clean 400 on every surface", async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ["POST", `/api/models/${REPO}/lfs-files/batch`, { deletions: { sha: "not-a-list" } }, /^Invalid body 'deletions\.sha'/],
      ["POST", "/api/repos/create", { name: 42 }, /^Invalid body 'name'/],
      ["PUT", `/api/models/${REPO}/settings`, { gated: "sometimes" }, /^Invalid body 'gated'/],
      ["POST", `/api/models/${REPO}/preupload/main`, { files: [{ path: "a", size: -1 }] }, /^Invalid body 'files\.0\.size'/],
      ["POST", `/${REPO}.git/info/lfs/objects/batch`, { operation: "teleport", objects: [] }, /'operation' must be upload or download/],
      ["GET", `/api/models/${REPO}/tree/main?cursor=${Buffer.from("-5").toString("base64url")}`, undefined, /^Invalid query 'cursor': Invalid cursor/],
    ];
    for (const [method, url, payload, msg] of cases) {
      const r = await h.hub.app.inject({ method: method as "GET", url, headers: { ...h.auth, ...(payload ? { "content-type": "application/json" } : {}) }, ...(payload ? { payload: JSON.stringify(payload) } : {}) });
      assertClean(r, 400);
      assert.match(String(r.headers["x-error-message"]), msg, url);
    }
  });

  test("malformed and oversized JSON bodies", async () => {
    assertClean(await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: { ...h.auth, "content-type": "application/json" }, payload: "{oops" }), 400);
    const huge = JSON.stringify({ name: "x", pad: "p".repeat(17 * 1024 * 1024) });
    assertClean(await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: { ...h.auth, "content-type": "application/json" }, payload: huge }), 413);
  });

  test("preupload validates paths, samples and sizes", async () => {
    const url = `/api/models/${REPO}/preupload/main`;
    for (const [f, status] of [[{ path: "../x", sample: "", size: 1 }, 422], [{ path: "a\nb", sample: "", size: 1 }, 400], [{ path: "ok", sample: "!!", size: 1 }, 400], [{ path: "ok", sample: "", size: -1 }, 400]] as const) {
      assertClean(await h.hub.app.inject({ method: "POST", url, headers: h.auth, payload: { files: [f] } }), status);
    }
  });

  test("bad and unknown tokens are 401, not anonymous", async () => {
    const r = await h.hub.app.inject({ method: "GET", url: "/api/whoami-v2", headers: { authorization: "Bearer hf_doesnotexist000000000000" } });
    assertClean(r, 401);
    assert.equal(r.headers["x-error-message"], "Invalid credentials in Authorization header");
  });
});

describe("LFS transfers", () => {
  test("size or hash mismatch on PUT stores nothing", async () => {
    const data = Buffer.from("real content");
    const oid = createHash("sha256").update(data).digest("hex");
    const batch = async () =>
      (await h.hub.app.inject({ method: "POST", url: `/${REPO}.git/info/lfs/objects/batch`, headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", transfers: ["basic"], objects: [{ oid, size: data.length }] } })).json();
    const href: string = (await batch()).objects[0].actions.upload.href;
    const path = href.replace("http://hub.test", "");
    assertClean(await h.hub.app.inject({ method: "PUT", url: path, payload: Buffer.from("fake content") }), 400); // same size, wrong hash
    assertClean(await h.hub.app.inject({ method: "PUT", url: path, payload: Buffer.from("short") }), 400);
    assertClean(await h.hub.app.inject({ method: "PUT", url: path, payload: Buffer.from("real content and more") }), 400);
    assert.ok((await batch()).objects[0].actions, "still not held");
    assertClean(await h.hub.app.inject({ method: "PUT", url: path.replace(/sig=[^&]+/, "sig=forged"), payload: data }), 403);
    assertClean(await h.hub.app.inject({ method: "PUT", url: path.replace(/exp=\d+/, "exp=1"), payload: data }), 403);
    assert.equal((await h.hub.app.inject({ method: "PUT", url: path, payload: data })).statusCode, 200);
    assert.equal((await batch()).objects[0].actions, undefined, "held now: no actions");
  });

  test("batch reports per-object errors", async () => {
    const r = await h.hub.app.inject({
      method: "POST",
      url: `/${REPO}.git/info/lfs/objects/batch`,
      headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" },
      payload: { operation: "download", objects: [{ oid: "nothex", size: 1 }, { oid: "b".repeat(64), size: -5 }, { oid: "c".repeat(64), size: 10 }] },
    });
    assert.equal(r.statusCode, 200);
    const codes = r.json().objects.map((o: { error?: { code: number } }) => o.error?.code);
    assert.deepEqual(codes, [422, 422, 404]);
  });

  test("anonymous upload batch is 401 with LFS-Authenticate", async () => {
    const r = await h.hub.app.inject({ method: "POST", url: `/${REPO}.git/info/lfs/objects/batch`, headers: { "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", objects: [] } });
    assert.equal(r.statusCode, 401);
    assert.ok(r.headers["lfs-authenticate"]);
  });
});

test("an LFS object over HUBBLE_MAX_FILE_BYTES is refused in the batch answer, with nothing to upload to", async () => {
  const small = await harness({ HUBBLE_MAX_FILE_BYTES: "1000" });
  try {
    await small.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: small.auth, payload: { name: "capped" } });
    const batch = (size: number) =>
      small.hub.app.inject({ method: "POST", url: "/admin/capped.git/info/lfs/objects/batch", headers: { ...small.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", transfers: ["basic"], objects: [{ oid: "a".repeat(64), size }] } });
    const over = (await batch(1001)).json().objects[0];
    assert.equal(over.error.code, 422);
    assert.match(over.error.message, /larger than this hub's limit of 1000 bytes/);
    assert.equal(over.actions, undefined, "no upload URL");
    assert.ok((await batch(1000)).json().objects[0].actions.upload, "at the limit it is accepted");
  } finally {
    await small.close();
  }
});
