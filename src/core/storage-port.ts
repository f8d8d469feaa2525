/** What a repo stores beside git (LFS objects, Xet files): the port (part of the MetaStore). */

/** One large file a repo holds, by its sha256 (the LFS oid). */
export interface HeldFile {
  oid: string;
  size: number;
  /** When this repo got it. */
  createdAt: string;
  /** The Xet file behind it, when it came in through Xet. */
  xetHash: string | null;
}

/** Storage accounting and the per-repo links of large files. */
export interface StorageIndex {
  /** Large files a repo holds (LFS links and Xet files with a sha256), oldest first. */
  heldFiles(repoId: number): Promise<HeldFile[]>;
  /** Bytes of large files each of these repos holds. */
  usage(repoIds: number[]): Promise<Map<number, number>>;
  /** Removes a repo's links to these oids (LFS and Xet); returns the LFS oids no repo links any more. */
  unlink(repoId: number, oids: string[]): Promise<string[]>;
  /** Gives `toRepoId` the links `fromRepoId` has to these oids (all when null); returns the oids copied. */
  copyLinks(fromRepoId: number, toRepoId: number, oids: string[] | null): Promise<string[]>;
}
