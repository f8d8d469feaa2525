/**
 * Upload grants (hf_xet ≥ 1.8, with presigned transfers to a bucket): a client PUTs a xorb straight
 * to a staging key, then commits it; the commit reads it back and verifies it exactly as a xorb
 * posted to the node before it is stored and indexed. Grant ids are self-contained and signed, so
 * any node commits them.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { Readable } from "node:stream";
import { errors, HubError } from "../errors.js";
import type { BlobStore, MetaStore } from "../ports.js";
import type { Xet, XorbVerifier } from "./cas.js";

const HEX = /^[0-9a-f]{64}$/;

/** A grant to upload one xorb straight to the store (hf_xet's `XorbUploadGrant`). */
export interface XorbUploadGrant {
  id: string;
  method: "PUT";
  url: string;
  headers: Record<string, string>;
}

/** Issues and commits xorb upload grants for one CAS. */
export class XorbGrants {
  private readonly grantKey: Buffer;

  constructor(
    private readonly xet: Xet,
    private readonly meta: MetaStore,
    private readonly blobs: BlobStore,
    private readonly verify: XorbVerifier,
    secret: Buffer,
  ) {
    this.grantKey = createHmac("sha256", secret).update("xet-upload-grant").digest();
  }

  /** Whether this CAS hands out upload grants (only with presigned transfers to a bucket). */
  get offered(): boolean {
    return this.blobs.direct !== undefined;
  }

  /**
   * A grant to PUT one serialized xorb to a presigned staging key, or null when the xorb is
   * already stored. The grant id is self-contained and signed (any node can commit it).
   */
  async grant(hash: string, length: unknown): Promise<XorbUploadGrant | null> {
    if (!HEX.test(hash)) throw errors.badRequest("Invalid xorb hash");
    if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 1 || length > this.xet.cfg.maxBody) throw errors.badRequest(`Xorb length must be 1..${this.xet.cfg.maxBody}`);
    if (await this.meta.xet.xorb(hash)) return null;
    const stage = randomUUID();
    const exp = Math.floor(Date.now() / 1000) + this.xet.cfg.urlTtl;
    const url = await this.blobs.direct!.putUrl({ kind: "staging", id: stage }, this.xet.cfg.urlTtl);
    this.xet.metrics.grantsIssued++;
    return { id: `${stage}.${length}.${exp}.${this.grantMac(hash, stage, length, exp).toString("base64url")}`, method: "PUT", url, headers: {} };
  }

  private grantMac(hash: string, stage: string, length: number, exp: number): Buffer {
    return createHmac("sha256", this.grantKey).update(`${hash}\n${stage}\n${length}\n${exp}`).digest();
  }

  /**
   * Commits a granted upload: "not-found" when nothing was uploaded for the grant (the client asks
   * for a new one); otherwise the staged bytes are read back, verified as exactly the xorb `hash`
   * (the same checks as a xorb posted to the node), copied into place and indexed. Anything else is
   * refused and deleted.
   */
  async commit(hash: string, id: string): Promise<"committed" | "not-found"> {
    if (!HEX.test(hash)) throw errors.badRequest("Invalid xorb hash");
    const m = /^([0-9a-f-]{36})\.(\d{1,12})\.(\d{1,12})\.([\w-]{43})$/.exec(id);
    const given = m ? Buffer.from(m[4]!, "base64url") : Buffer.alloc(0);
    const [stage, length, exp] = m ? [m[1]!, Number(m[2]), Number(m[3])] : ["", 0, 0];
    const mac = m ? this.grantMac(hash, stage, length, exp) : Buffer.alloc(32);
    if (!m || given.length !== mac.length || !timingSafeEqual(given, mac)) throw errors.forbidden("Invalid upload grant");
    const key = { kind: "staging", id: stage } as const;
    if (await this.meta.xet.xorb(hash)) {
      await this.blobs.delete(key).catch(() => undefined);
      return "committed";
    }
    // A grant outlives its URL by an hour at most: later, the upload is the sweep's.
    if (exp + 3600 < Date.now() / 1000) return "not-found";
    const st = await this.blobs.stat(key);
    if (!st) return "not-found";
    const refuse = async (msg: string) => {
      this.xet.metrics.grantsRefused++;
      await this.blobs.delete(key);
      return new HubError("BadRequest", msg);
    };
    if (st.size !== length) throw await refuse(`Granted upload is ${st.size} bytes, the grant was for ${length}`);
    const body = await readAll(await this.blobs.get(key));
    this.xet.metrics.stagedBytesVerified += body.length;
    let checked;
    try {
      checked = await this.verify(body);
    } catch (e) {
      throw await refuse(`Granted upload is not a valid xorb: ${(e as Error).message}`);
    }
    const v = checked.verified;
    if (v.hash !== hash) throw await refuse(`Granted upload hashes to ${v.hash}, not ${hash}`);
    // A chunk sequence with nothing after it is stored as sent (copied inside the store).
    if (v.length === st.size) await this.blobs.direct!.copy(key, { kind: "xorb", hash }, v.length);
    else await this.blobs.put({ kind: "xorb", hash }, Readable.from([checked.body.subarray(0, v.length)]), { size: v.length });
    await this.xet.indexXorb(hash, v);
    this.xet.metrics.grantsCommitted++;
    await this.blobs.delete(key);
    return "committed";
  }
}

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of s) parts.push(p as Buffer);
  return Buffer.concat(parts);
}
