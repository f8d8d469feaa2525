/**
 * The collaboration layer's records (discussions and pull requests, webhooks, collections), split
 * from ports.ts and re-exported by it.
 */
import type { Account, RepoRecord } from "./ports.js";

/** A collection: an owner's ordered list of repos with notes. */
export interface CollectionRecord {
  id: number;
  /** The slug's stable last part (24 hex). */
  key: string;
  owner: Account;
  title: string;
  description: string | null;
  private: boolean;
  theme: string;
  position: number;
  createdAt: string;
  updatedAt: string;
}

export interface CollectionItemRecord {
  id: number;
  /** The item's `_id` (24 hex). */
  key: string;
  repo: RepoRecord;
  position: number;
  note: string | null;
}

export type WebhookDomain = "repo" | "discussion";
export interface WatchedItem {
  type: "user" | "org" | "model" | "dataset" | "space";
  name: string;
}

/** A webhook: where to POST events about what it watches. */
export interface WebhookRecord {
  id: number;
  /** The id clients see (24 hex). */
  hubId: string;
  ownerId: number;
  url: string;
  secret: string | null;
  watched: WatchedItem[];
  domains: WebhookDomain[];
  disabled: boolean;
  createdAt: string;
}

/** One event for one webhook: the outbox row and its delivery log. */
export interface WebhookDelivery {
  id: number;
  webhookId: number;
  scope: string;
  action: string;
  payload: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  nextAt: string;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export type DiscussionStatus = "draft" | "open" | "closed" | "merged";

/** A discussion or pull request. */
export interface DiscussionRecord {
  id: number;
  repoId: number;
  num: number;
  /** Null once the author's account is gone. */
  author: Account | null;
  title: string;
  isPullRequest: boolean;
  status: DiscussionStatus;
  /** Pull requests: the full ref they merge into (`refs/heads/main`). */
  targetBranch: string | null;
  mergeCommit: string | null;
  numComments: number;
  createdAt: string;
  updatedAt: string;
}

export interface NewDiscussion {
  repoId: number;
  authorId: number;
  title: string;
  isPullRequest: boolean;
  status: DiscussionStatus;
  targetBranch: string | null;
}

export type DiscussionEventType = "comment" | "status-change" | "commit" | "title-change";

export interface NewDiscussionEvent {
  type: DiscussionEventType;
  authorId: number | null;
  data: Record<string, unknown>;
}

export interface DiscussionEventRecord {
  /** 24 hex, random. */
  id: string;
  type: DiscussionEventType;
  author: Account | null;
  createdAt: string;
  data: Record<string, unknown>;
}

export interface DiscussionPatch {
  status?: DiscussionStatus;
  title?: string;
  mergeCommit?: string;
}

export interface DiscussionQuery {
  authorId?: number;
  isPullRequest?: boolean;
  /** open: draft or open; closed: closed or merged. */
  status?: "open" | "closed";
  limit: number;
  offset: number;
}
