/**
 * The access matrix: every surface's route × every kind of caller × every kind of repo → the
 * status the one `authorize()` must produce. Repos belong to the org `acme`:
 *   public · private · gated (public, manual approval, nobody approved) · own (private, created by
 *   the contributor, who may write and administer it but not the others).
 * Callers (columns):
 *   anon     no credential
 *   outsider write token of a user outside acme
 *   readTok  read token of an acme `write` member
 *   fgIn     fine-grained token of that member, scoped to org acme (read + write)
 *   fgOut    fine-grained token of that member, scoped to their own namespace only
 *   read / contrib / write / admin   write tokens of acme members with that role
 * Rows: read, download (gated repos ask for approval), discuss (the Community tab: any signed-in
 * user with a write-capable credential who can see the repo), write, admin.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { harness, header, ndjson, file, type Harness } from "./helpers.js";

const CALLERS = ["anon", "outsider", "readTok", "fgIn", "fgOut", "read", "contrib", "write", "admin"] as const;
type Caller = (typeof CALLERS)[number];
type Repo = "public" | "private" | "gated" | "own";
const REPO_NAME: Record<Repo, string> = { public: "pub", private: "priv", gated: "gated", own: "c-own" };

let h: Harness;
const tokens = {} as Record<Caller, string | null>;
let seq = 0;

/** One request per route; `r` is `acme/<name>`. */
const ROUTES: Record<string, (r: string, repo: Repo) => { method: "GET" | "POST" | "PUT"; url: string; payload?: unknown; headers?: Record<string, string> }> = {
  "repo info": (r) => ({ method: "GET", url: `/api/models/${r}` }),
  "tree": (r) => ({ method: "GET", url: `/api/models/${r}/tree/main` }),
  "refs": (r) => ({ method: "GET", url: `/api/models/${r}/refs` }),
  "commits": (r) => ({ method: "GET", url: `/api/models/${r}/commits/main` }),
  "paths-info": (r) => ({ method: "POST", url: `/api/models/${r}/paths-info/main`, payload: { paths: [".gitattributes"] } }),
  "resolve": (r) => ({ method: "GET", url: `/${r}/resolve/main/.gitattributes` }),
  "raw": (r) => ({ method: "GET", url: `/${r}/raw/main/.gitattributes` }),
  "auth-check": (r) => ({ method: "GET", url: `/api/models/${r}/auth-check` }),
  "lfs download": (r) => ({ method: "POST", url: `/${r}.git/info/lfs/objects/batch`, payload: { operation: "download", objects: [{ oid: "a".repeat(64), size: 1 }] }, headers: { "content-type": "application/vnd.git-lfs+json" } }),
  "lfs locks list": (r) => ({ method: "GET", url: `/${r}.git/info/lfs/locks` }),
  "xet read token": (r) => ({ method: "GET", url: `/api/models/${r}/xet-read-token/main` }),
  "git fetch": (r) => ({ method: "GET", url: `/${r}.git/info/refs?service=git-upload-pack` }),
  "auth-check write": (r) => ({ method: "GET", url: `/api/models/${r}/auth-check/write` }),
  "commit": (r) => ({ method: "POST", url: `/api/models/${r}/commit/main`, payload: ndjson(header("m"), file(`f${++seq}.txt`, `x${seq}`)), headers: { "content-type": "application/x-ndjson" } }),
  "branch create": (r) => ({ method: "POST", url: `/api/models/${r}/branch/b${++seq}`, payload: {} }),
  "tag create": (r) => ({ method: "POST", url: `/api/models/${r}/tag/main`, payload: { tag: `t${++seq}` } }),
  "lfs lock create": (r) => ({ method: "POST", url: `/${r}.git/info/lfs/locks`, payload: { path: `l${++seq}.bin` }, headers: { "content-type": "application/vnd.git-lfs+json" } }),
  "preupload": (r) => ({ method: "POST", url: `/api/models/${r}/preupload/main`, payload: { files: [{ path: "a.bin", size: 4, sample: "AAAA" }] } }),
  "lfs upload": (r) => ({ method: "POST", url: `/${r}.git/info/lfs/objects/batch`, payload: { operation: "upload", ref: { name: "refs/heads/main" }, objects: [{ oid: "b".repeat(64), size: 1 }] }, headers: { "content-type": "application/vnd.git-lfs+json" } }),
  "xet write token": (r) => ({ method: "GET", url: `/api/models/${r}/xet-write-token/main` }),
  "git push": (r) => ({ method: "GET", url: `/${r}.git/info/refs?service=git-receive-pack` }),
  // The Community tab: open a discussion, open a PR with a commit (and what it uploads first).
  "discussion create": (r) => ({ method: "POST", url: `/api/models/${r}/discussions`, payload: { title: `Question ${++seq}`, description: "Why?" } }),
  "commit create_pr": (r) => ({ method: "POST", url: `/api/models/${r}/commit/main?create_pr=1`, payload: ndjson(header("proposal"), file(`p${++seq}.txt`, `p${seq}`)), headers: { "content-type": "application/x-ndjson" } }),
  "preupload create_pr": (r) => ({ method: "POST", url: `/api/models/${r}/preupload/main?create_pr=1`, payload: { files: [{ path: "a.bin", size: 4, sample: "AAAA" }] } }),
  "lfs upload (no ref)": (r) => ({ method: "POST", url: `/${r}.git/info/lfs/objects/batch`, payload: { operation: "upload", objects: [{ oid: "b".repeat(64), size: 1 }] }, headers: { "content-type": "application/vnd.git-lfs+json" } }),
  "xet write token create_pr": (r) => ({ method: "GET", url: `/api/models/${r}/xet-write-token/None?create_pr=1` }),
  "access requests": (r) => ({ method: "GET", url: `/api/models/${r}/user-access-request/pending` }),
  "lfs files list": (r) => ({ method: "GET", url: `/api/models/${r}/lfs-files` }),
  "lfs files delete (admin)": (r) => ({ method: "POST", url: `/api/models/${r}/lfs-files/batch`, payload: { deletions: { sha: ["c".repeat(64)], rewriteHistory: true } } }),
  "settings (admin)": (r, repo) => ({ method: "PUT", url: `/api/models/${r}/settings`, payload: repo === "gated" ? { gated: "manual" } : { private: repo === "private" || repo === "own" } }),
};

