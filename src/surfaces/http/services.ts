/** What the HTTP surfaces are handed by main.ts. */
import type { Traffic } from "./traffic.js";
import type { Likes } from "../../core/likes.js";
import type { Discussions } from "../../core/discussions.js";
import type { DownloadCounter } from "../../core/downloads.js";
import type { Webhooks } from "../../core/webhooks.js";
import type { Collections } from "../../core/collections.js";
import type { XorbGrants } from "../../core/xet/grants.js";
import type { Access } from "../../core/access.js";
import type { Accounts } from "../../core/accounts.js";
import type { Commits } from "../../core/commits.js";
import type { Gate } from "../../core/gate.js";
import type { Lfs } from "../../core/lfs.js";
import type { Locks } from "../../core/locks.js";
import type { Orgs } from "../../core/orgs.js";
import type { Reads } from "../../core/reads.js";
import type { Repos } from "../../core/repos.js";
import type { Sessions } from "../../core/sessions.js";
import type { SshKeys } from "../../core/ssh-keys.js";
import type { Storage } from "../../core/storage.js";
import type { Xet } from "../../core/xet/cas.js";
import type { Config } from "../../config.js";

/** The core use cases plus the config, built once in main.ts. */
export interface Services {
  /** This node's part in a cluster: whether it runs the one-at-a-time jobs now. */
  cluster: { leader: boolean };
  likes: Likes;
  discussions: Discussions;
  webhooks: Webhooks;
  collections: Collections;
  /** Download counts (in memory, flushed in batches). */
  downloads: DownloadCounter;
  /** Xet upload grants (direct transfers). */
  xetGrants: XorbGrants;
  /** Bytes moved to and from HTTP clients (counted from buildApp on). */
  traffic: Traffic;
  config: Config;
  accounts: Accounts;
  access: Access;
  repos: Repos;
  commits: Commits;
  lfs: Lfs;
  locks: Locks;
  xet: Xet;
  gate: Gate;
  sessions: Sessions;
  orgs: Orgs;
  sshKeys: SshKeys;
  storage: Storage;
  reads: Reads;
}
