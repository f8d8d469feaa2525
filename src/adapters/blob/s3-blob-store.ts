/**
 * BlobStore on an S3-compatible bucket (AWS SDK v3). A put never makes a partial or unverified
 * object visible: bodies up to one part are buffered, checked (size, sha256) and sent with one
 * PutObject; larger ones go up as a multipart upload to the final key while being hashed, and the
 * upload is completed — the moment S3 makes the object visible, atomically — only when size and
 * hash check out, else aborted. No staging copy, so objects of any size work.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { blobKeyPath } from "../../core/blob-keys.js";
import { HubError } from "../../core/errors.js";
import type { Sha256 } from "../../core/ids.js";
import type { BlobKey, BlobStore, DirectTransfers, PutExpect } from "../../core/ports.js";

/** Where the bucket is and how to reach it. */
export interface S3Location {
  bucket: string;
  /** Key prefix inside the bucket ("" or ending without a slash). */
  prefix: string;
  endpoint?: string;
  region: string;
}

/** Parses `s3://bucket/prefix`. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new Error(`HUBBLE_BLOB_STORE must look like s3://bucket/prefix, got ${url}`);
  return { bucket: m[1]!, prefix: (m[2] ?? "").replace(/^\/+|\/+$/g, "") };
}

/** The SDK client for a location (path-style, checksums only when an operation needs one). */
export function s3Client(loc: S3Location): S3Client {
  return new S3Client({
    region: loc.region,
    ...(loc.endpoint ? { endpoint: loc.endpoint } : {}),
    // Bucket-in-host names do not resolve on 127.0.0.1 and most self-hosted S3 servers.
    forcePathStyle: true,
    // Since 3.729 the SDK adds CRC checksums to every request by default, which S3-compatible
    // servers and presigned uploads trip over; Hubble verifies sha256 itself.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

const MIN_PART = 16 << 20;
const MAX_PARTS = 10_000;
/** Parts sent at once during a multipart put. */
const IN_FLIGHT = 3;

const notFound = (e: unknown) => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === "NoSuchKey" || err.name === "NotFound" || err.$metadata?.httpStatusCode === 404;
};

/** Largest object one CopyObject copies; bigger ones are copied part by part. */
const MAX_COPY = 5 * 1024 ** 3;
const COPY_PART = 1024 ** 3;

/** A BlobStore in a bucket. */
export class S3BlobStore implements BlobStore {
  /** Presigned transfers, when HUBBLE_S3_DIRECT turns them on (see `enableDirect`). */
  direct?: DirectTransfers;

  constructor(
    private readonly client: S3Client,
    private readonly loc: Pick<S3Location, "bucket" | "prefix">,
  ) {}

  /**
   * Turns on presigned transfers; URLs are signed for `publicClient`'s endpoint (the address
   * clients reach the bucket at, which may differ from the nodes' own).
   */
  enableDirect(publicClient: S3Client): void {
    const Bucket = this.loc.bucket;
    this.direct = {
      getUrl: (key, ttl, o = {}) => {
        const cmd = new GetObjectCommand({
          Bucket,
          Key: this.key(key),
          ...(o.filename ? { ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(o.filename)}` } : {}),
          // A signed header: S3 refuses the URL with any other Range (or none).
          ...(o.range ? { Range: `bytes=${o.range.start}-${o.range.end}` } : {}),
        });
        return getSignedUrl(publicClient, cmd, { expiresIn: ttl, ...(o.range ? { signableHeaders: new Set(["range"]) } : {}) });
      },
      putUrl: (key, ttl) => getSignedUrl(publicClient, new PutObjectCommand({ Bucket, Key: this.key(key) }), { expiresIn: ttl }),
      startMultipart: async (key) => (await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key: this.key(key) }))).UploadId!,
      partUrl: (key, UploadId, PartNumber, ttl) => getSignedUrl(publicClient, new UploadPartCommand({ Bucket, Key: this.key(key), UploadId, PartNumber }), { expiresIn: ttl }),
      completeMultipart: async (key, UploadId, etags) => {
        const Parts = etags.map((ETag, i) => ({ PartNumber: i + 1, ETag }));
        await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key: this.key(key), UploadId, MultipartUpload: { Parts } }));
      },
      copy: (from, to, size) => this.copy(from, to, size),
    };
  }

  /** Server-side copy: one CopyObject up to 5 GiB, else a multipart upload of part copies. */
  private async copy(from: BlobKey, to: BlobKey, size: number): Promise<void> {
    const Bucket = this.loc.bucket;
    const CopySource = encodeURI(`${Bucket}/${this.key(from)}`);
    const Key = this.key(to);
    if (size <= MAX_COPY) {
      await this.client.send(new CopyObjectCommand({ Bucket, Key, CopySource }));
      return;
    }
    const UploadId = (await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key }))).UploadId!;
    try {
      const Parts = [];
      for (let start = 0, n = 1; start < size; start += COPY_PART, n++) {
        const end = Math.min(size, start + COPY_PART) - 1;
        const r = await this.client.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: n, CopySource, CopySourceRange: `bytes=${start}-${end}` }));
        Parts.push({ PartNumber: n, ETag: r.CopyPartResult!.ETag! });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));
    } catch (e) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
      throw e;
    }
  }

  /** The object key of a blob key. */
  key(key: BlobKey): string {
    return this.loc.prefix ? `${this.loc.prefix}/${blobKeyPath(key)}` : blobKeyPath(key);
  }

  async stat(key: BlobKey) {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.loc.bucket, Key: this.key(key) }));
      return { size: Number(r.ContentLength ?? 0) };
    } catch (e) {
      if (notFound(e)) return null;
      throw e;
    }
  }

  async get(key: BlobKey, range?: { start: number; end: number }, signal?: AbortSignal): Promise<Readable> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.key(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }), { abortSignal: signal });
      return r.Body as Readable;
    } catch (e) {
      if (notFound(e)) throw new HubError("EntryNotFound", "Object not found in storage");
      // An empty object asked for bytes 0..-1 never happens (callers skip empty ranges); a range
      // past the end is the caller's bug, reported as such.
      throw e;
    }
  }

  async put(key: BlobKey, body: Readable, expect: PutExpect = {}, signal?: AbortSignal) {
    const Key = this.key(key);
    const Bucket = this.loc.bucket;
    const partSize = Math.max(MIN_PART, expect.size !== undefined ? Math.ceil(expect.size / MAX_PARTS) : 0);
    const hash = createHash("sha256");
    let size = 0;
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let uploadId: string | undefined;
    const parts: { PartNumber: number; ETag: string }[] = [];
    let nextPart = 1;
    const inFlight = new Set<Promise<void>>();
    let failed: unknown = null;
    const check = (final: boolean) => {
      if (expect.size !== undefined && (size > expect.size || (final && size !== expect.size))) throw new HubError("BadRequest", `Size mismatch: expected ${expect.size} bytes, received ${final ? size : `more than ${expect.size}`}`);
    };
    const sendPart = async (data: Buffer) => {
      uploadId ??= (await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key }), { abortSignal: signal })).UploadId!;
      const PartNumber = nextPart++;
      const p = this.client
        .send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: data, ContentLength: data.length }), { abortSignal: signal })
        .then((r) => void parts.push({ PartNumber, ETag: r.ETag! }))
        .catch((e: unknown) => void (failed ??= e))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      if (failed) throw failed;
    };
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (signal?.aborted) throw new HubError("BadRequest", "Upload aborted");
        size += chunk.length;
        check(false);
        hash.update(chunk);
        pending.push(chunk);
        pendingLen += chunk.length;
        if (pendingLen >= partSize) {
          const all = Buffer.concat(pending);
          pending = [all.subarray(partSize)];
          pendingLen = all.length - partSize;
          await sendPart(all.subarray(0, partSize));
        }
      }
      check(true);
      const sha256 = hash.digest("hex") as Sha256;
      if (expect.sha256 !== undefined && sha256 !== expect.sha256) throw new HubError("BadRequest", `Hash mismatch: expected sha256 ${expect.sha256}, received ${sha256}`);
      const rest = Buffer.concat(pending);
      if (uploadId === undefined) {
        // One part's worth or less: verified above, then one request makes it visible.
        await this.client.send(new PutObjectCommand({ Bucket, Key, Body: rest, ContentLength: rest.length }), { abortSignal: signal });
        return { size, sha256 };
      }
      if (rest.length) await sendPart(rest);
      await Promise.all(inFlight);
      if (failed) throw failed;
      parts.sort((a, b) => a.PartNumber - b.PartNumber);
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      return { size, sha256 };
    } catch (e) {
      await Promise.allSettled(inFlight);
      if (uploadId !== undefined) await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => undefined);
      throw e;
    }
  }

  async delete(key: BlobKey) {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: this.key(key) }));
  }

  /** Fails fast, with the reason, when the bucket cannot be reached. */
  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.loc.bucket }));
    } catch (e) {
      throw new Error(`The bucket ${this.loc.bucket} cannot be used: ${(e as Error).name} ${(e as Error).message}`);
    }
  }

  /**
   * Removes what abandoned uploads left: multipart uploads (Hubble's own puts, HF multipart
   * parts, direct uploads) older than `maxAgeMs`, and `uploads/` part objects and unverified
   * `staging/` objects older than a day.
   */
  async sweep(maxAgeMs: number): Promise<{ tmp: number; uploads: number }> {
    const now = Date.now();
    const prefix = this.loc.prefix ? `${this.loc.prefix}/` : "";
    let tmp = 0;
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    for (;;) {
      const r = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.loc.bucket, Prefix: prefix, KeyMarker, UploadIdMarker }));
      for (const u of r.Uploads ?? []) {
        if (u.Initiated && now - u.Initiated.getTime() >= Math.max(maxAgeMs, 3600_000)) {
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.loc.bucket, Key: u.Key!, UploadId: u.UploadId! })).catch(() => undefined);
          tmp++;
        }
      }
      if (!r.IsTruncated) break;
      KeyMarker = r.NextKeyMarker;
      UploadIdMarker = r.NextUploadIdMarker;
    }
    let uploads = 0;
    // Parts of node-streamed HF multipart uploads, and direct uploads never verified.
    for (const folder of ["uploads/", "staging/"]) {
      let ContinuationToken: string | undefined;
      for (;;) {
        const r = await this.client.send(new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: `${prefix}${folder}`, ContinuationToken }));
        for (const o of r.Contents ?? []) {
          if (o.LastModified && now - o.LastModified.getTime() >= 24 * 3600_000) {
            await this.client.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: o.Key! }));
            uploads++;
          }
        }
        if (!r.IsTruncated) break;
        ContinuationToken = r.NextContinuationToken;
      }
    }
    return { tmp, uploads };
  }
}
