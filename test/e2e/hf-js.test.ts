/**
 * End-to-end: the real @huggingface/hub (npm, pinned in package.json) against a real Hubble.
 */
import { createHash, randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { commit, createCollection, createRepo, deleteCollection, downloadFile, fileDownloadInfo, fileExists, listCollections, listFiles, modelInfo, uploadFiles, whoAmI } from "@huggingface/hub";
import { startServer, type TestServer } from "./harness.js";

let server: TestServer;
let creds: { accessToken: string; hubUrl: string };

before(async () => {
  server = await startServer();
  creds = { accessToken: server.adminToken, hubUrl: server.url };
});
after(async () => {
  await server?.stop();
});

async function files(name: string, revision?: string): Promise<string[]> {
  const out = [];
  for await (const f of listFiles({ repo: name, recursive: true, revision, ...creds })) if (f.type === "file") out.push(f.path);
  return out.sort();
}

test("whoAmI returns the token's user", async () => {
  const me = await whoAmI({ ...creds });
  assert.equal(me.name, "admin");
  assert.equal(me.type, "user");
  if (me.type === "user") assert.equal(me.auth.accessToken?.role, "write");
});

async function metric(name: string): Promise<number> {
  // Summed over the nodes (one, or two behind the test balancer).
  let sum = 0;
  for (const node of server.nodes) {
    const text = await (await fetch(`${node}/metrics`)).text();
    const m = new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\d+)$`, "m").exec(text);
    assert.ok(m, `metric ${name} missing`);
    sum += Number(m[1]);
  }
  return sum;
}

test("uploadFiles through Xet (the default), then downloadFile through Xet reconstruction", async () => {
  const name = "admin/js-xet";
  await createRepo({ repo: name, ...creds });
  const big = randomBytes(20 * 1024 * 1024);
  const received = await metric("hubble_xet_xorb_bytes_received_total");
  await uploadFiles({ repo: name, ...creds, files: [{ path: "model.safetensors", content: new Blob([big]) }] });
  assert.ok((await metric("hubble_xet_xorb_bytes_received_total")) - received >= big.length, "the bytes went through the CAS");

  const info = await fileDownloadInfo({ repo: name, path: "model.safetensors", ...creds });
  assert.ok(info?.xet, "resolve advertised the Xet file");
  assert.equal(info.size, big.length);
  const plans = await metric("hubble_xet_reconstructions_total");
  const blob = await downloadFile({ repo: name, path: "model.safetensors", ...creds });
  assert.ok(Buffer.from(await blob!.arrayBuffer()).equals(big));
  assert.ok((await metric("hubble_xet_reconstructions_total")) > plans, "the download used a reconstruction");
  // A slice through the Xet blob (ranged reconstruction).
  const slice = await blob!.slice(5_000_000, 5_300_000).arrayBuffer();
  assert.ok(Buffer.from(slice).equals(big.subarray(5_000_000, 5_300_000)));
});

test("createRepo, uploadFiles (with a 20 MB LFS file, useXet off), listFiles, download, delete", async () => {
  const name = "admin/js-model";
  const { repoUrl } = await createRepo({ repo: name, ...creds });
  assert.equal(repoUrl, `${server.url}/${name}`);
  const big = randomBytes(20 * 1024 * 1024);
  await uploadFiles({
    repo: name,
    ...creds,
    useXet: false,
    files: [
      { path: "README.md", content: new Blob(["# hello from js\n"]) },
      { path: "weights/model.bin", content: new Blob([big]) },
    ],
  });
  assert.deepEqual(await files(name), [".gitattributes", "README.md", "weights/model.bin"]);

  const info = await fileDownloadInfo({ repo: name, path: "weights/model.bin", ...creds });
  assert.ok(info);
  assert.equal(info.size, big.length);
  assert.equal(info.etag.replace(/"/g, ""), createHash("sha256").update(big).digest("hex"));

  const blob = await downloadFile({ repo: name, path: "weights/model.bin", ...creds });
  assert.ok(blob);
  assert.ok(Buffer.from(await blob.arrayBuffer()).equals(big));
  const pointer = await downloadFile({ repo: name, path: "weights/model.bin", raw: true, ...creds });
  assert.match(await pointer!.text(), /^version https:\/\/git-lfs.github.com\/spec\/v1\noid sha256:[0-9a-f]{64}\nsize 20971520\n$/);
  assert.equal(await (await downloadFile({ repo: name, path: "README.md", ...creds }))!.text(), "# hello from js\n");
  assert.equal(await downloadFile({ repo: name, path: "nope.txt", ...creds }), null);
  assert.equal(await fileDownloadInfo({ repo: name, path: "nope.txt", ...creds }), null);

  await commit({ repo: name, ...creds, title: "remove readme", operations: [{ operation: "delete", path: "README.md" }] });
  assert.deepEqual(await files(name), [".gitattributes", "weights/model.bin"]);
  assert.equal(await fileExists({ repo: name, path: "README.md", ...creds }), false);
  assert.equal(await fileExists({ repo: name, path: "weights/model.bin", ...creds }), true);
  const m = await modelInfo({ name, ...creds });
  assert.equal(m.name, name);
});

test("createRepo with initial files and a dataset type", async () => {
  const repo = { type: "dataset" as const, name: "admin/js-data" };
  await createRepo({ repo, ...creds, files: [{ path: "data.csv", content: new Blob(["a,b\n1,2\n"]) }] });
  assert.deepEqual(await files("datasets/admin/js-data"), [".gitattributes", "data.csv"]);
  const blob = await downloadFile({ repo, path: "data.csv", ...creds });
  assert.equal(await blob!.text(), "a,b\n1,2\n");
});

test("a pull request from uploadFiles(isPullRequest) by a user who cannot write, through Xet and LFS", async () => {
  await createRepo({ repo: "admin/js-pr", ...creds });
  const carol = server.cli(["user", "create", "js-carol"]) && server.cli(["token", "create", "--user", "js-carol"]);
  const as = { accessToken: carol, hubUrl: server.url };
  const big = randomBytes(2 * 1024 * 1024);
  for (const useXet of [true, false]) {
    const out = await uploadFiles({ repo: "admin/js-pr", files: [{ path: `big-${useXet}.bin`, content: new Blob([big]) }, { path: `note-${useXet}.txt`, content: new Blob(["hi"]) }], isPullRequest: true, useXet, ...as });
    assert.match(String(out?.pullRequestUrl), /\/admin\/js-pr\/discussions\/\d+$/);
    const num = out!.pullRequestUrl!.split("/").pop();
    assert.deepEqual(await files("admin/js-pr", `refs/pr/${num}`), [".gitattributes", `big-${useXet}.bin`, `note-${useXet}.txt`].sort());
    const got = await downloadFile({ repo: "admin/js-pr", path: `big-${useXet}.bin`, revision: `refs/pr/${num}`, ...creds });
    assert.ok(got && Buffer.from(await got.arrayBuffer()).equals(big));
  }
  assert.deepEqual(await files("admin/js-pr"), [".gitattributes"], "main did not move");
});

test("collections: createCollection, listCollections, deleteCollection", async () => {
  const slugs = [];
  for (let i = 0; i < 3; i++) slugs.push((await createCollection({ collection: { title: `JS list ${i}`, namespace: "admin", description: "from huggingface.js" }, ...creds })).slug);
  assert.ok(slugs.every((s) => /^admin\/js-list-\d-[0-9a-f]{24}$/.test(s)), slugs.join(", "));
  const listed = [];
  for await (const c of listCollections({ search: { owner: ["admin"], q: "JS list" }, limit: 10, ...creds })) listed.push(c.slug);
  assert.deepEqual(listed.sort(), [...slugs].sort());
  for (const slug of slugs) await deleteCollection({ slug, ...creds });
  const after = [];
  for await (const c of listCollections({ search: { owner: ["admin"], q: "JS list" }, ...creds })) after.push(c.slug);
  assert.deepEqual(after, []);
});
