/** JSON views of repositories in the Hub's shapes (repo info, listings, siblings). */
import type { PathInfo } from "../../core/content.js";
import { urlPrefix } from "../../core/ids.js";
import type { RepoRecord } from "../../core/ports.js";
import type { Reads } from "../../core/reads.js";
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
    downloads: repo.downloads,
    likes: repo.likes,
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

/** Siblings in the Hub's shape; with `blobs`, each carries size, blobId and LFS info. */
export function siblings(files: PathInfo[], blobs: boolean) {
  return files.map((d) => (blobs ? { rfilename: d.path, size: d.size, blobId: d.oid, ...(d.lfs ? { lfs: { sha256: d.lfs.oid, size: d.lfs.size, pointerSize: d.lfs.pointerSize } } : {}) } : { rfilename: d.path }));
}

/** Full repo info at a commit. */
export async function repoInfo(reads: Reads, repo: RepoRecord, rev: string, blobs: boolean) {
  const c = await reads.commitAt(repo, rev);
  const files = await reads.files(repo, c.oid, blobs);
  return {
    ...repoSummary(repo),
    sha: c.oid,
    lastModified: new Date(c.date * 1000).toISOString(),
    siblings: siblings(files, blobs),
    spaces: [],
    ...(blobs ? { usedStorage: files.reduce((n, f) => n + f.size, 0) } : {}),
  };
}
