/** JSON shapes of the smaller endpoints, as the clients parse them. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { file, harness, header, ndjson, type Harness } from "./helpers.js";

let h: Harness;
before(async () => {
  h = await harness();
  await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "shapes", type: "space", sdk: "static" } });
  const r = await h.hub.app.inject({
    method: "POST",
    url: "/api/spaces/admin/shapes/commit/main",
    headers: { ...h.auth, "content-type": "application/x-ndjson" },
    payload: ndjson(header("files"), file("a/one.txt", "one"), file(".gitignore", "*.log\nbuild/\n")),
  });
  assert.equal(r.statusCode, 200, r.body);
});
after(async () => h.close());

test("paths-info accepts JSON (huggingface.js) and form (huggingface_hub) bodies, omits unknown paths", async () => {
  const json = await h.hub.app.inject({ method: "POST", url: "/api/spaces/admin/shapes/paths-info/main", headers: { "content-type": "application/json" }, payload: { paths: ["a/one.txt", "a", "missing"], expand: true } });
  const items = json.json();
  assert.deepEqual(items.map((i: { path: string; type: string }) => [i.path, i.type]), [["a/one.txt", "file"], ["a", "directory"]]);
  assert.equal(items[0].lastCommit.title, "files");
  assert.equal(items[0].size, 3);
  const form = await h.hub.app.inject({ method: "POST", url: "/api/spaces/admin/shapes/paths-info/main", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "paths=a%2Fone.txt&paths=.gitignore&expand=false" });
  assert.deepEqual(form.json().map((i: { path: string }) => i.path), ["a/one.txt", ".gitignore"]);
});

test("preupload answers every path with uploadMode, shouldIgnore and the remote oid", async () => {
  const r = await h.hub.app.inject({
    method: "POST",
    url: "/api/spaces/admin/shapes/preupload/main",
    headers: h.auth,
    payload: { files: [
      { path: "a/one.txt", sample: Buffer.from("one").toString("base64"), size: 3 },
      { path: "debug.log", sample: "", size: 10 },
      { path: "build/x.js", sample: "", size: 10 },
      { path: "w.safetensors", sample: "", size: 10 },
      { path: "blob.dat", sample: Buffer.from([0, 1, 2]).toString("base64"), size: 3 },
    ] },
  });
  const files = r.json().files;
  assert.equal(files.length, 5);
  assert.deepEqual(files.map((f: { uploadMode: string }) => f.uploadMode), ["regular", "regular", "regular", "lfs", "lfs"]);
  assert.deepEqual(files.map((f: { shouldIgnore: boolean }) => f.shouldIgnore), [false, true, true, false, false]);
  assert.match(files[0].oid, /^[0-9a-f]{40}$/);
  assert.equal(files[1].oid, undefined);
});

test("validate-yaml always answers JSON", async () => {
  const ok = await h.hub.app.inject({ method: "POST", url: "/api/validate-yaml", payload: { content: "---\nlicense: mit\n---\n", repoType: "model" } });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json().errors, []);
  const bad = await h.hub.app.inject({ method: "POST", url: "/api/validate-yaml", payload: { content: "---\nkey: [oops\n---\n", repoType: "model" } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().errors.length, 1);
});

test("auth-check: read for the public, write only for writers", async () => {
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/spaces/admin/shapes/auth-check" })).statusCode, 200);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/spaces/admin/shapes/auth-check/write" })).statusCode, 401);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/spaces/admin/shapes/auth-check/write", headers: h.auth })).statusCode, 200);
});

test("space info carries sdk; refs always has branches, converts and tags; settings/lfs merges rules", async () => {
  const info = (await h.hub.app.inject({ method: "GET", url: "/api/spaces/admin/shapes" })).json();
  assert.equal(info.sdk, "static");
  assert.equal(typeof info._id, "string");
  const refs = (await h.hub.app.inject({ method: "GET", url: "/api/spaces/admin/shapes/refs?include_prs=1" })).json();
  assert.deepEqual(Object.keys(refs).sort(), ["branches", "converts", "pullRequests", "tags"]);
  const put = await h.hub.app.inject({ method: "PUT", url: "/api/spaces/admin/shapes/settings", headers: h.auth, payload: { lfs_threshold_bytes: 1000, lfs_suffix_rules: [".custom"] } });
  assert.equal(put.statusCode, 200);
  const lfs = (await h.hub.app.inject({ method: "GET", url: "/api/spaces/admin/shapes/settings/lfs", headers: h.auth })).json();
  assert.equal(lfs.lfs_threshold_bytes_effective, 1000);
  assert.ok(lfs.lfs_suffix_rules_effective.includes(".custom") && lfs.lfs_suffix_rules_effective.includes(".safetensors"));
  const pre = await h.hub.app.inject({ method: "POST", url: "/api/spaces/admin/shapes/preupload/main", headers: h.auth, payload: { files: [{ path: "x.custom", sample: "", size: 5 }, { path: "big.txt", sample: "", size: 2000 }] } });
  assert.deepEqual(pre.json().files.map((f: { uploadMode: string }) => f.uploadMode), ["lfs", "lfs"]);
  const bad = await h.hub.app.inject({ method: "PUT", url: "/api/spaces/admin/shapes/settings", headers: h.auth, payload: { lfs_suffix_rules: ["no-dot"] } });
  assert.equal(bad.statusCode, 400);
});

test("tree pagination follows absolute Link cursors to the end", async () => {
  const seen: string[] = [];
  let url: string | null = "/api/spaces/admin/shapes/tree/main?recursive=true&limit=1";
  while (url) {
    const r: Awaited<ReturnType<typeof h.hub.app.inject>> = await h.hub.app.inject({ method: "GET", url });
    assert.equal(r.statusCode, 200);
    seen.push(...r.json().map((e: { path: string }) => e.path));
    const link = r.headers.link as string | undefined;
    url = link ? /^<http:\/\/hub\.test([^>]+)>; rel="next"$/.exec(link)![1]! : null;
  }
  assert.deepEqual(seen, [".gitattributes", ".gitignore", "README.md", "a", "a/one.txt"], "a new Space starts with its README");
});

test("tree expand: last commits come from one history pass per folder and match `git log -1` per path", async () => {
  const commit = async (summary: string, ...files: ReturnType<typeof file>[]) => {
    const r = await h.hub.app.inject({ method: "POST", url: "/api/spaces/admin/shapes/commit/main", headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: ndjson(header(summary), ...files) });
    assert.equal(r.statusCode, 200, r.body);
    return r.json().commitOid as string;
  };
  const c1 = await commit("lc one", file("lc/x.txt", "1"), file("lc/y.txt", "1"), file("lc/deep/z.txt", "1"), file("lc/odd name\twith tab?.txt".replace("\t", " "), "1"));
  const c2 = await commit("lc two", file("lc/x.txt", "2"));
  const c3 = await commit("lc three", file("lc/deep/z.txt", "3"), file("other.txt", "o"));
  const tree = async (path: string) => {
    const r = await h.hub.app.inject({ method: "GET", url: `/api/spaces/admin/shapes/tree/main/${path}?expand=true` });
    assert.equal(r.statusCode, 200, r.body);
    return Object.fromEntries(r.json().map((e: { path: string; lastCommit: { id: string } }) => [e.path, e.lastCommit.id]));
  };
  assert.deepEqual(await tree("lc"), { "lc/deep": c3, "lc/odd name with tab?.txt": c1, "lc/x.txt": c2, "lc/y.txt": c1 });
  const root = await tree("");
  assert.equal(root["lc"], c3);
  assert.equal(root["other.txt"], c3);
  // The per-path answer (paths-info expand) agrees with the per-folder pass.
  const info = await h.hub.app.inject({ method: "POST", url: "/api/spaces/admin/shapes/paths-info/main", headers: { "content-type": "application/json" }, payload: { paths: ["lc/y.txt", "lc/deep/z.txt"], expand: true } });
  assert.deepEqual(info.json().map((e: { lastCommit: { id: string } }) => e.lastCommit.id), [c1, c3]);
});

test("each surface renders its errors its own way: HF JSON, LFS JSON with message, git with a Basic challenge", async () => {
  const api = await h.hub.app.inject({ method: "GET", url: "/api/models/admin/nope" });
  assert.equal(api.statusCode, 401);
  assert.equal(api.headers["x-error-code"], "RepoNotFound");
  assert.match(String(api.headers["content-type"]), /^application\/json/);
  assert.equal(api.headers["www-authenticate"], undefined, "the HF API does not challenge");
  const lfs = await h.hub.app.inject({ method: "POST", url: "/admin/nope.git/info/lfs/objects/batch", headers: { "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "download", objects: [] } });
  assert.equal(lfs.statusCode, 401);
  assert.match(String(lfs.headers["content-type"]), /^application\/vnd\.git-lfs\+json/);
  assert.equal(lfs.json().message, "Repository not found");
  assert.equal(lfs.headers["lfs-authenticate"], 'Basic realm="Hubble"');
  const git = await h.hub.app.inject({ method: "GET", url: "/admin/nope.git/info/refs?service=git-upload-pack" });
  assert.equal(git.statusCode, 401);
  assert.equal(git.headers["www-authenticate"], 'Basic realm="Hubble"');
  const lfsBad = await h.hub.app.inject({ method: "PUT", url: "/lfs/objects/1/" + "a".repeat(64) + "/3?exp=1&sig=x", payload: "abc" });
  assert.equal(lfsBad.statusCode, 403);
  assert.match(lfsBad.json().message, /signature/);
});
