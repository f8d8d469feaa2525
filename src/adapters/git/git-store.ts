/**
 * GitStore: bare repositories under the data folder, one BareRepo per repository, a cat-file
 * process per repo reaped when idle, and the push-policy hook installed at startup.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { appendFile, mkdir, readdir, rename, rm, rmdir, stat as fsStat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { errors } from "../../core/errors.js";
import type { RepoType } from "../../core/ids.js";
import { LruCache } from "../../core/lru.js";
import type { GitRepo, GitStore, TreeEntry } from "../../core/ports.js";
import { BareRepo } from "./bare-repo.js";
import { CatFile } from "./cat-file.js";
import { git } from "./run.js";

/** Bare repositories under `{root}/repos/{type}s/{namespace}/{name}.git`. */
export class FsGitStore implements GitStore {
  private readonly cats = new Map<string, CatFile>();
  private readonly trees = new LruCache<TreeEntry[] | null>(2000);
  private readonly reaper: NodeJS.Timeout;

  /** Hooks every push runs (`core.hooksPath`), written at startup to point at this build. */
  readonly hooksDir: string;

  constructor(private readonly root: string) {
    this.hooksDir = join(root, "hooks");
    mkdirSync(this.hooksDir, { recursive: true });
    const script = fileURLToPath(new URL("./pre-receive.js", import.meta.url));
    const hook = join(this.hooksDir, "pre-receive");
    const content = `#!/bin/sh\nexec '${process.execPath}' '${script}'\n`;
    // Nodes sharing the git volume write it only when it differs (another build or Node), atomically.
    if ((existsSync(hook) ? readFileSync(hook, "utf8") : "") !== content) {
      const tmp = `${hook}.${process.pid}.${randomUUID()}.tmp`;
      writeFileSync(tmp, content, { mode: 0o755 });
      renameSync(tmp, hook);
    }
    // An empty template: no sample hooks, description or info/exclude in each repository.
    mkdirSync(join(root, "repos", ".template"), { recursive: true });
    this.reaper = setInterval(() => {
      for (const [dir, c] of this.cats) {
        if (c.idleFor() > 60_000) {
          c.close();
          this.cats.delete(dir);
        }
      }
    }, 30_000);
    this.reaper.unref();
  }

  /** Directory of a repository. */
  dirOf(type: RepoType, fullName: string): string {
    return join(this.root, "repos", `${type}s`, `${fullName}.git`);
  }

  open(type: RepoType, fullName: string): GitRepo {
    const dir = this.dirOf(type, fullName);
    return new BareRepo(dir, () => this.cat(dir), this.trees, this.hooksDir);
  }

  private cat(dir: string): CatFile {
    let c = this.cats.get(dir);
    if (!c) {
      c = new CatFile(dir);
      this.cats.set(dir, c);
    }
    return c;
  }

  private forget(dir: string) {
    this.cats.get(dir)?.close();
    this.cats.delete(dir);
  }

  async init(type: RepoType, fullName: string, defaultBranch: string) {
    const dir = this.dirOf(type, fullName);
    if (await fsStat(dir).catch(() => null)) throw errors.conflict("Repository storage already exists");
    const tmp = join(this.root, "repos", ".tmp", randomUUID() + ".git");
    await mkdir(dirname(tmp), { recursive: true });
    await git(dirname(tmp), ["init", "--bare", "--quiet", `--template=${join(this.root, "repos", ".template")}`, `--initial-branch=${defaultBranch}`, tmp]);
    await this.configure(tmp);
    // Empty folders cost a block each; git makes these again when it needs them.
    await rmdir(join(tmp, "objects", "info")).catch(() => undefined);
    await rmdir(join(tmp, "refs", "tags")).catch(() => undefined);
    await mkdir(dirname(dir), { recursive: true });
    await rename(tmp, dir);
    return this.open(type, fullName);
  }

  /**
   * Shared config of every repository Hubble makes (init and copy), appended in one write (a git
   * process per key cost more than the rest of creating a repo). For a git volume shared by
   * several nodes: objects and refs are fsynced before a ref points at them, and git never starts
   * an automatic gc on its own (Hubble's gc runs under the repo's lock).
   */
  private async configure(dir: string) {
    await appendFile(
      join(dir, "config"),
      "[uploadpack]\n\tallowFilter = true\n[receive]\n\tdenyDeleteCurrent = true\n\tautogc = false\n[transfer]\n\tfsckObjects = true\n" +
        "[gc]\n\tauto = 0\n[core]\n\tfsync = committed\n\tfsyncMethod = fsync\n",
    );
  }

  async copy(type: RepoType, from: string, to: string) {
    const src = this.dirOf(type, from);
    const dir = this.dirOf(type, to);
    if (await fsStat(dir).catch(() => null)) throw errors.conflict("Repository storage already exists");
    const tmp = join(this.root, "repos", ".tmp", randomUUID() + ".git");
    await mkdir(dirname(tmp), { recursive: true });
    // A local clone hard-links the object files: the copy shares them on disk. Branches and tags only.
    await git(dirname(tmp), ["clone", "--bare", "--quiet", "--local", src, tmp]);
    await git(tmp, ["remote", "remove", "origin"]).catch(() => undefined);
    await this.configure(tmp);
    await mkdir(dirname(dir), { recursive: true });
    await rename(tmp, dir);
    return this.open(type, to);
  }

  async diskUsage(type: RepoType, fullName: string) {
    const walk = async (d: string): Promise<number> => {
      let n = 0;
      for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
        const p = join(d, e.name);
        if (e.isDirectory()) n += await walk(p);
        else if (e.isFile()) n += (await fsStat(p).catch(() => null))?.size ?? 0;
      }
      return n;
    };
    return walk(this.dirOf(type, fullName));
  }

  async remove(type: RepoType, fullName: string) {
    const dir = this.dirOf(type, fullName);
    this.forget(dir);
    const trash = join(this.root, "repos", ".tmp", randomUUID());
    await mkdir(dirname(trash), { recursive: true });
    await rename(dir, trash).catch(() => undefined);
    await rm(trash, { recursive: true, force: true });
  }

  async move(type: RepoType, from: string, to: string) {
    const a = this.dirOf(type, from);
    const b = this.dirOf(type, to);
    this.forget(a);
    await mkdir(dirname(b), { recursive: true });
    await rename(a, b);
  }

  close() {
    clearInterval(this.reaper);
    for (const c of this.cats.values()) c.close();
    this.cats.clear();
  }
}
