/** Writing and diffing git content: the shapes the GitRepo port takes and gives (re-exported by ports.ts). */

/** A change applied on top of a parent tree when writing a commit. */
export type TreeChange =
  | { op: "put"; path: string; mode: "100644" | "100755"; blob: string }
  /** `folderOk`: the path may name a folder, which then goes with everything in it. */
  | { op: "delete"; path: string; folderOk?: boolean };

/** One changed file of a diff (`status` is git's letter: A, M, D, R, T …). */
export interface DiffFile {
  status: string;
  path: string;
  oldPath: string;
  oldBlob: string | null;
  newBlob: string | null;
}

/** New git objects headed for one repository (one pack, one git process, whatever the count). */
export interface ObjectBatch {
  /** Stages a blob; resolves with its id. */
  blob(data: Buffer): Promise<string>;
  /** Makes everything staged part of the repository. */
  flush(): Promise<void>;
  /** Drops everything staged (after a refusal). */
  discard(): Promise<void>;
}
