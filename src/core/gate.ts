/**
 * Gated repositories: users ask for access (accepted at once when the repo is gated `auto`,
 * pending when `manual`); people with write access list, accept, reject and grant. The check
 * itself lives in Access.authorize (action "download").
 */
import type { Access } from "./access.js";
import type { Actor } from "./accounts.js";
import { errors, HubError } from "./errors.js";
import type { AccessRequest, MetaStore, RepoRecord } from "./ports.js";

const STATUSES = ["pending", "accepted", "rejected"] as const;

/** Parses a request status from a URL or body. */
export function parseStatus(s: unknown): AccessRequest["status"] {
  if (typeof s === "string" && (STATUSES as readonly string[]).includes(s)) return s as AccessRequest["status"];
  throw errors.badRequest("'status' must be one of pending, accepted, rejected");
}

/** Access-request use cases. */
export class Gate {
  constructor(
    private readonly meta: MetaStore,
    private readonly access: Access,
  ) {}

  private requireGated(repo: RepoRecord) {
    if (!repo.gated) throw errors.badRequest("This repository is not gated");
  }

  /** A user asks for access; `fields` are the answers to the gate form. */
  async ask(actor: Actor, repo: RepoRecord, fields: Record<string, unknown>): Promise<AccessRequest> {
    if (!actor) throw errors.unauthorized("You must be authenticated to ask for access");
    this.requireGated(repo);
    if (JSON.stringify(fields).length > 16_384) throw errors.badRequest("Form fields too large");
    const existing = await this.meta.gate.get(repo.id, actor.user.id);
    if (existing && existing.status !== "pending") return existing; // accepted stays, rejected cannot re-ask
    return this.meta.gate.set(repo.id, actor.user.id, repo.gated === "auto" ? "accepted" : "pending", { fields });
  }

  /** The actor's own request on a gated repo, if any (what its page shows them). */
  async mine(actor: Actor, repo: RepoRecord): Promise<AccessRequest["status"] | null> {
    if (!actor || !repo.gated) return null;
    return (await this.meta.gate.get(repo.id, actor.user.id))?.status ?? null;
  }

  /** Requests with a status (write access needed). */
  async list(actor: Actor, repo: RepoRecord, status: AccessRequest["status"]): Promise<AccessRequest[]> {
    await this.access.authorize(actor, "write", repo);
    this.requireGated(repo);
    return this.meta.gate.list(repo.id, status);
  }

  /** Accepts, rejects or resets (pending) one request, named by user or request id. */
  async handle(actor: Actor, repo: RepoRecord, b: { user?: string; requestId?: string; status: AccessRequest["status"]; rejectionReason?: string }): Promise<void> {
    await this.access.authorize(actor, "write", repo);
    this.requireGated(repo);
    const status = b.status;
    if (b.rejectionReason !== undefined && b.rejectionReason.length > 1000) throw errors.badRequest("Invalid 'rejectionReason'");
    let req: AccessRequest | null = null;
    if (typeof b.user === "string") {
      const user = await this.meta.accounts.byName(b.user);
      req = user ? await this.meta.gate.get(repo.id, user.id) : null;
    } else if (typeof b.requestId === "string") {
      req = await this.meta.gate.byRequestId(repo.id, b.requestId);
    } else throw errors.badRequest("Give 'user' or 'requestId'");
    if (!req) throw new HubError("BadRequest", "No access request for this user", {}, 404);
    // As on the Hub: handling a request into the status it already has is an error, not a no-op.
    if (req.status === status) throw errors.badRequest(`This access request is already ${status}`);
    await this.meta.gate.set(repo.id, req.user.id, status, { reason: status === "rejected" ? (b.rejectionReason ?? null) : null });
  }

  /** Grants access without a request. */
  async grant(actor: Actor, repo: RepoRecord, userName: string): Promise<AccessRequest> {
    await this.access.authorize(actor, "write", repo);
    this.requireGated(repo);
    const user = await this.meta.accounts.byName(userName);
    if (!user || user.type !== "user") throw new HubError("BadRequest", "User not found", {}, 404);
    if ((await this.meta.gate.get(repo.id, user.id))?.status === "accepted") throw errors.badRequest("This user already has access to the repository");
    return this.meta.gate.set(repo.id, user.id, "accepted");
  }
}
