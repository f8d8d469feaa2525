/** LZ4 frame codec for Xet chunks, on lz4-napi (lz4_flex, the codec family xet-core uses). */
import lz4 from "lz4-napi";
import type { Lz4Codec } from "../../core/xet/xorb.js";

/** The Lz4Codec the core's xorb parser uses. */
export const lz4Codec: Lz4Codec = {
  decodeFrame: (data) => lz4.decompressFrameSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
};

/** LZ4 frame compression (tests and future server-side writers). */
export function encodeFrame(data: Uint8Array): Buffer {
  return lz4.compressFrameSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
