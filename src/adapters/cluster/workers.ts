/**
 * `hubble serve --workers N`: N processes of one Hubble on one machine (Node's cluster module,
 * one shared listening socket). Whatever must hold across processes and has no database to hold
 * it (the embedded SQLite default) goes through the primary over IPC: ref locks (a FIFO queue per
 * key; a worker that dies releases what it held) and leadership (one worker at a time runs the
 * sweeps). On PostgreSQL the advisory locks already hold across processes and nodes, and win.
 */
import cluster, { type Worker } from "node:cluster";
import type { RefLocks } from "../../core/mutex.js";
import { KeyedMutex } from "../../core/mutex.js";

type ToPrimary =
  | { hubble: "lock"; key: string; id: number }
  | { hubble: "unlock"; key: string; id: number }
  | { hubble: "listening"; address: string; sshPort?: number };
type ToWorker = { hubble: "granted"; id: number } | { hubble: "leader"; value: boolean };

const isMessage = (m: unknown): m is Record<string, unknown> & { hubble: string } => typeof m === "object" && m !== null && typeof (m as { hubble?: unknown }).hubble === "string";

// ------------------------------------------------------------------ worker side

/** Ref locks granted by the primary; work on one key inside this process queues locally first. */
export class IpcRefLocks implements RefLocks {
  private readonly local = new KeyedMutex();
  private next = 1;
  private readonly waiting = new Map<number, () => void>();

  constructor() {
    process.on("message", (m: unknown) => {
      if (isMessage(m) && m.hubble === "granted") {
        const id = Number(m.id);
        this.waiting.get(id)?.();
        this.waiting.delete(id);
      }
    });
  }

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const id = this.next++;
      const granted = new Promise<void>((r) => this.waiting.set(id, r));
      send({ hubble: "lock", key, id });
      await granted;
      try {
        return await fn();
      } finally {
        send({ hubble: "unlock", key, id });
      }
    });
  }
}

/** Whether the primary named this worker the one that runs the cluster's jobs. */
export class IpcLeadership {
  private leading = false;

  constructor() {
    process.on("message", (m: unknown) => {
      if (isMessage(m) && m.hubble === "leader") this.leading = m.value === true;
    });
  }

  async lead(): Promise<boolean> {
    return this.leading;
  }

  async resign(): Promise<void> {
    this.leading = false;
  }
}

/** Tells the primary this worker listens (the primary announces the server once all do). */
export function reportListening(address: string, sshPort?: number): void {
  send({ hubble: "listening", address, sshPort });
}

function send(m: ToPrimary): void {
  process.send?.(m);
}

// ------------------------------------------------------------------ primary side

/** What the primary reports while it runs the workers. */
export interface PrimaryEvents {
  /** Every worker listens (first time only). */
  listening(address: string, sshPort?: number): void;
  /** A worker died unexpectedly and is being replaced. */
  replaced(pid: number, code: number | null, signal: string | null): void;
}

/**
 * Forks `n` workers and serves their locks and leadership until `stop` is called. A worker that
 * dies is replaced; its locks go to the next in line and, if it led, another worker leads.
 */
export function runPrimary(n: number, events: PrimaryEvents): { stop(): Promise<void> } {
  const locks = new Map<string, { holder: { w: number; id: number } | null; queue: { w: number; id: number }[] }>();
  const workers = new Map<number, Worker>();
  const listening = new Set<number>();
  let announced = false;
  let stopping = false;
  let leader: number | null = null;

  const tell = (w: number, m: ToWorker) => {
    const worker = workers.get(w);
    if (worker?.isConnected()) worker.send(m);
  };
  const grantNext = (key: string) => {
    const l = locks.get(key)!;
    l.holder = l.queue.shift() ?? null;
    if (l.holder) tell(l.holder.w, { hubble: "granted", id: l.holder.id });
    else locks.delete(key);
  };
  const electLeader = () => {
    if (leader !== null && workers.has(leader)) return;
    leader = [...workers.keys()].sort((a, b) => a - b)[0] ?? null;
    if (leader !== null) tell(leader, { hubble: "leader", value: true });
  };

  const fork = () => {
    const worker = cluster.fork();
    const w = worker.id;
    workers.set(w, worker);
    worker.on("message", (m: unknown) => {
      if (!isMessage(m)) return;
      const msg = m as ToPrimary;
      if (msg.hubble === "lock") {
        const l = locks.get(msg.key) ?? { holder: null, queue: [] };
        locks.set(msg.key, l);
        if (l.holder) l.queue.push({ w, id: msg.id });
        else {
          l.holder = { w, id: msg.id };
          tell(w, { hubble: "granted", id: msg.id });
        }
      } else if (msg.hubble === "unlock") {
        const l = locks.get(msg.key);
        if (l?.holder?.w === w && l.holder.id === msg.id) grantNext(msg.key);
      } else if (msg.hubble === "listening") {
        listening.add(w);
        if (w === leader) tell(w, { hubble: "leader", value: true });
        if (!announced && listening.size >= n) {
          announced = true;
          events.listening(msg.address, msg.sshPort);
        }
      }
    });
    worker.on("exit", (code, signal) => {
      workers.delete(w);
      listening.delete(w);
      for (const [key, l] of locks) {
        l.queue = l.queue.filter((q) => q.w !== w);
        if (l.holder?.w === w) grantNext(key);
      }
      if (leader === w) leader = null;
      if (stopping) return;
      events.replaced(worker.process.pid ?? 0, code, signal);
      fork();
      electLeader();
    });
  };
  for (let i = 0; i < n; i++) fork();
  electLeader();

  return {
    async stop() {
      stopping = true;
      const exits = [...workers.values()].map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once("exit", () => r()))));
      for (const w of workers.values()) w.process.kill("SIGTERM");
      const timer = setTimeout(() => {
        for (const w of workers.values()) w.process.kill("SIGKILL");
      }, 10_000);
      await Promise.all(exits);
      clearTimeout(timer);
    },
  };
}
