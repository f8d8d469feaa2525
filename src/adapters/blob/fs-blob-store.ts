/**
 * BlobStore on a local folder. Writes go to `tmp/` first and are renamed into place only after
 * size and sha256 check out and the data is fsynced, so a reader never sees a partial object.
 */
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, rm, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { HubError } from "../../core/errors.js";
import type { BlobKey, BlobStore, PutExpect } from "../../core/ports.js";
import type { Sha256 } from "../../core/ids.js";

/** Relative location of a key; the layout is documented in docs/architecture.md. */
export function blobKeyPath(key: BlobKey): string {
  switch (key.kind) {
    case "lfs":
      return `lfs/${key.oid.slice(0, 2)}/${key.oid.slice(2, 4)}/${key.oid}`;
    case "upload-part":
      return `uploads/${key.uploadId}/${key.part}`;
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

  async put(key: BlobKey, body: Readable, expect: PutExpect = {}, signal?: AbortSignal) {
    const tmpDir = join(this.root, "tmp");
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const hash = createHash("sha256");
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (expect.size !== undefined && size > expect.size) {
          cb(new HubError("BadRequest", `Size mismatch: received more than the expected ${expect.size} bytes`));
          return;
        }
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      const out = createWriteStream(tmp, { flags: "wx", highWaterMark: 1 << 20 });
      await pipeline(body, meter, out, { signal });
      const sha256 = hash.digest("hex") as Sha256;
      if (expect.size !== undefined && size !== expect.size) {
        throw new HubError("BadRequest", `Size mismatch: expected ${expect.size} bytes, received ${size}`);
      }
      if (expect.sha256 !== undefined && sha256 !== expect.sha256) {
        throw new HubError("BadRequest", `Hash mismatch: expected sha256 ${expect.sha256}, received ${sha256}`);
      }
      const fh = await open(tmp, "r");
      await fh.sync();
      await fh.close();
      const final = this.path(key);
      await mkdir(dirname(final), { recursive: true });
      await rename(tmp, final);
      return { size, sha256 };
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }

  async delete(key: BlobKey) {
    await rm(this.path(key), { force: true });
    if (key.kind === "upload-part") await rmdir(dirname(this.path(key))).catch(() => undefined);
  }
}
