/**
 * Configuration: defaults → `HUBBLE_*` environment → CLI flags, validated once with zod.
 * Every key is documented in the README.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { z } from "zod";

const schema = z.object({
  data: z.string().min(1),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  publicUrl: z.string().url().optional(),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  /** LFS objects at least this big get a multipart upload when the client offers it. */
  lfsMultipartThreshold: z.coerce.number().int().positive(),
  lfsChunkSize: z.coerce.number().int().min(1024),
  /** Maximum request body for JSON and NDJSON commit bodies, bytes. */
  maxCommitBytes: z.coerce.number().int().positive(),
  /**
   * The server secret (64 hex digits) that signs sessions' CSRF, transfer URLs and CAS tokens; all
   * nodes of a deployment need the same. Unset = `secret` in the data folder, made on first start.
   */
  secret: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 hex digits (openssl rand -hex 32)").optional(),
  /**
   * Behind nginx on the embedded default: LFS downloads answer with `X-Accel-Redirect: {this}{path
   * in the data folder}` and nginx sends the file itself (sendfile, Ranges). E.g. `/_hubble_files/`.
   */
  accelRedirect: z.string().regex(/^\/[\w\/-]*\/$/, "must be a path like /_hubble_files/").optional(),
  /** Where bare git repositories live (a shared volume for several nodes); unset = the data folder. */
  gitDir: z.string().min(1).optional(),
  /** `postgres://…` for the metadata; unset = SQLite in the data folder. */
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
  /** `s3://bucket/prefix` to keep blobs in a bucket; unset = the data folder. */
  blobStore: z.string().regex(/^s3:\/\//, "must be s3://bucket/prefix").optional(),
  /** The S3 API endpoint Hubble talks to (unset: AWS). */
  s3Endpoint: z.string().url().optional(),
  s3Region: z.string().min(1),
  /** The S3 endpoint as clients reach it, for presigned URLs (unset: HUBBLE_S3_ENDPOINT). */
  s3PublicEndpoint: z.string().url().optional(),
  /** Presigned transfers: LFS and Xet bytes go straight between clients and the bucket. */
  s3Direct: z.enum(["0", "1", "true", "false", ""]).transform((v) => v === "1" || v === "true"),
  /** Largest single file accepted (LFS batch, browser uploads); the Hub's own limit is 50 GB. */
  maxFileBytes: z.coerce.number().int().positive(),
  /** Lifetime of Xet CAS access tokens, seconds. */
  xetTokenTtl: z.coerce.number().int().min(60),
  /** Worker threads verifying xorbs. */
  xetVerifyThreads: z.coerce.number().int().min(1).max(64),
  /** Xorb/shard uploads buffered and verified at once (each up to 65 MiB). */
  xetUploadSlots: z.coerce.number().int().min(1).max(256),
  /**
   * Webhook targets let through the SSRF guard (loopback, private and link-local addresses are
   * refused otherwise): comma-separated addresses, CIDRs or host names.
   */
  webhookAllow: z.string().transform((v) => v.split(",").map((x) => x.trim()).filter(Boolean)),
  /** Count downloads (core/downloads.ts); off only to measure what counting costs. */
  countDownloads: z.enum(["0", "1", "true", "false", ""]).transform((v) => v !== "0" && v !== "false"),
  /** Whether anyone may create an account with `POST /api/register`. */
  registration: z.enum(["open", "closed"]),
  /** Port of the git-over-SSH server; unset = no SSH server. 0 = any free port. */
  sshPort: z.coerce.number().int().min(0).max(65535).optional(),
  /**
   * Which proxies to believe about the client address (X-Forwarded-For): unset = none, `true` =
   * any, else a comma-separated list of proxy addresses/CIDRs.
   */
  trustProxy: z.string().regex(/^(true|false|[0-9A-Fa-f:.\/]+(,[0-9A-Fa-f:.\/]+)*)$/).optional(),
  /** Lifetime of a login session, seconds. */
  sessionTtl: z.coerce.number().int().min(60),
  /** Hours between automatic LFS GC runs on the leader; unset = only `hubble gc`. */
  gcIntervalHours: z.coerce.number().positive().optional(),
  /** Objects uploaded or referenced this recently are never collected, hours. */
  gcGraceHours: z.coerce.number().min(0),
  /** Processes serving HTTP (and SSH) on this machine; 1 = this process alone. */
  workers: z.coerce.number().int().min(1).max(256),
  /** Bearer token that opens `/metrics` to non-loopback callers; unset = loopback only. */
  metricsToken: z.string().min(16).optional(),
});

