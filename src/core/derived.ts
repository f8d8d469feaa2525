/**
 * What the Hub derives from a repo's content on its default branch: card data from README.md,
 * tags from the card and from `config.json` (`model_type`, the transformers library), and the
 * `safetensors` summary (parameters per dtype and in total) read from the headers of the root
 * `*.safetensors` files with two small range reads each — never the weights themselves.
 */
import { parseCardData, tagsFromCard } from "./card.js";
import type { CommitOid } from "./ids.js";
import { pointerOf } from "./content.js";
import { LruCache } from "./lru.js";
import type { GitRepo } from "./ports.js";

/** Parameters per dtype and their total, as `model_info(...).safetensors` reads them. */
export interface SafetensorsSummary {
  parameters: Record<string, number>;
  total: number;
}

/** Metadata derived from content, stored with the repo. */
export interface Derived {
  cardData: Record<string, unknown> | null;
  tags: string[];
  libraryName: string | null;
  safetensors: SafetensorsSummary | null;
}

/** Reads bytes [start, end] of an LFS/Xet object the repo holds. */
export type RangeReader = (oid: string, start: number, end: number) => Promise<Buffer>;

/** Largest safetensors header read (the format allows 100 MB; real ones are kilobytes to a few MB). */
const MAX_HEADER = 25 << 20;
/** Per-file parameter counts by content id (blob or LFS oid): immutable. */
const headers = new LruCache<Record<string, number> | false>(10_000);

/** Parameters per dtype in one safetensors header; null when it is not one. */
export function countParameters(header: Buffer): Record<string, number> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(header.toString("utf8"));
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const out: Record<string, number> = {};
  for (const [name, t] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === "__metadata__") continue;
    const { dtype, shape } = (t ?? {}) as { dtype?: unknown; shape?: unknown };
    if (typeof dtype !== "string" || !Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return null;
    out[dtype] = (out[dtype] ?? 0) + (shape as number[]).reduce((a, b) => a * b, 1);
  }
  return out;
}

async function fileParameters(git: GitRepo, blob: string, size: number, readLfs: RangeReader): Promise<Record<string, number> | null> {
  const pointer = await pointerOf(git, blob, size);
  const key = pointer ? `lfs:${pointer.oid}` : `git:${blob}`;
  const hit = headers.get(key);
  if (hit !== undefined) return hit || null;
  let result: Record<string, number> | null = null;
  const total = pointer ? pointer.size : size;
  const read = pointer ? (s: number, e: number) => readLfs(pointer.oid, s, e) : async (s: number, e: number) => (await git.readBlob(blob)).subarray(s, e + 1);
  if (total >= 8) {
    const n = Number((await read(0, 7)).readBigUInt64LE(0));
    if (n > 0 && n <= MAX_HEADER && 8 + n <= total) result = countParameters(await read(8, 8 + n - 1));
  }
  headers.set(key, result ?? false);
  return result;
}

/** Derives the metadata of a commit (read errors leave the part they concern empty). */
export async function deriveMetadata(git: GitRepo, commit: CommitOid, readLfs: RangeReader): Promise<Derived> {
  const root = (await git.listTree(commit, "", false)) ?? [];
  const text = async (name: string) => {
    const e = root.find((x) => x.path === name && x.type === "blob");
    return e && e.size < 1 << 20 ? (await git.readBlob(e.oid)).toString("utf8") : null;
  };
  const readme = await text("README.md");
  const cardData = readme === null ? null : parseCardData(readme);
  const tags = new Set(tagsFromCard(cardData));
  let libraryName = typeof cardData?.library_name === "string" ? cardData.library_name : null;
  const config = await text("config.json")
    .then((c) => (c ? (JSON.parse(c) as unknown) : null))
    .catch(() => null);
  if (config && typeof config === "object" && !Array.isArray(config)) {
    const { model_type, architectures } = config as { model_type?: unknown; architectures?: unknown };
    if (typeof model_type === "string" && /^[\w.-]{1,64}$/.test(model_type)) tags.add(model_type);
    if ((model_type !== undefined || Array.isArray(architectures)) && libraryName === null) libraryName = "transformers";
  }
  if (libraryName) tags.add(libraryName);
  let safetensors: SafetensorsSummary | null = null;
  const files = root.filter((e) => e.type === "blob" && e.path.endsWith(".safetensors"));
  if (files.length) {
    const parameters: Record<string, number> = {};
    let any = false;
    for (const f of files) {
      const p = await fileParameters(git, f.oid, f.size, readLfs).catch(() => null);
      if (!p) continue;
      any = true;
      for (const [dtype, n] of Object.entries(p)) parameters[dtype] = (parameters[dtype] ?? 0) + n;
    }
    if (any) safetensors = { parameters, total: Object.values(parameters).reduce((a, b) => a + b, 0) };
    tags.add("safetensors");
  }
  return { cardData, tags: [...tags], libraryName, safetensors };
}
