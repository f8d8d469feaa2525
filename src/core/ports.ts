/**
 * Ports: what the core needs from the outside world. Adapters implement them; main.ts wires them.
 * The core imports no framework, driver or SDK.
 */
import type { ThrottleStore } from "./throttle.js";
import type { Readable } from "node:stream";
import type { CommitOid, RepoType, Sha256 } from "./ids.js";
import type { DiffFile, ObjectBatch, TreeChange } from "./git-write-port.js";
import type { StorageIndex } from "./storage-port.js";
import type { XetIndex } from "./xet/index-port.js";

export type { XetIndex, XetTerm, XorbIndexRecord } from "./xet/index-port.js";
export type { HeldFile, StorageIndex } from "./storage-port.js";
export type { DiffFile, ObjectBatch, TreeChange } from "./git-write-port.js";
export type { BlobKey, BlobReader, BlobStore, DirectTransfers, PutExpect } from "./blob-port.js";
export type { CollectionRecord, CollectionItemRecord, WebhookDomain, WatchedItem, WebhookRecord, WebhookDelivery, DiscussionStatus, DiscussionRecord, NewDiscussion, DiscussionEventType, NewDiscussionEvent, DiscussionEventRecord, DiscussionPatch, DiscussionQuery } from "./collab-port.js";
import type { CollectionRecord, CollectionItemRecord, WebhookDomain, WatchedItem, WebhookRecord, WebhookDelivery, DiscussionRecord, NewDiscussion, NewDiscussionEvent, DiscussionEventRecord, DiscussionPatch, DiscussionQuery } from "./collab-port.js";

// ---------------------------------------------------------------- git

/** One entry of a git tree listing. */
export interface TreeEntry {
  mode: string;
  type: "blob" | "tree" | "commit";
  oid: string;
  /** Blob size in bytes (0 for trees). */
  size: number;
  /** Full path from the repository root. */
  path: string;
}

/** A parsed commit object. */
export interface CommitObject {
  oid: CommitOid;
  tree: string;
  parents: CommitOid[];
  authorName: string;
  authorEmail: string;
  /** Author date, seconds since epoch. */
  date: number;
  title: string;
  message: string;
}

/** Identity recorded as author and committer. */
export interface Signature {
  name: string;
  email: string;
}

