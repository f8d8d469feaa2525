#!/usr/bin/env node
/** The `hubble` command: serve, and user/org/token administration. */
import cluster from "node:cluster";
import { parseArgs } from "node:util";
import { IpcLeadership, IpcRefLocks, reportListening, runPrimary } from "./adapters/cluster/workers.js";
import { migrate } from "./migrate.js";
import { loadConfig, type Config } from "./config.js";
import { parseFineGrained } from "./core/accounts.js";
import { HubError } from "./core/errors.js";
import { bootstrapAdmin, createHubble, startSsh } from "./main.js";

const USAGE = `usage:
  hubble serve [--host H] [--port P] [--public-url URL] [--data DIR] [--workers N]
      (N processes share the port; default: the number of cores)
  hubble user create NAME [--fullname F] [--email E] [--password P] [--admin] [--data DIR]
  hubble user disable|enable|delete NAME [--data DIR]
  hubble token create --user USER [--name N] [--role read|write|fineGrained] [--scope TYPE:NAME[:PERM,...] ...] [--gated-repos] [--value hf_...] [--data DIR]
  hubble token list --user USER [--data DIR]
  hubble token revoke ID [--data DIR]
  hubble org create ORG [--fullname F] [--member USER:ROLE ...] [--data DIR]
  hubble gc [--dry-run] [--grace-hours H] [--data DIR]
  hubble migrate --database postgres://… --blob-store s3://bucket/prefix [--data DIR]
      (copies an embedded install into PostgreSQL + S3; S3 endpoint and keys from HUBBLE_S3_ENDPOINT,
       HUBBLE_S3_REGION and the AWS_* variables; resumable; verifies rows and every object)`;

const options = {
  data: { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  "public-url": { type: "string" },
  fullname: { type: "string" },
  email: { type: "string" },
  password: { type: "string" },
  admin: { type: "boolean" },
  user: { type: "string" },
  name: { type: "string" },
  role: { type: "string" },
  value: { type: "string" },
  member: { type: "string", multiple: true },
  scope: { type: "string", multiple: true },
  "gated-repos": { type: "boolean" },
  "dry-run": { type: "boolean" },
  "grace-hours": { type: "string" },
  help: { type: "boolean", short: "h" },
  database: { type: "string" },
  "blob-store": { type: "string" },
  workers: { type: "string" },
} as const;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  const config: Config = loadConfig({ data: values.data, host: values.host, port: values.port, publicUrl: values["public-url"], workers: values.workers });
  const [cmd, sub, arg] = positionals;
  if (cmd === "serve") return serve(config);
  if (cmd === "migrate") {
    if (!values.database || !values["blob-store"]) {
      console.error("hubble migrate needs --database postgres://… and --blob-store s3://bucket/prefix");
      return 2;
    }
    const r = await migrate({ data: config.data, database: values.database, blobStore: values["blob-store"], s3Endpoint: config.s3Endpoint, s3Region: config.s3Region, log: (l) => console.log(l) });
    console.log(`migrated ${r.rows} rows and ${r.objects} objects (${r.bytes} bytes), verified`);
    return 0;
  }
  const h = await createHubble({ ...config, logLevel: "silent" });
  try {
    const accounts = h.services.accounts;
    if (cmd === "user" && sub === "create" && arg) {
      const u = await accounts.createUser(arg, { fullname: values.fullname, email: values.email, password: values.password, admin: values.admin });
      console.log(`created user ${u.name}`);
    } else if (cmd === "user" && (sub === "disable" || sub === "enable") && arg) {
      await accounts.setDisabled("cli", arg, sub === "disable");
      console.log(`${sub}d user ${arg}`);
    } else if (cmd === "user" && sub === "delete" && arg) {
      await accounts.deleteUser("cli", arg);
      console.log(`deleted user ${arg}`);
    } else if (cmd === "token" && sub === "create" && values.user) {
      const role = values.role ?? (values.scope ? "fineGrained" : "write");
      if (role !== "read" && role !== "write" && role !== "fineGrained") throw new HubError("BadRequest", "--role must be read, write or fineGrained");
      // --scope TYPE:NAME[:PERM,PERM…], e.g. model:acme/bert:repo.content.read,repo.write or org:acme
      const fineGrained = role === "fineGrained"
        ? parseFineGrained({
            canReadGatedRepos: values["gated-repos"] ?? false,
            scoped: (values.scope ?? []).map((sc) => {
              const [type, name, perms] = sc.split(":");
              return { entity: { type, name }, permissions: (perms ?? "repo.content.read").split(",") };
            }),
          })
        : undefined;
      const { token } = await accounts.createToken(values.user, { name: values.name, role, fineGrained, value: values.value });
      console.log(token);
    } else if (cmd === "token" && sub === "list" && values.user) {
      for (const t of await accounts.tokensOf(values.user)) console.log(`${t.id}\t${t.role}\t${t.name}\tcreated ${t.createdAt}\tlast used ${t.lastUsedAt ?? "never"}`);
    } else if (cmd === "token" && sub === "revoke" && arg) {
      if (!(await accounts.deleteToken(Number(arg)))) throw new HubError("BadRequest", `No token with id ${arg}`);
      console.log(`revoked token ${arg}`);
    } else if (cmd === "org" && sub === "create" && arg) {
      const members = (values.member ?? []).map((m) => {
        const [user, role = "write"] = m.split(":");
        return { user: user!, role };
      });
      const o = await h.services.orgs.create("cli", { name: arg, fullname: values.fullname, members });
      console.log(`created org ${o.name}`);
    } else if (cmd === "gc") {
      const hours = Number(values["grace-hours"] ?? "24");
      if (!Number.isFinite(hours) || hours < 0) throw new HubError("BadRequest", "--grace-hours must be a non-negative number");
      const dryRun = values["dry-run"] ?? false;
      const r = await h.gc({ dryRun, graceMs: hours * 3600_000, progress: (line) => console.error(line) });
      console.log(`${dryRun ? "would remove" : "removed"} ${r.removed.length} of ${r.objects} LFS objects (${r.removedBytes} bytes); ${r.referenced} referenced across ${r.repos} repos`);
    } else {
      console.error(USAGE);
      return 2;
    }
    return 0;
  } finally {
    await h.close();
  }
}

