/** Worker thread: verifies xorb bodies off the event loop (see verify-pool.ts). */
import { parentPort } from "node:worker_threads";
import { HubError } from "../../core/errors.js";
import { verifyXorb } from "../../core/xet/xorb-index.js";
import { lz4Codec } from "./lz4.js";

parentPort!.on("message", async (msg: { id: number; body: Uint8Array }) => {
  try {
    const v = await verifyXorb(msg.body, lz4Codec);
    parentPort!.postMessage({ id: msg.id, ok: v }, [v.chunks.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: e instanceof HubError ? e.message : `Invalid xorb: ${(e as Error).message}` });
  }
});
