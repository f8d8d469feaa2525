/**
 * Changing things from the browser, in Debian's chromium driven by playwright-core against a real
 * Hubble (with its SSH server): create a repo → upload a folder with a 30 MB file through the
 * @huggingface/hub island → the same bytes through huggingface_hub; a README with broken YAML is
 * refused with its line and column and nothing is committed, a valid one is rendered; settings:
 * private toggle, the gated flow between two users, rename (old URL redirects), delete; an SSH key
 * added on its page clones over SSH. No console errors on any of it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { PYTHON, ROOT, startServer, type TestServer } from "./harness.js";
import { writeRandomFile } from "./random-file.js";

const CHROMIUM = process.env.HUBBLE_CHROMIUM ?? "/usr/bin/chromium";
const OUT = join(ROOT, "test-output");
let server: TestServer;
let browser: Browser;
let work: string;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium is needed at ${CHROMIUM} (apt-get install chromium; scripts/test.sh installs it)`);
  server = await startServer({ HUBBLE_SSH_PORT: "0" });
  for (const u of ["writer", "reader"]) server.cli(["user", "create", u, "--password", `${u}'s long password`]);
  work = await mkdtemp(join(tmpdir(), "hubble-browser-"));
  await mkdir(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A signed-in browser context, with console errors and failed requests collected. */
