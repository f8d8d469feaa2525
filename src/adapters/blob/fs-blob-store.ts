/**
 * BlobStore on a local folder. Writes go to `tmp/` first and are renamed into place only after
 * size and sha256 check out and the data is fsynced, so a reader never sees a partial object.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdir, open, readdir, rename, rm, rmdir, stat, unlink, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { HubError } from "../../core/errors.js";
import { blobKeyPath } from "../../core/blob-keys.js";
import type { BlobKey, BlobReader, BlobStore, PutExpect } from "../../core/ports.js";
import type { Sha256 } from "../../core/ids.js";

const BATCH = 4 << 20;
const SYNC_EVERY = 64 << 20;

/** Writes every buffer, looping over short writes. */
async function writeAll(fh: FileHandle, bufs: Buffer[]): Promise<void> {
  let rest = bufs;
  while (rest.length) {
    const { bytesWritten } = await fh.writev(rest);
    let n = bytesWritten;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (n >= b.length) n -= b.length;
      else {
        next.push(n > 0 ? b.subarray(n) : b);
        n = 0;
      }
    }
    rest = next;
  }
}

/** A BlobStore rooted at `root`. */
export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private path(key: BlobKey): string {
    return join(this.root, blobKeyPath(key));
  }

  async stat(key: BlobKey) {
    try {
      const s = await stat(this.path(key));
      return { size: s.size };
    } catch {
      return null;
    }
  }

  async get(key: BlobKey, range?: { start: number; end: number }, signal?: AbortSignal): Promise<Readable> {
    const p = this.path(key);
    const fh = await open(p, "r").catch(() => {
      throw new HubError("EntryNotFound", "Object not found in storage");
    });
    return fh.createReadStream({ start: range?.start, end: range?.end, highWaterMark: 1 << 20, signal, autoClose: true });
  }

  /**
   * Streams into a temp file, hashing as it goes. Writes are batched (4 MiB `writev`) and the data
   * is flushed with `fdatasync` every 64 MiB in the background, so the final fsync is short and
   * disk writeback overlaps with receiving (this doubled upload throughput, see bench/).
   */
  /**
   * Removes partial writes: files in `tmp/` not modified for `maxAgeMs` (0 at start: nothing else
   * writes there then), and abandoned multipart uploads (`uploads/{id}`) idle for a day.
   */
  async sweep(maxAgeMs: number): Promise<{ tmp: number; uploads: number }> {
    const now = Date.now();
    const old = async (path: string, age: number) => {
      const st = await stat(path).catch(() => null);
      return st !== null && now - st.mtimeMs >= age;
    };
    let tmp = 0;
    for (const f of await readdir(join(this.root, "tmp")).catch(() => [] as string[])) {
      if (await old(join(this.root, "tmp", f), maxAgeMs)) {
        await rm(join(this.root, "tmp", f), { force: true, recursive: true });
        tmp++;
      }
    }
    let uploads = 0;
    for (const d of await readdir(join(this.root, "uploads")).catch(() => [] as string[])) {
      const dir = join(this.root, "uploads", d);
      const parts = await readdir(dir).catch(() => [] as string[]);
      const stale = await Promise.all([dir, ...parts.map((p) => join(dir, p))].map((p) => old(p, 24 * 3600_000)));
      if (stale.every(Boolean)) {
        await rm(dir, { recursive: true, force: true });
        uploads++;
      }
    }
    return { tmp, uploads };
  }

  async put(key: BlobKey, body: Readable, expect: PutExpect = {}, signal?: AbortSignal) {
    const tmpDir = join(this.root, "tmp");
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const hash = createHash("sha256");
    let size = 0;
    const fh = await open(tmp, "wx");
    try {
      let batch: Buffer[] = [];
      let batchLen = 0;
      let unsynced = 0;
      let writing: Promise<unknown> = Promise.resolve();
      let syncing: Promise<unknown> = Promise.resolve();
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (signal?.aborted) throw new HubError("BadRequest", "Upload aborted");
        size += chunk.length;
        if (expect.size !== undefined && size > expect.size) throw new HubError("BadRequest", `Size mismatch: received more than the expected ${expect.size} bytes`);
        hash.update(chunk);
        batch.push(chunk);
        batchLen += chunk.length;
        if (batchLen >= BATCH) {
          await writing;
          writing = writeAll(fh, batch);
          unsynced += batchLen;
          batch = [];
          batchLen = 0;
          if (unsynced >= SYNC_EVERY) {
            unsynced = 0;
            const written = writing;
            await syncing;
            syncing = written.then(() => fh.datasync());
          }
        }
      }
      await writing;
      if (batch.length) await writeAll(fh, batch);
      await syncing;
      const sha256 = hash.digest("hex") as Sha256;
      if (expect.size !== undefined && size !== expect.size) throw new HubError("BadRequest", `Size mismatch: expected ${expect.size} bytes, received ${size}`);
      if (expect.sha256 !== undefined && sha256 !== expect.sha256) throw new HubError("BadRequest", `Hash mismatch: expected sha256 ${expect.sha256}, received ${sha256}`);
      await fh.sync();
      await fh.close();
      const final = this.path(key);
      await mkdir(dirname(final), { recursive: true });
      await rename(tmp, final);
      return { size, sha256 };
    } catch (e) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }

  async openReader(key: BlobKey): Promise<BlobReader> {
    const fh = await open(this.path(key), "r").catch(() => {
      throw new HubError("EntryNotFound", "Object not found in storage");
    });
    const { size } = await fh.stat();
    return {
      size,
      read: async (buf, length, position) => (await fh.read(buf, 0, length, position)).bytesRead,
      close: () => fh.close(),
    };
  }

  async delete(key: BlobKey) {
    await rm(this.path(key), { force: true });
    if (key.kind === "upload-part") await rmdir(dirname(this.path(key))).catch(() => undefined);
  }
}
