/** Large pseudo-random test files, written fast (xorshift, so generation is not the bottleneck). */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Writes `size` pseudo-random bytes (size a multiple of 4) to `path`; returns their sha256 hex. */
export async function writeRandomFile(path: string, size: number, seed = 0x9e3779b9): Promise<string> {
  const hash = createHash("sha256");
  let x = seed;
  let left = size;
  async function* gen() {
    while (left > 0) {
      const n = Math.min(left, 4 << 20);
      const buf = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i += 4) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        buf.writeUInt32LE(x >>> 0, i);
      }
      hash.update(buf);
      left -= n;
      yield buf;
    }
  }
  await pipeline(Readable.from(gen()), createWriteStream(path));
  return hash.digest("hex");
}
