/**
 * A long-lived `git cat-file --batch-command` per repository: the fast path for reading refs,
 * commits and small blobs without spawning a process per request.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { gitEnv } from "./run.js";

interface Pending {
  kind: "info" | "contents";
  resolve: (v: { oid: string; type: string; size: number; data?: Buffer } | null) => void;
  reject: (e: Error) => void;
}

/** Result of an object lookup. */
export interface ObjectInfo {
  oid: string;
  type: string;
  size: number;
  data?: Buffer;
}

/** Serialises requests over one cat-file process; restarts it if it dies. */
export class CatFile {
  private child: ChildProcessWithoutNullStreams | null = null;
  private queue: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private lastUse = Date.now();

  constructor(private readonly gitDir: string) {}

  /** Object id, type and size, or null when missing. */
  info(obj: string): Promise<ObjectInfo | null> {
    return this.send("info", obj);
  }

  /** Object with its content, or null when missing. */
  contents(obj: string): Promise<ObjectInfo | null> {
    return this.send("contents", obj);
  }

  /** Milliseconds since the last request (for idle reaping). */
  idleFor(): number {
    return this.queue.length ? 0 : Date.now() - this.lastUse;
  }

  close(): void {
    this.child?.stdin.end();
    this.child?.kill();
    this.child = null;
  }

  private send(kind: "info" | "contents", obj: string): Promise<ObjectInfo | null> {
    if (/[\n\r\0]/.test(obj)) return Promise.resolve(null);
    this.lastUse = Date.now();
    const child = this.ensure();
    return new Promise((resolve, reject) => {
      this.queue.push({ kind, resolve, reject });
      child.stdin.write(`${kind} ${obj}\n`);
    });
  }

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn("git", ["cat-file", "--batch-command"], { cwd: this.gitDir, env: gitEnv(), stdio: ["pipe", "pipe", "pipe"] });
    child.stdout.on("data", (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.drain();
    });
    child.stderr.resume();
    child.stdin.on("error", () => undefined);
    const fail = () => {
      if (this.child === child) this.child = null;
      const q = this.queue;
      this.queue = [];
      this.buf = Buffer.alloc(0);
      for (const p of q) p.reject(new Error("git cat-file exited"));
    };
    child.on("exit", fail);
    child.on("error", fail);
    this.child = child;
    return child;
  }

  private drain(): void {
    while (this.queue.length) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const header = this.buf.subarray(0, nl).toString();
      const p = this.queue[0]!;
      const parts = header.split(" ");
      if (parts.length !== 3 || !/^[0-9a-f]{40}$/.test(parts[0]!)) {
        // "<obj> missing" or "<obj> ambiguous"
        this.buf = this.buf.subarray(nl + 1);
        this.queue.shift();
        p.resolve(null);
        continue;
      }
      const size = Number(parts[2]);
      if (p.kind === "info") {
        this.buf = this.buf.subarray(nl + 1);
        this.queue.shift();
        p.resolve({ oid: parts[0]!, type: parts[1]!, size });
        continue;
      }
      if (this.buf.length < nl + 1 + size + 1) return;
      const data = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.queue.shift();
      p.resolve({ oid: parts[0]!, type: parts[1]!, size, data });
    }
  }
}
