/**
 * The Xet content-addressed store: scoped CAS tokens, verified xorb and shard uploads, global
 * dedupe answers, reconstruction plans with signed xorb-range URLs, and server-side reconstruction
 * for clients that do not speak Xet (plain GET, git-lfs). Contract: ../shared/protocols/xet.md.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Readable } from "node:stream";
import { errors, HubError } from "../errors.js";
import { Semaphore } from "../mutex.js";
import type { BlobStore, MetaStore, XetTerm } from "../ports.js";
import { hashMod, hashToHex, hexToHash, hmacWith } from "./hashing.js";
import { dedupeShard, parseShard, verifyShard } from "./shard.js";
import { chunkTable, type ChunkTable, type VerifiedXorb } from "./xorb-index.js";
import { parseXetRange } from "./range.js";
import { decodeChunk, type Lz4Codec } from "./xorb.js";


/** Settings of the CAS. */
export interface XetConfig {
  secret: Buffer;
  /** Lifetime of CAS access tokens, seconds. */
  tokenTtl: number;
  /** Lifetime of signed xorb-range URLs, seconds. */
  urlTtl: number;
  /** Xorb/shard bodies held and verified at once (each up to maxBody bytes). */
  uploadSlots: number;
  maxBody: number;
}

/**
 * Verifies a xorb body (the adapters run it on worker threads). The body may be moved to the
 * worker and back rather than copied, so callers use the returned `body`, not their own.
 */
export type XorbVerifier = (body: Buffer) => Promise<{ verified: VerifiedXorb; body: Buffer }>;

/** What a CAS token grants. */
export interface CasGrant {
  repoId: number;
  /** Owner of the repo the token was issued for (scopes dedupe answers). */
  ownerId: number;
  op: "read" | "write";
}

/** Counters exposed on /metrics. */
export interface XetMetrics {
  xorbBytesReceived: number;
  xorbsStored: number;
  xorbBytesStored: number;
  shardsReceived: number;
  /** Of which through `/v2/shards` (the NDJSON progress stream). */
  shardsReceivedV2: number;
  shardBytesReceived: number;
  reconstructions: number;
  /** Stored chunks per compression scheme: none, LZ4, BG4+LZ4. */
  chunksByScheme: [number, number, number];
  /** Upload grants issued (direct transfers), and xorbs committed through them. */
  grantsIssued: number;
  grantsCommitted: number;
  /** Granted uploads refused at commit (wrong length, bytes that are not the xorb). */
  grantsRefused: number;
  /** Bytes of granted uploads read back from the store to verify them. */
  stagedBytesVerified: number;
}


type UrlFor = (path: string) => string;

const HEX = /^[0-9a-f]{64}$/;
/** Xorbs in one dedupe answer (≈ 1 GiB of content; ~50 KiB of shard per xorb). */
const DEDUPE_NEIGHBOURS = 16;

/** The Xet CAS use cases. */
export class Xet {
  readonly metrics: XetMetrics = { xorbBytesReceived: 0, xorbsStored: 0, xorbBytesStored: 0, shardsReceived: 0, shardsReceivedV2: 0, shardBytesReceived: 0, reconstructions: 0, chunksByScheme: [0, 0, 0], grantsIssued: 0, grantsCommitted: 0, grantsRefused: 0, stagedBytesVerified: 0 };
  private readonly slots: Semaphore;
  private readonly tokenKey: Buffer;
  private readonly urlKey: Buffer;

  constructor(
    private readonly meta: MetaStore,
    private readonly blobs: BlobStore,
    private readonly verify: XorbVerifier,
    private readonly lz4: Lz4Codec,
    readonly cfg: XetConfig,
  ) {
    this.slots = new Semaphore(cfg.uploadSlots);
    this.tokenKey = createHmac("sha256", cfg.secret).update("xet-cas-token").digest();
    this.urlKey = createHmac("sha256", cfg.secret).update("xet-fetch-url").digest();
  }

  // ------------------------------------------------------------ tokens

