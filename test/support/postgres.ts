/**
 * A real PostgreSQL for tests: a throwaway cluster (Debian's postgresql, run as the `postgres`
 * user, which initdb requires) on a free loopback port, non-durable settings since it is thrown
 * away. `database()` hands out a fresh empty database per caller.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./s3-server.js";

const PGBIN = process.env.HUBBLE_PGBIN ?? "/usr/lib/postgresql/15/bin";

export interface Postgres {
  /** A new empty database's URL. */
  database(): Promise<string>;
  stop(): Promise<void>;
}

let counter = 0;

/** Starts a cluster. */
export async function startPostgres(): Promise<Postgres> {
  if (!existsSync(join(PGBIN, "initdb"))) throw new Error(`PostgreSQL is needed at ${PGBIN} (apt-get install postgresql; scripts/test.sh installs it)`);
  const dir = mkdtempSync(join(tmpdir(), "hubble-pg-"));
  chmodSync(dir, 0o755);
  execFileSync("chown", ["postgres:postgres", dir]);
  const port = await freePort();
  const asPg = (args: string[]) => {
    const r = spawnSync("runuser", ["-u", "postgres", "--", ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}${r.stdout}`);
  };
  asPg([join(PGBIN, "initdb"), "-D", join(dir, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
  asPg([join(PGBIN, "pg_ctl"), "-D", join(dir, "data"), "-l", join(dir, "log"), "-w", "-t", "60", "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`, "start"]);
  return {
    async database() {
      const name = `hubble_${process.pid}_${++counter}`;
      // A client per call: nothing stays open to keep the test process alive.
      const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
      await admin.connect();
      try {
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      spawnSync("runuser", ["-u", "postgres", "--", join(PGBIN, "pg_ctl"), "-D", join(dir, "data"), "-m", "immediate", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
