/**
 * The only place that builds adapters and hands them to the core and the surfaces.
 */
import { Traffic } from "./surfaces/http/traffic.js";
import type { Sha256 } from "./core/ids.js";
import { parseS3Url, S3BlobStore, s3Client } from "./adapters/blob/s3-blob-store.js";
import { randomBytes } from "node:crypto";
import { access, chmod, mkdir, open, readFile, rename, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { FsBlobStore } from "./adapters/blob/fs-blob-store.js";
import { kyselyMetaStore } from "./adapters/db/meta-store.js";
import { openDatabase } from "./adapters/db/open.js";
import { PgLeadership, PgRefLocks } from "./adapters/db/pg-locks.js";
import { KeyedMutex, type RefLocks } from "./core/mutex.js";
import { FsGitStore } from "./adapters/git/git-store.js";
import { Access } from "./core/access.js";
import { Accounts } from "./core/accounts.js";
import { Commits } from "./core/commits.js";
import { collectGarbage, type GcReport } from "./core/gc.js";
import { Gate } from "./core/gate.js";
import { Lfs } from "./core/lfs.js";
import { Xet } from "./core/xet/cas.js";
import { XorbGrants } from "./core/xet/grants.js";
import { lz4Codec } from "./adapters/xet/lz4.js";
import { verifyPool } from "./adapters/xet/verify-pool.js";
import { Likes } from "./core/likes.js";
import { Discussions } from "./core/discussions.js";
import { DownloadCounter } from "./core/downloads.js";
import { Webhooks } from "./core/webhooks.js";
import { Collections } from "./core/collections.js";
import { GuardedSender } from "./adapters/net/webhook-sender.js";
import { Locks } from "./core/locks.js";
import { Orgs } from "./core/orgs.js";
import { Reads } from "./core/reads.js";
import { Repos } from "./core/repos.js";
import { Sessions } from "./core/sessions.js";
import { SshKeys } from "./core/ssh-keys.js";
import { Storage } from "./core/storage.js";
import type { Config } from "./config.js";
import { buildApp } from "./surfaces/http/app.js";
import { startSshServer, type SshServer } from "./surfaces/ssh/ssh-server.js";
import type { Services } from "./surfaces/http/services.js";

/** Writes a file atomically (temp + fsync + rename) with the given mode. */
export async function writeFileAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  const fh = await open(tmp, "r");
  await fh.sync();
  await fh.close();
  await rename(tmp, path);
}

async function loadSecret(dataDir: string): Promise<Buffer> {
  const p = join(dataDir, "secret");
  try {
    return Buffer.from((await readFile(p, "utf8")).trim(), "hex");
  } catch {
    const s = randomBytes(32);
    await writeFileAtomic(p, s.toString("hex") + "\n");
    return s;
  }
}

/**
 * What a request looks like in the log: never a credential. Headers are not logged at all, and
 * query values that are signatures or tokens (signed LFS/Xet transfer URLs) are masked.
 */
export function logRequest(req: { method: string; url: string; hostname?: string; ip?: string }) {
  return { method: req.method, url: redactUrl(req.url), host: req.hostname, remoteAddress: req.ip };
}

/** Masks secret-bearing query parameters. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:sig|signature|token|access_token|X-Amz-Signature|X-Amz-Credential)=)[^&]*/gi, "$1[redacted]");
}

/** A wired Hubble: services plus the HTTP app, not yet listening. */
export interface Hubble {
  app: FastifyInstance;
  services: Services;
  /** LFS garbage collection over this instance's stores. */
  gc(o: { dryRun: boolean; graceMs: number; progress?: (line: string) => void }): Promise<GcReport>;
  /** For `serve`: removes partial uploads now, then every 10 minutes those idle for an hour. */
  startHousekeeping(): Promise<void>;
  close(): Promise<void>;
}

/** Builds Hubble on the embedded adapters (SQLite + data folder). */
/**
 * Cross-process parts for `serve --workers` on the embedded default (PostgreSQL's own locks win
 * when there is a database server to hold them).
 */
export interface ProcessCluster {
  refLocks: RefLocks;
  leadership: { lead(): Promise<boolean>; resign(): Promise<void> };
}

