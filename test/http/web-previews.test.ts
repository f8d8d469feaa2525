/**
 * File pages show files as the Hub does: code highlighted (token classes, no inline style, their
 * rules in /static/code.css), markdown rendered (source with ?code=true), images/audio/video inline,
 * and previews — safetensors tensor table, GGUF metadata, first rows of CSV, JSON Lines and Parquet
 * — read through byte ranges that never pass their cap, however large the file.
 */
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "node-html-parser";
import { parquetWriteBuffer } from "hyparquet-writer";
import { file, harness, header, ndjson, type Harness } from "./helpers.js";

let h: Harness;
/** Bytes the pages read of file contents (summed over `reads.range` calls). */
let spent = 0;

async function lfsUpload(data: Buffer) {
  const oid = createHash("sha256").update(data).digest("hex");
  const b = await h.hub.app.inject({ method: "POST", url: "/admin/files.git/info/lfs/objects/batch", headers: { ...h.auth, "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", transfers: ["basic"], objects: [{ oid, size: data.length }] } });
  const action = b.json().objects[0].actions?.upload;
  if (action) assert.equal((await h.hub.app.inject({ method: "PUT", url: action.href.replace(/^https?:\/\/[^/]+/, ""), payload: data })).statusCode, 200);
  return { key: "lfsFile", value: { path: "", algo: "sha256", oid, size: data.length } };
}
const lfsAt = (path: string, l: { key: string; value: Record<string, unknown> }) => ({ key: l.key, value: { ...l.value, path } });

function safetensorsFile(bodyBytes: number): Buffer {
  const n = bodyBytes / 4;
  const head = Buffer.from(JSON.stringify({ __metadata__: { format: "pt" }, "encoder.weight": { dtype: "F32", shape: [n / 2, 2], data_offsets: [0, bodyBytes / 2] }, "encoder.bias": { dtype: "F32", shape: [n / 2], data_offsets: [bodyBytes / 2, bodyBytes] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(head.length));
  return Buffer.concat([len, head, Buffer.alloc(bodyBytes)]);
}

function ggufFile(): Buffer {
  const parts: Buffer[] = [Buffer.from("GGUF")];
  const u32 = (v: number) => parts.push(Buffer.from(new Uint32Array([v]).buffer));
  const u64 = (v: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    parts.push(b);
  };
  const str = (s: string) => (u64(Buffer.byteLength(s)), parts.push(Buffer.from(s)));
  u32(3);
  u64(0);
  u64(3);
  str("general.architecture");
  u32(8);
  str("llama");
  str("llama.context_length");
  u32(4);
  u32(4096);
  str("tokenizer.ggml.tokens");
  u32(9);
  u32(8);
  u64(3);
  for (const t of ["<s>", "</s>", "<b>hi</b>"]) str(t);
  return Buffer.concat(parts);
}

before(async () => {
  h = await harness();
  const reads = h.hub.services.reads;
  const range = reads.range.bind(reads);
  reads.range = async (repo, entry, start, end) => {
    const out = await range(repo, entry, start, end);
    spent += out.length;
    return out;
  };
  await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name: "files" } });
  const parquet = Buffer.from(parquetWriteBuffer({ columnData: [{ name: "text", data: ["first", "second <i>row</i>"] }, { name: "label", data: [1, 0], type: "INT32" }] }));
  const csvBig = Buffer.concat([Buffer.from("id,text\n"), Buffer.alloc(30 * 1024 * 1024, "1,filler\n")]);
  const lines = [
    header("files of every kind"),
    file("train.py", "import torch\n\ndef main():\n    return 'hi'\n"),
    file("docs/notes.md", "# Notes\n\nSee [the script](../train.py).\n"),
    file("img/cat.png", Buffer.from("89504e470d0a1a0a", "hex")),
    file("docs/math.md", "Energy $E=mc^2$.\n\n$$\\frac{a}{b}$$\n\n<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>\n\n![logo](logo-dark.png#gh-dark-mode-only) <img src=\"logo-light.png\" class=\"dark:hidden\"> <img src=\"x.png\" class=\"evil\" style=\"position:fixed\">\n"),
    file("nb/demo.ipynb", JSON.stringify({ cells: [
      { cell_type: "markdown", source: ["# Demo\n", "<script>alert(1)</script> **bold**"] },
      { cell_type: "code", source: "print('<b>hi</b>')", outputs: [
        { output_type: "stream", name: "stdout", text: ["<b>hi</b>\n"] },
        { output_type: "display_data", data: { "text/html": ["<img src=x onerror=alert(2)>"], "text/plain": ["<IPython.core.display.HTML object>"] } },
        { output_type: "display_data", data: { "image/png": "iVBORw0KGgo=\n", "text/plain": ["<Figure>"] } },
        { output_type: "display_data", data: { "image/png": "\" onerror=\"alert(3)" } },
      ] },
    ], metadata: {}, nbformat: 4, nbformat_minor: 5 })),
    file("data/train.csv", 'id,text\n1,"a, quoted ""value"""\n2,"two\nlines"\n'),
    file("data/rows.jsonl", '{"prompt": "<script>x</script>", "n": 1}\n{"prompt": "b", "extra": [1,2]}\n'),
    file("model.gguf", ggufFile()),
    lfsAt("model.safetensors", await lfsUpload(safetensorsFile(20 * 1024 * 1024))),
    lfsAt("data/big.csv", await lfsUpload(csvBig)),
    lfsAt("data/table.parquet", await lfsUpload(parquet)),
  ];
  const c = await h.hub.app.inject({ method: "POST", url: "/api/models/admin/files/commit/main", headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: ndjson(...lines) });
  assert.equal(c.statusCode, 200, c.body);
});
after(async () => h?.close());

