/**
 * Git over SSH (ssh2): public-key authentication against the users' registered keys, then one
 * exec per session: `git-upload-pack`, `git-receive-pack` (the real git, full duplex, with the
 * same pre-receive policy as smart HTTP) or `git-lfs-authenticate <repo> <download|upload>`,
 * which answers a short-lived token scoped to that repo and the HTTP LFS endpoint to use it on
 * (git-lfs docs/api/server-discovery.md). Every decision goes through the one `authorize()`.
 */
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import ssh2 from "ssh2";
import type { Connection, ServerChannel } from "ssh2";
import { Accounts, type Actor } from "../../core/accounts.js";
import { HubError } from "../../core/errors.js";
import { urlPrefix, type RepoType } from "../../core/ids.js";
import type { Account } from "../../core/ports.js";
import { afterPush, pushHookEnv, pushTarget, refSnapshot } from "../git-http/git-routes.js";
import type { Services } from "../http/services.js";

const { Server, utils } = ssh2;

/** Lifetime of a git-lfs-authenticate token, seconds. */
const LFS_TOKEN_TTL = 3600;

/** Options for the SSH surface. */
export interface SshOptions {
  host: string;
  port: number;
  hostKeyPath: string;
  /** Creates the host key file (ed25519, OpenSSH format, mode 0600) if it is missing. */
  ensureHostKey: (path: string, make: () => string) => Promise<void>;
  /** `host:port` of this process's HTTP listener on loopback (push hooks call it). */
  httpLocal: () => string;
  /** The base URL clients reach the HTTP API on (for LFS hrefs). */
  publicBase: () => string;
}

/** A running SSH server. */
export interface SshServer {
  port: number;
  close(): Promise<void>;
}

/** Splits an exec command line: `cmd 'arg' arg …` (git quotes the path with single quotes). */
export function parseCommand(line: string): string[] | null {
  const out: string[] = [];
  const re = /\s*(?:'([^']*)'|"([^"]*)"|(\S+))/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    out.push(m[1] ?? m[2] ?? m[3]!);
    if (re.lastIndex >= line.length) break;
  }
  return out.length > 0 && line.trim().length > 0 ? out : null;
}

/** `/datasets/ns/name.git` → { type, id }, or null when it does not name a repo. */
export function parseRepoPath(path: string): { type: RepoType; id: string } | null {
  let segs = path.replace(/^\/+/, "").replace(/\/+$/, "").replace(/\.git$/, "").split("/");
  let type: RepoType = "model";
  if (segs.length === 3) {
    const t = ({ models: "model", datasets: "dataset", spaces: "space" } as const)[segs[0] as "models"];
    if (!t) return null;
    type = t;
    segs = segs.slice(1);
  }
  if (segs.length !== 2 || segs.some((s) => s === "" || s === "." || s === ".." || /[\s\\]/.test(s))) return null;
  return { type, id: segs.join("/") };
}

