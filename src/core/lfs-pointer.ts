/** Git LFS pointer files (spec v1): the small text git stores in place of a large file. */
import type { Sha256 } from "./ids.js";

const POINTER_RE = /^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n$/;

/** Pointer files are always tiny; anything bigger is content. */
export const MAX_POINTER_SIZE = 200;

/** The pointer text for an object. */
export function formatPointer(oid: Sha256, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;
}

/** Parses a pointer, or null when the blob is ordinary content. */
export function parsePointer(data: Buffer): { oid: Sha256; size: number } | null {
  if (data.length > MAX_POINTER_SIZE) return null;
  const m = POINTER_RE.exec(data.toString("utf8"));
  return m ? { oid: m[1] as Sha256, size: Number(m[2]) } : null;
}
