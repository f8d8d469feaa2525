/** `.gitattributes` handling: the default file of a new repo, and LFS pattern matching. */

/** Patterns tracked by LFS in a new repository (the Hub's defaults). */
export const DEFAULT_LFS_PATTERNS = [
  "*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz", "*.h5", "*.joblib", "*.lfs.*", "*.mlmodel",
  "*.model", "*.msgpack", "*.npy", "*.npz", "*.onnx", "*.ot", "*.parquet", "*.pb", "*.pickle", "*.pkl", "*.pt",
  "*.pth", "*.rar", "*.safetensors", "saved_model/**/*", "*.tar.*", "*.tar", "*.tflite", "*.tgz", "*.wasm",
  "*.xz", "*.zip", "*.zst", "*tfevents*",
];

/** Content of the `.gitattributes` of a new repository. */
export function defaultGitattributes(): string {
  return DEFAULT_LFS_PATTERNS.map((p) => `${p} filter=lfs diff=lfs merge=lfs -text`).join("\n") + "\n";
}

/** Converts a gitattributes glob to a RegExp over full repo paths. */
export function globToRegExp(pattern: string): RegExp {
  const anchored = pattern.includes("/") && !pattern.endsWith("/");
  let p = pattern.startsWith("/") ? pattern.slice(1) : pattern;
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\" && i + 1 < p.length) {
      re += p[++i]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    } else if (p.startsWith("[[:space:]]", i)) {
      re += "\\s";
      i += 10;
    } else if (c === "*" && p[i + 1] === "*") {
      if (p[i + 2] === "/") {
        re += "(?:.*/)?";
        i += 2;
      } else {
        re += ".*";
        i += 1;
      }
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = p.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        const body = p.slice(i + 1, end).replace(/\[:space:\]/g, "\\s").replace(/^!/, "^").replace(/\\/g, "\\\\");
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  p = re;
  return new RegExp(anchored ? `^${p}$` : `(?:^|/)${p}$`);
}

/** Patterns with `filter=lfs` in a `.gitattributes` text. */
export function lfsPatterns(text: string): RegExp[] {
  const out: RegExp[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [pattern, ...attrs] = line.split(/\s+/);
    if (pattern && attrs.includes("filter=lfs")) out.push(globToRegExp(pattern));
  }
  return out;
}

/** The line that makes git-lfs track exactly one path. */
export function trackLine(path: string): string {
  const escaped = path.replace(/([\[\]*?!#\\])/g, "\\$1").replace(/ /g, "[[:space:]]");
  return `${escaped} filter=lfs diff=lfs merge=lfs -text`;
}
