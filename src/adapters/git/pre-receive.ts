/**
 * The pre-receive hook git runs for every push (installed by FsGitStore as `hooks/pre-receive`).
 * It sees the quarantined objects through the environment git gives it and enforces Hubble's push
 * policy: only branches and tags (for writers) and the open pull requests' `refs/pr/N` the pusher
 * may write (never deleted), with names the API would accept and that do not clash with a
 * ref of the other kind; the default branch cannot be deleted; every new tree entry passes the
 * one path rule (core/paths.ts: no `..`, `.git` in any case, control characters, empty names);
 * no blob over the limit unless it is an LFS pointer; every LFS pointer must name an object this
 * repo holds (asked of the Hubble process over loopback with a per-process secret). Non-zero exit
 * rejects the whole push and git reports `remote rejected` with the lines printed here.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { refNameProblem } from "../../core/ids.js";
import { DEFAULT_LFS_THRESHOLD } from "../../core/lfs-rules.js";
import { entryNameProblem } from "../../core/paths.js";

const ZERO = "0".repeat(40);
const POINTER_RE = /^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n$/;

function gitRaw(args: string[], input?: string): Buffer {
  const r = spawnSync("git", args, { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

const git = (args: string[], input?: string): string => gitRaw(args, input).toString("utf8");

/** Checks every entry name of the given trees (one `cat-file --batch`); returns the problems found. */
function badTreeEntries(trees: string[]): string[] {
  if (trees.length === 0) return [];
  const out = gitRaw(["cat-file", "--batch"], trees.join("\n") + "\n");
  const problems: string[] = [];
  let pos = 0;
  while (pos < out.length && problems.length < 20) {
    const nl = out.indexOf(10, pos);
    const [oid, , size] = out.subarray(pos, nl).toString("latin1").split(" ") as [string, string, string];
    const end = nl + 1 + Number(size);
    let p = nl + 1;
    while (p < end) {
      const nul = out.indexOf(0, p);
      const name = out.subarray(out.indexOf(32, p) + 1, nul).toString("utf8");
      const why = entryNameProblem(name);
      if (why) problems.push(` - ${JSON.stringify(name)} in tree ${oid}: ${why}`);
      p = nul + 21;
    }
    pos = end + 1;
  }
  return problems;
}

function reject(lines: string[]): never {
  process.stderr.write(lines.join("\n") + "\n");
  process.exit(1);
}

async function main() {
  const updates = readFileSync(0, "utf8").split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string, string]);
  const defaultBranch = process.env.HUBBLE_DEFAULT_BRANCH ?? "main";
  const maxBlob = Number(process.env.HUBBLE_MAX_BLOB ?? DEFAULT_LFS_THRESHOLD - 1);
  const news: string[] = [];
  const existing = new Set(git(["for-each-ref", "--format=%(refname)", "refs/heads", "refs/tags"]).split("\n").filter(Boolean));
  const mayBranches = process.env.HUBBLE_PUSH_BRANCHES !== "0";
  const prs = new Set((process.env.HUBBLE_PUSH_PRS ?? "").split(",").filter(Boolean));
  for (const [, next, ref] of updates) {
    const pr = /^refs\/pr\/([1-9]\d*)$/.exec(ref);
    if (pr) {
      // Pull requests are opened through the API; a push only adds to an open one it may write.
      if (!prs.has(pr[1]!)) reject([`Hubble: ${ref} is refused: there is no open pull request #${pr[1]} you can push to`]);
      if (next === ZERO) reject([`Hubble: ${ref} cannot be deleted; close the pull request instead`]);
      news.push(next);
      continue;
    }
    if (!mayBranches) reject([`Hubble: ${ref} is refused: you can only push to your pull requests (refs/pr/N) in this repository`]);
    const m = /^refs\/(heads|tags)\/(.+)$/.exec(ref);
    if (!m) reject([`Hubble: only branches, tags and pull requests (refs/pr/N) can be pushed, not ${ref}`]);
    const why = refNameProblem(m[2]!);
    if (why) reject([`Hubble: ${ref} is refused: ${why}`]);
    const other = `refs/${m[1] === "heads" ? "tags" : "heads"}/${m[2]}`;
    if (next !== ZERO && (existing.has(other) || updates.some(([, n, r]) => r === other && n !== ZERO))) reject([`Hubble: ${ref} is refused: ${other} exists, so the name would be ambiguous`]);
    if (next === ZERO) {
      if (ref === `refs/heads/${defaultBranch}`) reject([`Hubble: the default branch ${defaultBranch} cannot be deleted`]);
      continue;
    }
    news.push(next);
  }
  if (news.length === 0) return;
  const listed = git(["rev-list", "--objects", ...news, "--not", "--all"]).split("\n").filter(Boolean);
  const paths = new Map<string, string>();
  for (const l of listed) {
    const i = l.indexOf(" ");
    if (i > 0) paths.set(l.slice(0, i), l.slice(i + 1));
    else if (!paths.has(l)) paths.set(l, "");
  }
  const checks = git(["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], [...paths.keys()].join("\n") + "\n").split("\n").filter(Boolean);
  const tooBig: string[] = [];
  const small: string[] = [];
  const trees: string[] = [];
  for (const c of checks) {
    const [oid, type, size] = c.split(" ") as [string, string, string];
    if (type === "tree") trees.push(oid);
    if (type !== "blob") continue;
    if (Number(size) > maxBlob) tooBig.push(paths.get(oid) || oid);
    else if (Number(size) <= 200) small.push(oid);
  }
  const badNames = badTreeEntries(trees);
  if (badNames.length) reject(["Your push was rejected because it contains file names Hubble does not accept:", ...badNames]);
  if (tooBig.length) {
    reject([
      `Your push was rejected because it contains files larger than ${(maxBlob + 1) % 1048576 === 0 ? `${(maxBlob + 1) / 1048576} MiB` : `${maxBlob} bytes`}.`,
      "Please use https://git-lfs.github.com/ to store large files.",
      "Offending files:",
      ...tooBig.map((p) => ` - ${p}`),
    ]);
  }
  const lfs = new Map<string, string>();
  for (const oid of small) {
    const m = POINTER_RE.exec(git(["cat-file", "blob", oid]));
    if (m) lfs.set(m[1]!, paths.get(oid) || oid);
  }
  if (lfs.size === 0) return;
  const res = await fetch(process.env.HUBBLE_HOOK_URL!, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hubble-hook-secret": process.env.HUBBLE_HOOK_SECRET ?? "" },
    body: JSON.stringify({ oids: [...lfs.keys()] }),
  });
  if (!res.ok) reject([`Hubble: could not check LFS objects (${res.status})`]);
  const { missing } = (await res.json()) as { missing: string[] };
  if (missing.length) {
    reject(["Your push was rejected because it references LFS objects that were never uploaded:", ...missing.map((o) => ` - ${lfs.get(o)} (sha256:${o})`), "Run `git lfs push --all` first."]);
  }
}

main().catch((e: Error) => reject([`Hubble: push policy failed: ${e.message}`]));
