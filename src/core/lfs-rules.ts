/**
 * Which files go to LFS: the rule shared by preupload (and, later, the git push policy).
 * A file is LFS when it is at least the threshold in size, looks binary, matches an LFS suffix
 * (server defaults merged with the repo's own rules), or is tracked by `.gitattributes`.
 */

/**
 * The one default threshold, shared by preupload, the commit API, the push policy and settings:
 * the Hub's "files larger than 10 MiB" (its pre-receive message says MiB).
 */
export const DEFAULT_LFS_THRESHOLD = 10 * 1024 * 1024;

/** The most a repo's own threshold may be raised to (it also caps inline files in commits). */
export const MAX_LFS_THRESHOLD = 100 * 1024 * 1024;

/** A repo's effective threshold: the largest file that may be stored outside LFS is one byte less. */
export function lfsThreshold(repo: { lfsThreshold: number | null }): number {
  return repo.lfsThreshold ?? DEFAULT_LFS_THRESHOLD;
}

/** Server default suffixes (seed 004). */
export const DEFAULT_LFS_SUFFIXES = [
  ".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".onnx", ".pb", ".h5", ".tflite", ".gguf", ".ggml", ".msgpack",
  ".zip", ".tar", ".gz", ".bz2", ".xz", ".7z", ".rar", ".npy", ".npz", ".arrow", ".parquet",
  ".mp4", ".avi", ".mkv", ".mov", ".wav", ".mp3", ".flac", ".tiff", ".tif",
];

/** Effective LFS rules of a repository. */
export interface LfsRules {
  threshold: number;
  suffixes: string[];
  patterns: RegExp[];
}

/** Merges repo settings with server defaults. */
export function lfsRules(repo: { lfsThreshold: number | null; lfsSuffixRules: string[] | null }, gitattributePatterns: RegExp[]): LfsRules {
  return {
    threshold: lfsThreshold(repo),
    suffixes: [...new Set([...DEFAULT_LFS_SUFFIXES, ...(repo.lfsSuffixRules ?? [])])].map((s) => s.toLowerCase()),
    patterns: gitattributePatterns,
  };
}

/** True when the sample looks binary: a NUL byte, or bytes that are not valid UTF-8. */
export function looksBinary(sample: Buffer): boolean {
  if (sample.includes(0)) return true;
  // Tolerate a multi-byte character cut at the end of the 512-byte sample.
  const text = new TextDecoder("utf-8", { fatal: false }).decode(sample);
  const bad = text.indexOf("\uFFFD");
  return bad >= 0 && bad < text.length - 3;
}

/** The upload mode for one file. */
export function uploadMode(rules: LfsRules, path: string, size: number, sample: Buffer): "lfs" | "regular" {
  if (size === 0) return "regular";
  if (size >= rules.threshold) return "lfs";
  const lower = path.toLowerCase();
  if (rules.suffixes.some((s) => lower.endsWith(s))) return "lfs";
  if (rules.patterns.some((r) => r.test(path))) return "lfs";
  return looksBinary(sample) ? "lfs" : "regular";
}