const page = async (path: string) => {
  const r = await h.hub.app.inject({ method: "GET", url: `/admin/files/blob/main/${path}`, headers: h.auth });
  assert.equal(r.statusCode, 200, r.body);
  return parse(r.body);
};
const table = (doc: ReturnType<typeof parse>) => doc.querySelectorAll("section.preview table tbody tr").map((tr) => tr.querySelectorAll("td").map((td) => td.text));

test("code is highlighted with classes whose rules are served, never inline styles", async () => {
  const doc = await page("train.py");
  const spans = doc.querySelectorAll("table.code span[class^=t]");
  assert.ok(spans.length >= 3, "tokens are classed");
  assert.equal(doc.querySelectorAll("[style]").length, 0, "no inline style (the CSP forbids it)");
  assert.equal(doc.querySelector("#L3 td:last-child")!.text, "def main():");
  const css = doc.querySelectorAll("link[rel=stylesheet]").map((l) => l.getAttribute("href")!).find((x) => x.startsWith("/static/code.css"))!;
  const rules = (await h.hub.app.inject({ method: "GET", url: css })).body;
  for (const s of spans) assert.ok(rules.includes(`.${s.getAttribute("class")}{`), `rule for ${s.getAttribute("class")}`);
  assert.match(rules, /prefers-color-scheme: dark/);
});

test("markdown renders (links at the page's revision), its source with ?code=true; images inline", async () => {
  const md = await page("docs/notes.md");
  assert.equal(md.querySelector("article.markdown h1")!.text, "Notes");
  assert.equal(md.querySelector("article.markdown a")!.getAttribute("href"), "/admin/files/blob/main/train.py");
  const src = await page("docs/notes.md?code=true");
  assert.match(src.querySelector("table.code")!.text, /# Notes/);
  const img = (await page("img/cat.png")).querySelector("p.media img")!;
  assert.equal(img.getAttribute("src"), "/admin/files/resolve/main/img/cat.png");
  assert.equal(img.getAttribute("alt"), "cat.png");
});

test("math through KaTeX as MathML, raw <math> stripped; images for one color scheme; notebooks inert", async () => {
  const m = await page("docs/math.md");
  const article = m.querySelector("article.markdown")!;
  assert.equal(article.querySelectorAll("math").length, 2, "inline and block formulas");
  assert.ok(article.querySelector("math msup"), "E=mc^2 has a superscript");
  assert.equal(article.querySelectorAll("mglyph, mtext, style, [onerror]").length, 0, "the hand-written MathML is gone (an empty table stays: tables are allowed)");
  assert.deepEqual(article.querySelectorAll("img").map((i) => [i.getAttribute("src"), i.getAttribute("class") ?? null, i.getAttribute("style") ?? null]), [
    ["/admin/files/resolve/main/docs/logo-dark.png#gh-dark-mode-only", "only-dark", null],
    ["/admin/files/resolve/main/docs/logo-light.png", "only-light", null],
    ["/admin/files/resolve/main/docs/x.png", null, null],
  ]);
  const nb = await page("nb/demo.ipynb");
  const body = nb.querySelector("article.markdown")!;
  assert.equal(body.querySelector("h1")!.text, "Demo");
  assert.equal(body.querySelectorAll("script, b, [onerror]").length, 0, "no markup from cells or outputs");
  assert.deepEqual(body.querySelectorAll("pre.nb-out").map((p) => p.text), ["<b>hi</b>\n", "<IPython.core.display.HTML object>"]);
  assert.deepEqual(body.querySelectorAll("img").map((i) => i.getAttribute("src")), ["data:image/png;base64,iVBORw0KGgo="], "a bad base64 image is left out");
});

test("safetensors: the tensor table from the header alone, not the 20 MB body", async () => {
  spent = 0;
  const doc = await page("model.safetensors");
  assert.deepEqual(table(doc), [
    ["encoder.weight", "F32", "[2621440, 2]"],
    ["encoder.bias", "F32", "[2621440]"],
  ]);
  assert.match(doc.querySelector("dl.facts")!.text, /Parameters\s*7,864,320/);
  assert.ok(spent < 4096, `read ${spent} bytes`);
});

test("GGUF metadata, escaped; CSV with quotes and newlines; JSON Lines; Parquet first rows", async () => {
  const g = await page("model.gguf");
  assert.deepEqual(table(g), [
    ["general.architecture", "llama"],
    ["llama.context_length", "4096"],
    ["tokenizer.ggml.tokens", 'string[3]: ["<s>","</s>","<b>hi</b>"]'],
  ]);
  assert.equal(g.querySelectorAll("section.preview b").length, 0, "values are text, not markup");
  assert.deepEqual(table(await page("data/train.csv")), [
    ["1", 'a, quoted "value"'],
    ["2", "two\nlines"],
  ]);
  const j = await page("data/rows.jsonl");
  assert.deepEqual(j.querySelectorAll("section.preview thead th").map((t) => t.text), ["prompt", "n", "extra"]);
  assert.deepEqual(table(j), [
    ["<script>x</script>", "1", ""],
    ["b", "", "[1,2]"],
  ]);
  assert.equal(j.querySelectorAll("section.preview script").length, 0);
  const p = await page("data/table.parquet");
  assert.deepEqual(table(p), [
    ["first", "1"],
    ["second <i>row</i>", "0"],
  ]);
  assert.match(p.querySelector("dl.facts")!.text, /Rows\s*2/);
});

test("a 30 MB CSV previews from its first 64 KB", async () => {
  spent = 0;
  const doc = await page("data/big.csv");
  assert.equal(table(doc).length, 20);
  assert.ok(doc.querySelector("section.preview")!.text.includes("Only the beginning is shown."));
  assert.ok(spent <= 64 * 1024, `read ${spent} bytes`);
});
