/**
 * A small pool of worker threads running xorb verification (LZ4 decoding and BLAKE3 over up to
 * 64 MiB per xorb), so uploads never stall the event loop. Jobs queue when every worker is busy.
 */
import { Worker } from "node:worker_threads";
import { HubError } from "../../core/errors.js";
import type { XorbVerifier } from "../../core/xet/cas.js";
import type { VerifiedXorb } from "../../core/xet/xorb-index.js";

type Job = { id: number; body: Uint8Array; ok: (v: VerifiedXorb, body: Uint8Array) => void; fail: (e: Error) => void };

/** Worker-backed XorbVerifier with `size` threads; `close()` stops them. */
export function verifyPool(size: number): { verify: XorbVerifier; close(): Promise<void> } {
  const url = new URL("./verify-worker.js", import.meta.url);
  const idle: Worker[] = [];
  const running = new Map<number, { job: Job; worker: Worker }>();
  const queue: Job[] = [];
  let nextId = 0;
  let workers: Worker[] = [];

  const spawn = (): Worker => {
    const w = new Worker(url);
    w.unref();
    w.on("message", (m: { id: number; ok?: VerifiedXorb; error?: string; body: Uint8Array }) => {
      const r = running.get(m.id);
      running.delete(m.id);
      if (r) m.ok ? r.job.ok(m.ok, m.body) : r.job.fail(new HubError("BadRequest", m.error ?? "Invalid xorb"));
      idle.push(w);
      pump();
    });
    w.on("error", (e) => {
      for (const [id, r] of running) {
        if (r.worker !== w) continue;
        running.delete(id);
        r.job.fail(new HubError("Internal", `Verification worker failed: ${e.message}`));
      }
      workers = workers.filter((x) => x !== w);
      const i = idle.indexOf(w);
      if (i >= 0) idle.splice(i, 1);
      const fresh = spawn();
      workers.push(fresh);
      idle.push(fresh);
      pump();
    });
    return w;
  };

  const pump = () => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop()!;
      const job = queue.shift()!;
      running.set(job.id, { job, worker: w });
      // Move the body when it owns its whole ArrayBuffer (Buffer.concat of a large body does).
      const own = job.body.byteOffset === 0 && job.body.byteLength === job.body.buffer.byteLength;
      w.postMessage({ id: job.id, body: job.body }, own ? [job.body.buffer as ArrayBuffer] : []);
    }
  };

  workers = Array.from({ length: Math.max(1, size) }, spawn);
  idle.push(...workers);
  return {
    verify: (body) =>
      new Promise((ok, fail) => {
        queue.push({ id: nextId++, body, ok: (v, b) => ok({ verified: v, body: Buffer.from(b.buffer, b.byteOffset, b.byteLength) }), fail });
        pump();
      }),
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
