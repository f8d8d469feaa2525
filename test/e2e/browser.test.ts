/**
 * The reading pages in a real browser: playwright-core driving Debian's chromium against a real
 * Hubble. Browse home → repo → files → file → history → commit with role/label locators, no
 * console errors; axe-core on every page type in light and dark (no serious or critical
 * violation); a JavaScript-disabled context reads the same pages. Screenshots go to test-output/.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromium, type Browser, type Page } from "playwright-core";
import { execFileSync } from "node:child_process";
import { PYTHON, ROOT, startServer, type TestServer } from "./harness.js";

const CHROMIUM = process.env.HUBBLE_CHROMIUM ?? "/usr/bin/chromium";
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const OUT = join(ROOT, "test-output");
let server: TestServer;
let browser: Browser;
let collection = "";

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium is needed at ${CHROMIUM} (apt-get install chromium; scripts/test.sh installs it)`);
  server = await startServer();
  const auth = { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" };
  assert.equal((await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: auth, body: JSON.stringify({ name: "tour" }) })).status, 200);
  const lines = [
    { key: "header", value: { summary: "Add the model card and code" } },
    { key: "file", value: { path: "README.md", encoding: "base64", content: Buffer.from("---\nlicense: apache-2.0\nlibrary_name: transformers\ntags: [demo]\n---\n# Tour model\n\nA small model to show **Hubble**, with $E=mc^2$.\n\n| metric | value |\n|---|---|\n| accuracy | 0.91 |\n\nSee [the guide](docs/guide.md).\n").toString("base64") } },
    { key: "file", value: { path: "docs/guide.md", encoding: "base64", content: Buffer.from("# Guide\n").toString("base64") } },
    { key: "file", value: { path: "train.py", encoding: "base64", content: Buffer.from("import torch\n\nprint('training')\n").toString("base64") } },
    { key: "file", value: { path: "data/eval.csv", encoding: "base64", content: Buffer.from("prompt,label\nhello,1\n\"a, b\",0\n").toString("base64") } },
  ];
  const c = await fetch(`${server.url}/api/models/admin/tour/commit/main`, { method: "POST", headers: { ...auth, "content-type": "application/x-ndjson" }, body: lines.map((l) => JSON.stringify(l)).join("\n") + "\n" });
  assert.equal(c.status, 200, await c.text());
  // A gated repo, for its request form.
  assert.equal((await fetch(`${server.url}/api/repos/create`, { method: "POST", headers: auth, body: JSON.stringify({ name: "locked" }) })).status, 200);
  assert.equal((await fetch(`${server.url}/api/models/admin/locked/settings`, { method: "PUT", headers: auth, body: JSON.stringify({ gated: "manual" }) })).status, 200);
  // A discussion and a pull request, for the Community pages.
  assert.equal((await fetch(`${server.url}/api/models/admin/tour/discussions`, { method: "POST", headers: auth, body: JSON.stringify({ title: "How was it trained?", description: "Which **data**?" }) })).status, 200);
  const pr = await fetch(`${server.url}/api/models/admin/tour/commit/main?create_pr=1`, { method: "POST", headers: { ...auth, "content-type": "application/x-ndjson" }, body: [{ key: "header", value: { summary: "Say more in the guide" } }, { key: "file", value: { path: "docs/guide.md", encoding: "base64", content: Buffer.from("# Guide\n\nMore words.\n").toString("base64") } }].map((l) => JSON.stringify(l)).join("\n") });
  assert.equal(pr.status, 200, await pr.text());
  // A collection, for its pages.
  const col = await fetch(`${server.url}/api/collections`, { method: "POST", headers: auth, body: JSON.stringify({ title: "Tour picks", namespace: "admin", description: "What to look at" }) });
  assert.equal(col.status, 200);
  collection = ((await col.json()) as { slug: string }).slug;
  assert.equal((await fetch(`${server.url}/api/collections/${collection}/items`, { method: "POST", headers: auth, body: JSON.stringify({ item: { id: "admin/tour", type: "model" }, note: "Start **here**" }) })).status, 200);
  await mkdir(OUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Collects console errors and failed requests of a page. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // A favicon fetch the browser abandons because the page navigated on is not a failure of ours.
  page.on("requestfailed", (r) => {
    if (r.failure()?.errorText === "net::ERR_ABORTED" && new URL(r.url()).pathname === "/favicon.svg") return;
    problems.push(`request failed: ${r.url()}`);
  });
  return problems;
}

test("browse home → repo → files → file → history → commit, with no console errors", { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const problems = watch(page);
  await page.goto(server.url + "/");
  await page.getByRole("link", { name: "admin/tour" }).click();
  await page.getByRole("heading", { name: "Tour model" }).waitFor();
  assert.equal(await page.locator(".sidebar").getByText("apache-2.0", { exact: true }).count(), 1);
  await page.screenshot({ path: join(OUT, "repo.png"), fullPage: true });
  await page.getByRole("link", { name: "Files and versions" }).click();
  await page.getByRole("table", { name: "Files at main" }).waitFor();
  await page.getByRole("link", { name: "train.py" }).click();
  await page.getByText("print('training')").waitFor();
  assert.match(page.url(), /\/admin\/tour\/blob\/main\/train\.py$/);
  await page.getByRole("link", { name: "History", exact: true }).click();
  await page.getByRole("link", { name: "Add the model card and code" }).click();
  await page.getByRole("heading", { name: "Add the model card and code" }).waitFor();
  assert.match(page.url(), /\/admin\/tour\/commit\/[0-9a-f]{40}$/);
  await page.goto(server.url + "/admin/tour/tree/main");
  await page.screenshot({ path: join(OUT, "tree.png"), fullPage: true });
  await page.close();
  assert.deepEqual(problems, []);
});

test("axe-core on every page type, light and dark: no serious or critical violation", { timeout: 180_000 }, async () => {
  server.cli(["user", "create", "auditor", "--password", "the auditor's long password", "--admin"]);
  const urls = ["/", "/models", "/login", "/admin", "/admin/tour", "/admin/tour/tree/main", "/admin/tour/tree/main/docs", "/admin/tour/blob/main/train.py", "/admin/tour/commits/main", "/admin/no-such-repo", "/admin/tour/blob/main/data/eval.csv", "/admin/tour/blob/main/docs/guide.md", "/models?license=license%3Aapache-2.0", "/admin/locked", "/admin/tour/discussions", "/admin/tour/discussions?status=all", "/admin/tour/discussions/1", "/admin/tour/discussions/2", "/admin/tour/discussions/2/files", "/collections/admin", `/collections/${collection}`];
  const bad: string[] = [];
  for (const scheme of ["light", "dark"] as const) {
    // axe is injected into the page, which the pages' CSP would (rightly) refuse: bypass it here.
    const context = await browser.newContext({ colorScheme: scheme, bypassCSP: true });
    const page = await context.newPage();
    // Signed-in pages too: log in, create a repo through /new, then audit its settings.
    await page.goto(server.url + "/login");
    await page.getByLabel("Username").fill("auditor");
    await page.getByLabel("Password").fill("the auditor's long password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.goto(server.url + "/new");
    await page.getByLabel("Model name").fill(`audit-${scheme}`);
    await page.getByRole("button", { name: "Create model" }).click();
    await page.waitForURL(`**/auditor/audit-${scheme}`);
    const own = `/auditor/audit-${scheme}`;
    if (scheme === "light") {
      await page.goto(server.url + "/organizations/new");
      await page.getByLabel("Organization name (used in URLs)").fill("auditors");
      await page.getByRole("button", { name: "Create organization" }).click();
      await page.waitForURL("**/auditors");
    }
    const signedIn = ["/new", "/settings/tokens", "/settings/keys", "/settings/profile", "/organizations/new", "/organizations/auditors/settings/members", "/settings/admin/users", "/admin/locked"];
    for (const u of [...urls, ...signedIn, `${own}/settings`, `${own}/upload/main`, `${own}/new/main`, `${own}/edit/main/.gitattributes`]) {
      await page.goto(server.url + u);
      await page.addScriptTag({ path: AXE });
      const result = (await page.evaluate(async () => (globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run())) as { violations: { id: string; impact: string; nodes: unknown[] }[] };
      for (const v of result.violations) if (v.impact === "serious" || v.impact === "critical") bad.push(`${scheme} ${u}: ${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
    }
    await context.close();
  }
  assert.deepEqual(bad, []);
});