// Expected statuses, one row per route × repo, columns in CALLERS order:
//                                   anon outsider readTok fgIn fgOut read contrib write admin
const READ_PUBLIC /*            */ = [200, 200, 200, 200, 200, 200, 200, 200, 200];
const READ_PRIVATE /*           */ = [401, 404, 200, 200, 404, 200, 200, 200, 200];
const DOWNLOAD_GATED /*         */ = [401, 403, 200, 200, 403, 200, 200, 200, 200];
const WRITE_PUBLIC /*           */ = [401, 403, 403, 200, 403, 403, 403, 200, 200];
const WRITE_PRIVATE /*          */ = [401, 404, 403, 200, 404, 403, 403, 200, 200];
const WRITE_OWN /*              */ = [401, 404, 403, 200, 404, 403, 200, 200, 200];
const DISCUSS_PUBLIC /*         */ = [401, 200, 403, 200, 403, 200, 200, 200, 200];
const DISCUSS_PRIVATE /*        */ = [401, 404, 403, 200, 404, 200, 200, 200, 200];
const ADMIN_PUBLIC /*           */ = [401, 403, 403, 403, 403, 403, 403, 403, 200];
const ADMIN_PRIVATE /*          */ = [401, 404, 403, 403, 404, 403, 403, 403, 200];
const ADMIN_OWN /*              */ = [401, 404, 403, 403, 404, 403, 200, 403, 200];

const read = { public: READ_PUBLIC, private: READ_PRIVATE, gated: READ_PUBLIC, own: READ_PRIVATE };
const download = { public: READ_PUBLIC, private: READ_PRIVATE, gated: DOWNLOAD_GATED, own: READ_PRIVATE };
const discuss = { public: DISCUSS_PUBLIC, private: DISCUSS_PRIVATE, gated: DISCUSS_PUBLIC, own: DISCUSS_PRIVATE };
const write = { public: WRITE_PUBLIC, private: WRITE_PRIVATE, gated: WRITE_PUBLIC, own: WRITE_OWN };
/** Where access is granted but the request makes no sense for the repo (listing requests of an ungated repo: 400, as on the Hub). */
const but400 = (row: number[]) => row.map((s) => (s === 200 ? 400 : s));
/** Creations the protocol answers with 201 (git-lfs lock create). */
const but201 = (row: number[]) => row.map((s) => (s === 200 ? 201 : s));
/** Allowed, but the named object is not the repo's (permanent LFS deletion of an unknown oid). */
const but404 = (row: number[]) => row.map((s) => (s === 200 ? 404 : s));
const EXPECTED: Record<keyof typeof ROUTES, Record<Repo, number[]>> = {
  "repo info": read,
  "tree": read,
  "refs": read,
  "commits": read,
  "paths-info": read,
  "resolve": download,
  "raw": download,
  "auth-check": download,
  "lfs download": download,
  "lfs locks list": read,
  "xet read token": download,
  "git fetch": download,
  "auth-check write": write,
  "commit": write,
  "branch create": write,
  "tag create": write,
  "lfs lock create": { public: but201(WRITE_PUBLIC), private: but201(WRITE_PRIVATE), gated: but201(WRITE_PUBLIC), own: but201(WRITE_OWN) },
  "preupload": write,
  "lfs upload": write,
  "xet write token": write,
  "git push": write,
  "discussion create": discuss,
  "commit create_pr": discuss,
  "preupload create_pr": discuss,
  "lfs upload (no ref)": discuss,
  "xet write token create_pr": discuss,
  "access requests": { public: but400(WRITE_PUBLIC), private: but400(WRITE_PRIVATE), gated: WRITE_PUBLIC, own: but400(WRITE_OWN) },
  "lfs files list": write,
  "lfs files delete (admin)": { public: but404(ADMIN_PUBLIC), private: but404(ADMIN_PRIVATE), gated: but404(ADMIN_PUBLIC), own: but404(ADMIN_OWN) },
  "settings (admin)": { public: ADMIN_PUBLIC, private: ADMIN_PRIVATE, gated: ADMIN_PUBLIC, own: ADMIN_OWN },
};