export async function createHubble(config: Config, logger: boolean | object = false, processCluster?: ProcessCluster): Promise<Hubble> {
  // Private by default: everything this process writes (database, blobs, git repos, keys) is
  // owner-only, and so is the folder itself.
  process.umask(0o077);
  await mkdir(config.data, { recursive: true, mode: 0o700 });
  await chmod(config.data, 0o700);
  const { db, pool: pgPool } = await openDatabase(config.databaseUrl, join(config.data, "hubble.db"));
  const meta = kyselyMetaStore(db);
  if (config.gitDir) await mkdir(config.gitDir, { recursive: true, mode: 0o700 });
  const gitStore = new FsGitStore(config.gitDir ?? config.data);
  const blobs = await openBlobStore(config);
  const access = new Access(meta);
  const secret = config.secret ? Buffer.from(config.secret, "hex") : await loadSecret(config.data);
  const pool = verifyPool(config.xetVerifyThreads);
  const xet = new Xet(meta, blobs, pool.verify, lz4Codec, { secret, tokenTtl: config.xetTokenTtl, urlTtl: 3600, uploadSlots: config.xetUploadSlots, maxBody: 65 * 1024 * 1024 });
  const lfs = new Lfs(meta, blobs, { secret, multipartThreshold: config.lfsMultipartThreshold, chunkSize: config.lfsChunkSize, maxFileBytes: config.maxFileBytes, urlTtl: 3600 }, xet);
  const accounts = new Accounts(meta, secret);
  const repos = new Repos(meta, gitStore, access);
  const readLarge = async (repoId: number, oid: string, start: number, end: number) => {
    const parts: Buffer[] = [];
    for await (const p of await lfs.open(repoId, oid as Sha256, { start, end })) parts.push(p as Buffer);
    return Buffer.concat(parts);
  };
  const refLocks = pgPool ? new PgRefLocks(pgPool) : (processCluster?.refLocks ?? new KeyedMutex());
  const webhooks = new Webhooks(meta, access, new GuardedSender(config.webhookAllow), config.publicUrl);
  const commits = new Commits(meta, gitStore, (repoId, oid) => lfs.held(repoId, oid), readLarge, refLocks, webhooks);
  const services: Services = {
    cluster: { leader: false },
    webhooks,
    collections: new Collections(meta, repos, access),
    discussions: new Discussions(meta, repos, access, commits, refLocks, webhooks),
    downloads: new DownloadCounter(meta, config.countDownloads),
    traffic: new Traffic(),
    likes: new Likes(meta, repos, access),
    xetGrants: new XorbGrants(xet, meta, blobs, pool.verify, secret),
    config,
    accounts,
    access,
    repos,
    storage: new Storage(meta, gitStore, blobs, access, repos),
    reads: new Reads(gitStore, (repoId, oids) => xet.filesForOids(repoId, oids), readLarge),
    commits,
    locks: new Locks(meta, access),
    lfs,
    xet,
    gate: new Gate(meta, access),
    sessions: new Sessions(meta, accounts, { registration: config.registration, sessionTtlSeconds: config.sessionTtl }),
    orgs: new Orgs(meta),
    sshKeys: new SshKeys(meta),
  };
  const app = await buildApp(services, typeof logger === "object" ? { ...logger, serializers: { req: logRequest } } : logger);
  webhooks.onError = (e) => app.log.warn({ err: e }, "webhook event not queued");
  let housekeeping: NodeJS.Timeout | undefined;
  let delivering: NodeJS.Timeout | undefined;
  let leadership: NodeJS.Timeout | undefined;
  // One node at a time runs the sweeps: on PostgreSQL whoever holds the leader lock, else this node.
  const leader = pgPool ? new PgLeadership(pgPool) : (processCluster?.leadership ?? null);
  /** Re-reads leadership; true when this node has just become the leader. */
  const checkLead = async () => {
    const was = services.cluster.leader;
    services.cluster.leader = leader ? await leader.lead().catch(() => false) : true;
    if (services.cluster.leader !== was) app.log.info({ leader: services.cluster.leader }, services.cluster.leader ? "leading the cluster's jobs" : "not leading");
    return services.cluster.leader && !was;
  };
  const sweep = (maxAgeMs: number) => blobs.sweep(maxAgeMs).catch((e: Error) => void app.log.warn({ err: e }, "sweep failed"));
  return {
    app,
    services,
    gc: (o) => collectGarbage(meta, gitStore, blobs, o),
    async startHousekeeping() {
      // Whoever becomes the leader (now, or later when another node or worker stops) sweeps first.
      if (await checkLead()) await sweep(0);
      leadership ??= setInterval(() => void checkLead().then(async (became) => void (became && (await sweep(0)))), 5_000);
      leadership.unref();
      // Webhook deliveries: the leader sends what is due, every second (and at once after a full batch).
      let sending = false;
      delivering ??= setInterval(() => {
        if (!services.cluster.leader || sending) return;
        sending = true;
        void (async () => {
          while ((await webhooks.deliver(20)) === 20);
        })()
          .catch((e: Error) => app.log.warn({ err: e }, "webhook delivery failed"))
          .finally(() => (sending = false));
      }, 1_000);
      delivering.unref();
      // Each node writes its download counts every 5 s; the leader rolls the 30-day window hourly.
      services.downloads.start(5_000, (e) => app.log.warn({ err: e }, "download counts not written (kept for the next try)"));
      let lastRoll = 0;
      // Automatic GC (HUBBLE_GC_INTERVAL_HOURS) is the leader's too; a new leader runs one first.
      let lastGc = 0;
      const gcEvery = (config.gcIntervalHours ?? 0) * 3600_000;
      housekeeping ??= setInterval(() => {
        if (!services.cluster.leader) return;
        void sweep(3600_000);
        if (Date.now() - lastRoll >= 3600_000) {
          lastRoll = Date.now();
          void services.downloads.roll().catch((e: Error) => app.log.warn({ err: e }, "download window roll failed"));
        }
        if (gcEvery && Date.now() - lastGc >= gcEvery) {
          lastGc = Date.now();
          void collectGarbage(meta, gitStore, blobs, { dryRun: false, graceMs: config.gcGraceHours * 3600_000 })
            .then((r) => app.log.info({ removed: r.removed.length, bytes: r.removedBytes }, "gc done"))
            .catch((e: Error) => app.log.warn({ err: e }, "gc failed"));
        }
      }, Math.min(600_000, gcEvery || 600_000));
      housekeeping.unref();
    },
    async close() {
      if (housekeeping) clearInterval(housekeeping);
      if (leadership) clearInterval(leadership);
      if (delivering) clearInterval(delivering);
      await leader?.resign();
      await app.close();
      await services.downloads.stop().catch((e: Error) => app.log.warn({ err: e }, "download counts lost at shutdown"));
      await pool.close();
      gitStore.close();
      await db.destroy();
    },
  };
}