test("with JavaScript disabled the reading pages, login and settings forms work the same", { timeout: 90_000 }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url + "/admin/tour");
  await page.getByRole("link", { name: "Files and versions" }).click();
  await page.getByRole("link", { name: "docs/" }).click();
  await page.getByRole("link", { name: "guide.md" }).click();
  await page.getByRole("heading", { name: "Guide" }).waitFor();
  await page.getByRole("link", { name: "view code" }).click();
  await page.getByText("# Guide").waitFor();
  await page.goto(server.url + "/models?search=tour");
  assert.equal(await page.getByRole("link", { name: "admin/tour" }).count(), 1);
  // Forms: log in, make a repo, switch it private and back, all without a line of script.
  server.cli(["user", "create", "noscript", "--password", "a long noscript password"]);
  await page.goto(server.url + "/login");
  await page.getByLabel("Username").fill("noscript");
  await page.getByLabel("Password").fill("a long noscript password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
  await page.goto(server.url + "/new");
  await page.getByLabel("Model name").fill("plain");
  await page.getByRole("button", { name: "Create model" }).click();
  await page.waitForURL("**/noscript/plain");
  await page.goto(server.url + "/noscript/plain/settings");
  await page.getByRole("button", { name: "Make it private" }).click();
  await page.getByText("This repository is private.").waitFor();
  assert.equal((await fetch(server.url + "/noscript/plain")).status, 404);
  await page.getByRole("button", { name: "Make it public" }).click();
  await page.getByText("This repository is public.").waitFor();
  await page.goto(server.url + "/settings/profile");
  await page.getByLabel("Full name").fill("No Script");
  await page.getByRole("button", { name: "Save profile" }).click();
  await page.getByText("Profile saved.").waitFor();
  await context.close();
});

test("log in → create a token → use it with huggingface_hub", { timeout: 120_000 }, async () => {
  server.cli(["user", "create", "tourist", "--password", "a long tourist password"]);
  const page = await browser.newPage();
  const problems = watch(page);
  await page.goto(server.url + "/");
  await page.getByRole("link", { name: "Log in" }).click();
  await page.getByLabel("Username").fill("tourist");
  await page.getByLabel("Password").fill("a long tourist password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("link", { name: "Access tokens" }).click();
  await page.getByLabel("Name").fill("notebook");
  await page.getByLabel("Role").selectOption("write");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  await page.screenshot({ path: join(OUT, "tokens.png"), fullPage: true });
  assert.match(token, /^hf_/);
  const who = execFileSync(PYTHON, ["-c", "from huggingface_hub import whoami; w = whoami(); print(w['name'], w['auth']['accessToken']['role'])"], {
    env: { PATH: process.env.PATH, HOME: OUT, HF_ENDPOINT: server.url, HF_TOKEN: token, HF_HUB_DISABLE_TELEMETRY: "1" },
    encoding: "utf8",
  }).trim();
  assert.equal(who, "tourist write");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("link", { name: "Log in" }).waitFor();
  await page.close();
  assert.deepEqual(problems, []);
});
