/**
 * Web pages in process (`app.inject` + node-html-parser): each page × caller × repo kind has the
 * right status; a private repo's page is the missing-repo page; links use the Hub's URL shapes;
 * hostile READMEs, file names, commit messages and YAML values render inert; pages carry a strict CSP.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { parse, type HTMLElement } from "node-html-parser";
import { file, harness, header, ndjson, type Harness } from "./helpers.js";

let h: Harness;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const callers: Record<string, Record<string, string>> = {};

const XSS_README = [
  "---",
  'license: "<script>alert(1)</script>"',
  "tags: ['<img src=x onerror=alert(2)>']",
  "---",
  "# Card",
  "<img src=x onerror=alert(3)>",
  "<script>alert(4)</script>",
  "[click](javascript:alert(5))",
  "<a href=\"javascript:alert(6)\">x</a>",
  "<svg><script>alert(7)</script></svg>",
  "<style>body{display:none}</style>",
  "<iframe src=\"https://evil.example\"></iframe>",
  "<details open ontoggle=alert(8)><summary>s</summary>d</details>",
  "",
  "![pic](images/cat.png) [doc](docs/guide.md)",
].join("\n");

before(async () => {
  h = await harness();
  const { accounts, orgs } = h.hub.services;
  for (const u of ["outsider", "reader"]) await accounts.createUser(u);
  await orgs.create("cli", { name: "team", members: [{ user: "admin", role: "admin" }, { user: "reader", role: "read" }] });
  callers.anonymous = {};
  callers.owner = h.auth;
  callers.outsider = bearer((await accounts.createToken("outsider", { role: "write" })).token);
  callers.reader = bearer((await accounts.createToken("reader", { role: "read" })).token);
  for (const [name, priv] of [["pub", false], ["priv", true], ["gated", false]] as const) {
    const r = await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name, organization: "team", private: priv } });
    assert.equal(r.statusCode, 200, r.body);
    const c = await h.hub.app.inject({
      method: "POST",
      url: `/api/models/team/${name}/commit/main`,
      headers: { ...h.auth, "content-type": "application/x-ndjson" },
      payload: ndjson(header('add <img src=x onerror=alert("commit")>'), file("README.md", XSS_README), file("docs/guide.md", "guide"), file("src/<b>bold</b>.py", "x = '<script>alert(9)</script>'\n")),
    });
    assert.equal(c.statusCode, 200, c.body);
  }
  await h.hub.app.inject({ method: "PUT", url: "/api/models/team/gated/settings", headers: h.auth, payload: { gated: "manual" } });
});
after(async () => h?.close());

/** Parsed as a browser would: <pre> content is markup too (node-html-parser keeps it raw by default). */
const dom = (html: string) => parse(html, { blockTextElements: { script: true, style: true } });
/** A form post as a browser sends it from this site. */
const post = (url: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
  h.hub.app.inject({ method: "POST", url, headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin", ...headers }, payload: new URLSearchParams(body).toString() });
/** A new user with a password, logged in through the form: their session cookie. */
async function loggedIn(user: string): Promise<string> {
  await h.hub.services.accounts.createUser(user, { password: `${user}'s long password` });
  return String((await post("/login", { username: user, password: `${user}'s long password` })).headers["set-cookie"]).split(";")[0]!;
}
const get = (url: string, who: string) => h.hub.app.inject({ method: "GET", url, headers: callers[who] });

test("page × caller × repo kind: statuses, and a private repo is the missing-repo page", async () => {
  const pages = (r: string) => ({
    home: `/team/${r}`,
    tree: `/team/${r}/tree/main`,
    folder: `/team/${r}/tree/main/docs`,
    blob: `/team/${r}/blob/main/docs/guide.md`,
    history: `/team/${r}/commits/main`,
    upload: `/team/${r}/upload/main`,
    create: `/team/${r}/new/main/docs`,
    edit: `/team/${r}/edit/main/docs/guide.md`,
    settings: `/team/${r}/settings`,
    community: `/team/${r}/discussions`,
  });
  // Pages that change things send anonymous callers to log in (whether or not the repo exists),
  // and are 403 for those who may read but not write; a private repo stays a 404 for strangers.
  // A signed-in outsider with a write token may propose changes to a public repo: the upload and
  // edit pages open a pull request for them.
  const writing = { upload: 403, create: 403, edit: 403, settings: 403 };
  const proposing = { settings: 403 };
  const toLogin = { upload: 303, create: 303, edit: 303, settings: 303 };
  const expect: Record<string, Record<string, Record<string, number>>> = {
    pub: { anonymous: { ...toLogin }, owner: {}, outsider: { ...proposing }, reader: { ...writing } },
    priv: { anonymous: { "*": 404, ...toLogin }, owner: {}, outsider: { "*": 404 }, reader: { ...writing } },
    // …but not past a gate: the edit page would show the file (the gate's 403, as for the blob).
    gated: { anonymous: { blob: 401, ...toLogin }, owner: {}, outsider: { blob: 403, ...writing }, reader: { ...writing } },
  };
  const wrong: string[] = [];
  for (const [repo, byCaller] of Object.entries(expect)) {
    for (const [who, special] of Object.entries(byCaller)) {
      for (const [page, url] of Object.entries(pages(repo))) {
        const want = special[page] ?? special["*"] ?? 200;
        const r = await get(url, who);
        if (r.statusCode !== want) wrong.push(`${repo} ${who} ${page}: expected ${want}, got ${r.statusCode}`);
        if (want === 303) assert.match(String(r.headers.location), /^\/login\?next=/);
        else assert.match(String(r.headers["content-type"]), /^text\/html/);
      }
    }
  }
  assert.deepEqual(wrong, []);
  const missing = await get("/team/no-such-repo", "outsider");
  const hidden = await get("/team/priv", "outsider");
  assert.equal(hidden.statusCode, 404);
  assert.equal(hidden.body, missing.body, "a private repo's page is exactly the missing-repo page");
  assert.equal((await get("/team/priv", "anonymous")).body, (await get("/team/no-such-repo", "anonymous")).body);
  const gated = await get("/team/gated/blob/main/docs/guide.md", "outsider");
  assert.match(gated.body, /gated/);
});

/** Everything in a page that could run script. */
function activeContent(root: HTMLElement): string[] {
  const found: string[] = [];
  for (const el of root.querySelectorAll("*")) {
    const tag = el.tagName?.toLowerCase();
    if (["script", "iframe", "style", "svg", "object", "embed"].includes(tag)) found.push(`<${tag}>`);
    for (const [k, v] of Object.entries(el.attributes)) {
      if (k.toLowerCase().startsWith("on")) found.push(`${tag}[${k}]`);
      if (["href", "src"].includes(k.toLowerCase()) && /^\s*javascript:/i.test(v)) found.push(`${tag}[${k}=${v}]`);
    }
  }
  return found;
}

test("hostile READMEs, YAML values, file names and commit messages render inert", async () => {
  for (const url of ["/team/pub", "/team/pub/tree/main", "/team/pub/tree/main/src", "/team/pub/blob/main/src/%3Cb%3Ebold%3C%2Fb%3E.py", "/team/pub/commits/main"]) {
    const r = await get(url, "owner");
    assert.equal(r.statusCode, 200, url);
    assert.deepEqual(activeContent(dom(r.body)), [], url);
  }
  const home = dom((await get("/team/pub", "owner")).body);
  assert.match(home.querySelector("aside")!.text, /<script>alert\(1\)<\/script>/, "the YAML value is shown as text");
  const commit = (await h.hub.app.inject({ method: "GET", url: "/api/models/team/pub/commits/main", headers: h.auth })).json()[0].id;
  const page = await get(`/team/pub/commit/${commit}`, "owner");
  assert.equal(page.statusCode, 200);
  assert.deepEqual(activeContent(dom(page.body)), []);
  assert.match(dom(page.body).querySelector("h2")!.text, /<img src=x onerror/);
});

test("links use the Hub's URL shapes; relative card links point into the repo at the revision", async () => {
  const home = dom((await get("/team/pub", "owner")).body);
  const hrefs = home.querySelectorAll("a").map((a) => a.getAttribute("href"));
  assert.ok(hrefs.includes("/team/pub/tree/main"));
  assert.ok(hrefs.includes("/team/pub/commits/main"));
  assert.ok(hrefs.includes("/team/pub/blob/main/docs/guide.md"), "relative link → blob at the revision");
  assert.ok(home.querySelectorAll("img").some((i) => i.getAttribute("src") === "/team/pub/resolve/main/images/cat.png"), "relative image → resolve");
  for (const a of home.querySelectorAll(".markdown a")) assert.equal(a.getAttribute("rel"), "nofollow noopener");
  const tree = dom((await get("/team/pub/tree/main", "owner")).body);
  const rows = tree.querySelectorAll("table.files tbody a").map((a) => a.getAttribute("href"));
  assert.ok(rows.includes("/team/pub/tree/main/docs"));
  assert.ok(rows.includes("/team/pub/blob/main/README.md"));
  assert.ok(rows.some((r) => r?.startsWith("/team/pub/commit/")), "last commit per entry links to its commit page");
  const blob = dom((await get("/team/pub/blob/main/docs/guide.md", "owner")).body);
  const links = blob.querySelectorAll("a").map((a) => a.getAttribute("href"));
  assert.ok(links.includes("/team/pub/raw/main/docs/guide.md"));
  assert.ok(links.includes("/team/pub/resolve/main/docs/guide.md?download=true"));
});

test("pages carry a strict CSP with no inline script allowed, and nosniff", async () => {
  const r = await get("/team/pub", "anonymous");
  const csp = String(r.headers["content-security-policy"]);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(r.headers["x-content-type-options"], "nosniff");
  assert.equal(dom(r.body).querySelectorAll("script").length, 0, "reading pages ship no JavaScript");
});

test("profile pages list the repos the viewer may see; unknown accounts are 404", async () => {
  const names = async (who: string) => dom((await get("/team", who)).body).querySelectorAll("ul.repos a").map((a) => a.text).sort();
  assert.deepEqual(await names("anonymous"), ["team/gated", "team/pub"]);
  assert.deepEqual(await names("reader"), ["team/gated", "team/priv", "team/pub"]);
  assert.equal((await get("/nobody-here", "anonymous")).statusCode, 404);
  const home = dom((await get("/team/pub", "anonymous")).body);
  assert.ok(home.querySelectorAll("a").some((a) => a.getAttribute("href") === "/team"), "the namespace links to its profile");
});

test("log in, make a token (shown once), use it, revoke it; forms refuse cross-site posts", async () => {
  await h.hub.services.accounts.createUser("webby", { password: "webby's long password" });
  assert.equal((await get("/login", "anonymous")).statusCode, 200);
  const wrong = await post("/login", { username: "webby", password: "not it at all" });
  assert.equal(wrong.statusCode, 401);
  assert.match(dom(wrong.body).querySelector("[role=alert]")!.text, /Invalid username or password/);
  const ok = await post("/login", { username: "webby", password: "webby's long password", next: "/settings/tokens" });
  assert.equal(ok.statusCode, 303);
  assert.equal(ok.headers.location, "/settings/tokens");
  const cookie = String(ok.headers["set-cookie"]).split(";")[0]!;
  assert.match(String(ok.headers["set-cookie"]), /HttpOnly; SameSite=Lax/);
  assert.equal((await post("/login", { username: "webby", password: "webby's long password", next: "//evil.example/x" })).headers.location, "/", "no open redirect");

  const anon = await get("/settings/tokens", "anonymous");
  assert.equal(anon.statusCode, 303);
  assert.equal(anon.headers.location, "/login?next=%2Fsettings%2Ftokens");
  const made = await post("/settings/tokens", { name: "laptop", role: "read" }, { cookie });
  assert.equal(made.statusCode, 200);
  assert.equal(made.headers["cache-control"], "no-store");
  const token = dom(made.body).querySelector(".created code")!.text;
  assert.match(token, /^hf_/);
  const who = await h.hub.app.inject({ method: "GET", url: "/api/whoami-v2", headers: bearer(token) });
  assert.equal(who.json().name, "webby");
  const listed = await h.hub.app.inject({ method: "GET", url: "/settings/tokens", headers: { cookie } });
  assert.doesNotMatch(listed.body, new RegExp(token), "the secret is shown once, never listed");
  const cross = await post("/settings/tokens", { name: "evil", role: "write" }, { cookie, "sec-fetch-site": "cross-site", origin: "https://evil.example" });
  assert.equal(cross.statusCode, 403);
  assert.match(cross.headers["content-type"] as string, /text\/html/);
  const id = (await h.hub.app.inject({ method: "GET", url: "/api/settings/tokens", headers: { cookie } })).json().find((t: { displayName: string }) => t.displayName === "laptop").id;
  assert.equal((await post(`/settings/tokens/${id}/delete`, {}, { cookie })).statusCode, 303);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/whoami-v2", headers: bearer(token) })).statusCode, 401, "revoked");
  const out = await post("/logout", {}, { cookie });
  assert.equal(out.statusCode, 303);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/whoami-v2", headers: { cookie } })).statusCode, 401, "the session ended server-side");
});

test("create a repo from /new, toggle its visibility and delete it with the typed confirmation", async () => {
  const cookie = await loggedIn("maker");
  assert.equal((await get("/new", "anonymous")).statusCode, 303, "signed-out callers are sent to log in");
  const page = dom((await h.hub.app.inject({ method: "GET", url: "/new-dataset", headers: { cookie } })).body);
  assert.deepEqual(page.querySelectorAll("select[name=owner] option").map((o) => o.text), ["maker"]);
  const made = await post("/new-dataset", { owner: "maker", name: "web-made", visibility: "public" }, { cookie });
  assert.equal(made.statusCode, 303);
  assert.equal(made.headers.location, "/datasets/maker/web-made");
  assert.equal((await get("/datasets/maker/web-made", "anonymous")).statusCode, 200);
  const taken = await post("/new-dataset", { owner: "maker", name: "web-made" }, { cookie });
  assert.equal(taken.statusCode, 409);
  assert.match(dom(taken.body).querySelector("[role=alert]")!.text, /already/);
  assert.equal((await post("/new", { owner: "team", name: "not-mine" }, { cookie })).statusCode, 403, "a namespace the user may not write");

  assert.equal((await post("/datasets/maker/web-made/settings/visibility", { private: "true" }, { cookie })).statusCode, 303);
  assert.equal((await get("/datasets/maker/web-made", "anonymous")).statusCode, 404, "now private");
  assert.equal((await get("/datasets/maker/web-made/settings", "outsider")).statusCode, 404, "someone else sees no settings of a private repo");
  assert.equal((await post("/datasets/maker/web-made/settings/visibility", { private: "false" }, { cookie, "sec-fetch-site": "cross-site", origin: "https://evil.example" })).statusCode, 403);
  const wrong = await post("/datasets/maker/web-made/settings/delete", { confirm: "web-made" }, { cookie });
  assert.equal(wrong.statusCode, 400);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/datasets/maker/web-made", headers: { cookie } })).statusCode, 200, "not deleted");
  const gone = await post("/datasets/maker/web-made/settings/delete", { confirm: "maker/web-made" }, { cookie });
  assert.equal(gone.statusCode, 303);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/datasets/maker/web-made", headers: { cookie } })).statusCode, 404);
});

test("settings: gated mode and the review of requests, rename with redirects from the old URLs", async () => {
  const cookie = await loggedIn("keeper");
  assert.equal((await post("/new", { owner: "keeper", name: "held" }, { cookie })).statusCode, 303);
  await h.hub.app.inject({ method: "POST", url: "/api/models/keeper/held/commit/main", headers: { cookie, "content-type": "application/x-ndjson" }, payload: ndjson(header("w"), file("w.txt", "weights")) });
  assert.equal((await post("/keeper/held/settings/gated", { gated: "manual" }, { cookie })).statusCode, 303);
  assert.equal((await get("/keeper/held/blob/main/w.txt", "outsider")).statusCode, 403);
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/keeper/held/ask-access", headers: callers.outsider, payload: {} })).statusCode, 200);
  const settings = dom((await h.hub.app.inject({ method: "GET", url: "/keeper/held/settings", headers: { cookie } })).body);
  const requestRows = settings.querySelectorAll("table.files").find((t) => t.querySelector("caption")?.text === "Access requests")!;
  assert.deepEqual(requestRows.querySelectorAll("tbody tr").map((tr) => tr.querySelectorAll("td").slice(0, 2).map((td) => td.text)), [["outsider", "pending"]]);
  assert.equal((await post("/keeper/held/settings/requests", { user: "outsider", status: "accepted" }, { cookie })).statusCode, 303);
  assert.equal((await get("/keeper/held/blob/main/w.txt", "outsider")).statusCode, 200, "accepted: the file is readable");
  // Grant without a request; refs and LFS rules from the same page.
  assert.equal((await post("/keeper/held/settings/grant", { user: "reader" }, { cookie })).statusCode, 303);
  assert.equal((await get("/keeper/held/blob/main/w.txt", "reader")).statusCode, 200, "granted: the file is readable");
  const twice = await post("/keeper/held/settings/grant", { user: "reader" }, { cookie });
  assert.equal(twice.statusCode, 400);
  assert.match(dom(twice.body).querySelector("[role=alert]")!.text, /already has access/);
  assert.equal((await post("/keeper/held/settings/branches", { name: "dev", from: "main" }, { cookie })).statusCode, 303);
  assert.equal((await post("/keeper/held/settings/tags", { name: "v1", from: "dev" }, { cookie })).statusCode, 303);
  assert.equal((await post("/keeper/held/settings/branches/delete", { name: "main" }, { cookie })).statusCode, 400, "not the default branch");
  assert.equal((await post("/keeper/held/settings/branches", { name: "x", from: "no-such-rev" }, { cookie })).statusCode, 404);
  const refs = JSON.parse((await h.hub.app.inject({ method: "GET", url: "/api/models/keeper/held/refs", headers: { cookie } })).body) as { branches: { name: string }[]; tags: { name: string }[] };
  assert.deepEqual([refs.branches.map((b) => b.name).sort(), refs.tags.map((t) => t.name)], [["dev", "main"], ["v1"]]);
  assert.equal((await post("/keeper/held/settings/tags/delete", { name: "v1" }, { cookie })).statusCode, 303);
  assert.equal((await post("/keeper/held/settings/branches/delete", { name: "dev" }, { cookie })).statusCode, 303);
  assert.equal((await post("/keeper/held/settings/lfs", { threshold: "1000", suffixes: ".ckpt\n.npz\n" }, { cookie })).statusCode, 303);
  assert.equal((await post("/keeper/held/settings/lfs", { threshold: "lots", suffixes: "" }, { cookie })).statusCode, 400);
  const lfs = JSON.parse((await h.hub.app.inject({ method: "GET", url: "/api/models/keeper/held/settings/lfs", headers: { cookie } })).body) as { lfs_threshold_bytes: number; lfs_suffix_rules: string[] };
  assert.deepEqual([lfs.lfs_threshold_bytes, lfs.lfs_suffix_rules], [1000, [".ckpt", ".npz"]]);
  assert.equal((await post("/keeper/held/settings/branches", { name: "sneaky", from: "main" }, { cookie: await loggedIn("stranger") })).statusCode, 403, "someone else cannot change refs");

  const moved = await post("/keeper/held/settings/move", { to: "keeper/kept" }, { cookie });
  assert.equal(moved.statusCode, 303);
  assert.equal(moved.headers.location, "/keeper/kept");
  const old = await get("/keeper/held", "owner");
  assert.equal(old.statusCode, 301);
  assert.equal(old.headers.location, "/keeper/kept");
  const oldTree = await get("/keeper/held/tree/main", "owner");
  assert.equal(oldTree.statusCode, 301);
  assert.equal(oldTree.headers.location, "/keeper/kept/tree/main");
});

test("SSH keys page: add a real key (ssh-keygen), see its fingerprint, delete it", async () => {
  const { execFileSync } = await import("node:child_process");
  const { mkdtemp, readFile, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = await mkdtemp(join(tmpdir(), "hubble-webkeys-"));
  try {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "k")]);
    const pub = (await readFile(join(dir, "k.pub"), "utf8")).trim();
    const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", join(dir, "k.pub")], { encoding: "utf8" }).split(" ")[1]!;
    const cookie = await loggedIn("keyed");
    const bad = await post("/settings/keys", { title: "junk", key: "ssh-ed25519 not-base64!!" }, { cookie });
    assert.equal(bad.statusCode, 400);
    assert.ok(dom(bad.body).querySelector("[role=alert]"));
    assert.equal((await post("/settings/keys", { title: "laptop", key: pub + "\n" }, { cookie })).statusCode, 303);
    const page = dom((await h.hub.app.inject({ method: "GET", url: "/settings/keys", headers: { cookie } })).body);
    assert.deepEqual(page.querySelectorAll("table.files tbody code").map((c) => c.text), [fingerprint]);
    const id = (await h.hub.app.inject({ method: "GET", url: "/api/user/keys", headers: { cookie } })).json()[0].id;
    assert.equal((await post(`/settings/keys/${id}/delete`, {}, { cookie })).statusCode, 303);
    assert.deepEqual((await h.hub.app.inject({ method: "GET", url: "/api/user/keys", headers: { cookie } })).json(), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("commit page: changed files with their status and the patch, escaped; gated content needs access", async () => {
  const r = await h.hub.app.inject({
    method: "POST",
    url: "/api/models/team/pub/commit/main",
    headers: { ...h.auth, "content-type": "application/x-ndjson" },
    payload: ndjson(header("edit the guide"), file("docs/guide.md", "guide v2 <script>alert(10)</script>\n"), { key: "deletedFile", value: { path: "src/<b>bold</b>.py" } }),
  });
  assert.equal(r.statusCode, 200, r.body);
  const oid = r.json().commitOid as string;
  const page = await get(`/team/pub/commit/${oid}`, "anonymous");
  assert.equal(page.statusCode, 200);
  const d = dom(page.body);
  assert.deepEqual(d.querySelectorAll("ul.changes li").map((li) => li.text.replace(/\s+/g, " ").trim()), ["modified docs/guide.md", "deleted src/<b>bold</b>.py"]);
  assert.ok(d.querySelectorAll("table.diff tr.add").some((tr) => tr.text.includes("+guide v2 <script>alert(10)</script>")));
  assert.ok(d.querySelectorAll("table.diff tr.del").some((tr) => tr.text.includes("-guide")));
  assert.deepEqual(activeContent(d), []);
  const first = (await h.hub.app.inject({ method: "GET", url: "/api/models/team/gated/commits/main", headers: h.auth })).json().at(-1).id;
  assert.equal((await get(`/team/gated/commit/${first}`, "outsider")).statusCode, 403, "a gated repo's diffs need access");
  assert.equal((await get(`/team/gated/commit/${first}`, "reader")).statusCode, 200);
});

test("lists: facets from card metadata as shareable links, sort, pages; private repos stay out of counts", async () => {
  const { accounts } = h.hub.services;
  await accounts.createUser("lister");
  const auth = bearer((await accounts.createToken("lister", { role: "write" })).token);
  for (let i = 0; i < 34; i++) {
    const name = `m${String(i).padStart(2, "0")}`;
    assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: auth, payload: { name, private: i === 33 } })).statusCode, 200);
    const card = `---\nlicense: ${i % 2 ? "mit" : "apache-2.0"}\npipeline_tag: ${i % 3 ? "text-classification" : "translation"}\nlibrary_name: lister-lib\nlanguage: [en]\n---\n# ${name}\n`;
    const c = await h.hub.app.inject({ method: "POST", url: `/api/models/lister/${name}/commit/main`, headers: { ...auth, "content-type": "application/x-ndjson" }, payload: ndjson(header("card"), file("README.md", card)) });
    assert.equal(c.statusCode, 200, c.body);
  }
  const names = (html: string) => dom(html).querySelectorAll("ul.repos li a").map((a) => a.text);
  const all = dom((await get("/models?search=lister/m&sort=alphabetical", "anonymous")).body);
  assert.deepEqual(names(all.toString()), Array.from({ length: 30 }, (_, i) => `lister/m${String(i).padStart(2, "0")}`), "alphabetical, 30 per page");
  const next = all.querySelector("nav.pages a")!.getAttribute("href")!;
  assert.equal(next, "/models?search=lister%2Fm&sort=alphabetical&p=1");
  assert.deepEqual(names((await get(next, "anonymous")).body), ["lister/m30", "lister/m31", "lister/m32"], "the private m33 is not listed for a stranger");

  // Facets: counts over what the viewer may see, each a link that adds its filter to the URL.
  const mit = all.querySelectorAll("aside.facets a").find((a) => a.text.startsWith("license:mit"))!;
  assert.equal(mit.querySelector("span")!.text, "16", "17 mit repos, one of them private");
  assert.equal(mit.getAttribute("href"), "/models?search=lister%2Fm&license=license%3Amit&sort=alphabetical");
  const filtered = dom((await get(mit.getAttribute("href")! + "&pipeline_tag=translation", "anonymous")).body);
  assert.deepEqual(names(filtered.toString()), ["lister/m03", "lister/m09", "lister/m15", "lister/m21", "lister/m27"]);
  const chosen = filtered.querySelectorAll("aside.facets a[aria-current]").map((a) => [a.text, a.getAttribute("href")]);
  assert.deepEqual(chosen, [
    ["translation ✕", "/models?search=lister%2Fm&license=license%3Amit&sort=alphabetical"],
    ["license:mit ✕", "/models?search=lister%2Fm&pipeline_tag=translation&sort=alphabetical"],
  ]);
  const owner = dom((await h.hub.app.inject({ method: "GET", url: "/models?search=lister/m&license=license:mit", headers: auth })).body);
  assert.equal(owner.querySelectorAll("aside.facets a").find((a) => a.text.startsWith("license:mit"))!.text, "license:mit ✕");
  assert.ok(names(owner.toString()).includes("lister/m33"), "the owner sees the private one");
  assert.equal((await get("/models?sort=hottest", "anonymous")).statusCode, 400);
});

test("profile and password (form and API; other sessions end), organizations and members, the site admin's users", async () => {
  const cookie = await loggedIn("pat");
  const other = String((await post("/login", { username: "pat", password: "pat's long password" })).headers["set-cookie"]).split(";")[0]!;
  const profile = await post("/settings/profile", { fullname: "Pat <b>Example</b>", email: "pat@example.com" }, { cookie });
  assert.equal(profile.statusCode, 303);
  const shown = dom((await h.hub.app.inject({ method: "GET", url: "/settings/profile", headers: { cookie } })).body);
  assert.equal(shown.querySelector("input[name=fullname]")!.getAttribute("value"), "Pat <b>Example</b>");
  assert.equal((await post("/settings/profile", { fullname: "", email: "x" }, { cookie })).statusCode, 400);

  const wrong = await post("/settings/password", { currentPassword: "not it", newPassword: "a brand new password" }, { cookie });
  assert.equal(wrong.statusCode, 403);
  assert.match(dom(wrong.body).querySelector("[role=alert]")!.text, /current password is not right/);
  assert.equal((await post("/settings/password", { currentPassword: "pat's long password", newPassword: "short" }, { cookie })).statusCode, 400);
  assert.equal((await post("/settings/password", { currentPassword: "pat's long password", newPassword: "a brand new password" }, { cookie })).statusCode, 303);
  const whoami = (c: string) => h.hub.app.inject({ method: "GET", url: "/api/whoami-v2", headers: { cookie: c } });
  assert.equal((await whoami(cookie)).statusCode, 200, "the session that changed it stays");
  assert.equal((await whoami(other)).statusCode, 401, "every other session ended");
  assert.equal((await post("/login", { username: "pat", password: "pat's long password" })).statusCode, 401);
  assert.equal((await post("/login", { username: "pat", password: "a brand new password" })).statusCode, 303);
  // The API for it: JSON, same check, cross-site refused.
  const api = (body: unknown, headers: Record<string, string> = {}) => h.hub.app.inject({ method: "POST", url: "/api/settings/password", headers: { cookie, "content-type": "application/json", "sec-fetch-site": "same-origin", ...headers }, payload: JSON.stringify(body) });
  assert.equal((await api({ currentPassword: "a brand new password", newPassword: "and another one" }, { "sec-fetch-site": "cross-site", origin: "https://evil.example" })).statusCode, 403);
  assert.equal((await api({ currentPassword: "a brand new password", newPassword: "and another one" })).statusCode, 200);

  // Organizations: create, add a member, the members page, a non-admin cannot manage.
  assert.equal((await post("/organizations/new", { name: "patco", fullname: "Pat & Co" }, { cookie })).headers.location, "/patco");
  assert.equal((await post("/organizations/new", { name: "patco" }, { cookie })).statusCode, 409);
  assert.equal((await post("/organizations/new", { name: "login" }, { cookie })).statusCode, 400, "page names are reserved");
  assert.equal((await post("/organizations/patco/settings/members", { user: "lister", role: "write" }, { cookie })).statusCode, 303);
  const members = dom((await h.hub.app.inject({ method: "GET", url: "/organizations/patco/settings/members", headers: { cookie } })).body);
  assert.deepEqual(members.querySelectorAll("table.files tbody tr").map((tr) => tr.querySelectorAll("td").slice(0, 2).map((td) => td.text)), [["lister", "write"], ["pat", "admin"]]);
  const listerCookie = String((await post("/login", { username: "lister", password: "x" })).headers["set-cookie"] ?? "");
  assert.equal(listerCookie, "", "lister has no password: no session");
  assert.equal((await post("/organizations/patco/settings/members", { user: "pat", role: "read" }, { cookie: await loggedIn("mallory") })).statusCode, 403);
  assert.equal((await post("/organizations/patco/settings/members/remove", { user: "pat" }, { cookie })).statusCode, 409, "the last admin stays");

  // Site admin: only for site admins.
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/settings/admin/users", headers: { cookie } })).statusCode, 403);
  await h.hub.services.accounts.createUser("root", { password: "the root's long password", admin: true });
  const adminCookie = String((await post("/login", { username: "root", password: "the root's long password" })).headers["set-cookie"]).split(";")[0]!;
  const users = dom((await h.hub.app.inject({ method: "GET", url: "/settings/admin/users?search=pat", headers: { cookie: adminCookie } })).body);
  assert.deepEqual(users.querySelectorAll("table.files tbody td:first-child a").map((a) => a.text), ["pat"]);
  assert.equal((await post("/settings/admin/users/disable", { user: "pat", disabled: "true" }, { cookie: adminCookie })).statusCode, 303);
  assert.equal((await whoami(cookie)).statusCode, 401, "a disabled user's session stops working");
  assert.equal((await post("/settings/admin/users", { username: "newbie", email: "", password: "newbie's password" }, { cookie: adminCookie })).statusCode, 303);
  assert.equal((await post("/login", { username: "newbie", password: "newbie's password" })).statusCode, 303);
});

test("edit form: a stale page is refused (412) instead of overwriting, bad paths re-render, CSRF refused, CRLF becomes LF", async () => {
  const cookie = await loggedIn("editor");
  assert.equal((await post("/new", { owner: "editor", name: "notes" }, { cookie })).statusCode, 303);
  const form = dom((await h.hub.app.inject({ method: "GET", url: "/editor/notes/new/main", headers: { cookie } })).body);
  const parent = form.querySelector("input[name=parent]")!.getAttribute("value")!;
  assert.match(parent, /^[0-9a-f]{40}$/);
  const made = await post("/editor/notes/new/main", { path: "a.txt", content: "one\r\ntwo\r\n", summary: "", description: "", parent, intent: "commit" }, { cookie });
  assert.equal(made.statusCode, 303);
  assert.equal(made.headers.location, "/editor/notes/blob/main/a.txt");
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/editor/notes/resolve/main/a.txt", headers: { cookie } })).body, "one\ntwo\n");
  // The same (now stale) page committed again: refused, nothing overwritten.
  const stale = await post("/editor/notes/new/main", { path: "b.txt", content: "late", summary: "", description: "", parent, intent: "commit" }, { cookie });
  assert.equal(stale.statusCode, 412);
  assert.ok(dom(stale.body).querySelector("[role=alert]"));
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/editor/notes/resolve/main/b.txt", headers: { cookie } })).statusCode, 404);
  const bad = await post("/editor/notes/new/main", { path: "../escape.txt", content: "x", summary: "", description: "", parent: "", intent: "commit" }, { cookie });
  assert.equal(bad.statusCode, 422);
  assert.equal(dom(bad.body).querySelector("textarea[name=content]")!.text, "x", "what was typed is kept");
  const cross = await h.hub.app.inject({ method: "POST", url: "/editor/notes/new/main", headers: { cookie, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site", origin: "https://evil.example" }, payload: new URLSearchParams({ path: "c.txt", content: "x" }).toString() });
  assert.equal(cross.statusCode, 403);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/editor/notes/resolve/main/c.txt", headers: { cookie } })).statusCode, 404);
  const preview = dom((await post("/editor/notes/new/main", { path: "docs/x.md", content: "# Hi <script>alert(1)</script>", summary: "", description: "", parent: "", intent: "preview" }, { cookie })).body);
  assert.equal(preview.querySelector("section.preview h1")!.text.trim(), "Hi");
  assert.equal(preview.querySelectorAll("section.preview script").length, 0);
});

test("tree pages filter by name on the server, before paging", async () => {
  const names = async (url: string) => dom((await get(url, "owner")).body).querySelectorAll("table.files tbody td:first-child a").map((a) => a.text);
  const root = await names("/team/pub/tree/main");
  assert.ok(root.includes("docs/") && root.includes("README.md") && root.length > 2, root.join(", "));
  assert.deepEqual(await names("/team/pub/tree/main?search=DOC"), ["docs/"]);
  assert.deepEqual(await names("/team/pub/tree/main?search=nothing-like-it"), []);
  // 150 files, 60 of them matching: pages of 100 hold matches only, and the next link keeps the filter.
  const files = Array.from({ length: 150 }, (_, i) => file(`many/${i % 5 < 2 ? "keep" : "skip"}-${String(i).padStart(3, "0")}.txt`, `${i}`));
  assert.equal((await h.hub.app.inject({ method: "POST", url: "/api/models/team/pub/commit/main", headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: ndjson(header("many"), ...files) })).statusCode, 200);
  const first = dom((await get("/team/pub/tree/main/many?search=keep", "owner")).body);
  assert.equal(first.querySelectorAll("table.files tbody tr").length, 60);
  assert.equal(first.querySelector("a[href*=cursor]"), null, "one page holds all 60 matches");
  const unfiltered = dom((await get("/team/pub/tree/main/many", "owner")).body);
  assert.equal(unfiltered.querySelectorAll("table.files tbody tr").length, 100);
  assert.equal(unfiltered.querySelectorAll("a").find((a) => a.text === "Next page")!.getAttribute("href"), "/team/pub/tree/main/many?cursor=100");
});

test("history per path: only the commits that changed the file, linked from its page", async () => {
  const c = (summary: string, path: string, content: string) => h.hub.app.inject({ method: "POST", url: "/api/models/team/pub/commit/main", headers: { ...h.auth, "content-type": "application/x-ndjson" }, payload: ndjson(header(summary), file(path, content)) });
  assert.equal((await c("touch the guide", "docs/guide.md", "guide v2")).statusCode, 200);
  assert.equal((await c("something else", "other.txt", "x")).statusCode, 200);
  const blob = dom((await get("/team/pub/blob/main/docs/guide.md", "owner")).body);
  const link = blob.querySelectorAll("p.file-facts a").find((a) => a.text === "history")!.getAttribute("href")!;
  assert.equal(link, "/team/pub/commits/main/docs/guide.md");
  const titles = dom((await get(link, "owner")).body).querySelectorAll("ol.commits li > a").map((a) => a.text);
  assert.equal(titles[0], "touch the guide");
  assert.ok(!titles.includes("something else"));
  const all = dom((await get("/team/pub/commits/main", "owner")).body).querySelectorAll("ol.commits li > a").map((a) => a.text);
  assert.equal(all[0], "something else");
});

test("edit page as a pull request: forced for a non-writer, a choice for the owner; the Community pages and forms", async () => {
  const owner = await loggedIn("maintainer");
  const visitor = await loggedIn("visitor");
  assert.equal((await post("/new", { owner: "maintainer", name: "proj" }, { cookie: owner })).statusCode, 303);
  const form = dom((await h.hub.app.inject({ method: "GET", url: "/maintainer/proj/new/main", headers: { cookie: visitor } })).body);
  assert.equal(form.querySelector("input[name=pr]")!.getAttribute("type"), "hidden", "the visitor's change can only be a PR");
  assert.match(form.text, /opens a pull request against main/);
  const opened = await post("/maintainer/proj/new/main", { path: "IDEA.md", content: "An idea", summary: "Propose an idea", description: "", parent: "", intent: "commit", pr: "on" }, { cookie: visitor });
  assert.equal(opened.statusCode, 303);
  assert.equal(opened.headers.location, "/maintainer/proj/discussions/1");
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/maintainer/proj/resolve/main/IDEA.md", headers: { cookie: owner } })).statusCode, 404, "main did not move");
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/maintainer/proj/resolve/refs%2Fpr%2F1/IDEA.md", headers: { cookie: owner } })).body, "An idea");
  const ownForm = dom((await h.hub.app.inject({ method: "GET", url: "/maintainer/proj/new/main", headers: { cookie: owner } })).body);
  assert.equal(ownForm.querySelector("input[name=pr]")!.getAttribute("type"), "checkbox", "the owner chooses");
  const asPr = await post("/maintainer/proj/new/main", { path: "OWN.md", content: "mine", summary: "", description: "", parent: "", intent: "commit", pr: "on" }, { cookie: owner });
  assert.equal(asPr.headers.location, "/maintainer/proj/discussions/2");

  // The visitor comments through the thread page's form; cross-site posts are refused.
  const thread = dom((await h.hub.app.inject({ method: "GET", url: "/maintainer/proj/discussions/1", headers: { cookie: visitor } })).body);
  assert.equal(thread.querySelectorAll("form[action='/maintainer/proj/discussions/1/merge']").length, 0, "no merge form for the visitor");
  assert.equal((await post("/maintainer/proj/discussions/1/comment", { comment: "Thoughts?" }, { cookie: visitor })).statusCode, 303);
  assert.equal((await post("/maintainer/proj/discussions/1/comment", { comment: "forged" }, { cookie: visitor, "sec-fetch-site": "cross-site", origin: "https://evil.example" })).statusCode, 403);
  assert.equal((await post("/maintainer/proj/discussions/1/merge", {}, { cookie: visitor })).statusCode, 403, "the visitor cannot merge");
  const merged = await post("/maintainer/proj/discussions/1/merge", {}, { cookie: owner });
  assert.equal(merged.statusCode, 303);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/maintainer/proj/resolve/main/IDEA.md", headers: { cookie: owner } })).body, "An idea");
  const closedList = (await h.hub.app.inject({ method: "GET", url: "/maintainer/proj/discussions?status=closed" })).body;
  assert.match(closedList, /Propose an idea/);
  const commitPage = (await h.hub.app.inject({ method: "GET", url: `/maintainer/proj/commit/${(await h.hub.app.inject({ method: "GET", url: "/api/models/maintainer/proj/revision/main" })).json().sha}` })).body;
  assert.match(commitPage, /Merged pull request <a href="\/maintainer\/proj\/discussions\/1">#1/);
  // The owner closes the Community tab from the settings page: no new threads, then opens it again.
  assert.equal((await post("/maintainer/proj/settings/community", { disabled: "true" }, { cookie: owner })).statusCode, 303);
  assert.equal((await post("/maintainer/proj/settings/community", { disabled: "true" }, { cookie: visitor })).statusCode, 403, "settings are the owner's");
  assert.equal((await post("/maintainer/proj/discussions/new", { title: "Closed tab", description: "x" }, { cookie: visitor })).statusCode, 403);
  assert.equal((await post("/maintainer/proj/settings/community", { disabled: "false" }, { cookie: owner })).statusCode, 303);
  // New discussion from the Community page.
  const started = await post("/maintainer/proj/discussions/new", { title: "A question", description: "How?" }, { cookie: visitor });
  assert.equal(started.statusCode, 303);
  assert.equal(started.headers.location, "/maintainer/proj/discussions/3");
  const short = await post("/maintainer/proj/discussions/new", { title: "x", description: "too short a title" }, { cookie: visitor });
  assert.equal(short.statusCode, 400);
  assert.ok(dom(short.body).querySelector("[role=alert]"));
});

test("the repo page's Like button: like, unlike, signed-in and same-site only", async () => {
  const owner = await loggedIn("liked-owner");
  const fan = await loggedIn("fan");
  assert.equal((await post("/new", { owner: "liked-owner", name: "lovely" }, { cookie: owner })).statusCode, 303);
  const button = async () => dom((await h.hub.app.inject({ method: "GET", url: "/liked-owner/lovely", headers: { cookie: fan } })).body).querySelector("form[action='/liked-owner/lovely/like'] button");
  assert.equal((await button())!.text.trim(), "Like");
  assert.equal((await post("/liked-owner/lovely/like", { on: "true" }, { cookie: fan })).statusCode, 303);
  assert.equal((await button())!.text.trim(), "Unlike");
  assert.equal((await button())!.getAttribute("aria-pressed"), "true");
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/models/liked-owner/lovely" })).json().likes, 1);
  assert.equal((await post("/liked-owner/lovely/like", { on: "true" }, { cookie: fan, "sec-fetch-site": "cross-site", origin: "https://evil.example" })).statusCode, 403);
  assert.equal((await post("/liked-owner/lovely/like", { on: "false" }, { cookie: fan })).statusCode, 303);
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/api/models/liked-owner/lovely" })).json().likes, 0);
  const anon = await post("/liked-owner/lovely/like", { on: "true" });
  assert.equal(anon.statusCode, 303);
  assert.match(String(anon.headers.location), /^\/login\?next=/);
  const page = dom((await h.hub.app.inject({ method: "GET", url: "/liked-owner/lovely" })).body);
  assert.equal(page.querySelectorAll("form[action='/liked-owner/lovely/like']").length, 0, "no button when signed out");
});
