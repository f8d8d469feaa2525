/** Kysely table types; the schema itself lives in migrations.ts. */
import type { Generated } from "kysely";

export interface AccountsTable {
  id: Generated<number>;
  name: string;
  name_lower: string;
  type: "user" | "org";
  fullname: string;
  email: string | null;
  password_hash: string | null;
  is_admin: number;
  created_at: string;
  disabled: Generated<number>;
}

export interface OrgMembersTable {
  org_id: number;
  user_id: number;
  role: string;
}

export interface TokensTable {
  id: Generated<number>;
  account_id: number;
  name: string;
  /** "read", "write" or "scoped" (fine-grained; scopes JSON in `scopes`). */
  role: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  scopes: string | null;
}

export interface SessionsTable {
  id: Generated<number>;
  account_id: number;
  session_hash: string;
  created_at: string;
  expires_at: string;
}

export interface SshKeysTable {
  id: Generated<number>;
  account_id: number;
  title: string;
  key_type: string;
  fingerprint: string;
  public_key: string;
  created_at: string;
  last_used_at: string | null;
}

export interface ReposTable {
  id: Generated<number>;
  type: string;
  namespace: string;
  name: string;
  full_name_lower: string;
  owner_id: number;
  private: number;
  gated: string | null;
  default_branch: string;
  created_at: string;
  last_modified: string;
  card_data: string | null;
  tags: string;
  sdk: string | null;
  lfs_threshold: number | null;
  lfs_suffix_rules: string | null;
  lfs_keep_versions: number | null;
  created_by: number | null;
  hub_id: string | null;
  derived: string | null;
  /** How many users like the repo (kept with repo_likes, in one transaction). */
  likes: Generated<number>;
  /** The last discussion number given out in this repo. */
  discussion_seq: Generated<number>;
  /** 1: the Community tab is off (no new discussions or PRs). */
  discussions_disabled: Generated<number>;
  /** Downloads in the last 30 days (the Hub's `downloads`) and ever. */
  downloads: Generated<number>;
  downloads_all_time: Generated<number>;
}

export interface WebhooksTable {
  id: Generated<number>;
  hub_id: string;
  owner_id: number;
  url: string;
  secret: string | null;
  /** JSON: [{type, name}] */
  watched: string;
  /** JSON: ["repo", "discussion"] */
  domains: string;
  disabled: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface WebhookWatchesTable {
  webhook_id: number;
  type: string;
  name_lower: string;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: number;
  scope: string;
  action: string;
  payload: string;
  /** pending | delivered | failed */
  status: string;
  attempts: Generated<number>;
  next_at: string;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface CollectionsTable {
  id: Generated<number>;
  key: string;
  owner_id: number;
  title: string;
  description: string | null;
  private: number;
  theme: string;
  position: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface CollectionItemsTable {
  id: Generated<number>;
  key: string;
  collection_id: number;
  repo_id: number;
  position: number;
  note: string | null;
  created_at: string;
}

export interface RepoDownloadsTable {
  repo_id: number;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  count: number;
}

export interface DiscussionsTable {
  id: Generated<number>;
  repo_id: number;
  num: number;
  author_id: number | null;
  title: string;
  is_pr: number;
  status: string;
  target_branch: string | null;
  merge_commit: string | null;
  num_comments: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface DiscussionEventsTable {
  id: Generated<number>;
  discussion_id: number;
  event_id: string;
  type: string;
  author_id: number | null;
  created_at: string;
  /** JSON: the event's `data` as the API shows it (comments keep their edit history here). */
  data: string;
}

export interface RepoLikesTable {
  repo_id: number;
  user_id: number;
  created_at: string;
}

export interface RepoRedirectsTable {
  type: string;
  from_lower: string;
  repo_id: number;
}

export interface LfsObjectsTable {
  oid: string;
  size: number;
  created_at: string;
  /** Last time a commit or push referenced the object (GC keeps what was touched recently). */
  touched_at: string | null;
}

export interface RepoLfsTable {
  repo_id: number;
  oid: string;
  created_at: string | null;
}

export interface LfsLocksTable {
  id: Generated<number>;
  repo_id: number;
  path: string;
  ref_name: string | null;
  owner_id: number;
  locked_at: string;
}

export interface XetXorbsTable {
  hash: string;
  length: number;
  unpacked: number;
  chunks: Uint8Array;
  created_at: string;
}

export interface XetDedupeTable {
  chunk: string;
  file_hash: string;
  xorb: string;
  idx: number;
}

export interface XetChunksTable {
  hash: string;
  xorb: string;
  idx: number;
  file_hash: string | null;
}

export interface XetFilesTable {
  hash: string;
  size: number;
  terms: string;
  created_at: string;
}

export interface RepoXetFilesTable {
  repo_id: number;
  file_hash: string;
  sha256: string | null;
  created_at: string;
}

export interface RepoXetShardsTable {
  repo_id: number;
  sha256: string;
  created_at: string;
}

export interface RepoAccessRequestsTable {
  repo_id: number;
  user_id: number;
  request_id: string;
  status: string;
  fields: string | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  first_ms: number;
  locked_until_ms: number;
}

export interface Database {
  login_throttle: LoginThrottleTable;
  accounts: AccountsTable;
  org_members: OrgMembersTable;
  tokens: TokensTable;
  repos: ReposTable;
  repo_redirects: RepoRedirectsTable;
  lfs_objects: LfsObjectsTable;
  repo_lfs: RepoLfsTable;
  repo_likes: RepoLikesTable;
  discussions: DiscussionsTable;
  repo_downloads: RepoDownloadsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_watches: WebhookWatchesTable;
  collections: CollectionsTable;
  collection_items: CollectionItemsTable;
  discussion_events: DiscussionEventsTable;
  lfs_locks: LfsLocksTable;
  xet_xorbs: XetXorbsTable;
  xet_chunks: XetChunksTable;
  xet_dedupe: XetDedupeTable;
  xet_files: XetFilesTable;
  repo_xet_files: RepoXetFilesTable;
  repo_xet_shards: RepoXetShardsTable;
  repo_access_requests: RepoAccessRequestsTable;
  sessions: SessionsTable;
  ssh_keys: SshKeysTable;
}