/** Validated configuration. */
export type Config = z.infer<typeof schema>;

/** Builds the config from environment and flags (flags win). */
export function loadConfig(flags: Partial<Record<keyof Config, string | undefined>> = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const pick = (k: keyof Config, e: string, d?: string) => flags[k] ?? env[e] ?? d;
  const parsed = schema.safeParse({
    data: resolve(pick("data", "HUBBLE_DATA", "./data")!),
    host: pick("host", "HUBBLE_HOST", "0.0.0.0"),
    port: pick("port", "HUBBLE_PORT", "8080"),
    publicUrl: pick("publicUrl", "HUBBLE_PUBLIC_URL")?.replace(/\/+$/, ""),
    logLevel: pick("logLevel", "HUBBLE_LOG_LEVEL", "info"),
    lfsMultipartThreshold: pick("lfsMultipartThreshold", "HUBBLE_LFS_MULTIPART_THRESHOLD", String(512 * 1024 * 1024)),
    lfsChunkSize: pick("lfsChunkSize", "HUBBLE_LFS_CHUNK_SIZE", String(64 * 1024 * 1024)),
    maxCommitBytes: pick("maxCommitBytes", "HUBBLE_MAX_COMMIT_BYTES", String(1024 * 1024 * 1024)),
    secret: pick("secret", "HUBBLE_SECRET") || undefined,
    accelRedirect: pick("accelRedirect", "HUBBLE_ACCEL_REDIRECT") || undefined,
    gitDir: (() => {
      const g = pick("gitDir", "HUBBLE_GIT_DIR");
      return g ? resolve(g) : undefined;
    })(),
    databaseUrl: pick("databaseUrl", "HUBBLE_DATABASE_URL") || undefined,
    blobStore: pick("blobStore", "HUBBLE_BLOB_STORE") || undefined,
    s3Endpoint: pick("s3Endpoint", "HUBBLE_S3_ENDPOINT") || undefined,
    s3Region: pick("s3Region", "HUBBLE_S3_REGION", "us-east-1"),
    s3PublicEndpoint: pick("s3PublicEndpoint", "HUBBLE_S3_PUBLIC_ENDPOINT") || undefined,
    s3Direct: pick("s3Direct", "HUBBLE_S3_DIRECT", "0"),
    maxFileBytes: pick("maxFileBytes", "HUBBLE_MAX_FILE_BYTES", String(50 * 1000 ** 3)),
    xetTokenTtl: pick("xetTokenTtl", "HUBBLE_XET_TOKEN_TTL", "900"),
    xetVerifyThreads: pick("xetVerifyThreads", "HUBBLE_XET_VERIFY_THREADS", "2"),
    xetUploadSlots: pick("xetUploadSlots", "HUBBLE_XET_UPLOAD_SLOTS", "4"),
    registration: pick("registration", "HUBBLE_REGISTRATION", "closed"),
    countDownloads: pick("countDownloads", "HUBBLE_COUNT_DOWNLOADS", "1"),
    webhookAllow: pick("webhookAllow", "HUBBLE_WEBHOOK_ALLOW", ""),
    sshPort: pick("sshPort", "HUBBLE_SSH_PORT") || undefined,
    sessionTtl: pick("sessionTtl", "HUBBLE_SESSION_TTL", String(30 * 24 * 3600)),
    trustProxy: pick("trustProxy", "HUBBLE_TRUST_PROXY") || undefined,
    metricsToken: pick("metricsToken", "HUBBLE_METRICS_TOKEN") || undefined,
    gcIntervalHours: pick("gcIntervalHours", "HUBBLE_GC_INTERVAL_HOURS") || undefined,
    gcGraceHours: pick("gcGraceHours", "HUBBLE_GC_GRACE_HOURS", "24"),
    workers: pick("workers", "HUBBLE_WORKERS", String(availableParallelism())),
  });
  if (!parsed.success) {
    throw new Error("Invalid configuration: " + parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  }
  return parsed.data;
}
