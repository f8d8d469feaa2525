/**
 * Git LFS file locks (git-lfs locking API): a lock belongs to the user who took it; only they can
 * release it, unless a repo admin forces the unlock. Access to the repo is checked by the caller.
 */
import type { Access } from "./access.js";
import type { Actor } from "./accounts.js";
import { errors, HubError } from "./errors.js";
import { parseRepoPath } from "./ids.js";
import type { LockRecord, MetaStore, RepoRecord } from "./ports.js";

/** Page size limits for listings. */
const MAX_LIMIT = 100;

/** Lock use cases. */
export class Locks {
  constructor(
    private readonly meta: MetaStore,
    private readonly access: Access,
  ) {}

  async create(actor: NonNullable<Actor>, repo: RepoRecord, path: string, refName: string | null) {
    const p = parseRepoPath(path);
    return this.meta.locks.create({ repoId: repo.id, path: p, refName, ownerId: actor.user.id });
  }

  async list(repo: RepoRecord, q: { path?: string; id?: string; cursor?: string; limit?: string }) {
    const limit = Math.min(Math.max(Number(q.limit) || MAX_LIMIT, 1), MAX_LIMIT);
    const offset = Math.max(0, Number(q.cursor) || 0);
    const id = q.id === undefined ? undefined : Number(q.id);
    if (id !== undefined && !Number.isSafeInteger(id)) return { locks: [] as LockRecord[] };
    const locks = await this.meta.locks.list(repo.id, { path: q.path, id, limit, offset });
    return { locks, ...(locks.length === limit ? { next_cursor: String(offset + limit) } : {}) };
  }

  async verify(actor: NonNullable<Actor>, repo: RepoRecord, cursor: string | undefined, limit: string | undefined) {
    const page = await this.list(repo, { cursor, limit });
    return {
      ours: page.locks.filter((l) => l.ownerId === actor.user.id),
      theirs: page.locks.filter((l) => l.ownerId !== actor.user.id),
      ...(page.next_cursor ? { next_cursor: page.next_cursor } : {}),
    };
  }

  async unlock(actor: NonNullable<Actor>, repo: RepoRecord, id: string, force: boolean): Promise<LockRecord> {
    const n = Number(id);
    const [lock] = Number.isSafeInteger(n) ? await this.meta.locks.list(repo.id, { id: n, limit: 1, offset: 0 }) : [];
    if (!lock) throw new HubError("EntryNotFound", "Lock not found");
    if (lock.ownerId !== actor.user.id) {
      if (!force) throw errors.forbidden(`Lock ${id} is owned by ${lock.ownerName}; use --force to break it`);
      if (!(await this.access.isRepoAdmin(actor, repo))) throw errors.forbidden("Only a repository admin can force an unlock");
    }
    await this.meta.locks.delete(lock.id);
    return lock;
  }
}