  /** A CAS token for one repo and one operation, valid for `tokenTtl` seconds. */
  issueToken(repo: { id: number; ownerId: number }, op: "read" | "write", now = Date.now()): { accessToken: string; exp: number } {
    const exp = Math.floor(now / 1000) + this.cfg.tokenTtl;
    const claims = Buffer.from(JSON.stringify({ r: repo.id, n: repo.ownerId, o: op, e: exp })).toString("base64url");
    const mac = createHmac("sha256", this.tokenKey).update(claims).digest("base64url");
    return { accessToken: `xet_${claims}.${mac}`, exp };
  }

  /** Checks a CAS token: 401 when missing, forged or expired; 403 when it is read-only and `need` is write. */
  authorize(token: string | undefined, need: "read" | "write"): CasGrant {
    const m = token ? /^xet_([\w-]+)\.([\w-]+)$/.exec(token) : null;
    if (!m) throw errors.unauthorized("Missing or malformed CAS token");
    const mac = createHmac("sha256", this.tokenKey).update(m[1]!).digest();
    const given = Buffer.from(m[2]!, "base64url");
    if (given.length !== mac.length || !timingSafeEqual(given, mac)) throw errors.unauthorized("Invalid CAS token");
    const c = JSON.parse(Buffer.from(m[1]!, "base64url").toString("utf8")) as { r: number; n?: number; o: "read" | "write"; e: number };
    // A few seconds of grace for clock skew: clients refresh only from `exp`, never on a 401.
    if (c.e + 30 < Date.now() / 1000) throw errors.unauthorized("CAS token expired");
    if (need === "write" && c.o !== "write") throw errors.forbidden("This CAS token is read-only");
    return { repoId: c.r, ownerId: c.n ?? -1, op: c.o };
  }

  /** Runs an upload (body read + verification) within the bounded number of slots. */
  uploadSlot<T>(fn: () => Promise<T>): Promise<T> {
    return this.slots.run(fn);
  }

  // ------------------------------------------------------------ uploads

  /** Verifies and stores a xorb; false when it was already stored (the body is then dropped). */
  async putXorb(hash: string, body: Buffer): Promise<boolean> {
    if (!HEX.test(hash)) throw errors.badRequest("Invalid xorb hash");
    this.metrics.xorbBytesReceived += body.length;
    if (await this.meta.xet.xorb(hash)) return false;
    const { verified: v, body: bytes } = await this.verify(body);
    if (v.hash !== hash) throw new HubError("BadRequest", `Xorb content hashes to ${v.hash}, not ${hash}`);
    await this.blobs.put({ kind: "xorb", hash }, Readable.from([bytes.subarray(0, v.length)]), { size: v.length });
    return this.indexXorb(hash, v);
  }

  /** Records a verified, stored xorb in the index; false when it was there already. */
  async indexXorb(hash: string, v: VerifiedXorb): Promise<boolean> {
    const inserted = await this.meta.xet.addXorb({ hash, length: v.length, unpacked: v.unpacked, chunks: v.chunks });
    if (inserted) {
      this.metrics.xorbsStored++;
      this.metrics.xorbBytesStored += v.length;
      v.schemes.forEach((n, i) => (this.metrics.chunksByScheme[i as 0 | 1 | 2] += n));
    }
    return inserted;
  }

  private async table(xorb: string, cache?: Map<string, ChunkTable | null>): Promise<ChunkTable | null> {
    if (cache?.has(xorb)) return cache.get(xorb)!;
    const rec = await this.meta.xet.xorb(xorb);
    const t = rec ? chunkTable(rec.chunks) : null;
    cache?.set(xorb, t);
    return t;
  }

