/**
 * Download counts by the Hub's rule: a model counts GET and HEAD of its query files (config.json
 * by default, its library's files otherwise), a dataset counts one download per client per five
 * minutes, a space is not counted; a private repo's file fetched by someone who cannot read it is
 * not counted. Counts reach the database in batches (flush), show as `downloads` and, with
 * `expand`, `downloadsAllTime`, and sort lists. Runs on SQLite and PostgreSQL.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { file, harness, header, ndjson, type Harness } from "./helpers.js";
import { DownloadCounter, isModelQueryFile } from "../../src/core/downloads.js";

let h: Harness;
before(async () => {
  h = await harness();
  for (const [name, type, priv] of [["popular", "model", false], ["quiet", "model", false], ["secret", "model", true], ["data", "dataset", false], ["app", "space", false]] as const) {
    const r = await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name, type, private: priv, ...(type === "space" ? { sdk: "static" } : {}) } });
    assert.equal(r.statusCode, 200, r.body);
    const plural = `${type}s`;
    const c = await h.hub.app.inject({ method: "POST", url: `/api/${plural}/admin/${name}/commit/main`, headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: ndjson(header("files"), file("config.json", "{}"), file("weights.bin.txt", "w"), file("sub/config.json", "{}")) });
    assert.equal(c.statusCode, 200, c.body);
  }
});
after(async () => h.close());

const fetchFile = (url: string, method: "GET" | "HEAD" = "GET", headers: Record<string, string> = {}, ip = "10.0.0.1") => h.hub.app.inject({ method, url, headers, remoteAddress: ip });
const info = async (path: string) => (await h.hub.app.inject({ method: "GET", url: path, headers: h.auth })).json();

test("models count GET and HEAD of config.json only; private files are counted only for readers", async () => {
  for (let i = 0; i < 3; i++) assert.equal((await fetchFile("/admin/popular/resolve/main/config.json")).statusCode, 200);
  assert.equal((await fetchFile("/admin/popular/resolve/main/config.json", "HEAD")).statusCode, 200);
  assert.equal((await fetchFile("/admin/popular/resolve/main/weights.bin.txt")).statusCode, 200);
  assert.equal((await fetchFile("/admin/popular/resolve/main/sub/config.json")).statusCode, 200, "only the top-level query file counts");
  assert.equal((await fetchFile("/admin/popular/resolve/main/missing.json")).statusCode, 404);
  assert.equal((await fetchFile("/admin/quiet/resolve/main/config.json")).statusCode, 200);
  assert.equal((await fetchFile("/admin/secret/resolve/main/config.json")).statusCode, 401, "anonymous: not found, not counted");
  assert.equal((await fetchFile("/admin/secret/resolve/main/config.json", "GET", h.auth)).statusCode, 200);
  assert.equal((await info("/api/models/admin/popular")).downloads, 0, "nothing written before the batch");
  await h.hub.services.downloads.flush();
  assert.equal((await info("/api/models/admin/popular")).downloads, 4);
  assert.equal((await info("/api/models/admin/quiet")).downloads, 1);
  assert.equal((await info("/api/models/admin/secret")).downloads, 1, "the owner's download counts, the anonymous one did not");
  const expanded = await info("/api/models/admin/popular?expand=downloads&expand=downloadsAllTime");
  assert.deepEqual(Object.keys(expanded).sort(), ["_id", "downloads", "downloadsAllTime", "id"]);
  assert.equal(expanded.downloadsAllTime, 4);
  const listed = (await info("/api/models?sort=downloads&direction=-1&author=admin")) as { id: string; downloads: number }[];
  assert.equal(listed[0]!.id, "admin/popular");
  assert.ok(listed.every((r, i) => i === 0 || listed[i - 1]!.downloads >= r.downloads), "descending by downloads");
  const page = await h.hub.app.inject({ method: "GET", url: "/models?sort=downloads", headers: h.auth });
  assert.ok(page.body.indexOf("admin/popular") < page.body.indexOf("admin/quiet"), "the list page sorts by downloads");
});

test("datasets count one download per client per five minutes; spaces are not counted", async () => {
  for (const path of ["config.json", "weights.bin.txt", "sub/config.json"]) assert.equal((await fetchFile(`/datasets/admin/data/resolve/main/${path}`, "GET", {}, "10.0.0.7")).statusCode, 200);
  assert.equal((await fetchFile("/datasets/admin/data/resolve/main/config.json", "GET", {}, "10.0.0.8")).statusCode, 200);
  assert.equal((await fetchFile("/spaces/admin/app/resolve/main/config.json")).statusCode, 200);
  await h.hub.services.downloads.flush();
  assert.equal((await info("/api/datasets/admin/data")).downloads, 2, "two clients");
  assert.equal((await info("/api/spaces/admin/app")).downloads, 0);
});

test("the window: a later client visit counts again; old days leave the 30-day count, not the all-time one", async () => {
  let t = Date.parse("2026-01-01T12:00:00Z");
  const counter = new DownloadCounter(h.hub.services.downloads["meta" as never], true, () => t);
  const repo = (await h.hub.services.repos.get(null, "dataset", "admin/data")).repo;
  counter.hit(repo, "a.csv", "1.1.1.1");
  counter.hit(repo, "b.csv", "1.1.1.1");
  t += 5 * 60_000 + 1;
  counter.hit(repo, "a.csv", "1.1.1.1");
  await counter.flush();
  const before = await info("/api/datasets/admin/data?expand=downloads&expand=downloadsAllTime");
  assert.equal(before.downloadsAllTime, 4, "2 earlier + 2 windows");
  // 40 days later the January downloads are outside the window.
  t += 40 * 86_400_000;
  await counter.roll();
  const rolled = await info("/api/datasets/admin/data?expand=downloads&expand=downloadsAllTime");
  assert.equal(rolled.downloads, 2, "today's two stay (they are in the window), January's two left");
  assert.equal(rolled.downloadsAllTime, 4);
});

test("query files follow the repo's library, as the Hub's overrides say", () => {
  const repo = (lib: string | null) => ({ derived: lib ? { libraryName: lib, safetensors: null } : null, cardData: null });
  assert.ok(isModelQueryFile(repo(null), "config.json"));
  assert.ok(isModelQueryFile(repo(null), "hyperparams.yaml"));
  assert.ok(!isModelQueryFile(repo(null), "model.safetensors"));
  assert.ok(isModelQueryFile(repo("diffusers"), "model_index.json"));
  assert.ok(!isModelQueryFile(repo("diffusers"), "config.json"));
  assert.ok(isModelQueryFile(repo("nemo"), "asr.nemo"));
  assert.ok(isModelQueryFile(repo("gguf"), "q4.gguf"));
});
