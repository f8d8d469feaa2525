/**
 * Sends a byte range of a blob. With a positional reader it reads into a few reused buffers and
 * writes each to the response, reusing a buffer only after its write callback (the data has left
 * for the kernel): no allocation per chunk, so large downloads cause no garbage-collection storm.
 * Otherwise it falls back to the store's stream.
 */
import type { FastifyReply } from "fastify";
import type { Readable } from "node:stream";
import type { BlobReader } from "../../core/ports.js";

const CHUNK = 1 << 20;
const BUFFERS = 4;

/** Writes [start, end] of the blob to the raw response and ends it; hijacks the reply. */
export async function sendBlob(reply: FastifyReply, reader: BlobReader | null, fallback: () => Promise<Readable>, start: number, end: number): Promise<FastifyReply> {
  if (!reader) return reply.send(await fallback());
  reply.hijack();
  const res = reply.raw;
  res.writeHead(reply.statusCode, reply.getHeaders() as Record<string, string>);
  let closed = false;
  res.on("close", () => (closed = true));
  const pool = Array.from({ length: BUFFERS }, () => Buffer.allocUnsafeSlow(CHUNK));
  const inflight: Promise<void>[] = [];
  try {
    let pos = start;
    for (let i = 0; pos <= end && !closed; i++) {
      if (inflight.length >= BUFFERS - 1) await inflight.shift();
      const buf = pool[i % BUFFERS]!;
      const n = await reader.read(buf, Math.min(CHUNK, end - pos + 1), pos);
      if (n <= 0) break;
      pos += n;
      inflight.push(new Promise((ok) => res.write(buf.subarray(0, n), () => ok())));
    }
    await Promise.all(inflight);
    if (!closed) res.end();
  } catch (e) {
    res.destroy(e as Error);
  } finally {
    await reader.close();
  }
  return reply;
}
