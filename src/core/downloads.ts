/**
 * Download counts by the Hub's documented rule (hub-docs: models-download-stats,
 * datasets-download-stats): for a model, every GET or HEAD of one of its *query files* is a
 * download — `config.json`, `config.yaml`, `hyperparams.yaml`, `meta.yaml` at the top level by
 * default, or the files its library names (a few libraries override the default); for a dataset,
 * all files one client fetches from the repo within five minutes are one download. Spaces are not
 * counted.
 *
 * Counting never slows a download: the request path only bumps an in-memory counter; a timer
 * writes the batch (one upsert per repo and day) and the cluster's leader rolls the 30-day window.
 * It is called only after `authorize()` let the caller download the file, so a private repo's
 * file is never counted for someone who cannot read it.
 */
import type { MetaStore, RepoRecord } from "./ports.js";

const DEFAULT_QUERY_FILES = new Set(["config.json", "config.yaml", "hyperparams.yaml", "meta.yaml"]);

/** Libraries whose downloads are counted on other files (the Hub's `countDownloads` overrides). */
const LIBRARY_QUERY: Record<string, (path: string) => boolean> = {
  "adapter-transformers": (p) => p === "adapter_config.json",
  peft: (p) => p === "adapter_config.json",
  asteroid: (p) => p === "pytorch_model.bin",
  flair: (p) => p === "pytorch_model.bin",
  keras: (p) => p === "saved_model.pb" || p.endsWith(".keras"),
  "ml-agents": (p) => p.endsWith(".onnx"),
  nemo: (p) => p.endsWith(".nemo"),
  open_clip: (p) => p.endsWith("pytorch_model.bin") || p === "open_clip_config.json",
  diffusers: (p) => p === "model_index.json",
  gguf: (p) => p.endsWith(".gguf"),
};

/** Does a fetch of `path` count for a model repo, by its library? */
export function isModelQueryFile(repo: Pick<RepoRecord, "derived" | "cardData">, path: string): boolean {
  const library = repo.derived?.libraryName ?? (typeof repo.cardData?.library_name === "string" ? repo.cardData.library_name : null);
  const rule = library ? LIBRARY_QUERY[library] : undefined;
  return rule ? rule(path) : DEFAULT_QUERY_FILES.has(path);
}

/** A dataset's downloads by one client within this window are one download. */
export const DATASET_WINDOW_MS = 5 * 60_000;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The per-node counter: hits in memory, flushed in batches. */
export class DownloadCounter {
  private pending = new Map<number, number>();
  /** `repoId client` → when its current dataset window ends. */
  private windows = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly meta: MetaStore,
    /** HUBBLE_COUNT_DOWNLOADS (the collaboration bench flips it between rounds in one process). */
    public enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a successful, authorized GET or HEAD of `path` by `client` (its address). */
  hit(repo: RepoRecord, path: string, client: string): void {
    if (!this.enabled || repo.type === "space") return;
    if (repo.type === "model") {
      if (!isModelQueryFile(repo, path)) return;
    } else {
      const key = `${repo.id} ${client}`;
      const t = this.now();
      const until = this.windows.get(key);
      if (until !== undefined && t < until) return;
      this.windows.set(key, t + DATASET_WINDOW_MS);
      if (this.windows.size > 100_000) this.forgetExpired(t);
    }
    this.pending.set(repo.id, (this.pending.get(repo.id) ?? 0) + 1);
  }

  private forgetExpired(t: number): void {
    for (const [k, until] of this.windows) if (until <= t) this.windows.delete(k);
  }

  /** Writes what was counted since the last flush (kept for the next one if the write fails). */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const day = utcDay(this.now());
    const batch = [...this.pending].map(([repoId, count]) => ({ repoId, day, count }));
    this.pending = new Map();
    try {
      await this.meta.downloads.add(batch);
    } catch (e) {
      for (const b of batch) this.pending.set(b.repoId, (this.pending.get(b.repoId) ?? 0) + b.count);
      throw e;
    }
  }

  /** The leader's job: the last-30-days counts drop the days that left the window. */
  roll(): Promise<void> {
    return this.meta.downloads.roll(utcDay(this.now() - 29 * 86_400_000));
  }

  /** Flushes every `ms` (off the request path). */
  start(ms: number, onError: (e: Error) => void): void {
    this.timer ??= setInterval(() => void this.flush().catch(onError), ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
