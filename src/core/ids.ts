/**
 * Identifiers parsed at the edge into branded types. Nothing deeper re-validates a string that
 * carries one of these brands.
 */
import { errors } from "./errors.js";

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
const RESERVED = new Set(["api", "datasets", "spaces", "models", "health", "metrics", "settings", "new", "lfs", "xet", "static"]);

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

const MAX_PATH = 4096;

/**
 * Validates a file path coming from a client. Refuses everything that could escape the tree or
 * touch git's own files: `..`, `.`, empty segments, leading `/`, `.git` segments, NUL, backslash.
 */
export function parseRepoPath(s: unknown): RepoPath {
  if (typeof s !== "string" || s.length === 0) throw errors.badRequest("Invalid path: empty");
  if (Buffer.byteLength(s) > MAX_PATH) throw errors.badRequest("Invalid path: too long");
  if (s.includes("\0") || s.includes("\\")) throw errors.badRequest(`Invalid path: ${JSON.stringify(s)}`);
  if (s.startsWith("/")) throw errors.badRequest(`Invalid path '${s}': must be relative`);
  for (const seg of s.split("/")) {
    if (seg === "" || seg === "." || seg === "..") throw errors.badRequest(`Invalid path '${s}'`);
    if (seg.toLowerCase() === ".git") throw errors.badRequest(`Invalid path '${s}': '.git' is reserved`);
    if (Buffer.byteLength(seg) > 255) throw errors.badRequest(`Invalid path '${s}': segment too long`);
  }
  return s as RepoPath;
}

/** Like parseRepoPath, but tolerates one trailing `/` (folder paths). */
export function parseFolderPath(s: unknown): RepoPath {
  if (typeof s === "string" && s.endsWith("/")) return parseRepoPath(s.slice(0, -1));
  return parseRepoPath(s);
}

const REF_NAME_BAD = /(^[./-])|(\.\.)|([\x00-\x20~^:?*[\\\x7f])|(@\{)|(\/\/)|(\.lock$)|(\.lock\/)|(\/\.)|([./]$)/;

/** Validates a branch or tag name per git-check-ref-format (plus a length cap). */
export function parseRefName(s: unknown, what = "branch"): string {
  if (typeof s !== "string" || s.length === 0 || s.length > 200 || REF_NAME_BAD.test(s) || s === "@" || s === "HEAD") {
    throw errors.badRequest(`Invalid ${what} name: ${JSON.stringify(s)}`);
  }
  return s;
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
