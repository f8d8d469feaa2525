/**
 * Accounts end to end in process: registration, password sessions and their throttling, site
 * administration (disable, delete), fine-grained tokens, organization members, the SSH key API's
 * validation, named regressions for the holes of the hub this project started from, and logs
 * that never hold a secret.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.js";
import { bootstrapAdmin, createHubble, type Hubble } from "../../src/main.js";
import { harness, type Harness } from "./helpers.js";

let h: Harness;
let hub: Hubble;
let keys: string;
before(async () => {
  h = await harness({ HUBBLE_REGISTRATION: "open" });
  hub = h.hub;
  keys = await mkdtemp(join(tmpdir(), "hubble-keys-"));
});
after(async () => {
  await h?.close();
  await rm(keys, { recursive: true, force: true });
});

type Inject = { method: "GET" | "POST" | "PUT" | "DELETE"; url: string; payload?: unknown; headers?: Record<string, string> };
const call = (r: Inject) => hub.app.inject(r as never);
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers["set-cookie"]).split(";")[0]!;

test("register, log in, use the session, log out", async () => {
  const reg = await call({ method: "POST", url: "/api/register", payload: { username: "erin", email: "erin@example.com", password: "correct horse battery" } });
  assert.equal(reg.statusCode, 201, reg.body);
  assert.ok(!reg.body.includes("correct horse"), "the password is never echoed");
  assert.equal((await call({ method: "POST", url: "/api/register", payload: { username: "erin", email: "e2@example.com", password: "another password" } })).statusCode, 409);
  assert.equal((await call({ method: "POST", url: "/api/register", payload: { username: "frank", email: "not-an-email", password: "long enough pw" } })).statusCode, 400);
  assert.equal((await call({ method: "POST", url: "/api/register", payload: { username: "frank", email: "f@example.com", password: "short" } })).statusCode, 400);
  assert.equal((await call({ method: "POST", url: "/api/register", payload: { username: "../x", email: "f@example.com", password: "long enough pw" } })).statusCode, 400);

  const login = await call({ method: "POST", url: "/api/login", payload: { username: "erin", password: "correct horse battery" } });
  assert.equal(login.statusCode, 200, login.body);
  const setCookie = String(login.headers["set-cookie"]);
  assert.match(setCookie, /^hubble_session=hbs_[\w-]{40,}; Path=\/; HttpOnly; SameSite=Lax/);
  const cookie = cookieOf(login);
  const me = await call({ method: "GET", url: "/api/whoami-v2", headers: { cookie } });
  assert.equal(me.statusCode, 200);
  assert.equal(me.json().name, "erin");
  // A session can do what the user can: create a repo, mint a token.
  assert.equal((await call({ method: "POST", url: "/api/repos/create", headers: { cookie }, payload: { name: "from-session" } })).statusCode, 200);
  const minted = await call({ method: "POST", url: "/api/settings/tokens", headers: { cookie }, payload: { name: "cli", role: "write" } });
  assert.equal(minted.statusCode, 200);

  assert.equal((await call({ method: "POST", url: "/api/logout", headers: { cookie } })).statusCode, 200);
  assert.equal((await call({ method: "GET", url: "/api/whoami-v2", headers: { cookie } })).statusCode, 401, "the session is gone");
  assert.equal((await call({ method: "GET", url: "/api/whoami-v2", headers: { cookie: "hubble_session=hbs_forged" } })).statusCode, 401);
  // A bad bearer token never falls back to the cookie.
  const again = cookieOf(await call({ method: "POST", url: "/api/login", payload: { username: "erin", password: "correct horse battery" } }));
  assert.equal((await call({ method: "GET", url: "/api/whoami-v2", headers: { cookie: again, ...bearer("hf_notarealtokennotarealtoken") } })).statusCode, 401);
});

test("registration is closed unless the config opens it", async () => {
  const data = await mkdtemp(join(tmpdir(), "hubble-closed-"));
  const closed = await createHubble(loadConfig({ data }, {}));
  try {
    const r = await closed.app.inject({ method: "POST", url: "/api/register", payload: { username: "zed", email: "z@example.com", password: "long enough pw" } });
    assert.equal(r.statusCode, 403);
    assert.match(r.headers["x-error-message"] as string, /Registration is disabled/);
  } finally {
    await closed.close();
    await rm(data, { recursive: true, force: true });
  }
});

test("brute-force login is throttled, for unknown users too, and the lock holds for the right password", async () => {
  await hub.services.accounts.createUser("gina", { password: "gina's real password" });
  const attempt = (username: string, password: string) => call({ method: "POST", url: "/api/login", payload: { username, password } });
  const codes: number[] = [];
  for (let i = 0; i < 7; i++) codes.push((await attempt("gina", `guess ${i}`)).statusCode);
  assert.deepEqual(codes, [401, 401, 401, 401, 429, 429, 429]);
  const locked = await attempt("gina", "gina's real password");
  assert.equal(locked.statusCode, 429, "while locked, even the right password is refused");
  assert.ok(Number(locked.headers["retry-after"]) >= 1);
  // Same answers for a name that does not exist: no user enumeration.
  const ghost: number[] = [];
  for (let i = 0; i < 5; i++) ghost.push((await attempt("nobody-here", "x".repeat(10))).statusCode);
  assert.deepEqual(ghost, [401, 401, 401, 401, 429]);
  assert.equal((await attempt("gina", "x".repeat(2000))).statusCode, 400, "absurd passwords are refused before scrypt");
});

test("site admin disables and deletes users; their tokens, sessions and keys stop at once", async () => {
  const { accounts } = hub.services;
  await accounts.createUser("hank", { password: "hank's password" });
  const hankToken = (await accounts.createToken("hank", { role: "write" })).token;
  const session = cookieOf(await call({ method: "POST", url: "/api/login", payload: { username: "hank", password: "hank's password" } }));
  assert.equal((await call({ method: "GET", url: "/api/whoami-v2", headers: bearer(hankToken) })).statusCode, 200);

  // Only a site admin, with their own token (there is no shared admin secret).
  assert.equal((await call({ method: "PUT", url: "/api/admin/users/hank", headers: bearer(hankToken), payload: { disabled: true } })).statusCode, 403);
  assert.equal((await call({ method: "PUT", url: "/api/admin/users/hank", headers: h.auth, payload: { disabled: "yes" } })).statusCode, 400);
  const dis = await call({ method: "PUT", url: "/api/admin/users/hank", headers: h.auth, payload: { disabled: true } });
  assert.equal(dis.statusCode, 200);
  assert.equal(dis.json().disabled, true);
  assert.equal((await call({ method: "GET", url: "/api/whoami-v2", headers: bearer(hankToken) })).statusCode, 401);
  assert.equal((await call({ method: "GET", url: "/api/whoami-v2", headers: { cookie: session } })).statusCode, 401);
  assert.equal((await call({ method: "POST", url: "/api/login", payload: { username: "hank", password: "hank's password" } })).statusCode, 403);
  assert.equal((await call({ method: "PUT", url: "/api/admin/users/hank", headers: h.auth, payload: { disabled: false } })).statusCode, 200);
  assert.equal((await call({ method: "GET", url: "/api/whoami-v2", headers: bearer(hankToken) })).statusCode, 200, "re-enabled");

  // Delete: refused while the user owns repos, then the token of the deleted user is refused.
  assert.equal((await call({ method: "POST", url: "/api/repos/create", headers: bearer(hankToken), payload: { name: "r" } })).statusCode, 200);
  assert.equal((await call({ method: "DELETE", url: "/api/admin/users/hank", headers: h.auth })).statusCode, 409);
  assert.equal((await call({ method: "DELETE", url: "/api/repos/delete", headers: bearer(hankToken), payload: { name: "r" } })).statusCode, 200);
  assert.equal((await call({ method: "DELETE", url: "/api/admin/users/hank", headers: h.auth })).statusCode, 200);
  assert.equal((await call({ method: "GET", url: "/api/whoami-v2", headers: bearer(hankToken) })).statusCode, 401, "tokens of deleted users are refused");
  assert.equal((await call({ method: "DELETE", url: "/api/admin/users/hank", headers: h.auth })).statusCode, 404);
  assert.equal((await call({ method: "DELETE", url: "/api/admin/users/admin", headers: h.auth })).statusCode, 400, "no self-deletion");

  const made = await call({ method: "POST", url: "/api/admin/users", headers: h.auth, payload: { username: "ivy", email: "ivy@example.com", password: "ivy's password" } });
  assert.equal(made.statusCode, 201);
  assert.equal((await call({ method: "POST", url: "/api/login", payload: { username: "ivy", password: "ivy's password" } })).statusCode, 200);
});

test("fine-grained tokens: validated scopes, the Hub's whoami shape, and no account management", async () => {
  const { accounts } = hub.services;
  await accounts.createUser("jo");
  const jo = (await accounts.createToken("jo", { role: "write" })).token;
  assert.equal((await call({ method: "POST", url: "/api/repos/create", headers: bearer(jo), payload: { name: "mine", private: true } })).statusCode, 200);
  const bad = [
    { role: "fineGrained", fineGrained: { scoped: [{ entity: { type: "galaxy", name: "jo" }, permissions: ["repo.write"] }] } },
    { role: "fineGrained", fineGrained: { scoped: [{ entity: { type: "model", name: "jo/mine" }, permissions: ["repo.destroy"] }] } },
    { role: "fineGrained", fineGrained: { scoped: [{ entity: { type: "model", name: "jo/absent" }, permissions: ["repo.content.read"] }] } },
    { role: "fineGrained", fineGrained: { scoped: [{ entity: { type: "model", name: "../etc" }, permissions: ["repo.content.read"] }] } },
  ];
  for (const payload of bad) assert.equal((await call({ method: "POST", url: "/api/settings/tokens", headers: bearer(jo), payload })).statusCode, 400, JSON.stringify(payload));
  const made = await call({ method: "POST", url: "/api/settings/tokens", headers: bearer(jo), payload: { name: "ci", role: "fineGrained", fineGrained: { scoped: [{ entity: { type: "model", name: "jo/mine" }, permissions: ["repo.content.read"] }] } } });
  assert.equal(made.statusCode, 200, made.body);
  const fg = made.json().token as string;
  const who = (await call({ method: "GET", url: "/api/whoami-v2", headers: bearer(fg) })).json();
  assert.equal(who.auth.accessToken.role, "fineGrained");
  assert.deepEqual(who.auth.accessToken.fineGrained.scoped, [{ entity: { type: "model", name: "jo/mine" }, permissions: ["repo.content.read"] }]);
  assert.equal((await call({ method: "GET", url: "/api/models/jo/mine", headers: bearer(fg) })).statusCode, 200);
  assert.equal((await call({ method: "GET", url: "/api/models/jo/mine/auth-check/write", headers: bearer(fg) })).statusCode, 403, "read-only scope");
  assert.equal((await call({ method: "POST", url: "/api/repos/create", headers: bearer(fg), payload: { name: "other" } })).statusCode, 403, "no repo.write on the namespace");
  assert.equal((await call({ method: "POST", url: "/api/settings/tokens", headers: bearer(fg), payload: { role: "write" } })).statusCode, 403, "cannot mint tokens");
  assert.equal((await call({ method: "POST", url: "/api/organizations/new", headers: bearer(fg), payload: { name: "jo-org" } })).statusCode, 403);
  const listed = (await call({ method: "GET", url: "/api/models?author=jo", headers: bearer(fg) })).json();
  assert.deepEqual(listed.map((r: { id: string }) => r.id), [], "a repo-scoped token lists no private repos");
});

test("organizations: create, add members directly, change roles, keep an admin", async () => {
  const { accounts } = hub.services;
  for (const u of ["kim", "lee"]) await accounts.createUser(u);
  const kim = (await accounts.createToken("kim", { role: "write" })).token;
  const lee = (await accounts.createToken("lee", { role: "write" })).token;
  const made = await call({ method: "POST", url: "/api/organizations/new", headers: bearer(kim), payload: { name: "lab", fullname: "The Lab" } });
  assert.equal(made.statusCode, 201, made.body);
  assert.equal((await call({ method: "POST", url: "/api/organizations/new", headers: bearer(lee), payload: { name: "lab" } })).statusCode, 409);
  assert.equal((await call({ method: "PUT", url: "/api/organizations/lab/members/lee", headers: bearer(lee), payload: { role: "admin" } })).statusCode, 403, "not an admin of lab");
  assert.equal((await call({ method: "PUT", url: "/api/organizations/lab/members/lee", headers: bearer(kim), payload: { role: "owner" } })).statusCode, 400);
  assert.equal((await call({ method: "PUT", url: "/api/organizations/lab/members/nobody", headers: bearer(kim), payload: { role: "read" } })).statusCode, 404);
  assert.equal((await call({ method: "PUT", url: "/api/organizations/lab/members/lee", headers: bearer(kim), payload: { role: "read" } })).statusCode, 200);
  // lee (read) sees lab's private repos but cannot create one; as contributor they can.
  assert.equal((await call({ method: "POST", url: "/api/repos/create", headers: bearer(kim), payload: { name: "p", organization: "lab", private: true } })).statusCode, 200);
  assert.equal((await call({ method: "GET", url: "/api/models/lab/p", headers: bearer(lee) })).statusCode, 200);
  assert.equal((await call({ method: "POST", url: "/api/repos/create", headers: bearer(lee), payload: { name: "q", organization: "lab" } })).statusCode, 403);
  assert.equal((await call({ method: "PUT", url: "/api/organizations/lab/members/lee", headers: bearer(kim), payload: { role: "contributor" } })).statusCode, 200);
  assert.equal((await call({ method: "POST", url: "/api/repos/create", headers: bearer(lee), payload: { name: "q", organization: "lab" } })).statusCode, 200);

  const members = (await call({ method: "GET", url: "/api/organizations/lab/members", headers: bearer(kim) })).json();
  assert.deepEqual(members.map((m: { user: string; role: string }) => [m.user, m.role]), [["kim", "admin"], ["lee", "contributor"]]);
  const publicView = (await call({ method: "GET", url: "/api/organizations/lab/members" })).json();
  assert.ok(publicView.every((m: { role?: string }) => m.role === undefined), "roles are for members only");
  assert.equal((await call({ method: "GET", url: "/api/organizations/lab/overview" })).json().numUsers, 2);
  const who = (await call({ method: "GET", url: "/api/whoami-v2", headers: bearer(lee) })).json();
  assert.deepEqual(who.orgs.map((o: { name: string; roleInOrg: string }) => [o.name, o.roleInOrg]), [["lab", "contributor"]]);

  assert.equal((await call({ method: "PUT", url: "/api/organizations/lab/members/kim", headers: bearer(kim), payload: { role: "write" } })).statusCode, 409, "the last admin cannot step down");
  assert.equal((await call({ method: "DELETE", url: "/api/organizations/lab/members/kim", headers: bearer(kim) })).statusCode, 409, "nor leave");
  assert.equal((await call({ method: "DELETE", url: "/api/organizations/lab/members/lee", headers: bearer(lee) })).statusCode, 200, "a member may leave");
  assert.equal((await call({ method: "GET", url: "/api/models/lab/p", headers: bearer(lee) })).statusCode, 404, "and then sees nothing private");
});

test("SSH key API: validation, fingerprints, duplicates, ownership", async () => {
  const { accounts } = hub.services;
  for (const u of ["mo", "ned"]) await accounts.createUser(u);
  const mo = (await accounts.createToken("mo", { role: "write" })).token;
  const ned = (await accounts.createToken("ned", { role: "write" })).token;
  const gen = (name: string, args: string[]) => {
    execFileSync("ssh-keygen", ["-q", "-N", "", "-C", `${name}@host`, "-f", join(keys, name), ...args]);
    return readFile(join(keys, `${name}.pub`), "utf8");
  };
  const add = (t: string, payload: unknown) => call({ method: "POST", url: "/api/user/keys", headers: bearer(t), payload });
  for (const [name, args, type] of [["ed", ["-t", "ed25519"], "ssh-ed25519"], ["ec", ["-t", "ecdsa", "-b", "384"], "ecdsa-sha2-nistp384"], ["rsa", ["-t", "rsa", "-b", "3072"], "ssh-rsa"]] as const) {
    const res = await add(mo, { title: name, key: await gen(name, [...args]) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().key_type, type);
    const printed = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", join(keys, `${name}.pub`)], { encoding: "utf8" }).split(" ")[1];
    assert.equal(res.json().fingerprint, printed);
  }
  const ed = await readFile(join(keys, "ed.pub"), "utf8");
  const [, edBlob] = ed.split(" ");
  const refusals: [unknown, RegExp][] = [
    [{ title: "dup", key: ed }, /already registered/],
    [{ title: "x".repeat(256), key: await gen("long", ["-t", "ed25519"]) }, /at most 255/],
    [{ title: "", key: await gen("untitled", ["-t", "ed25519"]) }, /title/],
    [{ title: "small rsa", key: await gen("rsa1024", ["-t", "rsa", "-b", "1024"]) }, /at least 2048 bits/],
    [{ title: "dss", key: `ssh-dss ${edBlob} x` }, /Unsupported key type/],
    [{ title: "lies", key: `ssh-rsa ${edBlob}` }, /names another type/],
    [{ title: "truncated", key: `ssh-ed25519 ${edBlob!.slice(0, 40)}` }, /Invalid key format/],
    [{ title: "garbage", key: "ssh-ed25519 !!!not-base64!!!" }, /not base64/],
    [{ title: "one word", key: "ssh-ed25519" }, /Invalid key format/],
    [{ title: "private key", key: await readFile(join(keys, "ed"), "utf8") }, /Invalid key format|Unsupported key type/],
  ];
  for (const [payload, why] of refusals) {
    const res = await add(mo, payload);
    assert.ok(res.statusCode === 400 || res.statusCode === 409, `${JSON.stringify(payload).slice(0, 80)} → ${res.statusCode}`);
    assert.match(res.json().error, why);
  }
  assert.equal((await add(ned, { title: "mo's key", key: ed })).statusCode, 409, "a key belongs to one user only");
  const list = (await call({ method: "GET", url: "/api/user/keys", headers: bearer(mo) })).json();
  assert.equal(list.length, 3);
  assert.equal(list[0].public_key, undefined, "the list omits key bodies");
  const one = await call({ method: "GET", url: `/api/user/keys/${list[0].id}`, headers: bearer(mo) });
  assert.equal(one.json().public_key, ed.trim().split(" ").slice(0, 2).join(" "));
  assert.equal((await call({ method: "GET", url: `/api/user/keys/${list[0].id}`, headers: bearer(ned) })).statusCode, 403);
  assert.equal((await call({ method: "DELETE", url: `/api/user/keys/${list[0].id}`, headers: bearer(ned) })).statusCode, 403);
  assert.equal((await call({ method: "GET", url: "/api/user/keys/999999", headers: bearer(mo) })).statusCode, 404);
  assert.equal((await call({ method: "GET", url: "/api/user/keys" })).statusCode, 401);
  assert.equal((await call({ method: "DELETE", url: `/api/user/keys/${list[0].id}`, headers: bearer(mo) })).statusCode, 200);
  assert.equal((await call({ method: "GET", url: `/api/user/keys/${list[0].id}`, headers: bearer(mo) })).statusCode, 404);
});

test("regression (KohakuHub): no LFS upload URL for an unknown repo or without credentials", async () => {
  const batch = (repo: string, headers: Record<string, string> = {}) =>
    call({ method: "POST", url: `/${repo}.git/info/lfs/objects/batch`, headers: { "content-type": "application/vnd.git-lfs+json", ...headers }, payload: { operation: "upload", objects: [{ oid: "c".repeat(64), size: 3 }] } });
  for (const res of [await batch("ghost/nothing"), await batch("ghost/nothing", h.auth), await batch("admin/new-repo")]) {
    assert.ok([401, 404].includes(res.statusCode), `got ${res.statusCode}`);
    assert.ok(!res.body.includes("href"), "no upload URL handed out");
  }
});

test("regression (KohakuHub): there is no shared admin secret; admin routes need a site admin's own credential", async () => {
  await hub.services.accounts.createUser("pat");
  const pat = (await hub.services.accounts.createToken("pat", { role: "write" })).token;
  const secret = (await readFile(join(hub.services.config.data, "secret"), "utf8")).trim();
  const attempts: Record<string, string>[] = [{}, bearer(pat), { "x-admin-token": secret }, bearer(secret), { authorization: `Basic ${Buffer.from(`admin:${secret}`).toString("base64")}` }];
  for (const headers of attempts) {
    const res = await call({ method: "POST", url: "/api/admin/users", headers, payload: { username: "evil", password: "long enough pw" } });
    assert.ok([401, 403].includes(res.statusCode), `${JSON.stringify(headers)} → ${res.statusCode}`);
  }
  assert.equal(await hub.services.accounts.tokensOf("evil").catch(() => "absent"), "absent");
});

test("no secret ever reaches the log", async () => {
  const data = await mkdtemp(join(tmpdir(), "hubble-logs-"));
  let log = "";
  const stream = new Writable({ write: (c, _e, cb) => ((log += c.toString()), cb()) });
  const logged = await createHubble(loadConfig({ data, publicUrl: "http://hub.test" }, { HUBBLE_REGISTRATION: "open" }), { level: "trace", stream });
  try {
    const admin = (await bootstrapAdmin(logged))!;
    const inj = (r: Inject) => logged.app.inject(r as never);
    await inj({ method: "POST", url: "/api/register", payload: { username: "quinn", email: "q@example.com", password: "quinn's secret pw" } });
    const login = await inj({ method: "POST", url: "/api/login", payload: { username: "quinn", password: "quinn's secret pw" } });
    const session = cookieOf(login).split("=")[1]!;
    await inj({ method: "POST", url: "/api/login", payload: { username: "quinn", password: "a wrong password" } });
    const token = (await inj({ method: "POST", url: "/api/settings/tokens", headers: { cookie: `hubble_session=${session}` }, payload: { role: "write" } })).json().token as string;
    await inj({ method: "POST", url: "/api/repos/create", headers: bearer(token), payload: { name: "r" } });
    const batch = await inj({ method: "POST", url: "/quinn/r.git/info/lfs/objects/batch", headers: { ...bearer(token), "content-type": "application/vnd.git-lfs+json" }, payload: { operation: "upload", objects: [{ oid: "d".repeat(64), size: 3 }] } });
    const href = new URL(batch.json().objects[0].actions.upload.href as string);
    const sig = href.searchParams.get("sig")!;
    await inj({ method: "PUT", url: href.pathname + href.search, payload: Buffer.from("abc"), headers: { "content-type": "application/octet-stream" } });
    await inj({ method: "GET", url: "/api/whoami-v2", headers: bearer("hf_wrongwrongwrongwrongwrong") });
    assert.ok(log.includes("/api/login"), "requests are logged");
    assert.ok(log.includes("sig=[redacted]"), "signed URLs are logged masked");
    for (const s of [admin, token, session, "quinn's secret pw", "a wrong password", sig, "hf_wrongwrongwrongwrongwrong"]) assert.ok(!log.includes(s), `secret leaked into the log: ${s.slice(0, 8)}…`);
  } finally {
    await logged.close();
    await rm(data, { recursive: true, force: true });
  }
});

test("behind a trusted proxy the login throttle keys on the forwarded client address", async () => {
  const data = await mkdtemp(join(tmpdir(), "hubble-proxy-"));
  const proxied = await createHubble(loadConfig({ data }, { HUBBLE_TRUST_PROXY: "127.0.0.1" }));
  try {
    const attempt = (i: number, from: string) =>
      proxied.app.inject({ method: "POST", url: "/api/login", remoteAddress: "127.0.0.1", headers: { "x-forwarded-for": from }, payload: { username: `nobody${i}`, password: "wrong password" } } as never);
    // 20 failures (each for a different name) from one client lock that client's address only.
    for (let i = 0; i < 19; i++) assert.equal((await attempt(i, "203.0.113.7")).statusCode, 401);
    assert.equal((await attempt(19, "203.0.113.7")).statusCode, 429);
    assert.equal((await attempt(20, "203.0.113.7")).statusCode, 429);
    assert.equal((await attempt(21, "198.51.100.9")).statusCode, 401, "another client behind the same proxy is not locked out");
  } finally {
    await proxied.close();
    await rm(data, { recursive: true, force: true });
  }
  assert.throws(() => loadConfig({ data }, { HUBBLE_TRUST_PROXY: "everyone; rm -rf" }), /Invalid configuration/);
});
