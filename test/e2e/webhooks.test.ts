/**
 * Webhooks end to end: a real Hubble process (HUBBLE_WEBHOOK_ALLOW=127.0.0.1), a receiver on
 * 127.0.0.1 checking the secret, the webhook managed with huggingface_hub (create, list, get,
 * update, disable/enable, delete), events from a git push, an API commit, a PR opened by another
 * user, a comment and the merge; then the receiver goes down, an event happens, Hubble restarts,
 * the receiver comes back — and the event arrives.
 */
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PYTHON, startServer, type TestServer } from "./harness.js";

const SECRET = "webhook-secret-123";
const ENV = { HUBBLE_WEBHOOK_ALLOW: "127.0.0.1" };
let server: TestServer;
let data: string;
let work: string;
let receiver: Server;
let port = 0;
const received: { scope: string; action: string; body: Record<string, any> }[] = [];
const wrongSecret: string[] = [];
let carolToken = "";

function listen(p: number): Promise<void> {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (req.headers["x-webhook-secret"] !== SECRET) wrongSecret.push(String(req.headers["x-webhook-secret"]));
      const b = JSON.parse(body);
      received.push({ scope: b.event.scope, action: b.event.action, body: b });
      res.end();
    });
  });
  return new Promise((ok) => receiver.listen(p, "127.0.0.1", () => ok()));
}

/** Runs Python with the stock client against the server; returns stdout. */
function py(code: string, token = server.adminToken): string {
  const r = spawnSync(PYTHON, ["-c", `from huggingface_hub import *\nfrom huggingface_hub.hf_api import WebhookWatchedItem\napi = HfApi()\n${code}`], {
    env: { PATH: process.env.PATH, HOME: work, HF_ENDPOINT: server.url, HF_TOKEN: token, HF_HUB_DISABLE_TELEMETRY: "1", HF_HUB_DISABLE_XET: "1" },
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; received: ${received.map((r) => `${r.scope}:${r.action}`).join(", ")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  await listen(0);
  port = (receiver.address() as AddressInfo).port;
  data = await mkdtemp(join(tmpdir(), "hubble-webhooks-"));
  work = await mkdtemp(join(tmpdir(), "hubble-webhooks-work-"));
  server = await startServer(ENV, { data });
  server.cli(["user", "create", "carol"]);
  carolToken = server.cli(["token", "create", "--user", "carol"]);
});
after(async () => {
  await server?.stop();
  await new Promise((ok) => receiver.close(ok));
  await rm(data, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

test("webhook API through huggingface_hub; a push, a commit, a PR opened, commented and merged all arrive with the secret", { timeout: 180_000 }, async () => {
  py(`api.create_repo("admin/hooked")`);
  const id = py(`w = api.create_webhook(watched=[WebhookWatchedItem(type="user", name="admin")], url="http://127.0.0.1:${port}/hook", secret="${SECRET}"); print(w.id)`);
  assert.match(id, /^[0-9a-f]{24}$/);
  assert.equal(py(`print([w.id for w in api.list_webhooks()])`), `['${id}']`);
  assert.equal(py(`w = api.update_webhook("${id}", watched=[WebhookWatchedItem(type="model", name="admin/hooked")], domains=["repo", "discussion"]); print(w.watched[0].name, w.domains)`), "admin/hooked ['repo', 'discussion']");
  assert.equal(py(`print(api.disable_webhook("${id}").disabled, api.enable_webhook("${id}").disabled, api.get_webhook("${id}").secret)`), `True False ${SECRET}`);

  // A git push.
  const clone = join(work, "hooked");
  const git = (args: string[], cwd = work) => {
    const r = spawnSync("git", args, { cwd, env: { PATH: process.env.PATH, HOME: work, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  git(["clone", "-q", `${server.url.replace("http://", `http://admin:${server.adminToken}@`)}/admin/hooked`, clone]);
  await writeFile(join(clone, "pushed.txt"), "pushed\n");
  git(["add", "-A"], clone);
  git(["-c", "user.name=T", "-c", "user.email=t@e", "commit", "-qm", "pushed"], clone);
  git(["push", "-q", "origin", "main"], clone);
  const pushed = git(["rev-parse", "HEAD"], clone).trim();
  await until("the push", () => received.some((r) => r.body.updatedRefs?.[0]?.newSha === pushed));

  // An API commit, then carol's PR, a comment and the merge.
  const committed = py(`print(api.upload_file(path_or_fileobj=b"api", path_in_repo="api.txt", repo_id="admin/hooked").oid)`);
  py(`api.upload_file(path_or_fileobj=b"carol", path_in_repo="carol.txt", repo_id="admin/hooked", create_pr=True, commit_message="Carol's proposal")`, carolToken);
  py(`api.comment_discussion("admin/hooked", 1, "Thanks, merging")`);
  py(`api.merge_pull_request("admin/hooked", 1)`);
  await until("the merge", () => received.some((r) => r.scope === "discussion" && r.body.discussion?.status === "merged"));
  const seq = received.map((r) => `${r.scope}:${r.action}`);
  assert.deepEqual(seq, ["repo.content:update", "repo.content:update", "repo.content:update", "discussion:create", "discussion.comment:create", "repo.content:update", "discussion:update"]);
  assert.equal(received[0]!.body.updatedRefs[0].ref, "refs/heads/main");
  assert.equal(received[0]!.body.repo.headSha, pushed);
  assert.equal(received[1]!.body.repo.headSha, committed);
  assert.equal(received[2]!.body.updatedRefs[0].ref, "refs/pr/1");
  assert.equal(received[3]!.body.discussion.title, "Carol's proposal");
  assert.equal(received[4]!.body.comment.content, "Thanks, merging");
  assert.ok(received.every((r) => r.body.webhook.id === id && r.body.webhook.version === 3));
  assert.deepEqual(wrongSecret, []);
});

test("the receiver down, Hubble restarted meanwhile: the event still arrives once the receiver is back", { timeout: 180_000 }, async () => {
  await new Promise((ok) => receiver.close(ok));
  const before = received.length;
  const oid = py(`print(api.upload_file(path_or_fileobj=b"while down", path_in_repo="down.txt", repo_id="admin/hooked").oid)`);
  // Let the leader try (and fail) at least once, then restart Hubble on the same data.
  await new Promise((r) => setTimeout(r, 1500));
  const log = JSON.parse(py(`import json\nfrom huggingface_hub.utils import get_session\nprint(json.dumps(get_session().get(api.endpoint + "/api/settings/webhooks/" + api.list_webhooks()[0].id + "/deliveries", headers=api._build_hf_headers()).json()))`)) as { status: string; attempts: number; lastError: string | null }[];
  assert.equal(log[0]!.status, "pending");
  assert.ok(log[0]!.attempts >= 1, "it was tried while the receiver was down");
  await server.stop();
  server = await startServer(ENV, { data });
  await listen(port);
  await until("the event queued before the restart", () => received.slice(before).some((r) => r.body.repo.headSha === oid));
  assert.equal(received.length - before, 1, "exactly once");
  py(`api.delete_webhook(api.list_webhooks()[0].id); assert api.list_webhooks() == []`);
});