  /**
   * Verifies a shard against the stored xorbs (existence, ranges, sizes, verification hashes,
   * file hashes) and indexes its files for the uploading repo. Returns 1 when new, 0 when the
   * repo had already registered it.
   */
  async putShard(repoId: number, body: Buffer): Promise<0 | 1> {
    this.metrics.shardsReceived++;
    this.metrics.shardBytesReceived += body.length;
    const shard = parseShard(body);
    const cache = new Map<string, ChunkTable | null>();
    await verifyShard(shard, async (h) => {
      const t = await this.table(hashToHex(h), cache);
      if (!t) return null;
      return Array.from({ length: t.count }, (_, i) => ({ hash: t.hash(i), size: t.size(i) }));
    });
    const files = shard.files.map((f) => ({
      hash: hashToHex(f.fileHash),
      size: f.terms.reduce((n, t) => n + t.unpackedBytes, 0),
      terms: f.terms.map((t): XetTerm => ({ xorb: hashToHex(t.xorbHash), start: t.chunkStart, end: t.chunkEnd, bytes: t.unpackedBytes })),
      sha256: f.sha256 ?? null,
    }));
    // Dedupe entry points, each remembering its file so an answer can include the xorbs that
    // follow: the first chunk of every file (the client always asks for it) and every chunk the
    // client may ask about (hash % 1024 == 0) in the file's terms.
    const dedupe: { chunk: string; xorb: string; index: number; file: string }[] = [];
    for (const f of files) {
      for (const [i, term] of f.terms.entries()) {
        const t = (await this.table(term.xorb, cache))!;
        for (let c = term.start; c < term.end; c++) {
          if ((i === 0 && c === term.start) || hashMod(t.hash(c), 1024) === 0) dedupe.push({ chunk: hashToHex(t.hash(c)), xorb: term.xorb, index: c, file: f.hash });
        }
      }
    }
    const sha256 = createHash("sha256").update(body).digest("hex");
    if (!(await this.blobs.stat({ kind: "shard", sha256 }))) await this.blobs.put({ kind: "shard", sha256 }, Readable.from([body]), { size: body.length });
    return (await this.meta.xet.addShard({ sha256, repoId, files, dedupe })) ? 1 : 0;
  }

  // ------------------------------------------------------------ dedupe

  /**
   * The dedupe shard for a chunk: the xorb holding it plus the next xorbs of a file it came in
   * through (up to DEDUPE_NEIGHBOURS in all) — a re-upload of an edited checkpoint then dedupes
   * past the first xorb from a single query.
   *
   * Raw chunk hashes are the proof of possession (a shard's verification hashes are computed
   * from them), so they never leave the server: every chunk hash in the answer is keyed with a
   * fresh random HMAC key carried in the footer, and the client matches HMAC(key, own hash).
   * Entry points are drawn only from files the caller may see (`scope`; see
   * docs/architecture.md), so sizes and xorb ids of others' private files are not disclosed either.
   */
  async dedupe(chunkHex: string, scope: { repoId: number; ownerId: number }): Promise<Buffer | null> {
    if (!HEX.test(chunkHex)) return null;
    const hit = await this.meta.xet.dedupeEntry(chunkHex, scope);
    if (!hit) return null;
    const wanted = [hit.xorb];
    const file = await this.meta.xet.file(hit.file);
    if (file) {
      const at = file.terms.findIndex((t) => t.xorb === hit.xorb);
      for (const t of file.terms.slice(Math.max(0, at))) {
        if (wanted.length >= DEDUPE_NEIGHBOURS) break;
        if (!wanted.includes(t.xorb)) wanted.push(t.xorb);
      }
    }
    const key = new Uint8Array(randomBytes(32));
    const keyed = await hmacWith(key);
    const xorbs = [];
    for (const x of wanted) {
      const rec = await this.meta.xet.xorb(x);
      if (!rec) continue;
      const t = chunkTable(rec.chunks);
      xorbs.push({ hash: hexToHash(x)!, length: rec.length, chunks: Array.from({ length: t.count }, (_, i) => ({ hash: keyed(t.hash(i)), size: t.size(i) })) });
    }
    return xorbs.length ? dedupeShard(xorbs, Math.floor(Date.now() / 1000), key) : null;
  }

  // ------------------------------------------------------------ downloads

  /** Throws a clean 404 unless the repo may read the file. */
  async readable(repoId: number, fileHex: string): Promise<{ size: number; terms: XetTerm[] }> {
    if (!HEX.test(fileHex) || !(await this.meta.xet.repoHasFile(repoId, fileHex))) throw new HubError("EntryNotFound", "File not found");
    const f = await this.meta.xet.file(fileHex);
    if (!f) throw new HubError("EntryNotFound", "File not found");
    return f;
  }

