/** JSON views of repositories in the Hub's shapes (repo info, listings, siblings). */
import { describe } from "../../core/content.js";
import { urlPrefix, type CommitOid } from "../../core/ids.js";
import type { GitRepo, RepoRecord } from "../../core/ports.js";
import { fullName } from "../../core/repos.js";

/** Web URL of a repo. */
export function repoUrl(base: string, repo: Pick<RepoRecord, "type" | "namespace" | "name">): string {
  return `${base}/${urlPrefix(repo.type)}${fullName(repo)}`;
}

/** The fields every repo view shares. */
export function repoSummary(repo: RepoRecord) {
  const id = fullName(repo);
  return {
    _id: repo.hubId,
    id,
    ...(repo.type === "model" ? { modelId: id } : {}),
    author: repo.namespace,
    private: repo.private,
    gated: repo.gated,
    disabled: false,
    xetEnabled: true,
    downloads: 0,
    likes: 0,
    tags: repo.tags,
    createdAt: repo.createdAt,
    lastModified: repo.lastModified,
    ...(repo.cardData ? { cardData: repo.cardData } : {}),
    ...(repo.derived?.libraryName ? { library_name: repo.derived.libraryName } : typeof repo.cardData?.library_name === "string" ? { library_name: repo.cardData.library_name } : {}),
    ...(repo.derived?.safetensors ? { safetensors: repo.derived.safetensors } : {}),
    ...(typeof repo.cardData?.pipeline_tag === "string" ? { pipeline_tag: repo.cardData.pipeline_tag } : {}),
    ...(repo.type === "space" ? { sdk: repo.sdk ?? "static" } : {}),
  };
}

/** Siblings of a commit; with `blobs`, each carries size, blobId and LFS info. */
export async function siblings(git: GitRepo, commit: CommitOid, blobs: boolean) {
  const entries = (await git.listTree(commit, "", true)) ?? [];
  const out = [];
  for (const e of entries) {
    if (e.type !== "blob") continue;
    if (!blobs) {
      out.push({ rfilename: e.path });
      continue;
    }
    const d = await describe(git, e);
    out.push({ rfilename: e.path, size: d.size, blobId: d.oid, ...(d.lfs ? { lfs: { sha256: d.lfs.oid, size: d.lfs.size, pointerSize: d.lfs.pointerSize } } : {}) });
  }
  return out;
}

/** Full repo info at a commit. */
export async function repoInfo(git: GitRepo, repo: RepoRecord, commit: CommitOid, blobs: boolean) {
  const c = await git.readCommit(commit);
  const sibs = await siblings(git, commit, blobs);
  const usedStorage = blobs ? sibs.reduce((n, s) => n + ((s as { size?: number }).size ?? 0), 0) : undefined;
  return {
    ...repoSummary(repo),
    sha: commit,
    lastModified: new Date(c.date * 1000).toISOString(),
    siblings: sibs,
    spaces: [],
    ...(usedStorage !== undefined ? { usedStorage } : {}),
  };
}
