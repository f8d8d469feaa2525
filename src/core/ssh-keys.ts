/**
 * Users' SSH public keys (the key API of seed 002): OpenSSH `type base64 [comment]` lines,
 * checked down to the key blob, fingerprinted as `ssh-keygen -l` does, unique across users.
 */
import { createHash } from "node:crypto";
import type { Actor } from "./accounts.js";
import { errors } from "./errors.js";
import type { Account, MetaStore, SshKeyRecord } from "./ports.js";

/** Key types accepted, with the curve each ECDSA type must name inside its blob. */
const TYPES: Record<string, { curve?: string; pointLen?: number }> = {
  "ssh-ed25519": {},
  "ssh-rsa": {},
  "ecdsa-sha2-nistp256": { curve: "nistp256", pointLen: 65 },
  "ecdsa-sha2-nistp384": { curve: "nistp384", pointLen: 97 },
  "ecdsa-sha2-nistp521": { curve: "nistp521", pointLen: 133 },
};

/** Reads SSH wire-format strings (uint32 length + bytes) from a key blob. */
class Wire {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  string(): Buffer {
    if (this.at + 4 > this.b.length) throw new Error("truncated");
    const n = this.b.readUInt32BE(this.at);
    if (this.at + 4 + n > this.b.length) throw new Error("truncated");
    const s = this.b.subarray(this.at + 4, this.at + 4 + n);
    this.at += 4 + n;
    return s;
  }
  get done(): boolean {
    return this.at === this.b.length;
  }
}

function bitLength(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (32 - Math.clz32(mpint[i]!));
}

/** A parsed, validated public key. */
export interface ParsedKey {
  type: string;
  blob: Buffer;
  fingerprint: string;
  /** `type base64` without the comment. */
  canonical: string;
}

/** `SHA256:` + unpadded base64 of the blob's sha256. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** Parses an OpenSSH public key line; throws BadRequest with the reason. */
export function parsePublicKey(line: unknown): ParsedKey {
  if (typeof line !== "string" || line.length > 16 * 1024) throw errors.badRequest("'key' must be an OpenSSH public key line");
  const parts = line.trim().split(/\s+/);
  const [type, b64] = parts;
  if (!type || !b64) throw errors.badRequest("Invalid key format: expected '<type> <base64> [comment]'");
  const spec = TYPES[type];
  if (!spec) throw errors.badRequest(`Unsupported key type ${type.slice(0, 64)}; use one of ${Object.keys(TYPES).join(", ")}`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw errors.badRequest("Invalid key format: the key is not base64");
  const blob = Buffer.from(b64, "base64");
  try {
    const w = new Wire(blob);
    if (w.string().toString("latin1") !== type) throw new Error("the key blob names another type");
    if (type === "ssh-ed25519") {
      if (w.string().length !== 32) throw new Error("an ed25519 key is 32 bytes");
    } else if (type === "ssh-rsa") {
      const e = w.string();
      const bits = bitLength(w.string());
      if (bitLength(e) === 0) throw new Error("bad RSA exponent");
      if (bits < 2048) throw new Error(`RSA keys must have at least 2048 bits (this one has ${bits})`);
      if (bits > 16384) throw new Error("RSA key too large");
    } else {
      if (w.string().toString("latin1") !== spec.curve) throw new Error("the curve does not match the key type");
      const q = w.string();
      if (q.length !== spec.pointLen || q[0] !== 4) throw new Error("bad curve point");
    }
    if (!w.done) throw new Error("trailing bytes");
  } catch (e) {
    throw errors.badRequest(`Invalid key format: ${(e as Error).message}`);
  }
  return { type, blob, fingerprint: fingerprintOf(blob), canonical: `${type} ${blob.toString("base64")}` };
}

/** SSH key use cases. */
export class SshKeys {
  constructor(private readonly meta: MetaStore) {}

  private who(actor: Actor): NonNullable<Actor> {
    if (!actor) throw errors.unauthorized("You must be authenticated to manage SSH keys");
    return actor;
  }

  list(actor: Actor): Promise<SshKeyRecord[]> {
    return this.meta.sshKeys.list(this.who(actor).user.id);
  }

  async add(actor: Actor, b: { title: string; key: string }): Promise<SshKeyRecord> {
    const a = this.who(actor);
    if (a.token.role !== "write") throw errors.forbidden("A write token is required to add SSH keys");
    const title = b.title;
    if (title.trim().length === 0) throw errors.badRequest("'title' is required");
    if (title.length > 255) throw errors.badRequest("'title' must be at most 255 characters");
    if (/[\x00-\x1f]/.test(title)) throw errors.badRequest("'title' must be printable");
    const k = parsePublicKey(b.key);
    if (await this.meta.sshKeys.byFingerprint(k.fingerprint)) throw errors.conflict("This SSH key is already registered");
    try {
      return await this.meta.sshKeys.create({ accountId: a.user.id, title, keyType: k.type, fingerprint: k.fingerprint, publicKey: k.canonical });
    } catch {
      throw errors.conflict("This SSH key is already registered"); // lost a race on the unique fingerprint
    }
  }

  /** A key of the caller; someone else's key is a 403 (as seed 002 documents), none a 404. */
  async get(actor: Actor, id: number): Promise<SshKeyRecord> {
    const a = this.who(actor);
    const k = Number.isSafeInteger(id) ? await this.meta.sshKeys.byId(id) : null;
    if (!k) throw errors.notFound("SSH key not found");
    if (k.accountId !== a.user.id && !a.user.isAdmin) throw errors.forbidden("This SSH key belongs to another user");
    return k;
  }

  async delete(actor: Actor, id: number): Promise<void> {
    const a = this.who(actor);
    if (a.token.role !== "write") throw errors.forbidden("A write token is required to delete SSH keys");
    await this.meta.sshKeys.delete((await this.get(actor, id)).id);
  }

  /** The key (and its user) presented to the SSH server, by the blob's fingerprint. */
  async lookup(blob: Buffer): Promise<{ key: SshKeyRecord; user: Account } | null> {
    const key = await this.meta.sshKeys.byFingerprint(fingerprintOf(blob));
    if (!key) return null;
    const user = await this.meta.accounts.byId(key.accountId);
    if (!user || user.disabled) return null;
    void this.meta.sshKeys.touch(key.id).catch(() => undefined);
    return { key, user };
  }
}
