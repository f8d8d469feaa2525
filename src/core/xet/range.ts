/** Range headers as the Xet clients send them (ends up to u64::MAX-1, so parsed with BigInt). */
import { errors } from "../errors.js";

/** Parses a Range header against a size with BigInt (clients send ends up to u64::MAX-1). */
export function parseXetRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) throw errors.badRequest("Invalid Range header");
  const total = BigInt(size);
  let start: bigint;
  let end: bigint;
  if (m[1] === "") {
    const n = BigInt(m[2]!);
    start = n >= total ? 0n : total - n;
    end = total - 1n;
  } else {
    start = BigInt(m[1]!);
    end = m[2] === "" ? total - 1n : BigInt(m[2]!);
  }
  if (end < start) throw errors.badRequest("Invalid Range header");
  if (start >= total) return "unsatisfiable";
  if (end > total - 1n) end = total - 1n;
  return { start: Number(start), end: Number(end) };
}