/**
 * On an empty data folder, creates the `admin` user and a write token, saved to
 * `data/admin-token` (mode 0600). Returns the token when one was created.
 */
export async function bootstrapAdmin(h: Hubble): Promise<string | null> {
  const accounts = h.services.accounts;
  if (!(await accounts.isEmpty())) return null;
  await accounts.createUser("admin", { fullname: "Administrator", admin: true });
  const { token } = await accounts.createToken("admin", { name: "admin", role: "write" });
  await writeFileAtomic(join(h.services.config.data, "admin-token"), token + "\n");
  return token;
}

/** Starts git over SSH beside a listening Hubble (host key created under the data folder on first start). */
export async function startSsh(h: Hubble, config: Config): Promise<SshServer> {
  const addr = h.app.server.address() as AddressInfo;
  const loopback = addr.family === "IPv6" ? (addr.address === "::" ? "[::1]" : `[${addr.address}]`) : addr.address === "0.0.0.0" ? "127.0.0.1" : addr.address;
  return startSshServer(h.services, {
    host: config.host,
    port: config.sshPort ?? 0,
    hostKeyPath: join(config.data, "ssh_host_ed25519_key"),
    async ensureHostKey(path, make) {
      try {
        await access(path);
      } catch {
        await writeFileAtomic(path, make());
      }
    },
    httpLocal: () => `${loopback}:${addr.port}`,
    publicBase: () => config.publicUrl ?? `http://${addr.family === "IPv6" ? `[${config.host}]` : config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${addr.port}`,
  });
}

/** The blob store the config names: a bucket (`HUBBLE_BLOB_STORE=s3://…`) or the data folder. */
async function openBlobStore(config: Config): Promise<FsBlobStore | S3BlobStore> {
  if (config.accelRedirect && config.blobStore) throw new Error("HUBBLE_ACCEL_REDIRECT serves files from the data folder; with a bucket use HUBBLE_S3_DIRECT");
  if (!config.blobStore) {
    if (config.s3Direct) throw new Error("HUBBLE_S3_DIRECT needs HUBBLE_BLOB_STORE=s3://…: a data folder has no presigned URLs");
    return new FsBlobStore(config.data);
  }
  const loc = parseS3Url(config.blobStore);
  const store = new S3BlobStore(s3Client({ ...loc, endpoint: config.s3Endpoint, region: config.s3Region }), loc);
  await store.check();
  if (config.s3Direct) store.enableDirect(s3Client({ ...loc, endpoint: config.s3PublicEndpoint ?? config.s3Endpoint, region: config.s3Region }));
  return store;
}