  /** Plans the terms that cover [start, end] and the chunk ranges to fetch per xorb. */
  private async plan(f: { size: number; terms: XetTerm[] }, start: number, end: number) {
    const cache = new Map<string, ChunkTable | null>();
    const terms: { xorb: string; start: number; end: number; bytes: number; table: ChunkTable }[] = [];
    let offsetIntoFirst = 0;
    let pos = 0;
    for (const t of f.terms) {
      const termEnd = pos + t.bytes;
      if (termEnd <= start) {
        pos = termEnd;
        continue;
      }
      if (pos > end) break;
      const table = await this.table(t.xorb, cache);
      if (!table) throw new HubError("Internal", `Xorb ${t.xorb} is missing from the index`);
      let c = t.start;
      let p = pos;
      while (c < t.end - 1 && p + table.size(c) <= start) p += table.size(c++);
      if (terms.length === 0) offsetIntoFirst = start - p;
      let e = c;
      let q = p;
      while (e < t.end && q <= end) q += table.size(e++);
      terms.push({ xorb: t.xorb, start: c, end: e, bytes: q - p, table });
      pos = termEnd;
    }
    return { terms, offsetIntoFirst };
  }

  /** Signs a fetch URL for bytes [start, end] (inclusive) of a stored xorb. */
  private async fetchUrl(xorb: string, start: number, end: number, url: UrlFor): Promise<string> {
    // Straight from the bucket when presigned transfers are on, bound to exactly this range.
    if (this.blobs.direct) return this.blobs.direct.getUrl({ kind: "xorb", hash: xorb }, this.cfg.urlTtl, { range: { start, end } });
    const exp = Math.floor(Date.now() / 1000) + this.cfg.urlTtl;
    const sig = createHmac("sha256", this.urlKey).update(`${xorb}\n${start}\n${end}\n${exp}`).digest("base64url");
    return url(`/xet/fetch/${xorb}/${start}-${end}?exp=${exp}&sig=${sig}`);
  }

  /** Checks a fetch URL's signature: 403 when forged or expired (the client then asks again). */
  checkFetch(xorb: string, start: number, end: number, exp: unknown, sig: unknown): void {
    const e = Number(exp);
    if (typeof sig !== "string" || !Number.isInteger(e)) throw errors.forbidden("Missing signature");
    const mac = createHmac("sha256", this.urlKey).update(`${xorb}\n${start}\n${end}\n${e}`).digest();
    const given = Buffer.from(sig, "base64url");
    if (given.length !== mac.length || !timingSafeEqual(given, mac)) throw errors.forbidden("Invalid signature");
    if (e < Date.now() / 1000) throw errors.forbidden("Signed URL expired");
  }

  /**
   * A reconstruction answer (v1 `fetch_info` or v2 `xorbs`) for a Range of a file the repo may
   * read; "unsatisfiable" past the end (the client reads 416 as end of file).
   */
  async reconstruction(repoId: number, fileHex: string, rangeHeader: string | undefined, version: 1 | 2, url: UrlFor): Promise<object | "unsatisfiable"> {
    const f = await this.readable(repoId, fileHex);
    this.metrics.reconstructions++;
    if (f.size === 0) {
      if (rangeHeader && !/^bytes=0-/.test(rangeHeader.trim())) return "unsatisfiable";
      return version === 1 ? { offset_into_first_range: 0, terms: [], fetch_info: {} } : { offset_into_first_range: 0, terms: [], xorbs: {} };
    }
    const r = parseXetRange(rangeHeader, f.size);
    if (r === "unsatisfiable") return r;
    const { start, end } = r ?? { start: 0, end: f.size - 1 };
    const { terms, offsetIntoFirst } = await this.plan(f, start, end);
    // Merge each xorb's chunk ranges (overlapping or adjacent) so every term lies inside one.
    const perXorb = new Map<string, { start: number; end: number; table: ChunkTable }[]>();
    for (const t of terms) {
      const list = perXorb.get(t.xorb) ?? [];
      list.push({ start: t.start, end: t.end, table: t.table });
      perXorb.set(t.xorb, list);
    }
    const fetch: Record<string, { chunks: { start: number; end: number }; bytes: { start: number; end: number }; url: string }[]> = {};
    for (const [xorb, list] of perXorb) {
      list.sort((a, b) => a.start - b.start);
      const merged: { start: number; end: number; table: ChunkTable }[] = [];
      for (const x of list) {
        const last = merged[merged.length - 1];
        if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
        else merged.push({ ...x });
      }
      fetch[xorb] = await Promise.all(
        merged.map(async (m) => {
          const bytes = { start: m.table.start(m.start), end: m.table.end(m.end - 1) - 1 };
          return { chunks: { start: m.start, end: m.end }, bytes, url: await this.fetchUrl(xorb, bytes.start, bytes.end, url) };
        }),
      );
    }
    const outTerms = terms.map((t) => ({ hash: t.xorb, unpacked_length: t.bytes, range: { start: t.start, end: t.end } }));
    if (version === 1) {
      const fetch_info: Record<string, object[]> = {};
      for (const [x, list] of Object.entries(fetch)) fetch_info[x] = list.map((e) => ({ range: e.chunks, url: e.url, url_range: e.bytes }));
      return { offset_into_first_range: offsetIntoFirst, terms: outTerms, fetch_info };
    }
    const xorbs: Record<string, object[]> = {};
    for (const [x, list] of Object.entries(fetch)) xorbs[x] = list.map((e) => ({ url: e.url, ranges: [{ chunks: e.chunks, bytes: e.bytes }] }));
    return { offset_into_first_range: offsetIntoFirst, terms: outTerms, xorbs };
  }