/** Starts the SSH server; the host key is generated on first start. */
export async function startSshServer(svc: Services, o: SshOptions): Promise<SshServer> {
  await o.ensureHostKey(o.hostKeyPath, () => utils.generateKeyPairSync("ed25519").private);
  const hostKey = await readFile(o.hostKeyPath);
  const server = new Server({ hostKeys: [hostKey] }, (client: Connection) => {
    let user: Account | null = null;
    client.on("error", () => undefined);
    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey") return ctx.reject(["publickey"]);
      void (async () => {
        const found = await svc.sshKeys.lookup(ctx.key.data);
        if (!found) return ctx.reject(["publickey"]);
        // Without a signature the client only asks whether the key would do; with one, verify it.
        if (!ctx.signature) return ctx.accept();
        const key = utils.parseKey(found.key.publicKey);
        if (key instanceof Error || key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(["publickey"]);
        user = found.user;
        ctx.accept();
      })().catch(() => ctx.reject());
    });
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        let protocol: string | undefined;
        session.on("env", (accept, reject, info) => {
          if (info.key === "GIT_PROTOCOL" && /^version=[0-2](:[A-Za-z0-9._=-]{1,64}){0,8}$/.test(info.val)) {
            protocol = info.val;
            accept?.();
          } else reject?.();
        });
        session.on("pty", (_a, reject) => reject?.());
        session.on("shell", (accept) => {
          const ch = accept();
          ch.stderr.write(`Hi ${user?.name ?? "there"}! You've successfully authenticated, but Hubble does not provide shell access.\n`);
          ch.exit(1);
          ch.end();
        });
        session.on("exec", (accept, _reject, info) => {
          const ch = accept();
          const actor: Actor = Accounts.synthetic(user!, "ssh key");
          exec(svc, o, actor, info.command, ch, protocol).catch((e) => {
            const msg = e instanceof HubError ? e.message : "internal error";
            fail(ch, msg, 1);
          });
        });
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function fail(ch: ServerChannel, message: string, code: number): void {
  ch.stderr.write(`ERROR: ${message}\n`);
  ch.exit(code);
  ch.end();
}

async function exec(svc: Services, o: SshOptions, actor: NonNullable<Actor>, command: string, ch: ServerChannel, protocol: string | undefined): Promise<void> {
  const argv = parseCommand(command) ?? [];
  let [cmd, ...args] = argv;
  if (cmd === "git" && args[0]) cmd = `git-${args.shift()}`;
  if (cmd === "git-lfs-transfer") return fail(ch, "git-lfs-transfer: command not found (use git-lfs-authenticate)", 127);
  if (cmd !== "git-upload-pack" && cmd !== "git-receive-pack" && cmd !== "git-lfs-authenticate") return fail(ch, `Unknown command: ${(cmd ?? "").slice(0, 64)}`, 127);
  const target = args[0] ? parseRepoPath(args[0]) : null;
  if (!target) return fail(ch, "Invalid repository path", 128);

  if (cmd === "git-lfs-authenticate") {
    const op = args[1];
    if (op !== "download" && op !== "upload") return fail(ch, "usage: git-lfs-authenticate <repo> <download|upload>", 1);
    // Uploads: the LFS batch decides per ref (a branch needs write, a PR's ref its author).
    const repo = op === "upload" ? await svc.discussions.uploadTarget(actor, target.type, target.id, null, false) : (await svc.repos.get(actor, target.type, target.id, "download")).repo;
    const fullName = `${repo.namespace}/${repo.name}`;
    const token = svc.accounts.issueRepoToken(actor.user, { type: repo.type, fullName }, op === "upload", LFS_TOKEN_TTL);
    ch.write(JSON.stringify({ href: `${o.publicBase()}/${urlPrefix(repo.type)}${fullName}.git/info/lfs`, header: { Authorization: `Bearer ${token}` }, expires_in: LFS_TOKEN_TTL }) + "\n");
    ch.exit(0);
    ch.end();
    return;
  }

  const push = cmd === "git-receive-pack";
  const { repo, movedFrom, scope } = push ? await pushTarget(svc, actor, target.type, target.id) : { ...(await svc.repos.get(actor, target.type, target.id, "download")), scope: null };
  if (movedFrom && push) return fail(ch, "Repository not found", 128);
  const before = scope ? await refSnapshot(svc, repo) : new Map();
  const proc = svc.commits.git(repo).serve(push ? "receive-pack" : "upload-pack", {
    advertise: false,
    duplex: true,
    protocol,
    hookEnv: scope ? pushHookEnv(repo, o.httpLocal(), scope) : undefined,
  });
  ch.pipe(proc.stdin as NodeJS.WritableStream);
  proc.stdout.pipe(ch, { end: false });
  proc.stderr.pipe(ch.stderr, { end: false });
  ch.on("close", () => proc.kill());
  const after = push ? afterPush(svc, repo, actor, before, proc.done) : Promise.resolve();
  const [code] = await Promise.all([proc.done, new Promise((r) => proc.stdout.once("end", r))]);
  // Over SSH the session can wait for the push's aftermath (card, PR events, webhooks) before it ends.
  await after;
  ch.exit(code);
  ch.end();
}
