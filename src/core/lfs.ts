/**
 * Git LFS use cases: the batch decision, verified uploads (single and multipart), and signed,
 * self-authorising transfer URLs (the Python client sends no credentials on the PUT).
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import { blobKeyPath } from "./blob-keys.js";
import { errors, HubError } from "./errors.js";
import { parseSha256, type Sha256 } from "./ids.js";
import type { BlobKey, BlobReader, BlobStore, MetaStore, RepoRecord } from "./ports.js";
import type { Xet } from "./xet/cas.js";

/** Settings of the LFS service. */
export interface LfsConfig {
  secret: Buffer;
  /** Objects at least this big get a multipart answer when the client offers `multipart`. */
  multipartThreshold: number;
  chunkSize: number;
  /** Largest object accepted, bytes. */
  maxFileBytes: number;
  /** Lifetime of signed URLs, seconds. */
  urlTtl: number;
}

/** One object of a batch request after validation. */
interface BatchObject {
  oid: string;
  size: number;
}

type Action = { href: string; header?: Record<string, string>; expires_in?: number };

/** Builds absolute URLs for signed transfer routes (the surface knows the base URL). */
export type UrlFor = (path: string) => string;

/** LFS use cases. */
export class Lfs {
  /** Bytes of direct (presigned) uploads read back from the store to verify them. */
  readonly metrics = { stagedBytesVerified: 0, stagedRefused: 0 };

  constructor(
    private readonly meta: MetaStore,
    private readonly blobs: BlobStore,
    private readonly cfg: LfsConfig,
    private readonly xet?: Xet,
  ) {}

  /**
   * Size of an object the repo holds, or null: uploaded through LFS, or a Xet file whose shard
   * (uploaded through this repo) asserted this sha256.
   */
  async held(repoId: number, oid: Sha256): Promise<number | null> {
    const size = await this.meta.lfs.linked(repoId, oid);
    if (size !== null || !this.xet) return size;
    return (await this.xet.fileForOid(repoId, oid))?.size ?? null;
  }

  /** Signs a transfer claim; the signature covers every field and the expiry. */
  sign(fields: (string | number)[]): string {
    const exp = Math.floor(Date.now() / 1000) + this.cfg.urlTtl;
    const mac = createHmac("sha256", this.cfg.secret).update([...fields, exp].join("\n")).digest("base64url");
    return `exp=${exp}&sig=${mac}`;
  }

  /** Checks a signature made by `sign`; throws Forbidden when it is wrong or expired. */
  checkSignature(fields: (string | number)[], exp: unknown, sig: unknown): void {
    const e = Number(exp);
    if (typeof sig !== "string" || !Number.isInteger(e)) throw errors.forbidden("Missing transfer signature");
    const mac = createHmac("sha256", this.cfg.secret).update([...fields, e].join("\n")).digest();
    const given = Buffer.from(sig, "base64url");
    if (given.length !== mac.length || !timingSafeEqual(given, mac)) throw errors.forbidden("Invalid transfer signature");
    if (e < Date.now() / 1000) throw errors.forbidden("Transfer URL expired");
  }