  /** Length of a stored xorb, or null. */
  async xorbLength(xorb: string): Promise<number | null> {
    if (!HEX.test(xorb)) return null;
    return (await this.meta.xet.xorb(xorb))?.length ?? null;
  }

  /** Streams serialized bytes [start, end] of a stored xorb. */
  xorbBytes(xorb: string, start: number, end: number, signal?: AbortSignal): Promise<Readable> {
    return this.blobs.get({ kind: "xorb", hash: xorb }, { start, end }, signal);
  }

  /** The Xet file an LFS oid of the repo maps to. */
  fileForOid(repoId: number, oid: string): Promise<{ fileHash: string; size: number } | null> {
    return this.meta.xet.fileForOid(repoId, oid);
  }

  /** Xet hashes for oids of a repo (tree listings). */
  filesForOids(repoId: number, oids: string[]): Promise<Map<string, string>> {
    return this.meta.xet.filesForOids(repoId, oids);
  }

  /**
   * The bytes [start, end] of a Xet file, reconstructed here: each term's chunks are read from the
   * stored xorb in windows of at most ~8 MiB, decompressed and trimmed. Memory stays flat.
   */
  open(fileHex: string, range?: { start: number; end: number }): Readable {
    const self = this;
    async function* gen(): AsyncGenerator<Uint8Array> {
      const f = await self.meta.xet.file(fileHex);
      if (!f) throw new HubError("EntryNotFound", "File not found");
      if (f.size === 0) return;
      const { start, end } = range ?? { start: 0, end: f.size - 1 };
      const { terms, offsetIntoFirst } = await self.plan(f, start, end);
      let skip = offsetIntoFirst;
      let left = end - start + 1;
      for (const t of terms) {
        let c = t.start;
        while (c < t.end && left > 0) {
          let e = c;
          while (e < t.end && (e === c || t.table.end(e) - t.table.start(c) <= 8 << 20)) e++;
          const raw = await readAll(await self.xorbBytes(t.xorb, t.table.start(c), t.table.end(e - 1) - 1));
          let pos = 0;
          const out: Uint8Array[] = [];
          for (let i = c; i < e && left > 0; i++) {
            const compressed = raw.readUIntLE(pos + 1, 3);
            let data = decodeChunk(raw[pos + 4]!, raw.subarray(pos + 8, pos + 8 + compressed), t.table.size(i), self.lz4);
            pos += 8 + compressed;
            if (skip > 0) {
              const s = Math.min(skip, data.length);
              data = data.subarray(s);
              skip -= s;
            }
            if (data.length > left) data = data.subarray(0, left);
            left -= data.length;
            if (data.length > 0) out.push(data);
          }
          // One write per window rather than per 64 KiB chunk.
          if (out.length) yield out.length === 1 ? out[0]! : Buffer.concat(out);
          c = e;
        }
      }
    }
    return Readable.from(gen(), { objectMode: false });
  }
}

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of s) parts.push(p as Buffer);
  return Buffer.concat(parts);
}
