/**
 * The pre-receive hook git runs for every push (installed by FsGitStore as `hooks/pre-receive`).
 * It sees the quarantined objects through the environment git gives it and enforces Hubble's push
 * policy: only branches and tags; the default branch cannot be deleted; no blob over the limit
 * unless it is an LFS pointer; every LFS pointer must name an object this repo holds (asked of the
 * Hubble process over loopback with a per-process secret). Non-zero exit rejects the whole push.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const ZERO = "0".repeat(40);
const POINTER_RE = /^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n$/;

function git(args: string[], input?: string): string {
  const r = spawnSync("git", args, { input, encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}

function reject(lines: string[]): never {
  process.stderr.write(lines.join("\n") + "\n");
  process.exit(1);
}

async function main() {
  const updates = readFileSync(0, "utf8").split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string, string]);
  const defaultBranch = process.env.HUBBLE_DEFAULT_BRANCH ?? "main";
  const maxBlob = Number(process.env.HUBBLE_MAX_BLOB ?? 10 * 1024 * 1024);
  const news: string[] = [];
  for (const [, next, ref] of updates) {
    if (!/^refs\/(heads|tags)\/./.test(ref)) reject([`Hubble: only branches and tags can be pushed, not ${ref}`]);
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
  for (const c of checks) {
    const [oid, type, size] = c.split(" ") as [string, string, string];
    if (type !== "blob") continue;
    if (Number(size) > maxBlob) tooBig.push(paths.get(oid) || oid);
    else if (Number(size) <= 200) small.push(oid);
  }
  if (tooBig.length) {
    reject([
      `Your push was rejected because it contains files larger than ${maxBlob % 1048576 === 0 ? `${maxBlob / 1048576} MiB` : `${maxBlob} bytes`}.`,
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