/** One bare git repository. */
export interface GitRepo {
  /** Commit a revision points to (branch, tag, full or short commit id), or null. */
  resolveCommit(rev: string): Promise<CommitOid | null>;
  /** Object a full ref name points to (unpeeled), or null. */
  resolveRef(ref: string): Promise<string | null>;
  /** All branches, tags and pull request refs (`refs/pr/N`, by N) with the commits they point to. */
  listRefs(): Promise<{ branches: Map<string, CommitOid>; tags: Map<string, CommitOid>; pulls: Map<number, CommitOid> }>;
  /** The best common ancestor of two commits, or null when they share no history. */
  mergeBase(a: CommitOid, b: CommitOid): Promise<CommitOid | null>;
  /**
   * Merges `theirs` into `ours` without a work tree (`git merge-tree --write-tree`): the merged
   * tree (its objects written to the repository), or the paths that conflict.
   */
  mergeTree(ours: CommitOid, theirs: CommitOid): Promise<{ tree: string } | { conflicts: string[] }>;
  readCommit(oid: CommitOid): Promise<CommitObject>;
  /** Commits reachable from `from`, newest first (topological), paged. */
  /** Commits reachable from `from`, newest first; with `path`, only those that changed it. */
  log(from: CommitOid, skip: number, limit: number, path?: string): Promise<CommitObject[]>;
  countCommits(from: CommitOid, path?: string): Promise<number>;
  /** Newest commit at or before `from` that changed `path`, or null. */
  lastCommitTouching(from: CommitOid, path: string): Promise<CommitObject | null>;
  /**
   * The newest commit that changed each of `names` (direct children of `folder`, "" for the root),
   * found in one pass over history instead of one `git log` per name.
   */
  lastCommitsIn(from: CommitOid, folder: string, names: string[]): Promise<Map<string, CommitObject>>;
  /**
   * What `to` changed against `from` (null: against nothing, a root commit): the changed files
   * with old and new blob ids, and the textual patch cut at `maxBytes`.
   */
  diff(from: CommitOid | null, to: CommitOid, maxBytes: number): Promise<{ files: DiffFile[]; patch: string; truncated: boolean }>;
  /** Lists a tree at `path` ("" for root); recursive includes sub-trees as entries. Null if path is not a tree. */
  listTree(commit: CommitOid, path: string, recursive: boolean): Promise<TreeEntry[] | null>;
  /** The entry at a path, or null. */
  stat(commit: CommitOid, path: string): Promise<TreeEntry | null>;
  /** Whole content of a (small) blob. */
  readBlob(oid: string): Promise<Buffer>;
  /** Streams a blob, optionally an inclusive byte range. */
  streamBlob(oid: string, range?: { start: number; end: number }): Readable;
  /** A batch for new objects: staged as they come, visible to reads and refs after `flush()`. */
  objects(): ObjectBatch;
  /**
   * Builds a tree from `base` (a commit, or null for empty) plus changes, staging new trees in
   * `objects`; EntryNotFound for a missing delete, Conflict for a file where a folder is.
   */
  buildTree(base: CommitOid | null, changes: TreeChange[], deleteFolders: string[], objects: ObjectBatch): Promise<string>;
  /** Stages a commit object in `objects`. */
  commitTree(tree: string, parents: CommitOid[], message: string, who: Signature, objects: ObjectBatch, date?: Date): Promise<CommitOid>;
  /** Compare-and-swap a ref: `expected` null means the ref must not exist. Returns false on a lost race. */
  updateRef(ref: string, next: CommitOid, expected: CommitOid | null): Promise<boolean>;
  /** Deletes a ref if it still points to `expected`. */
  deleteRef(ref: string, expected: CommitOid): Promise<boolean>;
  /** Symbolic HEAD target branch name. */
  setHead(branch: string): Promise<void>;
  /** LFS pointers in all history (every ref), newest first: each pointer blob with a path it has. */
  lfsPointers(): Promise<{ path: string; oid: string; blob: string }[]>;
  /**
   * Rewrites every branch and tag so that no commit holds these blobs (their tree entries are
   * dropped); all refs move in one atomic transaction against the values they had when the
   * rewrite started (Conflict if any moved meanwhile). Returns the refs that changed.
   */
  dropBlobsFromHistory(blobs: Set<string>): Promise<string[]>;
  /**
   * Runs `git upload-pack` or `git receive-pack`: in stateless-RPC mode for smart HTTP (`advertise`
   * produces the info/refs advertisement), or as one full-duplex conversation (`duplex`, for SSH).
   * `protocol` is a validated GIT_PROTOCOL value. Pushes run the pre-receive policy hook with `hookEnv`.
   */
  serve(service: "upload-pack" | "receive-pack", o: { advertise: boolean; duplex?: boolean; protocol?: string; hookEnv?: Record<string, string> }): GitService;
}

/** A running git transport process. */
export interface GitService {
  stdin: NodeJS.WritableStream;
  stdout: Readable;
  /** git's own messages (drained unless the caller reads them). */
  stderr: Readable;
  /** Resolves with the exit code. */
  done: Promise<number>;
  kill(): void;
}

/** Where bare repositories live. */
export interface GitStore {
  open(type: RepoType, fullName: string): GitRepo;
  init(type: RepoType, fullName: string, defaultBranch: string): Promise<GitRepo>;
  remove(type: RepoType, fullName: string): Promise<void>;
  move(type: RepoType, from: string, to: string): Promise<void>;
  /** A new repository with the branches and tags of `from` (objects shared on disk where possible). */
  copy(type: RepoType, from: string, to: string): Promise<GitRepo>;
  /** Bytes the repository takes on disk. */
  diskUsage(type: RepoType, fullName: string): Promise<number>;
}

// ---------------------------------------------------------------- metadata

/** A user or an organization. */
export interface Account {
  id: number;
  name: string;
  type: "user" | "org";
  fullname: string;
  email: string | null;
  isAdmin: boolean;
  createdAt: string;
  /** A disabled user cannot authenticate (tokens, sessions, SSH keys all refused). */
  disabled: boolean;
}

/** Permissions a fine-grained token can carry on an entity (the Hub's names). */
export const REPO_PERMISSIONS = ["repo.content.read", "repo.access.read", "repo.write", "discussion.write"] as const;

/** A fine-grained token's grants, in the Hub's whoami shape. */
export interface FineGrained {
  /** Whether the token may download gated repos its user was accepted to. */
  canReadGatedRepos: boolean;
  global: string[];
  /** Entities are a repo (`model`/`dataset`/`space`, name `ns/name`) or a namespace (`user`/`org`), covering its repos. */
  scoped: { entity: { type: "user" | "org" | "model" | "dataset" | "space"; name: string }; permissions: string[] }[];
}

/** An access token as stored (never the secret itself). */
export interface TokenRecord {
  id: number;
  accountId: number;
  name: string;
  role: "read" | "write" | "fineGrained";
  /** Present for fine-grained tokens. */
  fineGrained?: FineGrained | null;
  createdAt: string;
  lastUsedAt?: string | null;
}

