/** Per-request helpers shared by the HTTP surfaces: base URL, actor, raw-path parsing. */
import type { FastifyRequest } from "fastify";
import type { Actor } from "../../core/accounts.js";
import { errors } from "../../core/errors.js";
import { parseRepoPath, parseRevision } from "../../core/ids.js";
import type { Services } from "./services.js";

/** A Host value we will put in a URL: a DNS name or IP literal with an optional port. */
const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** Whether a Host header can be used in URLs we hand out. */
export const validHost = (h: string | undefined): h is string => typeof h === "string" && h.length <= 300 && HOST_RE.test(h);

/**
 * The URL clients use to reach us. With `HUBBLE_PUBLIC_URL` set it is that and nothing else.
 * Otherwise scheme and host of the request — from `X-Forwarded-Proto`/`-Host` only when the
 * request came through a trusted proxy (Fastify's trustProxy decides), and only a valid host.
 */
export function baseUrl(svc: Services, req: FastifyRequest): string {
  if (svc.config.publicUrl) return svc.config.publicUrl;
  const host = req.host;
  if (!validHost(host)) throw errors.badRequest("Invalid Host header");
  return `${req.protocol === "https" ? "https" : "http"}://${host}`;
}

/** Extracts the bearer token (or the password of HTTP Basic, as git sends it). */
export function credential(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const [scheme, value] = h.split(" ", 2) as [string, string | undefined];
  if (scheme.toLowerCase() === "bearer") return value?.trim();
  if (scheme.toLowerCase() === "basic" && value) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const i = decoded.indexOf(":");
    return i >= 0 ? decoded.slice(i + 1) : decoded;
  }
  throw errors.unauthorized();
}

/** Name of the login-session cookie. */
export const SESSION_COOKIE = "hubble_session";

/** `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, Secure behind https. */
export function sessionSetCookie(svc: Services, session: string, expiresAt: string): string {
  const secure = (svc.config.publicUrl ?? "").startsWith("https:") ? "; Secure" : "";
  return `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax; Expires=${new Date(expiresAt).toUTCString()}${secure}`;
}

/** `Set-Cookie` that removes the session cookie. */
export const sessionClearCookie = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;

/** The session cookie's value, if the request carries one. */
export function sessionCookie(req: FastifyRequest): string | undefined {
  const h = req.headers.cookie;
  if (!h) return undefined;
  for (const part of h.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return part.slice(i + 1).trim();
  }
  return undefined;
}

const actors = new WeakMap<FastifyRequest, Actor>();

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a cross-site state change riding on the browser's cookies (CSRF): the request must say
 * it comes from this site — `Sec-Fetch-Site: same-origin` (or `none`, typed by the user), or an
 * `Origin` equal to Hubble's own. Bearer tokens are exempt: a browser never adds them by itself.
 */
export function checkSameOrigin(svc: Services, req: FastifyRequest): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.headers["sec-fetch-site"];
  if (site === "same-origin" || site === "none") return;
  const origin = req.headers.origin;
  if (typeof origin === "string" && origin !== "null") {
    let own = "";
    try {
      own = new URL(baseUrl(svc, req)).origin;
    } catch {
      // no usable base URL: only Sec-Fetch-Site could vouch for the request
    }
    if (origin === own) return;
  } else if (site === undefined) {
    // Neither header: not a modern browser's cross-site request (scripts and old clients).
    return;
  }
  throw errors.forbidden("Cross-site request refused: the form or page must come from this hub");
}

/**
 * The authenticated actor (memoised per request): the Authorization header if present (a bad
 * token is a 401, never a silent fallback), else a login session cookie — for state changes only
 * from this site (checkSameOrigin) — else anonymous.
 */
export async function actorOf(svc: Services, req: FastifyRequest): Promise<Actor> {
  if (actors.has(req)) return actors.get(req)!;
  const cred = credential(req);
  let a: Actor;
  if (cred !== undefined && cred !== "") a = await svc.accounts.authenticate(cred);
  else {
    const cookie = sessionCookie(req);
    if (cookie !== undefined) checkSameOrigin(svc, req);
    a = await svc.sessions.actor(cookie);
  }
  actors.set(req, a);
  return a;
}

/** The raw (still percent-encoded) path segments after the first `n` segments of the URL path. */
export function rawTail(req: FastifyRequest, n: number): string[] {
  const path = req.raw.url!.split("?")[0]!;
  return path.split("/").slice(n + 1);
}

function decode(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    throw errors.badRequest("Invalid percent-encoding in URL");
  }
}

/**
 * Splits `{rev}[/{path}]` as the clients send it. Python encodes `/` inside the revision as %2F;
 * huggingface.js sends `refs/pr/1` raw, so a leading `refs/x/y` is taken as one revision.
 */
export function revAndPath(segs: string[]): { rev: string; path: string } {
  if (segs.length === 0 || segs[0] === "") throw errors.badRequest("Missing revision");
  let rev = decode(segs[0]!);
  let rest = segs.slice(1);
  if (rev === "refs" && segs.length >= 3) {
    rev = `refs/${decode(segs[1]!)}/${decode(segs[2]!)}`;
    rest = segs.slice(3);
  }
  const path = rest.map(decode).join("/").replace(/\/+$/, "");
  return { rev: parseRevision(rev), path: path === "" ? "" : parseRepoPath(path) };
}

/** Repo id from the `:ns/:name` route params (case preserved; lookups are case-insensitive). */
export function repoIdOf(params: unknown): string {
  const p = params as { ns: string; name: string };
  if (/[\s/\\]/.test(p.ns + p.name)) throw errors.repoNotFound();
  return `${p.ns}/${p.name}`;
}

/** Query values as arrays (repeated keys), whatever Fastify's querystring parser produced. */
export function many(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** A boolean query flag (`true`, `1`, or `True`). */
export function flag(v: unknown): boolean {
  const s = Array.isArray(v) ? v[0] : v;
  return s === "true" || s === "1" || s === "True" || s === "";
}
