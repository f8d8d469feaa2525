/** Worker thread: verifies xorb bodies off the event loop (see verify-pool.ts). */
import { parentPort } from "node:worker_threads";
import { HubError } from "../../core/errors.js";
import { verifyXorb } from "../../core/xet/xorb-index.js";
import { lz4Codec } from "./lz4.js";

// The body arrives moved (not copied) and goes back moved with the result.
parentPort!.on("message", async (msg: { id: number; body: Uint8Array }) => {
  const back = msg.body.byteOffset === 0 && msg.body.byteLength === msg.body.buffer.byteLength ? [msg.body.buffer as ArrayBuffer] : [];
  try {
    const v = await verifyXorb(msg.body, lz4Codec);
    parentPort!.postMessage({ id: msg.id, ok: v, body: msg.body }, [v.chunks.buffer as ArrayBuffer, ...back]);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: e instanceof HubError ? e.message : `Invalid xorb: ${(e as Error).message}`, body: msg.body }, back);
  }
});