before(async () => {
  h = await harness();
  const { accounts, orgs } = h.hub.services;
  const token = async (user: string, o: Parameters<typeof accounts.createToken>[1] = {}) => (await accounts.createToken(user, o)).token;
  for (const u of ["outsider", "member", "r", "c", "w", "a"]) await accounts.createUser(u);
  await orgs.create("cli", { name: "acme", members: [{ user: "member", role: "write" }, { user: "r", role: "read" }, { user: "c", role: "contributor" }, { user: "w", role: "write" }, { user: "a", role: "admin" }] });
  Object.assign(tokens, {
    anon: null,
    outsider: await token("outsider"),
    readTok: await token("member", { role: "read" }),
    fgIn: await token("member", { role: "fineGrained", fineGrained: { canReadGatedRepos: false, global: [], scoped: [{ entity: { type: "org", name: "acme" }, permissions: ["repo.content.read", "repo.write"] }] } }),
    fgOut: await token("member", { role: "fineGrained", fineGrained: { canReadGatedRepos: false, global: [], scoped: [{ entity: { type: "user", name: "member" }, permissions: ["repo.content.read", "repo.write"] }] } }),
    read: await token("r"),
    contrib: await token("c"),
    write: await token("w"),
    admin: await token("a"),
  });
  const create = async (auth: string, name: string, priv: boolean) => {
    const res = await h.hub.app.inject({ method: "POST", url: "/api/repos/create", headers: { authorization: `Bearer ${auth}` }, payload: { name, organization: "acme", private: priv } });
    assert.equal(res.statusCode, 200, res.body);
  };
  await create(h.token, "pub", false);
  await create(h.token, "priv", true);
  await create(h.token, "gated", false);
  await create(tokens.contrib!, "c-own", true);
  const gated = await h.hub.app.inject({ method: "PUT", url: "/api/models/acme/gated/settings", headers: h.auth, payload: { gated: "manual" } });
  assert.equal(gated.statusCode, 200);
});
after(async () => {
  await h?.close();
});

test("access matrix: every route × caller × repo kind gives the expected status", async () => {
  const wrong: string[] = [];
  let cells = 0;
  for (const [route, build] of Object.entries(ROUTES)) {
    for (const repo of ["public", "private", "gated", "own"] as Repo[]) {
      const expected = EXPECTED[route]![repo];
      for (const [i, caller] of CALLERS.entries()) {
        const req = build(`acme/${REPO_NAME[repo]}`, repo);
        const t = tokens[caller];
        const res = await h.hub.app.inject({ ...req, headers: { ...(req.headers ?? {}), ...(t ? { authorization: `Bearer ${t}` } : {}) } } as never);
        cells++;
        if (res.statusCode !== expected[i]) wrong.push(`${route} · ${repo} · ${caller}: expected ${expected[i]}, got ${res.statusCode} ${res.body.slice(0, 120)}`);
        // A private repo the caller may not see is indistinguishable from a missing one.
        if (res.statusCode === 404 && (repo === "private" || repo === "own") && READ_PRIVATE[i] === 404 && req.url.startsWith("/api/")) {
          if (res.headers["x-error-code"] !== "RepoNotFound") wrong.push(`${route} · ${repo} · ${caller}: 404 without X-Error-Code RepoNotFound`);
        }
        if (res.statusCode === 403 && repo === "gated" && expected === DOWNLOAD_GATED) {
          if (res.headers["x-error-code"] !== "GatedRepo") wrong.push(`${route} · gated · ${caller}: 403 without X-Error-Code GatedRepo`);
        }
      }
    }
  }
  assert.equal(cells, Object.keys(ROUTES).length * 4 * CALLERS.length);
  assert.deepEqual(wrong, []);
});

test("a missing repo answers exactly like a private one the caller cannot see", async () => {
  for (const caller of ["anon", "outsider"] as Caller[]) {
    for (const [route, build] of Object.entries(ROUTES)) {
      const t = tokens[caller];
      const auth = t ? { authorization: `Bearer ${t}` } : {};
      const hidden = build("acme/priv", "private");
      const missing = build("acme/nope", "private");
      const a = await h.hub.app.inject({ ...hidden, headers: { ...(hidden.headers ?? {}), ...auth } } as never);
      const b = await h.hub.app.inject({ ...missing, headers: { ...(missing.headers ?? {}), ...auth } } as never);
      assert.equal(a.statusCode, b.statusCode, `${route} as ${caller}`);
      assert.equal(a.headers["x-error-code"], b.headers["x-error-code"], `${route} as ${caller}`);
    }
  }
});