/** A user's SSH public key. */
export interface SshKeyRecord {
  id: number;
  accountId: number;
  title: string;
  keyType: string;
  /** `SHA256:` + unpadded base64 of the sha256 of the key blob, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  publicKey: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** A repository's metadata record. */
export interface RepoRecord {
  id: number;
  /** Users who like it. */
  likes: number;
  /** The Community tab is off: no new discussions or pull requests. */
  discussionsDisabled: boolean;
  /** Downloads in the last 30 days, and ever (core/downloads.ts says what counts). */
  downloads: number;
  downloadsAllTime: number;
  type: RepoType;
  namespace: string;
  name: string;
  ownerId: number;
  private: boolean;
  gated: false | "auto" | "manual";
  defaultBranch: string;
  createdAt: string;
  lastModified: string;
  /** Card data and tags from README.md on the default branch, refreshed on commit. */
  cardData: Record<string, unknown> | null;
  tags: string[];
  sdk: string | null;
  lfsThreshold: number | null;
  lfsSuffixRules: string[] | null;
  lfsKeepVersions: number | null;
  /** The user who created the repo (null for repos made before this was recorded). */
  createdBy: number | null;
  /** The opaque `_id` shown to clients (24 hex, random; never the row id). */
  hubId: string;
  /** Derived from the default branch's content at commit (core/derived.ts). */
  derived: { libraryName: string | null; safetensors: { parameters: Record<string, number>; total: number } | null } | null;
}

/** Filters for repo listings. */
export interface RepoQuery {
  type: RepoType;
  search?: string;
  author?: string;
  filter?: string[];
  sort: "lastModified" | "createdAt" | "id" | "likes" | "downloads";
  direction: 1 | -1;
  limit: number;
  /** Opaque cursor: the offset into the ordered result. */
  offset: number;
  /** Account ids whose private repos the viewer may see (owner itself and its orgs). */
  visibleOwnerIds: number[];
}

/** A Git LFS file lock. */
export interface LockRecord {
  id: number;
  repoId: number;
  path: string;
  refName: string | null;
  ownerId: number;
  ownerName: string;
  lockedAt: string;
}

/** A user's request to access a gated repo. */
export interface AccessRequest {
  requestId: string;
  repoId: number;
  user: Account;
  status: "pending" | "accepted" | "rejected";
  fields: Record<string, unknown> | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Metadata persistence, use-case shaped. */
export interface MetaStore {
  accounts: {
    create(a: { name: string; type: "user" | "org"; fullname: string; email: string | null; passwordHash: string | null; isAdmin: boolean }): Promise<Account>;
    byName(name: string): Promise<Account | null>;
    byId(id: number): Promise<Account | null>;
    /** Users by name, optionally those whose name contains `search`. */
    listUsers(q: { search?: string; limit: number; offset: number }): Promise<Account[]>;
    count(): Promise<number>;
    addMember(orgId: number, userId: number, role: string): Promise<void>;
    /** Orgs a user belongs to, with the role. */
    orgsOf(userId: number): Promise<{ org: Account; role: string }[]>;
    memberRole(orgId: number, userId: number): Promise<string | null>;
    /** Members of an org with their roles, by name. */
    members(orgId: number): Promise<{ user: Account; role: string }[]>;
    removeMember(orgId: number, userId: number): Promise<void>;
    passwordHash(id: number): Promise<string | null>;
    setPassword(id: number, hash: string): Promise<void>;
    setProfile(id: number, p: { fullname: string; email: string | null }): Promise<void>;
    setDisabled(id: number, disabled: boolean): Promise<void>;
    /** Deletes an account; its tokens, sessions, keys, memberships and requests go with it. */
    delete(id: number): Promise<void>;
    /** Number of repos the account owns. */
    repoCount(id: number): Promise<number>;
  };
  /** Login failure counts shared by every node (see core/throttle.ts). */
  throttle: ThrottleStore;
  sessions: {
    create(s: { accountId: number; hash: string; expiresAt: string }): Promise<void>;
    byHash(hash: string): Promise<{ id: number; accountId: number; createdAt: string; expiresAt: string } | null>;
    delete(hash: string): Promise<void>;
    /** Ends every session of an account but one (null: all of them). */
    deleteAllOf(accountId: number, exceptHash: string | null): Promise<void>;
  };
  sshKeys: {
    create(k: Omit<SshKeyRecord, "id" | "createdAt" | "lastUsedAt">): Promise<SshKeyRecord>;
    list(accountId: number): Promise<SshKeyRecord[]>;
    byId(id: number): Promise<SshKeyRecord | null>;
    byFingerprint(fingerprint: string): Promise<SshKeyRecord | null>;
    touch(id: number): Promise<void>;
    delete(id: number): Promise<void>;
  };
  tokens: {
    create(t: { accountId: number; name: string; role: TokenRecord["role"]; fineGrained?: FineGrained | null; hash: string }): Promise<TokenRecord>;
    byHash(hash: string): Promise<TokenRecord | null>;
    touch(id: number): Promise<void>;
    list(accountId: number): Promise<TokenRecord[]>;
    byId(id: number): Promise<TokenRecord | null>;
    delete(id: number): Promise<void>;
  };
  repos: {
    create(r: { type: RepoType; namespace: string; name: string; ownerId: number; createdBy: number | null; private: boolean; defaultBranch: string; sdk: string | null }): Promise<RepoRecord>;
    /** Case-insensitive lookup. */
    find(type: RepoType, fullName: string): Promise<RepoRecord | null>;
    delete(id: number): Promise<void>;
    rename(id: number, namespace: string, name: string, ownerId: number): Promise<void>;
    update(id: number, patch: Partial<Pick<RepoRecord, "private" | "gated" | "cardData" | "tags" | "lastModified" | "lfsThreshold" | "lfsSuffixRules" | "lfsKeepVersions" | "derived" | "discussionsDisabled">>): Promise<void>;
    list(q: RepoQuery): Promise<RepoRecord[]>;
    addRedirect(type: RepoType, fromFullName: string, repoId: number): Promise<void>;
    /** Current record for an old name, if the repo was moved. */
    findRedirect(type: RepoType, fullName: string): Promise<RepoRecord | null>;
  };
  lfs: {
    /** Records that an object is stored and that a repo may reference it. */
    link(repoId: number, oid: Sha256, size: number): Promise<void>;
    /** Size of an object the repo may reference, or null. */
    linked(repoId: number, oid: Sha256): Promise<number | null>;
    /** Object known to the store at all (any repo), with its size. */
    stored(oid: Sha256): Promise<number | null>;
    /** Every stored object with when it was last uploaded or referenced (for GC). */
    all(): Promise<{ oid: Sha256; size: number; createdAt: string }[]>;
    /**
     * Marks objects as referenced now (a commit or push about to point at them), so a GC running
     * meanwhile keeps them. Returns the oids that are stored.
     */
    touch(oids: Sha256[]): Promise<Set<string>>;
    /**
     * Forgets an object everywhere; with `unusedSince`, only if it was neither uploaded nor touched
     * after that time (checked and deleted atomically). Returns whether it was forgotten.
     */
    forget(oid: Sha256, unusedSince?: string): Promise<boolean>;
  };
  locks: {
    /** Creates a lock, or returns the existing one on the same path with `created: false`. */
    create(l: { repoId: number; path: string; refName: string | null; ownerId: number }): Promise<{ lock: LockRecord; created: boolean }>;
    list(repoId: number, q: { path?: string; id?: number; limit: number; offset: number }): Promise<LockRecord[]>;
    delete(id: number): Promise<void>;
  };
  likes: {
    /** Records a like; false when the user already liked the repo. */
    add(repoId: number, userId: number): Promise<boolean>;
    /** Removes a like; false when there was none. */
    remove(repoId: number, userId: number): Promise<boolean>;
    /** Who likes a repo, newest first. */
    likers(repoId: number, limit: number, offset: number): Promise<Account[]>;
    /** What a user likes, newest first. */
    likedBy(userId: number): Promise<{ repo: RepoRecord; createdAt: string }[]>;
    /** Does this user like this repo? */
    has(repoId: number, userId: number): Promise<boolean>;
  };
  collections: {
    create(c: { ownerId: number; title: string; description: string | null; private: boolean; theme: string }): Promise<CollectionRecord>;
    byKey(key: string): Promise<CollectionRecord | null>;
    /** Public ones, plus the private ones of these owners; filtered and newest first. */
    list(q: { ownerId?: number; repoId?: number; search?: string; visibleOwnerIds: number[]; limit: number; offset: number }): Promise<CollectionRecord[]>;
    /** A collection with this title (any case) under this owner. */
    byTitle(ownerId: number, title: string): Promise<CollectionRecord | null>;
    update(id: number, patch: Partial<Pick<CollectionRecord, "title" | "description" | "private" | "theme" | "position">>): Promise<void>;
    delete(id: number): Promise<void>;
    items(collectionIds: number[]): Promise<Map<number, CollectionItemRecord[]>>;
    /** Appends a repo; null if it is already in the collection. */
    addItem(collectionId: number, repoId: number, note: string | null): Promise<CollectionItemRecord | null>;
    /** Moves an item to `position` (the others shift) and/or sets its note; false if no such item. */
    updateItem(collectionId: number, itemKey: string, patch: { position?: number; note?: string | null }): Promise<boolean>;
    deleteItem(collectionId: number, itemKey: string): Promise<boolean>;
  };
  webhooks: {
    create(w: { ownerId: number; url: string; secret: string | null; watched: WatchedItem[]; domains: WebhookDomain[] }): Promise<WebhookRecord>;
    get(hubId: string): Promise<WebhookRecord | null>;
    byRowId(id: number): Promise<WebhookRecord | null>;
    listByOwner(ownerId: number): Promise<WebhookRecord[]>;
    update(hubId: string, patch: Partial<Pick<WebhookRecord, "url" | "secret" | "watched" | "domains" | "disabled">>): Promise<WebhookRecord | null>;
    delete(hubId: string): Promise<void>;
    /** Enabled webhooks watching any of these items (a repo, its namespace). */
    watching(items: WatchedItem[]): Promise<WebhookRecord[]>;
    /** Queues deliveries (the outbox), all or none. */
    enqueue(rows: { webhookId: number; scope: string; action: string; payload: string }[]): Promise<void>;
    /** For each enabled webhook, its oldest pending delivery if it is due (order per webhook is kept; a disabled webhook's queue waits). */
    due(now: string, limit: number): Promise<WebhookDelivery[]>;
    /** Records an attempt: delivered, or pending again at `nextAt`, or failed for good. */
    attempted(id: number, r: { status: "delivered" | "pending" | "failed"; httpStatus: number | null; error: string | null; nextAt: string; at: string }): Promise<void>;
    /** A webhook's latest deliveries, newest first. */
    deliveries(webhookId: number, limit: number): Promise<WebhookDelivery[]>;
  };
  downloads: {
    /** Adds counted downloads (per repo and UTC day) to the day rows and the repos' totals, atomically. */
    add(batch: { repoId: number; day: string; count: number }[]): Promise<void>;
    /** Recomputes every repo's last-30-days count from the day rows since `sinceDay` (the window's first day). */
    roll(sinceDay: string): Promise<void>;
  };
  discussions: {
    /**
     * Opens a thread with its first events. Its number is the repo's next one (one sequence for
     * discussions and pull requests), distinct under any concurrency.
     */
    create(d: NewDiscussion, events: NewDiscussionEvent[]): Promise<DiscussionRecord>;
    get(repoId: number, num: number): Promise<DiscussionRecord | null>;
    /** A page of a repo's threads, newest first, and how many match. */
    list(repoId: number, q: DiscussionQuery): Promise<{ items: DiscussionRecord[]; total: number }>;
    /** A thread's events, oldest first. */
    events(discussionId: number): Promise<DiscussionEventRecord[]>;
    event(discussionId: number, eventId: string): Promise<DiscussionEventRecord | null>;
    /** Appends an event and applies `patch` to the thread, together. */
    addEvent(discussionId: number, e: NewDiscussionEvent, patch?: DiscussionPatch): Promise<DiscussionEventRecord>;
    /** Replaces an event's data (comment edits and hiding). */
    setEventData(eventId: string, data: Record<string, unknown>): Promise<void>;
    /** Pull requests a commit belongs to (one of their commit events) or merged them. */
    withCommit(repoId: number, oid: string): Promise<DiscussionRecord[]>;
    /** Removes a thread whose opening failed half-way (its number is not given out again). */
    remove(discussionId: number): Promise<void>;
  };
  /** Every repository (for GC and fsck). */
  allRepos(): Promise<RepoRecord[]>;
  /**
   * Runs `fn` with stores bound to one transaction: everything it writes commits together, or —
   * when it throws — nothing does. Calls inside an open transaction join it.
   */
  transaction<T>(fn: (tx: MetaStore) => Promise<T>): Promise<T>;
  xet: XetIndex;
  storage: StorageIndex;
  gate: {
    get(repoId: number, userId: number): Promise<AccessRequest | null>;
    byRequestId(repoId: number, requestId: string): Promise<AccessRequest | null>;
    /** Creates or updates the (repo, user) request. */
    set(repoId: number, userId: number, status: AccessRequest["status"], o?: { fields?: Record<string, unknown> | null; reason?: string | null }): Promise<AccessRequest>;
    list(repoId: number, status: AccessRequest["status"]): Promise<AccessRequest[]>;
  };
}
