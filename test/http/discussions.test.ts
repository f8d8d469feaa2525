/**
 * Pull requests and discussions through the HTTP API, in the shapes huggingface_hub reads: a PR
 * opened by a commit with create_pr=1 from a user who cannot write, commits added to refs/pr/N by
 * its author (and refused for others), threads listed and filtered, comments edited and hidden,
 * renames, close/reopen, merges (fast-forward, merge commit, conflict with nothing moved), and PR
 * numbers distinct under 20 concurrent openers. Runs on SQLite and, in npm test's second phase,
 * on PostgreSQL.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { file, harness, header, ndjson, type Harness } from "./helpers.js";

let h: Harness;
let bob: Record<string, string>;
let carol: Record<string, string>;
let bobRead: Record<string, string>;
before(async () => {
  h = await harness();
  const { accounts } = h.hub.services;
  for (const u of ["bob", "carol"]) await accounts.createUser(u, {});
  bob = { authorization: `Bearer ${(await accounts.createToken("bob", { name: "b", role: "write" })).token}` };
  bobRead = { authorization: `Bearer ${(await accounts.createToken("bob", { name: "r", role: "read" })).token}` };
  carol = { authorization: `Bearer ${(await accounts.createToken("carol", { name: "c", role: "write" })).token}` };
  for (const [name, priv] of [["proj", false], ["hidden", true], ["race", false]] as const) {
    const r = await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: h.auth, payload: { name, private: priv } });
    assert.equal(r.statusCode, 200, r.body);
  }
  await commit("proj", "main", h.auth, ndjson(header("seed"), file("a.txt", "one\ntwo\nthree\n"), file("b.txt", "bee\n")));
});
after(async () => h.close());

type J = Record<string, any>;
const call = async (method: "GET" | "POST" | "PUT", url: string, headers: Record<string, string> = {}, payload?: unknown) => {
  const r = await h.hub.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: r.statusCode, json: (r.body ? JSON.parse(r.body) : null) as J, body: r.body, headers: r.headers };
};
async function commit(repo: string, rev: string, who: Record<string, string>, body: string, query = "") {
  const r = await h.hub.app.inject({ method: "POST", url: `/api/models/admin/${repo}/commit/${encodeURIComponent(rev)}${query}`, headers: { ...who, "content-type": "application/x-ndjson" }, payload: body });
  return { status: r.statusCode, json: JSON.parse(r.body) as J };
}
const head = async (repo: string, rev = "main") => (await call("GET", `/api/models/admin/${repo}/revision/${encodeURIComponent(rev)}`, h.auth)).json.sha as string;
const read = async (repo: string, rev: string, path: string) => (await h.hub.app.inject({ method: "GET", url: `/admin/${repo}/resolve/${encodeURIComponent(rev)}/${path}`, headers: h.auth })).body;

test("a user without write access opens a PR with a commit; its author adds to it, nobody else can", async () => {
  const before = await head("proj");
  const plain = await commit("proj", "main", bob, ndjson(header("direct"), file("c.txt", "c")));
  assert.equal(plain.status, 403, "bob cannot write to main");
  const opened = await commit("proj", "main", bob, ndjson({ key: "header", value: { summary: "Fix the second line", description: "It said two." } }, file("a.txt", "one\n2\nthree\n")), "?create_pr=1");
  assert.equal(opened.status, 200, JSON.stringify(opened.json));
  assert.match(opened.json.pullRequestUrl, /^http:\/\/hub\.test\/admin\/proj\/discussions\/1$/);
  assert.equal(await head("proj"), before, "main did not move");
  assert.equal(await head("proj", "refs/pr/1"), opened.json.commitOid);
  assert.equal(await read("proj", "refs/pr/1", "a.txt"), "one\n2\nthree\n");

  const added = await commit("proj", "refs/pr/1", bob, ndjson(header("And the third"), file("a.txt", "one\n2\n3\n")));
  assert.equal(added.status, 200, JSON.stringify(added.json));
  assert.equal((await commit("proj", "refs/pr/1", carol, ndjson(header("carol's"), file("z.txt", "z")))).status, 403, "carol is not the PR's author");
  assert.equal((await commit("proj", "refs/pr/1", bobRead, ndjson(header("read token"), file("z.txt", "z")))).status, 403, "a read token cannot push");
  assert.equal((await commit("proj", "refs/pr/9", bob, ndjson(header("nothing"), file("z.txt", "z")))).status, 404, "no PR #9");

  const refs = (await call("GET", "/api/models/admin/proj/refs?include_prs=1")).json;
  assert.deepEqual(refs.pullRequests, [{ name: "refs/pr/1", ref: "refs/pr/1", targetCommit: added.json.commitOid }]);
  assert.equal((await call("GET", "/api/models/admin/proj/refs")).json.pullRequests, undefined, "plain listings leave PRs out");

  const d = (await call("GET", "/api/models/admin/proj/discussions/1?diff=1")).json;
  assert.equal(d.title, "Fix the second line");
  assert.equal(d.isPullRequest, true);
  assert.equal(d.status, "open");
  assert.equal(d.author.name, "bob");
  assert.deepEqual(d.repo, { name: "admin/proj", type: "model" });
  assert.equal(d.changes.base, "refs/heads/main");
  assert.deepEqual(d.filesWithConflicts, []);
  assert.deepEqual(d.events.map((e: J) => e.type), ["comment", "commit", "commit"]);
  assert.equal(d.events[0].data.latest.raw, "It said two.");
  assert.match(d.events[0].data.latest.html, /<p>It said two\.<\/p>/);
  assert.deepEqual(d.events.slice(1).map((e: J) => e.data.subject), ["Fix the second line", "And the third"]);
  assert.match(d.diff, /^diff --git a\/a\.txt b\/a\.txt/m);
  assert.match(d.diff, /^-two$/m);
  assert.match(d.diff, /^\+3$/m);
});

test("threads: create, list with filters and paging, comment, edit (history kept), hide, rename, close and reopen", async () => {
  const created = await call("POST", "/api/models/admin/proj/discussions", carol, { title: "  How do I load this?  ", description: "With **which** library?", pullRequest: false });
  assert.equal(created.status, 200, created.body);
  const n = created.json.num as number;
  assert.equal(n, 2, "discussions and PRs share one sequence");
  assert.equal((await call("POST", "/api/models/admin/proj/discussions", carol, { title: "x", description: "too short a title" })).status, 400);
  assert.equal((await call("POST", "/api/models/admin/proj/discussions", {}, { title: "Anonymous", description: "no" })).status, 401);
  assert.equal((await call("POST", "/api/models/admin/proj/discussions", bobRead, { title: "Read token", description: "no" })).status, 403);
  const draft = await call("POST", "/api/models/admin/proj/discussions", carol, { title: "Draft PR", description: "later", pullRequest: true });
  assert.equal(draft.status, 200);

  const all = (await call("GET", "/api/models/admin/proj/discussions")).json;
  assert.equal(all.count, 3);
  assert.equal(all.start, 0);
  assert.deepEqual(all.discussions.map((t: J) => t.num), [3, 2, 1], "newest first");
  assert.deepEqual((await call("GET", "/api/models/admin/proj/discussions?type=pull_request")).json.discussions.map((t: J) => t.num), [3, 1]);
  assert.deepEqual((await call("GET", "/api/models/admin/proj/discussions?type=discussion")).json.discussions.map((t: J) => t.num), [2]);
  assert.deepEqual((await call("GET", "/api/models/admin/proj/discussions?author=carol")).json.discussions.map((t: J) => t.num), [3, 2]);
  assert.deepEqual((await call("GET", "/api/models/admin/proj/discussions?author=nobody")).json.discussions, []);
  const draftDetails = (await call("GET", "/api/models/admin/proj/discussions/3")).json;
  assert.equal(draftDetails.status, "draft");
  assert.equal(await head("proj", "refs/pr/3"), await head("proj"), "a draft PR starts at the target branch");

  const c = await call("POST", `/api/models/admin/proj/discussions/${n}/comment`, bob, { comment: "Use `transformers`." });
  assert.equal(c.status, 200, c.body);
  const id = c.json.newMessage.id as string;
  assert.match(id, /^[0-9a-f]{24}$/);
  assert.equal(c.json.newMessage.type, "comment");
  assert.equal(c.json.newMessage.author.name, "bob");
  assert.equal((await call("POST", `/api/models/admin/proj/discussions/${n}/comment/${id}/edit`, carol, { content: "hijack" })).status, 403, "only its author edits a comment");
  const edited = await call("POST", `/api/models/admin/proj/discussions/${n}/comment/${id}/edit`, bob, { content: "Use `transformers` 5." });
  assert.equal(edited.status, 200, edited.body);
  assert.equal(edited.json.updatedComment.data.edited, true);
  assert.equal(edited.json.updatedComment.data.latest.raw, "Use `transformers` 5.");
  assert.deepEqual(edited.json.updatedComment.data.history.map((v: J) => v.raw), ["Use `transformers`."]);
  const hidden = await call("POST", `/api/models/admin/proj/discussions/${n}/comment/${id}/hide`, h.auth);
  assert.equal(hidden.status, 200, "a repo writer hides any comment");
  assert.equal(hidden.json.updatedComment.data.hidden, true);
  const after = (await call("GET", `/api/models/admin/proj/discussions/${n}`)).json;
  const shown = after.events.find((e: J) => e.id === id);
  assert.ok(!JSON.stringify(shown).includes("transformers"), "a hidden comment's text and history are gone");

  assert.equal((await call("POST", `/api/models/admin/proj/discussions/${n}/title`, bob, { title: "Not bob's" })).status, 403);
  const renamed = await call("POST", `/api/models/admin/proj/discussions/${n}/title`, carol, { title: "Loading with transformers" });
  assert.equal(renamed.status, 200);
  assert.deepEqual(renamed.json.newTitle.data, { from: "How do I load this?", to: "Loading with transformers" });
  const closed = await call("POST", `/api/models/admin/proj/discussions/${n}/status`, carol, { status: "closed", comment: "Solved." });
  assert.equal(closed.status, 200, closed.body);
  assert.equal(closed.json.newStatus.data.status, "closed");
  assert.equal((await call("POST", `/api/models/admin/proj/discussions/${n}/status`, carol, { status: "closed" })).status, 400, "already closed");
  assert.deepEqual((await call("GET", "/api/models/admin/proj/discussions?status=closed")).json.discussions.map((t: J) => t.num), [2]);
  assert.deepEqual((await call("GET", "/api/models/admin/proj/discussions?status=open")).json.discussions.map((t: J) => t.num), [3, 1], "drafts count as open");
  assert.equal((await call("POST", `/api/models/admin/proj/discussions/${n}/status`, carol, { status: "open" })).status, 200);
  const types = (await call("GET", `/api/models/admin/proj/discussions/${n}`)).json.events.map((e: J) => e.type);
  assert.deepEqual(types, ["comment", "comment", "title-change", "comment", "status-change", "status-change"]);
});

test("merge: a writer only; fast-forward, then a merge commit, a conflict refused with its files and nothing moved", async () => {
  assert.equal((await call("POST", "/api/models/admin/proj/discussions/1/merge", bob)).status, 403, "the author cannot merge without write access");
  const before = await head("proj");
  const pr1 = await head("proj", "refs/pr/1");
  const ff = await call("POST", "/api/models/admin/proj/discussions/1/merge", h.auth, { comment: "Thanks!" });
  assert.equal(ff.status, 200, ff.body);
  assert.equal(await head("proj"), pr1, "fast-forward: main is the PR's head");
  assert.notEqual(before, pr1);
  const merged = (await call("GET", "/api/models/admin/proj/discussions/1?diff=1")).json;
  assert.equal(merged.status, "merged");
  assert.equal(merged.changes.mergeCommitId, pr1);
  assert.match(merged.diff, /^-two$/m, "a merged PR still shows everything it brought (both its commits)");
  assert.match(merged.diff, /^\+3$/m);
  assert.equal((await commit("proj", "refs/pr/1", bob, ndjson(header("late"), file("z.txt", "z")))).status, 400, "a merged PR takes no more commits");
  assert.equal((await call("POST", "/api/models/admin/proj/discussions/1/merge", h.auth)).status, 400, "merged once");

  // Two PRs from the same main: one touching b.txt, one touching a.txt's first line (clean merge),
  // one rewriting a.txt's last line differently from main (a conflict).
  const clean = await commit("proj", "main", carol, ndjson(header("Better bee"), file("b.txt", "BEE\n")), "?create_pr=1");
  const clash = await commit("proj", "main", carol, ndjson(header("Other third"), file("a.txt", "one\n2\nTHREE\n")), "?create_pr=1");
  assert.equal(clean.status, 200);
  assert.equal(clash.status, 200);
  const cleanNum = Number(clean.json.pullRequestUrl.split("/").pop());
  const clashNum = Number(clash.json.pullRequestUrl.split("/").pop());
  const moved = await commit("proj", "main", h.auth, ndjson(header("main moves"), file("a.txt", "one\n2\ntres\n")));
  assert.equal(moved.status, 200);

  const conflicts = (await call("GET", `/api/models/admin/proj/discussions/${clashNum}`)).json;
  assert.deepEqual(conflicts.filesWithConflicts, ["a.txt"]);
  const refused = await call("POST", `/api/models/admin/proj/discussions/${clashNum}/merge`, h.auth);
  assert.equal(refused.status, 409, refused.body);
  assert.match(String(refused.headers["x-error-message"]), /a\.txt/);
  assert.equal(await head("proj"), moved.json.commitOid, "nothing moved");
  assert.equal((await call("GET", `/api/models/admin/proj/discussions/${clashNum}`)).json.status, "open");

  const mc = await call("POST", `/api/models/admin/proj/discussions/${cleanNum}/merge`, h.auth);
  assert.equal(mc.status, 200, mc.body);
  const main = await head("proj");
  const c = (await call("GET", `/api/models/admin/proj/commits/main?limit=1`)).json[0];
  assert.equal(c.id, main);
  assert.match(c.title, new RegExp(`^Merge pull request #${cleanNum}`));
  assert.equal(await read("proj", "main", "b.txt"), "BEE\n");
  assert.equal(await read("proj", "main", "a.txt"), "one\n2\ntres\n", "main's own change is kept");
});

test("a private repo's discussions do not exist for outsiders; a closed Community tab takes no new threads", async () => {
  assert.equal((await call("POST", "/api/models/admin/hidden/discussions", h.auth, { title: "Internal", description: "x" })).status, 200);
  assert.equal((await call("GET", "/api/models/admin/hidden/discussions", bob)).status, 404);
  assert.equal((await call("GET", "/api/models/admin/hidden/discussions/1", bob)).status, 404);
  assert.equal((await call("GET", "/api/models/admin/hidden/discussions/1")).status, 401);
  assert.equal((await call("POST", "/api/models/admin/hidden/discussions/1/comment", bob, { comment: "hi" })).status, 404);
  assert.equal((await commit("hidden", "main", bob, ndjson(header("pr"), file("x.txt", "x")), "?create_pr=1")).status, 404);
  const off = await call("PUT", "/api/models/admin/race/settings", h.auth, { discussionsDisabled: true });
  assert.equal(off.status, 200, off.body);
  assert.equal((await call("POST", "/api/models/admin/race/discussions", bob, { title: "Closed tab", description: "x" })).status, 403);
  assert.equal((await commit("race", "main", bob, ndjson(header("pr"), file("x.txt", "x")), "?create_pr=1")).status, 403);
  assert.equal((await call("PUT", "/api/models/admin/race/settings", h.auth, { discussionsDisabled: false })).status, 200);
});

test("20 concurrent writers opening PRs on one repo get 20 distinct numbers", async () => {
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => commit("race", "main", i % 2 ? bob : carol, ndjson(header(`Proposal ${i}`), file(`p${i}.txt`, `p${i}`)), "?create_pr=1")),
  );
  assert.ok(results.every((r) => r.status === 200), JSON.stringify(results.filter((r) => r.status !== 200)));
  const nums = results.map((r) => Number(r.json.pullRequestUrl.split("/").pop()));
  assert.equal(new Set(nums).size, 20);
  const refs = (await call("GET", "/api/models/admin/race/refs?include_prs=1")).json.pullRequests as J[];
  assert.equal(refs.length, 20);
  for (const [i, r] of results.entries()) assert.equal(refs.find((p) => p.ref === `refs/pr/${nums[i]}`)?.targetCommit, r.json.commitOid);
  // Pages of 50, as huggingface_hub pages them (p=0, 1 … until start + page ≥ count).
  for (let i = 0; i < 31; i++) assert.equal((await call("POST", "/api/models/admin/race/discussions", carol, { title: `Thread ${i}`, description: "x" })).status, 200);
  const first = (await call("GET", "/api/models/admin/race/discussions?p=0")).json;
  const second = (await call("GET", "/api/models/admin/race/discussions?p=1")).json;
  assert.equal(first.count, 51);
  assert.equal(first.discussions.length, 50);
  assert.equal(second.start, 50);
  assert.deepEqual(second.discussions.map((t: J) => t.num), [1]);
});

test("a gated repo's PR diff is content: only those past the gate see it", async () => {
  assert.equal((await call("POST", "/api/repos/create", h.auth, { name: "gated-prs" })).status, 200);
  assert.equal((await commit("gated-prs", "main", h.auth, ndjson(header("seed"), file("secret.txt", "the secret\n")))).status, 200);
  assert.equal((await call("PUT", "/api/models/admin/gated-prs/settings", h.auth, { gated: "manual" })).status, 200);
  const pr = await commit("gated-prs", "main", h.auth, ndjson(header("Change the secret"), file("secret.txt", "another secret\n")), "?create_pr=1");
  assert.equal(pr.status, 200);
  const outsider = (await call("GET", "/api/models/admin/gated-prs/discussions/1?diff=1", bob)).json;
  assert.equal(outsider.title, "Change the secret", "the thread itself is public");
  assert.equal(outsider.diff, undefined, "no patch past the gate");
  assert.equal((await h.hub.app.inject({ method: "GET", url: "/admin/gated-prs/discussions/1/files", headers: bob })).statusCode, 403);
  const owner = (await call("GET", "/api/models/admin/gated-prs/discussions/1?diff=1", h.auth)).json;
  assert.match(owner.diff, /\+another secret/);
});
