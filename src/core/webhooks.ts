/**
 * Webhooks as the Hub has them (`/api/settings/webhooks`, huggingface_hub's `create_webhook` & co):
 * a user's webhook watches repos, users and orgs (names need not exist yet) in the `repo` and/or
 * `discussion` domains and receives the Hub's payloads (version 3: event action and scope, repo
 * with head sha and updated refs, discussion, comment), with its secret in `X-Webhook-Secret`.
 *
 * Delivery goes through a durable outbox: an event is written as one row per matching webhook when
 * it happens; the cluster's leader sends due rows (per webhook in order), retrying with backoff
 * (1 s doubling to 10 min, for up to a day) — a receiver that is down, or a Hubble restart, loses
 * nothing. The rows are the delivery log the owner reads. A webhook never hears about a repo its
 * owner cannot read.
 */
import type { Access } from "./access.js";
import { Accounts, type Actor } from "./accounts.js";
import { errors } from "./errors.js";
import { urlPrefix } from "./ids.js";
import type { DiscussionEventRecord, DiscussionRecord, MetaStore, RepoRecord, WatchedItem, WebhookDelivery, WebhookDomain, WebhookRecord } from "./ports.js";
import { fullName } from "./repos.js";

/** Where deliveries go out, and the SSRF guard (adapters/net/webhook-sender.ts). */
export interface WebhookSender {
  /** Refuses a URL that is not http(s) or resolves to a guarded address. */
  check(url: string): Promise<void>;
  send(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }>;
}

export type EventScope = "repo" | "repo.content" | "repo.config" | "discussion" | "discussion.comment";

/** Something that happened to a repo, as webhooks report it. */
export interface HubEvent {
  repo: RepoRecord;
  scope: EventScope;
  action: "create" | "update" | "delete" | "move";
  updatedRefs?: { ref: string; oldSha: string | null; newSha: string | null }[];
  headSha?: string | null;
  discussion?: DiscussionRecord;
  comment?: DiscussionEventRecord;
}

/** What use cases tell about events (webhooks listen; a no-op where nothing does). */
export interface EventSink {
  emit(e: HubEvent): Promise<void>;
}
export const NO_EVENTS: EventSink = { emit: async () => undefined };

const WATCH_TYPES = new Set(["user", "org", "model", "dataset", "space"]);
const DOMAINS: WebhookDomain[] = ["repo", "discussion"];
/** Retries: 1 s, doubling, at most 10 min apart, given up after a day. */
const MAX_BACKOFF_MS = 600_000;
const GIVE_UP_MS = 86_400_000;

export interface WebhookInput {
  url?: unknown;
  watched?: unknown;
  domains?: unknown;
  secret?: unknown;
}

export class Webhooks implements EventSink {
  /** The Hub URL in payloads: the public URL, or the address this node listens on. */
  base: string;

  constructor(
    private readonly meta: MetaStore,
    private readonly access: Access,
    private readonly sender: WebhookSender,
    publicUrl: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.base = publicUrl ?? "http://localhost";
  }

  private owner(actor: Actor, write: boolean): NonNullable<Actor> {
    if (!actor) throw errors.unauthorized("You must be authenticated to manage webhooks");
    if (write && actor.token.role !== "write") throw errors.forbidden("A write token is required to manage webhooks");
    return actor;
  }

  private async mine(actor: Actor, id: string, write: boolean): Promise<WebhookRecord> {
    const a = this.owner(actor, write);
    const w = await this.meta.webhooks.get(id);
    // Someone else's webhook does not exist for you.
    if (!w || w.ownerId !== a.user.id) throw errors.notFound(`Webhook ${id} not found`);
    return w;
  }

