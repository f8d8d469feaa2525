/** Streaming NDJSON reader with a cap per line and a cap on the whole body. */
import type { Readable } from "node:stream";
import { HubError } from "../../core/errors.js";

/** Yields each non-empty line parsed as JSON; throws a 400/413 HubError on bad input. */
export async function* ndjson(body: Readable, maxLine: number, maxTotal: number, lineTooLong = `NDJSON line exceeds ${maxLine} bytes`): AsyncGenerator<unknown> {
  let total = 0;
  let parts: Buffer[] = [];
  let partLen = 0;
  let lineNo = 0;
  const parse = (buf: Buffer): unknown => {
    lineNo++;
    try {
      return JSON.parse(buf.toString("utf8"));
    } catch {
      throw new HubError("BadRequest", `Malformed NDJSON: line ${lineNo} is not valid JSON`);
    }
  };
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxTotal) throw new HubError("PayloadTooLarge", `Commit body exceeds ${maxTotal} bytes`);
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const line = partLen ? Buffer.concat([...parts, piece]) : piece;
      parts = [];
      partLen = 0;
      start = nl + 1;
      if (line.length > maxLine) throw new HubError("PayloadTooLarge", lineTooLong);
      if (line.toString("utf8", 0, Math.min(line.length, 16)).trim() === "" && line.length < 16) continue;
      yield parse(line);
    }
    if (start < chunk.length) {
      parts.push(chunk.subarray(start));
      partLen += chunk.length - start;
      if (partLen > maxLine) throw new HubError("PayloadTooLarge", lineTooLong);
    }
  }
  if (partLen) {
    const line = Buffer.concat(parts);
    if (line.toString("utf8").trim() !== "") yield parse(line);
  }
}