async function signIn(user: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    // A Xet dedupe query answers 404 for chunks the CAS does not hold (the protocol's "no"), which
    // Chromium logs as a failed resource: that one is expected, any other is a problem.
    if (m.type() === "error" && !(m.text().startsWith("Failed to load resource") && m.location().url.includes("/xet/v1/chunks/"))) problems.push(`console: ${m.text()} ${m.location().url}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // A favicon fetch the browser abandons because the page navigated on is not a failure of ours.
  page.on("requestfailed", (r) => {
    if (r.failure()?.errorText === "net::ERR_ABORTED" && new URL(r.url()).pathname === "/favicon.svg") return;
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  await page.goto(server.url + "/login");
  await page.getByLabel("Username").fill(user);
  await page.getByLabel("Password").fill(`${user}'s long password`);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
  return { context, page, problems };
}

const api = (path: string, token?: string) => fetch(server.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
async function commitCount(repo: string): Promise<number> {
  const r = await api(`/api/models/${repo}/commits/main`, server.adminToken);
  assert.equal(r.status, 200);
  return ((await r.json()) as unknown[]).length;
}
const sha256 = async (path: string) => createHash("sha256").update(await readFile(path)).digest("hex");

test("create a repo → upload a folder with a 30 MB file from the browser → identical bytes through huggingface_hub", { timeout: 300_000 }, async () => {
  const { context, page, problems } = await signIn("writer");
  await page.getByRole("link", { name: "New model" }).click();
  await page.getByLabel("Model name").fill("uploads");
  await page.getByRole("button", { name: "Create model" }).click();
  await page.waitForURL("**/writer/uploads");

  // Limits are checked before the first byte: a folder holding .git/ is refused with nothing sent.
  const sneaky = join(work, "sneaky");
  await mkdir(join(sneaky, ".git"), { recursive: true });
  await writeFile(join(sneaky, ".git", "config"), "[core]\n");
  await writeFile(join(sneaky, "ok.txt"), "fine\n");
  const sent: string[] = [];
  page.on("request", (r) => {
    if (r.method() !== "GET") sent.push(`${r.method()} ${r.url()}`);
  });
  await page.getByRole("link", { name: "Files and versions" }).click();
  await page.getByText("Add file").click();
  await page.getByRole("link", { name: "Upload files" }).click();
  await page.locator("#folder").setInputFiles(sneaky);
  await page.getByRole("button", { name: "Commit changes" }).click();
  await page.getByRole("alert").filter({ hasText: "a .git folder" }).waitFor();
  assert.equal(sent.length, 0, `nothing was sent for a refused selection: ${sent.join(", ")}`);

  // The real upload: a folder with a 30 MB file (LFS or Xet, as the library decides) and a small one.
  await page.reload();
  const folder = join(work, "bundle");
  await mkdir(folder, { recursive: true });
  const bigSha = await writeRandomFile(join(folder, "model.bin"), 30 * 1024 * 1024);
  await writeFile(join(folder, "config.json"), '{"model_type": "demo"}\n');
  await page.locator("#folder").setInputFiles(folder);
  await page.getByRole("list", { name: "Selected files" }).getByText("bundle/model.bin").waitFor();
  await page.getByLabel("Commit message").fill("Upload a folder from the browser");
  await page.screenshot({ path: join(OUT, "upload.png"), fullPage: true });
  await page.getByRole("button", { name: "Commit changes" }).click();
  await page.waitForURL("**/writer/uploads/tree/main", { timeout: 240_000 });
  await page.getByRole("link", { name: "bundle/" }).waitFor();
  assert.ok(sent.some((s: string) => s.includes("/preupload/")), "the upload went through the preupload API");

  const dl = execFileSync(PYTHON, ["-c", "import sys; from huggingface_hub import hf_hub_download; print(hf_hub_download('writer/uploads', 'bundle/model.bin', cache_dir=sys.argv[1]))", join(work, "hf-cache")], {
    env: { PATH: process.env.PATH, HOME: work, HF_ENDPOINT: server.url, HF_HUB_DISABLE_TELEMETRY: "1" },
    encoding: "utf8",
  }).trim();
  assert.equal(await sha256(dl), bigSha);
  const commits = (await (await api("/api/models/writer/uploads/commits/main")).json()) as { title: string }[];
  assert.equal(commits[0]!.title, "Upload a folder from the browser");
  await context.close();
  assert.deepEqual(problems, []);
});

test("edit README: broken YAML is refused with line and column and nothing is committed; valid YAML is rendered", { timeout: 120_000 }, async () => {
  const { context, page, problems } = await signIn("writer");
  const before = await commitCount("writer/uploads");
  await page.goto(server.url + "/writer/uploads/tree/main");
  await page.getByText("Add file").click();
  await page.getByRole("link", { name: "Create new file" }).click();
  await page.getByLabel("File path").fill("README.md");
  await page.getByLabel("Content").fill("---\nlicense: mit\ntags: [a, b\nlanguage: en\n---\n# Uploads\n");
  await page.getByRole("button", { name: "Commit changes" }).click();
  await page.getByRole("alert").filter({ hasText: "Invalid YAML at line 4" }).waitFor();
  assert.match((await page.getByTestId("error-at").textContent())!, /Line 4, column 1/);
  await page.screenshot({ path: join(OUT, "edit-yaml-error.png"), fullPage: true });
  assert.equal(await commitCount("writer/uploads"), before, "nothing committed");
  // The refused form comes back as a 400 page, which Chromium logs: expected here, and only here.
  assert.deepEqual(problems.splice(0), [`console: Failed to load resource: the server responded with a status of 400 (Bad Request) ${server.url}/writer/uploads/new/main`]);

  await page.getByLabel("Content").fill("---\nlicense: mit\ntags: [demo]\n---\n# Uploads\n\nMade **in the browser**.\n");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("region", { name: "Preview" }).getByRole("heading", { name: "Uploads" }).waitFor();
  assert.equal(await commitCount("writer/uploads"), before, "a preview commits nothing");
  await page.getByRole("button", { name: "Commit changes" }).click();
  await page.waitForURL("**/writer/uploads/blob/main/README.md");
  assert.equal(await commitCount("writer/uploads"), before + 1);
  await page.getByRole("link", { name: "Model card" }).click();
  await page.getByRole("heading", { name: "Uploads", exact: true }).waitFor();
  assert.equal(await page.locator(".sidebar").getByText("mit", { exact: true }).count(), 1);

  // Edit the file again from its page (renaming is a commit too).
  await page.goto(server.url + "/writer/uploads/blob/main/README.md");
  await page.getByRole("link", { name: "edit" }).click();
  assert.match(await page.getByLabel("Content").inputValue(), /Made \*\*in the browser\*\*/);
  await page.getByLabel("Content").fill("---\nlicense: mit\n---\n# Uploads, edited\n");
  await page.getByRole("button", { name: "Commit changes" }).click();
  await page.waitForURL("**/blob/main/README.md");
  const readme = await (await api("/writer/uploads/resolve/main/README.md")).text();
  assert.equal(readme, "---\nlicense: mit\n---\n# Uploads, edited\n", "the file holds what was typed (no CRLF from the textarea)");
  await context.close();
  assert.deepEqual(problems, []);
});

test("settings: private toggle, gated flow between two users, branches, rename with redirect, delete", { timeout: 180_000 }, async () => {
  const owner = await signIn("writer");
  const page = owner.page;
  await page.goto(server.url + "/new");
  await page.getByLabel("Model name").fill("guarded");
  await page.getByRole("button", { name: "Create model" }).click();
  await page.waitForURL("**/writer/guarded");
  await page.getByRole("link", { name: "Settings" }).click();

  // Private: the repo disappears for anyone else, then comes back.
  await page.getByRole("button", { name: "Make it private" }).click();
  await page.getByText("This repository is private.").waitFor();
  assert.equal((await api("/writer/guarded")).status, 404);
  assert.equal((await api("/api/models/writer/guarded")).status, 401);
  await page.getByRole("button", { name: "Make it public" }).click();
  await page.getByText("This repository is public.").waitFor();
  assert.equal((await api("/writer/guarded")).status, 200);

  // A file behind a manual gate.
  const up = await fetch(`${server.url}/api/models/writer/guarded/commit/main`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.cli(["token", "create", "--user", "writer"])}`, "content-type": "application/x-ndjson" },
    body: [{ key: "header", value: { summary: "weights" } }, { key: "file", value: { path: "weights.txt", encoding: "base64", content: Buffer.from("secret weights\n").toString("base64") } }].map((l) => JSON.stringify(l)).join("\n"),
  });
  assert.equal(up.status, 200, await up.text());
  await page.getByLabel("Gated access").selectOption("manual");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("table", { name: "Access requests" }).waitFor();

  const reader = await signIn("reader");
  const file = `${server.url}/writer/guarded/resolve/main/weights.txt`;
  assert.equal((await reader.page.request.get(file)).status(), 403, "gated before the request");
  await reader.page.goto(server.url + "/writer/guarded");
  await reader.page.getByRole("button", { name: "Request access" }).click();
  await reader.page.getByText("awaiting review").waitFor();
  assert.equal((await reader.page.request.get(file)).status(), 403, "pending is not accepted");

  await page.reload();
  await page.getByRole("button", { name: "Accept reader" }).click();
  await page.getByRole("cell", { name: "accepted" }).waitFor();
  const got = await reader.page.request.get(file);
  assert.equal(got.status(), 200);
  assert.equal(await got.text(), "secret weights\n");
  await reader.page.reload();
  await reader.page.getByRole("heading", { name: "You have been granted access to this repository" }).waitFor();
  await reader.context.close();
  assert.deepEqual(reader.problems, []);

  // Branches from the settings page.
  await page.getByLabel("New branch").fill("experiment");
  await page.getByRole("button", { name: "Create branch" }).click();
  await page.getByRole("link", { name: "experiment" }).waitFor();
  await page.getByRole("button", { name: "Delete branch experiment" }).click();
  await page.getByRole("link", { name: "experiment" }).waitFor({ state: "detached" });
  const refs = (await (await api("/api/models/writer/guarded/refs", server.adminToken)).json()) as { branches: { name: string }[] };
  assert.deepEqual(refs.branches.map((b) => b.name), ["main"]);

  // Rename: the old URL redirects to the new one.
  await page.getByLabel("New id (namespace/name)").fill("writer/guarded-v2");
  await page.getByRole("button", { name: "Rename" }).click();
  await page.waitForURL("**/writer/guarded-v2");
  await page.goto(server.url + "/writer/guarded/tree/main");
  assert.match(page.url(), /\/writer\/guarded-v2\/tree\/main$/);

  // Delete with the typed confirmation.
  await page.goto(server.url + "/writer/guarded-v2/settings");
  await page.getByLabel("Type writer/guarded-v2 to confirm").fill("writer/guarded-v2");
  await page.getByRole("button", { name: "Delete writer/guarded-v2" }).click();
  await page.waitForURL(/\/writer$/);
  assert.equal((await api("/writer/guarded-v2")).status, 404);
  await owner.context.close();
  assert.deepEqual(owner.problems, []);
});

test("a pull request from the browser: another user uploads as a PR, reviews Files changed, comments; the owner merges", { timeout: 180_000 }, async () => {
  const token = server.cli(["token", "create", "--user", "writer"]);
  const json = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  assert.equal((await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: json, body: JSON.stringify({ name: "collab" }) })).status, 200);
  const seed = await fetch(`${server.url}/api/models/writer/collab/commit/main`, {
    method: "POST",
    headers: { ...json, "content-type": "application/x-ndjson" },
    body: [{ key: "header", value: { summary: "seed" } }, { key: "file", value: { path: "README.md", encoding: "base64", content: Buffer.from("# Collab\n").toString("base64") } }].map((l) => JSON.stringify(l)).join("\n"),
  });
  assert.equal(seed.status, 200);

  // reader cannot write to writer/collab: the upload page opens a pull request instead.
  const reader = await signIn("reader");
  await reader.page.goto(server.url + "/writer/collab/tree/main");
  await reader.page.getByText("Add file").click();
  await reader.page.getByRole("link", { name: "Upload files" }).click();
  await reader.page.getByText("your change opens a pull request against main").waitFor();
  const notes = join(work, "NOTES.md");
  await writeFile(notes, "Trained on **clean** data.\n");
  await reader.page.locator("#files").setInputFiles(notes);
  await reader.page.getByLabel("Commit message").fill("Add training notes");
  await reader.page.getByRole("button", { name: "Commit changes" }).click();
  await reader.page.waitForURL("**/writer/collab/discussions/1");
  await reader.page.getByRole("heading", { name: "Add training notes #1" }).waitFor();
  assert.equal(await reader.page.getByRole("button", { name: "Merge pull request" }).count(), 0, "no merge button for a non-writer");
  await reader.page.getByRole("link", { name: "Files changed (1)" }).click();
  await reader.page.getByRole("cell", { name: "+Trained on **clean** data." }).waitFor();
  await reader.page.screenshot({ path: join(OUT, "pr-files.png"), fullPage: true });
  await reader.page.getByRole("link", { name: "Conversation" }).click();
  await reader.page.getByLabel("Add a comment").fill("Ready for a look <script>alert(1)</script> *please*");
  await reader.page.getByRole("button", { name: "Comment", exact: true }).click();
  await reader.page.locator("article.comment em", { hasText: "please" }).waitFor();
  assert.equal(await reader.page.locator("article.comment script").count(), 0, "comments are sanitized");
  assert.equal((await (await api("/api/models/writer/collab/revision/main")).json()).sha, (await (await api("/api/models/writer/collab/commits/main")).json())[0].id);
  assert.ok(!((await (await api("/api/models/writer/collab/tree/main")).json()) as { path: string }[]).some((f) => f.path === "NOTES.md"), "main did not move");

  // The owner reviews and merges.
  const owner = await signIn("writer");
  await owner.page.goto(server.url + "/writer/collab/discussions");
  await owner.page.getByRole("link", { name: "Add training notes" }).click();
  await owner.page.getByText("Ready for a look").waitFor();
  await owner.page.getByRole("button", { name: "Merge pull request" }).click();
  await owner.page.getByText("merged this pull request").waitFor();
  await owner.page.screenshot({ path: join(OUT, "pr-merged.png"), fullPage: true });
  const tree = (await (await api("/api/models/writer/collab/tree/main")).json()) as { path: string }[];
  assert.ok(tree.some((f) => f.path === "NOTES.md"), "merged into main");
  await owner.page.goto(server.url + "/writer/collab/discussions?status=closed");
  await owner.page.getByRole("link", { name: "Add training notes" }).waitFor();
  await reader.context.close();
  await owner.context.close();
  assert.deepEqual(reader.problems, []);
  assert.deepEqual(owner.problems, []);
});

test("add an SSH key on its page, then clone over SSH with it", { timeout: 120_000 }, async () => {
  const { context, page, problems } = await signIn("writer");
  const key = join(work, "writer_key");
  const sh = (cmd: string, args: string[], cwd = work) => spawnSync(cmd, args, { cwd, env: { PATH: process.env.PATH, HOME: work, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" }, encoding: "utf8" });
  assert.equal(sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "writer@browser", "-f", key]).status, 0);
  await page.getByRole("link", { name: "SSH keys" }).click();
  await page.getByLabel("Title").fill("browser laptop");
  await page.getByLabel("Public key").fill(await readFile(`${key}.pub`, "utf8"));
  await page.getByRole("button", { name: "Add key" }).click();
  await page.getByRole("cell", { name: "browser laptop", exact: true }).waitFor();
  await context.close();
  assert.deepEqual(problems, []);
  const ssh = `ssh -i ${key} -o IdentitiesOnly=yes -o IdentityAgent=none -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR`;
  const r = spawnSync("git", ["clone", `ssh://git@127.0.0.1:${server.sshPort}/writer/uploads.git`, join(work, "ssh-clone")], { env: { PATH: process.env.PATH, HOME: work, GIT_SSH_COMMAND: ssh, GIT_LFS_SKIP_SMUDGE: "1", GIT_TERMINAL_PROMPT: "0" }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(await readFile(join(work, "ssh-clone", "README.md"), "utf8"), "---\nlicense: mit\n---\n# Uploads, edited\n");
});