  private async parse(body: WebhookInput, partial: boolean): Promise<Partial<Pick<WebhookRecord, "url" | "secret" | "watched" | "domains">>> {
    const out: Partial<Pick<WebhookRecord, "url" | "secret" | "watched" | "domains">> = {};
    if (body.url !== undefined || !partial) {
      if (typeof body.url !== "string" || body.url.length > 2048) throw errors.badRequest("'url' must be a URL of at most 2048 characters");
      await this.sender.check(body.url);
      out.url = body.url;
    }
    if (body.watched !== undefined || !partial) {
      const w = body.watched;
      if (!Array.isArray(w) || w.length === 0 || w.length > 100) throw errors.badRequest("'watched' must be a list of 1 to 100 items");
      out.watched = w.map((i: unknown) => {
        const item = i as { type?: unknown; name?: unknown };
        if (typeof item?.type !== "string" || !WATCH_TYPES.has(item.type)) throw errors.badRequest("A watched item's type must be user, org, model, dataset or space");
        if (typeof item.name !== "string" || !item.name || item.name.length > 200) throw errors.badRequest("A watched item needs a name");
        return { type: item.type as WatchedItem["type"], name: item.name };
      });
    }
    if (body.domains !== undefined) {
      const d = body.domains;
      if (!Array.isArray(d) || d.length === 0 || !d.every((x) => DOMAINS.includes(x as WebhookDomain))) throw errors.badRequest("'domains' must be a non-empty list of 'repo' and 'discussion'");
      out.domains = [...new Set(d as WebhookDomain[])];
    } else if (!partial) out.domains = [...DOMAINS];
    if (body.secret !== undefined) {
      if (body.secret !== null && (typeof body.secret !== "string" || body.secret.length > 512)) throw errors.badRequest("'secret' must be a string of at most 512 characters");
      out.secret = (body.secret as string | null) || null;
    } else if (!partial) out.secret = null;
    return out;
  }

  async create(actor: Actor, body: WebhookInput): Promise<WebhookRecord> {
    const a = this.owner(actor, true);
    const p = await this.parse(body, false);
    if ((await this.meta.webhooks.listByOwner(a.user.id)).length >= 100) throw errors.badRequest("At most 100 webhooks per user");
    return this.meta.webhooks.create({ ownerId: a.user.id, url: p.url!, secret: p.secret ?? null, watched: p.watched!, domains: p.domains! });
  }

  get(actor: Actor, id: string): Promise<WebhookRecord> {
    return this.mine(actor, id, false);
  }

  list(actor: Actor): Promise<WebhookRecord[]> {
    return this.meta.webhooks.listByOwner(this.owner(actor, false).user.id);
  }

  async update(actor: Actor, id: string, body: WebhookInput): Promise<WebhookRecord> {
    await this.mine(actor, id, true);
    return (await this.meta.webhooks.update(id, await this.parse(body, true)))!;
  }

  async setDisabled(actor: Actor, id: string, disabled: boolean): Promise<WebhookRecord> {
    await this.mine(actor, id, true);
    return (await this.meta.webhooks.update(id, { disabled }))!;
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.mine(actor, id, true);
    await this.meta.webhooks.delete(id);
  }

  async deliveries(actor: Actor, id: string): Promise<WebhookDelivery[]> {
    const w = await this.mine(actor, id, false);
    return this.meta.webhooks.deliveries(w.id, 100);
  }

  /** Told when an event could not be queued (the change itself stands; the caller must not fail for it). */
  onError: (e: Error) => void = () => undefined;

  /**
   * Queues the event for every enabled webhook that watches the repo (or its namespace) in its
   * domain and whose owner can read it. Never throws: the change it reports has happened.
   */
  async emit(e: HubEvent): Promise<void> {
    try {
      await this.queue(e);
    } catch (err) {
      this.onError(err as Error);
    }
  }