  /** Answers a batch request for one repo. Access was checked by the caller for `operation`. */
  async batch(repo: RepoRecord, operation: "upload" | "download", transfers: string[], objects: unknown[], url: UrlFor, authorization?: string, xetUpload?: () => Action) {
    // git-lfs sends action headers with each transfer; echo its own credentials so transfers
    // work even through proxies that strip query strings (the hrefs are signed regardless).
    const auth: Record<string, string> = authorization ? { Authorization: authorization } : {};
    const multipart = operation === "upload" && transfers.includes("multipart");
    // Xet only for uploads (git-xet cannot download; downloads get basic URLs served by
    // server-side reconstruction).
    const xet = operation === "upload" && transfers.includes("xet") && xetUpload ? xetUpload() : null;
    let usedMultipart = false;
    const out = [];
    for (const raw of objects) {
      const o = raw as Partial<BatchObject>;
      const oid = typeof o?.oid === "string" ? o.oid : String(o?.oid);
      const size = o?.size;
      if (!/^[0-9a-f]{64}$/.test(oid)) {
        out.push({ oid, size, error: { code: 422, message: "Invalid object id: expected a sha256 hex digest" } });
        continue;
      }
      if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
        out.push({ oid, size, error: { code: 422, message: "Invalid object size" } });
        continue;
      }
      const held = await this.held(repo.id, oid as Sha256);
      if (operation === "download") {
        if (held === null) out.push({ oid, size, error: { code: 404, message: "Object does not exist" } });
        else if (this.blobs.direct && (await this.meta.lfs.linked(repo.id, oid as Sha256)) !== null) {
          // Straight from the bucket; no credentials of the caller travel with it.
          out.push({ oid, size: held, authenticated: true, actions: { download: { href: await this.blobs.direct.getUrl({ kind: "lfs", oid: oid as Sha256 }, this.cfg.urlTtl), expires_in: this.cfg.urlTtl } } });
        } else out.push({ oid, size: held, authenticated: true, actions: { download: { href: url(`/lfs/objects/${repo.id}/${oid}?${this.sign(["get", repo.id, oid])}`), header: auth, expires_in: this.cfg.urlTtl } } });
        continue;
      }
      if (held !== null) {
        out.push({ oid, size, authenticated: true });
        continue;
      }
      if (size > this.cfg.maxFileBytes) {
        out.push({ oid, size, error: { code: 422, message: `Object is larger than this hub's limit of ${this.cfg.maxFileBytes} bytes` } });
        continue;
      }
      if (xet) {
        out.push({ oid, size, authenticated: true, actions: { upload: xet } });
        continue;
      }
      if (this.blobs.direct) {
        const m = multipart && size >= this.cfg.multipartThreshold;
        usedMultipart ||= m;
        out.push({ oid, size, authenticated: true, actions: await this.directUpload(repo.id, oid as Sha256, size, m, url, auth) });
        continue;
      }
      const verify: Action = { href: url(`/lfs/verify/${repo.id}?${this.sign(["verify", repo.id])}`), header: auth, expires_in: this.cfg.urlTtl };
      if (multipart && size >= this.cfg.multipartThreshold) {
        usedMultipart = true;
        const uploadId = randomUUID();
        const parts = Math.max(1, Math.ceil(size / this.cfg.chunkSize));
        const header: Record<string, string> = { chunk_size: String(this.cfg.chunkSize) };
        for (let i = 1; i <= parts; i++) {
          const partSize = Math.min(this.cfg.chunkSize, size - (i - 1) * this.cfg.chunkSize);
          header[String(i)] = url(`/lfs/parts/${uploadId}/${i}/${partSize}?${this.sign(["part", uploadId, i, partSize])}`);
        }
        const done = url(`/lfs/complete/${repo.id}/${oid}/${size}/${uploadId}?${this.sign(["complete", repo.id, oid, size, uploadId])}`);
        out.push({ oid, size, authenticated: true, actions: { upload: { href: done, header, expires_in: this.cfg.urlTtl }, verify } });
      } else {
        const href = url(`/lfs/objects/${repo.id}/${oid}/${size}?${this.sign(["put", repo.id, oid, size])}`);
        out.push({ oid, size, authenticated: true, actions: { upload: { href, header: { "Content-Type": "application/octet-stream", ...auth }, expires_in: this.cfg.urlTtl }, verify } });
      }
    }
    return { transfer: xet ? "xet" : usedMultipart ? "multipart" : "basic", hash_algo: "sha256", objects: out };
  }

  /**
   * Upload actions straight to the bucket: the client PUTs to a presigned staging key (one object,
   * or the parts of a multipart upload); nothing is visible until `promote` has checked the bytes.
   * The verify (and completion) URLs are the node's, signed for exactly this object and stage.
   */
  private async directUpload(repoId: number, oid: Sha256, size: number, multipart: boolean, url: UrlFor, auth: Record<string, string>) {
    const direct = this.blobs.direct!;
    const stage = randomUUID();
    const key: BlobKey = { kind: "staging", id: stage };
    const ttl = this.cfg.urlTtl;
    const verify: Action = { href: url(`/lfs/verify-staged/${repoId}/${oid}/${size}/${stage}?${this.sign(["verify-staged", repoId, oid, size, stage])}`), header: auth, expires_in: ttl };
    if (!multipart) return { upload: { href: await direct.putUrl(key, ttl), expires_in: ttl }, verify };
    const uploadId = await direct.startMultipart(key);
    const parts = Math.max(1, Math.ceil(size / this.cfg.chunkSize));
    const header: Record<string, string> = { chunk_size: String(this.cfg.chunkSize) };
    for (let i = 1; i <= parts; i++) header[String(i)] = await direct.partUrl(key, uploadId, i, ttl);
    const done = url(`/lfs/complete-staged/${repoId}/${oid}/${size}/${stage}/${encodeURIComponent(uploadId)}?${this.sign(["complete-staged", repoId, oid, size, stage, uploadId])}`);
    return { upload: { href: done, header, expires_in: ttl }, verify };
  }

  /** Completes a direct multipart upload from the parts' ETags the client collected, then promotes it. */
  async completeStaged(repoId: number, oid: Sha256, size: number, stage: string, uploadId: string, body: { oid: string; parts: unknown[] }): Promise<void> {
    const direct = this.blobs.direct;
    if (!direct) throw errors.badRequest("Direct transfers are off");
    if (parseSha256(body.oid) !== oid) throw errors.badRequest("Completion oid does not match the upload");
    if ((await this.meta.lfs.linked(repoId, oid)) !== null) return;
    const expected = Math.max(1, Math.ceil(size / this.cfg.chunkSize));
    const parts = body.parts.map((p) => p as { partNumber?: unknown; etag?: unknown });
    if (parts.length !== expected) throw errors.badRequest(`Expected ${expected} parts`);
    parts.sort((a, b) => Number(a.partNumber) - Number(b.partNumber));
    const etags = parts.map((p, i) => {
      if (Number(p.partNumber) !== i + 1 || typeof p.etag !== "string" || p.etag.length > 200) throw errors.badRequest(`Part ${i + 1} is missing or malformed`);
      return p.etag;
    });
    try {
      await direct.completeMultipart({ kind: "staging", id: stage }, uploadId, etags);
    } catch (e) {
      throw errors.badRequest(`The storage refused to assemble the parts: ${(e as Error).name}`);
    }
    await this.promote(repoId, oid, size, stage);
  }

  /**
   * Makes a directly uploaded object visible: reads the staged bytes back from the store, checks
   * size and sha256, copies them to the object's key inside the store and links the repo. A staged
   * upload that does not match is deleted and refused; nothing of it is ever served.
   */
  async promote(repoId: number, oid: Sha256, size: number, stage: string): Promise<void> {
    const key: BlobKey = { kind: "staging", id: stage };
    if ((await this.meta.lfs.linked(repoId, oid)) !== null) {
      await this.blobs.delete(key).catch(() => undefined);
      return;
    }
    const st = await this.blobs.stat(key);
    if (!st) throw new HubError("EntryNotFound", "Object was not uploaded");
    const refuse = async (msg: string) => {
      this.metrics.stagedRefused++;
      await this.blobs.delete(key);
      return new HubError("Unprocessable", msg);
    };
    if (st.size !== size) throw await refuse(`Size mismatch: expected ${size} bytes, received ${st.size}`);
    const hash = createHash("sha256");
    for await (const chunk of await this.blobs.get(key)) {
      hash.update(chunk as Buffer);
      this.metrics.stagedBytesVerified += (chunk as Buffer).length;
    }
    const got = hash.digest("hex");
    if (got !== oid) throw await refuse(`Hash mismatch: expected sha256 ${oid}, received ${got}`);
    if (!(await this.blobs.stat({ kind: "lfs", oid }))) await this.blobs.direct!.copy(key, { kind: "lfs", oid }, size);
    await this.meta.lfs.link(repoId, oid, size);
    await this.blobs.delete(key);
  }

  /**
   * Where an LFS-stored object of the repo lies inside a local store (relative to its root), for a
   * proxy that sends files itself (X-Accel-Redirect); null for Xet files or a remote store.
   */
  async localPath(repoId: number, oid: Sha256): Promise<string | null> {
    if (!this.blobs.openReader || (await this.meta.lfs.linked(repoId, oid)) === null) return null;
    return blobKeyPath({ kind: "lfs", oid });
  }

  /** A presigned download URL for an LFS-stored object of the repo, or null (no direct transfers, or a Xet file). */
  async directDownload(repoId: number, oid: Sha256, filename: string): Promise<string | null> {
    if (!this.blobs.direct || (await this.meta.lfs.linked(repoId, oid)) === null) return null;
    return this.blobs.direct.getUrl({ kind: "lfs", oid }, this.cfg.urlTtl, { filename });
  }

  /** Stores an uploaded object after checking size and sha256, then links it to the repo. */
  async upload(repoId: number, oid: Sha256, size: number, body: Readable, signal?: AbortSignal): Promise<void> {
    await this.blobs.put({ kind: "lfs", oid }, body, { size, sha256: oid }, signal);
    await this.meta.lfs.link(repoId, oid, size);
  }

  /** Stores one multipart part; its ETag is the part's sha256. */
  async uploadPart(uploadId: string, part: number, partSize: number, body: Readable, signal?: AbortSignal): Promise<string> {
    if (!/^[0-9a-f-]{36}$/.test(uploadId) || !Number.isInteger(part) || part < 1 || part > 10000) throw errors.badRequest("Invalid part");
    const { sha256 } = await this.blobs.put({ kind: "upload-part", uploadId, part }, body, { size: partSize }, signal);
    return sha256;
  }

  /** Assembles the parts in order, verifying the whole object, and removes the parts. */
  async complete(repoId: number, oid: Sha256, size: number, uploadId: string, body: { oid: string; parts: unknown[] }): Promise<void> {
    const expected = Math.max(1, Math.ceil(size / this.cfg.chunkSize));
    if (body.parts.length !== expected) throw errors.badRequest(`Expected ${expected} parts`);
    if (parseSha256(body.oid) !== oid) throw errors.badRequest("Completion oid does not match the upload");
    for (let i = 1; i <= expected; i++) {
      if (!(await this.blobs.stat({ kind: "upload-part", uploadId, part: i }))) throw errors.badRequest(`Part ${i} was not uploaded`);
    }
    const joined = new PassThrough({ highWaterMark: 1 << 20 });
    const feed = (async () => {
      for (let i = 1; i <= expected; i++) {
        const src = await this.blobs.get({ kind: "upload-part", uploadId, part: i });
        for await (const chunk of src) if (!joined.write(chunk)) await new Promise((r) => joined.once("drain", r));
      }
      joined.end();
    })().catch((e: Error) => joined.destroy(e));
    try {
      await this.upload(repoId, oid, size, joined);
      await feed;
    } finally {
      for (let i = 1; i <= expected; i++) await this.blobs.delete({ kind: "upload-part", uploadId, part: i });
    }
  }

  /** Confirms an object is stored for the repo with the given size. */
  async verify(repoId: number, b: { oid: string; size?: number }): Promise<void> {
    const oid = parseSha256(b.oid);
    const held = await this.held(repoId, oid);
    if (held === null) throw new HubError("EntryNotFound", "Object not found");
    if (b.size !== undefined && b.size !== held) throw new HubError("Unprocessable", "Object size does not match");
  }

  /** Size of an object the repo may reference; EntryNotFound otherwise. */
  async linkedSize(repoId: number, oid: Sha256): Promise<number> {
    const size = await this.held(repoId, oid);
    if (size === null) throw new HubError("EntryNotFound", "Object does not exist");
    return size;
  }

  /**
   * The oids among `oids` that the repo does not hold (the push policy asks this). The held ones
   * are touched first, so a GC running meanwhile keeps what the push is about to reference.
   */
  async missing(repoId: number, oids: unknown[]): Promise<string[]> {
    await this.meta.lfs.touch(oids.filter((o): o is Sha256 => typeof o === "string" && /^[0-9a-f]{64}$/.test(o)));
    const out = [];
    for (const o of oids) {
      if (typeof o !== "string" || !/^[0-9a-f]{64}$/.test(o) || (await this.held(repoId, o as Sha256)) === null) out.push(String(o));
    }
    return out;
  }

  /** Random access to an LFS-stored object when the store offers it (see BlobStore.openReader); null for Xet files. */
  async reader(repoId: number, oid: Sha256): Promise<BlobReader | null> {
    if (!this.blobs.openReader) return null;
    if (this.xet && (await this.meta.lfs.linked(repoId, oid)) === null) return null;
    return this.blobs.openReader({ kind: "lfs", oid });
  }

  /** Streams an object the repo references (range inclusive); Xet files are reconstructed here. */
  async open(repoId: number, oid: Sha256, range?: { start: number; end: number }, signal?: AbortSignal): Promise<Readable> {
    if (this.xet && (await this.meta.lfs.linked(repoId, oid)) === null) {
      const f = await this.xet.fileForOid(repoId, oid);
      if (f) return this.xet.open(f.fileHash, range);
    }
    return this.blobs.get({ kind: "lfs", oid }, range, signal);
  }
}
