/**
 * History operations of a bare repository that need more than one-line plumbing: the diff of a
 * commit, the last commit of each entry of a folder in one `git log` pass, and the rewrite that
 * drops blobs from every branch and tag. BareRepo delegates to these.
 */
import { spawn } from "node:child_process";
import { errors } from "../../core/errors.js";
import type { CommitOid } from "../../core/ids.js";
import type { DiffFile } from "../../core/ports.js";
import { git, gitEnv } from "./run.js";

/**
 * Drops `M <mode> <blob> <path>` lines naming these blobs from a `fast-export --no-data` stream.
 * Parsed, not grepped: `data <n>` blocks (commit and tag messages) are copied byte for byte.
 */
export function filterFastExport(stream: Buffer, blobs: Set<string>): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < stream.length) {
    let nl = stream.indexOf(10, pos);
    if (nl < 0) nl = stream.length;
    const line = stream.subarray(pos, nl).toString("latin1");
    const data = /^data (\d+)$/.exec(line);
    if (data) {
      const end = nl + 1 + Number(data[1]);
      out.push(stream.subarray(pos, end));
      pos = end;
      continue;
    }
    const m = /^M \d+ ([0-9a-f]{40}) /.exec(line);
    if (!(m && blobs.has(m[1]!))) out.push(stream.subarray(pos, Math.min(nl + 1, stream.length)));
    pos = nl + 1;
  }
  return Buffer.concat(out);
}

/** What `to` changed against `from` (null: a root commit), with the patch cut at `maxBytes`. */
export async function diffCommits(dir: string, from: CommitOid | null, to: CommitOid, maxBytes: number): Promise<{ files: DiffFile[]; patch: string; truncated: boolean }> {
  const ZEROS = /^0{40}$/;
  const raw = (await git(dir, ["diff-tree", "-r", "-z", "--no-commit-id", "--raw", "-M", ...(from ? [from, to] : ["--root", to])])).stdout.toString("utf8");
  const parts = raw.split("\0");
  const files: DiffFile[] = [];
  for (let i = 0; i < parts.length - 1; ) {
    const meta = parts[i++]!;
    if (!meta.startsWith(":")) continue;
    const [, , oldBlob, newBlob, status] = meta.slice(1).split(" ") as [string, string, string, string, string];
    const first = parts[i++]!;
    const renamed = status.startsWith("R") || status.startsWith("C");
    const second = renamed ? parts[i++]! : first;
    files.push({ status: status[0]!, oldPath: first, path: second, oldBlob: ZEROS.test(oldBlob) ? null : oldBlob, newBlob: ZEROS.test(newBlob) ? null : newBlob });
  }
  // The patch, read until the cap, then the process is stopped.
  const args = from ? ["diff", "--no-color", "--no-ext-diff", "-M", from, to] : ["show", "--no-color", "--no-ext-diff", "--format=", to];
  const { patch, truncated } = await new Promise<{ patch: string; truncated: boolean }>((resolve, reject) => {
    const child = spawn("git", args, { cwd: dir, env: gitEnv(), stdio: ["ignore", "pipe", "ignore"] });
    const chunks: Buffer[] = [];
    let n = 0;
    let cut = false;
    child.stdout.on("data", (d: Buffer) => {
      if (cut) return;
      chunks.push(d);
      n += d.length;
      if (n > maxBytes) {
        cut = true;
        child.kill();
      }
    });
    child.on("close", () => resolve({ patch: Buffer.concat(chunks).subarray(0, maxBytes).toString("utf8"), truncated: cut }));
    child.on("error", reject);
  });
  return { files, patch, truncated };
}

/** For each wanted direct child of `folder`, the newest commit (from `from`) that changed it. */
export async function lastChanges(dir: string, from: CommitOid, folder: string, wanted: Set<string>): Promise<Map<string, CommitOid>> {
  // One `git log` over the folder, newest first: each commit lists the paths it changed; the
  // first commit naming an entry is that entry's last commit. Stops as soon as all are found.
  const prefix = folder ? `${folder}/` : "";
  const found = new Map<string, CommitOid>();
  await new Promise<void>((resolve, reject) => {
    const child = spawn("git", ["log", "--format=%x01%H", "--name-only", "-z", "--no-renames", from, "--", ...(folder ? [`${folder}/`] : [])], { cwd: dir, env: gitEnv({ GIT_LITERAL_PATHSPECS: "1" }), stdio: ["ignore", "pipe", "ignore"] });
    let current: CommitOid | null = null;
    let rest = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const parts = (rest + chunk).split("\0");
      rest = parts.pop()!;
      for (let part of parts) {
        const mark = part.lastIndexOf("\x01");
        if (mark >= 0) {
          current = part.slice(mark + 1, mark + 41) as CommitOid;
          part = part.slice(mark + 42);
        }
        part = part.replace(/^\n+/, "");
        if (!current || !part.startsWith(prefix)) continue;
        const name = part.slice(prefix.length).split("/")[0]!;
        if (wanted.has(name) && !found.has(name)) {
          found.set(name, current);
          if (found.size === wanted.size) child.kill();
        }
      }
    });
    child.on("close", () => resolve());
    child.on("error", reject);
  });
  return found;
}

/** Rewrites branches and tags without these blobs (see GitRepo.dropBlobsFromHistory). */
export async function dropBlobs(dir: string, blobs: Set<string>): Promise<string[]> {
  const before = new Map<string, string>();
  for (const line of (await git(dir, ["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags"])).stdout.toString().split("\n")) {
    const [ref, oid] = line.split(" ");
    if (ref && oid) before.set(ref, oid);
  }
  if (before.size === 0) return [];
  const tmp = "refs/hubble-rewrite";
  // Metadata only (--no-data: files are named by blob id, which fast-import finds in this repo).
  const exported = (await git(dir, ["fast-export", "--no-data", "--signed-tags=strip", "--tag-of-filtered-object=rewrite", "--reencode=no", `--refspec=refs/*:${tmp}/*`, ...before.keys()])).stdout;
  const filtered = filterFastExport(exported, blobs);
  await git(dir, ["fast-import", "--quiet", "--force"], { input: filtered });
  try {
    const after = new Map<string, string>();
    for (const line of (await git(dir, ["for-each-ref", "--format=%(refname) %(objectname)", tmp])).stdout.toString().split("\n")) {
      const [ref, oid] = line.split(" ");
      if (ref && oid) after.set(`refs/${ref.slice(tmp.length + 1)}`, oid);
    }
    const changed = [...before].filter(([ref, old]) => after.has(ref) && after.get(ref) !== old);
    if (changed.length) {
      const tx = ["start", ...changed.map(([ref, old]) => `update ${ref} ${after.get(ref)} ${old}`), "prepare", "commit", ""].join("\n");
      const { code } = await git(dir, ["update-ref", "--stdin"], { input: tx, okCodes: [128, 1] });
      if (code !== 0) throw errors.conflict("The repository changed during the history rewrite; nothing was changed, try again");
    }
    return changed.map(([ref]) => ref);
  } finally {
    const left = (await git(dir, ["for-each-ref", "--format=%(refname)", tmp])).stdout.toString().split("\n").filter(Boolean);
    if (left.length) await git(dir, ["update-ref", "--stdin"], { input: left.map((r) => `delete ${r}`).join("\n") + "\n" });
  }
}