  private async queue(e: HubEvent): Promise<void> {
    const name = fullName(e.repo);
    const candidates = await this.meta.webhooks.watching([
      { type: e.repo.type, name },
      { type: "user", name: e.repo.namespace },
      { type: "org", name: e.repo.namespace },
    ]);
    const domain: WebhookDomain = e.scope.startsWith("discussion") ? "discussion" : "repo";
    const rows = [];
    for (const w of candidates) {
      if (!w.domains.includes(domain)) continue;
      const owner = await this.meta.accounts.byId(w.ownerId);
      if (!owner || owner.disabled || !(await this.access.allowed(Accounts.synthetic(owner, "webhook"), "read", e.repo))) continue;
      rows.push({ webhookId: w.id, scope: e.scope, action: e.action, payload: JSON.stringify(this.payload(e, w)) });
    }
    await this.meta.webhooks.enqueue(rows);
  }

  /** The Hub's payload (version 3). */
  private payload(e: HubEvent, w: WebhookRecord) {
    const web = `${this.base}/${urlPrefix(e.repo.type)}${fullName(e.repo)}`;
    const d = e.discussion;
    const comment = e.comment;
    return {
      event: { action: e.action, scope: e.scope },
      repo: {
        type: e.repo.type,
        name: fullName(e.repo),
        id: e.repo.hubId,
        private: e.repo.private,
        url: { web, api: `${this.base}/api/${e.repo.type}s/${fullName(e.repo)}` },
        owner: { id: String(e.repo.ownerId) },
        tags: e.repo.tags,
        ...(e.headSha !== undefined ? { headSha: e.headSha } : {}),
      },
      ...(d
        ? {
            discussion: {
              id: String(d.id),
              num: d.num,
              title: d.title,
              url: { web: `${web}/discussions/${d.num}`, api: `${this.base}/api/${e.repo.type}s/${fullName(e.repo)}/discussions/${d.num}` },
              status: d.status,
              author: { id: d.author ? d.author.name : "deleted" },
              isPullRequest: d.isPullRequest,
              ...(d.isPullRequest ? { changes: { base: d.targetBranch, ...(d.mergeCommit ? { mergeCommitId: d.mergeCommit } : {}) } } : {}),
            },
          }
        : {}),
      ...(comment
        ? {
            comment: {
              id: comment.id,
              author: { id: comment.author ? comment.author.name : "deleted" },
              hidden: (comment.data as { hidden?: boolean }).hidden === true,
              content: (comment.data as { hidden?: boolean }).hidden ? undefined : (comment.data as { latest: { raw: string } }).latest.raw,
              url: { web: `${web}/discussions/${d?.num}#${comment.id}` },
            },
          }
        : {}),
      ...(e.updatedRefs ? { updatedRefs: e.updatedRefs } : {}),
      webhook: { id: w.hubId, version: 3 },
    };
  }

  /**
   * Sends what is due (the leader calls this every second): one POST per delivery, 2xx is done,
   * anything else (or no answer) is retried later. Returns how many were attempted.
   */
  async deliver(limit = 20): Promise<number> {
    const now = this.now();
    const due = await this.meta.webhooks.due(new Date(now).toISOString(), limit);
    await Promise.all(
      due.map(async (d) => {
        const w = await this.meta.webhooks.byRowId(d.webhookId);
        let httpStatus: number | null = null;
        let error: string | null = null;
        if (!w) return;
        {
          try {
            const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Hubble-Webhooks/1" };
            if (w.secret) headers["x-webhook-secret"] = w.secret;
            httpStatus = (await this.sender.send(w.url, d.payload, headers)).status;
            if (httpStatus < 200 || httpStatus >= 300) error = `HTTP ${httpStatus}`;
          } catch (e) {
            error = (e as Error).message;
          }
        }
        const at = new Date(this.now()).toISOString();
        if (error === null) return this.meta.webhooks.attempted(d.id, { status: "delivered", httpStatus, error: null, nextAt: at, at });
        const age = this.now() - Date.parse(d.createdAt);
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** d.attempts);
        const status = age > GIVE_UP_MS ? "failed" : "pending";
        return this.meta.webhooks.attempted(d.id, { status, httpStatus, error, nextAt: new Date(this.now() + backoff).toISOString(), at });
      }),
    );
    return due.length;
  }
}