async function serve(config: Config): Promise<number> {
  if (config.workers > 1) return cluster.isPrimary ? servePrimary(config) : serveWorker(config);
  const h = await createHubble(config, { level: config.logLevel });
  await h.startHousekeeping();
  const token = await bootstrapAdmin(h);
  const address = await h.app.listen({ host: config.host, port: config.port });
  if (!config.publicUrl) h.services.webhooks.base = address;
  if (token) {
    console.log(`Created user 'admin'. Write token (shown once, also saved to ${config.data}/admin-token):\n  ${token}`);
  }
  console.log(`Hubble listening on ${address} (data: ${config.data})`);
  const ssh = config.sshPort === undefined ? null : await startSsh(h, config);
  if (ssh) console.log(`Hubble SSH listening on ${config.host}:${ssh.port}`);
  return untilSignal(async () => {
    await ssh?.close();
    await h.close();
  });
}

/** Serves until SIGINT or SIGTERM, then runs `stop` and exits. */
function untilSignal(stop: () => Promise<void>): Promise<number> {
  const exit = () => void stop().then(() => process.exit(0));
  process.once("SIGINT", exit);
  process.once("SIGTERM", exit);
  return new Promise(() => undefined);
}

/**
 * The primary of `serve --workers N`: migrates and bootstraps once, then forks the workers and
 * serves their locks and leadership; it handles no requests itself.
 */
async function servePrimary(config: Config): Promise<number> {
  const setup = await createHubble({ ...config, logLevel: "silent" });
  const token = await bootstrapAdmin(setup);
  await setup.close();
  if (token) console.log(`Created user 'admin'. Write token (shown once, also saved to ${config.data}/admin-token):\n  ${token}`);
  const primary = runPrimary(config.workers, {
    listening(address, sshPort) {
      console.log(`Hubble listening on ${address} (data: ${config.data}, ${config.workers} workers)`);
      if (sshPort !== undefined) console.log(`Hubble SSH listening on ${config.host}:${sshPort}`);
    },
    replaced(pid, code, signal) {
      console.error(`worker ${pid} exited (${signal ?? code}); starting another`);
    },
  });
  return untilSignal(() => primary.stop());
}

/** One worker of `serve --workers N`: a whole Hubble whose cross-process parts go through the primary. */
async function serveWorker(config: Config): Promise<number> {
  const h = await createHubble(config, { level: config.logLevel }, { refLocks: new IpcRefLocks(), leadership: new IpcLeadership() });
  await h.startHousekeeping();
  const address = await h.app.listen({ host: config.host, port: config.port });
  if (!config.publicUrl) h.services.webhooks.base = address;
  const ssh = config.sshPort === undefined ? null : await startSsh(h, config);
  reportListening(address, ssh?.port);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await ssh?.close();
    await h.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", () => undefined);
  // The primary is gone (even killed): no worker outlives it.
  process.once("disconnect", stop);
  return new Promise(() => undefined);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (e: unknown) => {
    console.error(e instanceof HubError || e instanceof Error ? `error: ${e.message}` : e);
    process.exit(1);
  },
);
