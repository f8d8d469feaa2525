/**
 * Garbage collection of LFS objects. An object is kept while some repository references it from
 * any branch or tag's history; a repo with `lfs_keep_versions = K` only protects the newest K
 * versions of each path. Objects uploaded or referenced (touched by a commit or push) less than
 * `graceMs` before the run started are kept: a commit may be about to reference them, on any node.
 */
import type { Sha256 } from "./ids.js";
import type { BlobStore, GitStore, MetaStore } from "./ports.js";
import { fullName } from "./repos.js";

/** What a GC run found (and, unless dry, removed). */
export interface GcReport {
  repos: number;
  objects: number;
  referenced: number;
  removed: { oid: string; size: number }[];
  removedBytes: number;
}

/** Runs a GC pass; `progress` receives one line per step. */
export async function collectGarbage(
  meta: MetaStore,
  git: GitStore,
  blobs: BlobStore,
  o: { dryRun: boolean; graceMs: number; progress?: (line: string) => void },
): Promise<GcReport> {
  const say = o.progress ?? (() => undefined);
  // Fixed before the scan: an object uploaded or referenced after it is kept whatever the scan saw.
  const cutoff = new Date(Date.now() - o.graceMs).toISOString();
  const repos = await meta.allRepos();
  const keep = new Set<string>();
  for (const [i, repo] of repos.entries()) {
    const pointers = await git.open(repo.type, fullName(repo)).lfsPointers();
    const perPath = new Map<string, string[]>();
    for (const p of pointers) {
      const versions = perPath.get(p.path) ?? [];
      if (!versions.includes(p.oid)) versions.push(p.oid);
      perPath.set(p.path, versions);
    }
    let kept = 0;
    for (const versions of perPath.values()) {
      for (const oid of repo.lfsKeepVersions === null ? versions : versions.slice(0, repo.lfsKeepVersions)) {
        keep.add(oid);
        kept++;
      }
    }
    say(`[${i + 1}/${repos.length}] ${repo.type} ${fullName(repo)}: ${perPath.size} LFS paths, ${kept} versions kept`);
  }
  const all = await meta.lfs.all();
  const candidates = all.filter((x) => !keep.has(x.oid) && x.createdAt <= cutoff);
  const removed: typeof candidates = [];
  for (const [i, x] of candidates.entries()) {
    // A commit or push touches what it references before moving its ref; an object touched since
    // the cutoff is kept (the check and the delete are one transaction), the blob goes only after.
    if (!o.dryRun && !(await meta.lfs.forget(x.oid as Sha256, cutoff))) {
      say(`kept [${i + 1}/${candidates.length}] ${x.oid}: referenced while GC ran`);
      continue;
    }
    if (!o.dryRun) await blobs.delete({ kind: "lfs", oid: x.oid });
    removed.push(x);
    say(`${o.dryRun ? "would remove" : "removed"} [${i + 1}/${candidates.length}] ${x.oid} (${x.size} bytes)`);
  }
  return { repos: repos.length, objects: all.length, referenced: keep.size, removed: removed.map(({ oid, size }) => ({ oid, size })), removedBytes: removed.reduce((n, x) => n + x.size, 0) };
}
