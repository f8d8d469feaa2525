/**
 * The one error type of Hubble. Every failure that reaches a client is a HubError with a kind
 * from a closed set; each surface renders it its own way (HF API headers, LFS JSON, git ERR).
 */
export type HubErrorKind =
  | "RepoNotFound"
  | "RevisionNotFound"
  | "EntryNotFound"
  | "GatedRepo"
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "Conflict"
  | "PreconditionFailed"
  | "PayloadTooLarge"
  | "RangeNotSatisfiable"
  | "Unprocessable"
  | "TooManyRequests"
  | "Internal";

const STATUS: Record<HubErrorKind, number> = {
  RepoNotFound: 404,
  RevisionNotFound: 404,
  EntryNotFound: 404,
  GatedRepo: 403,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  Conflict: 409,
  PreconditionFailed: 412,
  PayloadTooLarge: 413,
  RangeNotSatisfiable: 416,
  Unprocessable: 422,
  TooManyRequests: 429,
  Internal: 500,
};

/** Kinds the HF clients recognise through the `X-Error-Code` header. */
const HF_CODES = new Set<HubErrorKind>(["RepoNotFound", "RevisionNotFound", "EntryNotFound", "GatedRepo"]);

/** A failure with a kind, a client-safe message and optional extra JSON fields for the body. */
export class HubError extends Error {
  constructor(
    readonly kind: HubErrorKind,
    message: string,
    readonly extra: Record<string, unknown> = {},
    /** Overrides the kind's default status (e.g. 401 instead of 404 for anonymous RepoNotFound). */
    readonly statusOverride?: number,
  ) {
    super(message);
  }

  /** HTTP status of this error. */
  get status(): number {
    return this.statusOverride ?? STATUS[this.kind];
  }

  /** Value for `X-Error-Code`, or undefined when the kind is not one the clients know. */
  get hfCode(): string | undefined {
    return HF_CODES.has(this.kind) ? this.kind : undefined;
  }
}

/** Shorthand constructors keep call sites short and messages consistent. */
export const errors = {
  repoNotFound: (anonymous = false) =>
    new HubError("RepoNotFound", "Repository not found", {}, anonymous ? 401 : 404),
  revisionNotFound: (rev: string) => new HubError("RevisionNotFound", `Invalid rev id: ${rev}`),
  entryNotFound: (path: string) => new HubError("EntryNotFound", `Entry not found: ${path}`),
  badRequest: (msg: string) => new HubError("BadRequest", msg),
  unauthorized: (msg = "Invalid credentials in Authorization header") => new HubError("Unauthorized", msg),
  forbidden: (msg: string) => new HubError("Forbidden", msg),
  /** A plain 404 for things that are not repos, revisions or entries (tokens, keys, users). */
  notFound: (msg: string) => new HubError("BadRequest", msg, {}, 404),
  conflict: (msg: string, extra: Record<string, unknown> = {}) => new HubError("Conflict", msg, extra),
};
