/**
 * Preupload: for each file a client is about to commit, whether it goes to LFS (the repo's rules,
 * the `.gitattributes` the client sends or the revision holds, a binary sample), whether
 * `.gitignore` drops it, and the oid already there (so unchanged files are skipped).
 */
import { pointerOf, resolveRevision } from "./content.js";
import { errors } from "./errors.js";
import { globToRegExp, lfsPatterns } from "./gitattributes.js";
import type { CommitOid, RepoPath } from "./ids.js";
import { lfsRules, uploadMode } from "./lfs-rules.js";
import type { GitRepo, RepoRecord } from "./ports.js";

/** `.gitignore` evaluation: last matching pattern wins, `!` re-includes. */
export function ignoreMatcher(text: string): (path: string) => boolean {
  const rules: { re: RegExp; negate: boolean }[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    const pat = (negate ? line.slice(1) : line).replace(/\/$/, "");
    const re = globToRegExp(pat);
    rules.push({ re: new RegExp(re.source.replace(/\$$/, "(?:/.*)?$")), negate });
  }
  return (path) => {
    let ignored = false;
    for (const r of rules) if (r.re.test(path)) ignored = !r.negate;
    return ignored;
  };
}

async function textAt(git: GitRepo, commit: CommitOid, path: string): Promise<string> {
  const e = await git.stat(commit, path);
  return e?.type === "blob" && e.size < 1 << 20 ? (await git.readBlob(e.oid)).toString("utf8") : "";
}

/** One file a client announces. */
export interface PreuploadFile {
  path: RepoPath;
  size: number;
  sample: Buffer;
}

/** The decisions, in the Hub's shape. */
export async function preupload(git: GitRepo, repo: RepoRecord, rev: string, files: PreuploadFile[], o: { gitIgnore?: string; gitAttributes?: string }) {
  if (files.length > 1000) throw errors.badRequest("At most 1000 files per preupload request");
  // `None` is what huggingface_hub sends when it does not know the revision (create_pr).
  const head = await resolveRevision(git, repo, rev === "None" ? repo.defaultBranch : rev);
  const rules = lfsRules(repo, lfsPatterns(o.gitAttributes ?? (await textAt(git, head, ".gitattributes"))));
  const ignored = ignoreMatcher(o.gitIgnore ?? (await textAt(git, head, ".gitignore")));
  const out = [];
  for (const f of files) {
    const remote = await git.stat(head, f.path);
    let oid: string | undefined;
    if (remote?.type === "blob") oid = (await pointerOf(git, remote.oid, remote.size))?.oid ?? remote.oid;
    out.push({ path: f.path, uploadMode: uploadMode(rules, f.path, f.size, f.sample), shouldIgnore: ignored(f.path), ...(oid ? { oid } : {}) });
  }
  return { files: out, commitOid: head };
}
