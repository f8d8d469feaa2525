/** In-process Hubble for HTTP-level tests (Fastify inject, no socket). */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.js";
import { bootstrapAdmin, createHubble, type Hubble } from "../../src/main.js";
import { startPostgres, type Postgres } from "../support/postgres.js";

/** A Hubble on a temporary data folder with an admin token. */
export interface Harness {
  hub: Hubble;
  token: string;
  auth: { authorization: string };
  close(): Promise<void>;
}

/**
 * With HUBBLE_TEST_DATABASE=postgres the metadata goes to a real PostgreSQL (one throwaway cluster
 * per test process, a fresh database per harness): `npm test` runs these HTTP suites once on each
 * database, so every store is exercised by the same test bodies on both.
 */
let cluster: Promise<Postgres> | null = null;
async function databaseUrl(): Promise<string | undefined> {
  if (process.env.HUBBLE_TEST_DATABASE !== "postgres") return undefined;
  if (!cluster) {
    cluster = startPostgres();
    const pgc = await cluster;
    // The cluster is a daemon (pg_ctl), not a child: stop it when the test process is done.
    process.once("beforeExit", () => void pgc.stop());
    process.once("exit", () => void pgc.stop());
  }
  return (await cluster).database();
}

/** Builds one; `env` overrides HUBBLE_* settings. */
export async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const data = await mkdtemp(join(tmpdir(), "hubble-http-"));
  const url = await databaseUrl();
  const hub = await createHubble(loadConfig({ data, publicUrl: "http://hub.test" }, { ...(url ? { HUBBLE_DATABASE_URL: url } : {}), ...env }));
  const token = (await bootstrapAdmin(hub))!;
  return {
    hub,
    token,
    auth: { authorization: `Bearer ${token}` },
    async close() {
      await hub.close();
      await rm(data, { recursive: true, force: true });
    },
  };
}

/** NDJSON body from objects. */
export function ndjson(...lines: unknown[]): string {
  return lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
}

/** A commit header line. */
export const header = (summary = "test", parentCommit?: string) => ({ key: "header", value: { summary, description: "", ...(parentCommit ? { parentCommit } : {}) } });

/** A regular file line. */
export const file = (path: string, content: string | Buffer) => ({ key: "file", value: { path, content: Buffer.from(content).toString("base64"), encoding: "base64" } });
