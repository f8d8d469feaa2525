/**
 * Identifiers parsed at the edge into branded types. Nothing deeper re-validates a string that
 * carries one of these brands.
 */
import { errors, HubError } from "./errors.js";
import { deletePathProblem, pathProblem } from "./paths.js";

export type RepoType = "model" | "dataset" | "space";
export const REPO_TYPES: readonly RepoType[] = ["model", "dataset", "space"];

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** `namespace/name` with the case the owner chose. */
export type RepoName = Brand<string, "RepoName">;
/** A validated path inside a repository (no `..`, no leading `/`, no `.git/`). */
export type RepoPath = Brand<string, "RepoPath">;
/** A 40-hex lowercase git commit id. */
export type CommitOid = Brand<string, "CommitOid">;
/** A 64-hex lowercase sha256. */
export type Sha256 = Brand<string, "Sha256">;

/** Repo type from the plural API segment (`models`, `datasets`, `spaces`). */
export function repoTypeFromPlural(s: string): RepoType {
  const t = s.endsWith("s") ? s.slice(0, -1) : s;
  if (!(REPO_TYPES as readonly string[]).includes(t)) throw errors.badRequest(`Invalid repo type: ${s}`);
  return t as RepoType;
}

/** Repo type from a request body's `type` field (defaults to model). */
export function repoTypeFromBody(s: unknown): RepoType {
  if (s === undefined || s === null) return "model";
  if (typeof s !== "string" || !(REPO_TYPES as readonly string[]).includes(s)) {
    throw errors.badRequest(`Invalid repo type: ${String(s)}`);
  }
  return s as RepoType;
}

/** URL prefix of a repo type in web/resolve URLs. */
export function urlPrefix(type: RepoType): string {
  return type === "model" ? "" : `${type}s/`;
}

const NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?$/;
/** Top-level path segments that cannot be namespaces, because URLs would be ambiguous. */
const RESERVED = new Set(["api", "datasets", "spaces", "models", "collections", "health", "metrics", "settings", "new", "new-dataset", "new-space", "lfs", "xet", "static", "organizations", "login", "logout", "join", "favicon.svg", "favicon.ico"]);

/** Validates one account or repo name segment (HF rules: 96 chars, no `--`/`..`, no `.git`). */
export function parseNameSegment(s: unknown, what = "name"): string {
  if (typeof s !== "string" || !NAME_RE.test(s) || s.includes("--") || s.includes("..") || s.endsWith(".git")) {
    throw errors.badRequest(
      `Invalid ${what}: must use alphanumeric chars, '-', '_' or '.', not start or end with '-' or '.', ` +
        `contain no '--' or '..', and be at most 96 characters`,
    );
  }
  return s;
}

/** Validates an account name (user or org), which also must not shadow a top-level route. */
export function parseAccountName(s: unknown): string {
  const n = parseNameSegment(s, "account name");
  if (RESERVED.has(n.toLowerCase())) throw errors.badRequest(`Reserved name: ${n}`);
  return n;
}

/** Parses `namespace/name`. */
export function parseRepoName(s: unknown): RepoName {
  if (typeof s !== "string") throw errors.badRequest("Invalid repo id");
  const parts = s.split("/");
  if (parts.length !== 2) throw errors.badRequest(`Invalid repo id '${s}': expected 'namespace/name'`);
  parseAccountName(parts[0]);
  parseNameSegment(parts[1], "repo name");
  return s as RepoName;
}

/**
 * Validates a file path coming from a client (the one rule in core/paths.ts): 400 for what git
 * cannot or must not store, 422 for a path that would leave the repo.
 */
export function parseRepoPath(s: unknown): RepoPath {
  const p = pathProblem(s);
  if (p) throw new HubError(p.status === 422 ? "Unprocessable" : "BadRequest", p.message);
  return s as RepoPath;
}

/** A path to delete (file, or folder with one optional trailing `/`): see deletePathProblem. */
export function parseDeletePath(s: unknown): RepoPath {
  const path = typeof s === "string" && s.endsWith("/") ? s.slice(0, -1) : s;
  const p = deletePathProblem(path);
  if (p) throw new HubError(p.status === 422 ? "Unprocessable" : "BadRequest", p.message);
  return path as RepoPath;
}

const REF_NAME_BAD = /(^[./-])|(\.\.)|([\x00-\x20~^:?*[\\\x7f])|(@\{)|(\/\/)|(\.lock$)|(\.lock\/)|(\/\.)|([./]$)/;

/**
 * Why a branch or tag name (without `refs/heads/` or `refs/tags/`) is refused; null when fine.
 * git-check-ref-format's rules, plus names git resolves ambiguously: `HEAD`, full object ids,
 * and names that spell another ref's path (`refs/…`, `heads/…`, `tags/…`, `remotes/…`). Pure:
 * the pre-receive hook uses it too.
 */
export function refNameProblem(s: string): string | null {
  if (s.length === 0 || s.length > 200) return "must be 1 to 200 characters";
  if (REF_NAME_BAD.test(s) || s === "@") return "not a valid git reference name";
  if (s === "HEAD") return "'HEAD' is reserved";
  if (/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(s)) return "a full object id would be ambiguous";
  if (/^(refs|heads|tags|remotes)\//.test(s)) return "it would be ambiguous with another reference";
  return null;
}

/** Validates a branch or tag name per refNameProblem. */
export function parseRefName(s: unknown, what = "branch"): string {
  const why = typeof s === "string" ? refNameProblem(s) : "not a string";
  if (why) throw errors.badRequest(`Invalid ${what} name ${JSON.stringify(s)}: ${why}`);
  return s as string;
}

/** Validates a revision string as a client sent it (branch, tag, commit, refs/pr/N …). */
export function parseRevision(s: unknown): string {
  if (typeof s !== "string" || s.length === 0 || s.length > 256 || /[\x00-\x20~^:?*[\\\x7f]/.test(s) || s.includes("..")) {
    throw errors.badRequest(`Invalid revision: ${JSON.stringify(s)}`);
  }
  return s;
}

/** True for a full 40-hex commit id. */
export function isCommitOid(s: string): s is CommitOid {
  return /^[0-9a-f]{40}$/.test(s);
}

/** Parses a sha256 hex digest (LFS oid). */
export function parseSha256(s: unknown): Sha256 {
  if (typeof s !== "string" || !/^[0-9a-f]{64}$/.test(s)) throw errors.badRequest(`Invalid sha256 oid: ${JSON.stringify(s)}`);
  return s as Sha256;
}
