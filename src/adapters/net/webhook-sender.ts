/**
 * Sends webhook deliveries with an SSRF guard: a target whose address is loopback, link-local,
 * private, carrier-grade NAT, multicast or unspecified is refused, unless the admin's allowlist
 * (HUBBLE_WEBHOOK_ALLOW: addresses, CIDRs or host names) lets it through. The check runs on the
 * addresses the connection actually uses (a `lookup` hook on the request), so a name that resolves
 * to a public address when the webhook is saved and to 127.0.0.1 when it fires (DNS rebinding) is
 * still refused. Redirects are not followed.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { HubError } from "../../core/errors.js";
import type { WebhookSender } from "../../core/webhooks.js";

const BLOCKED: [string, number, "ipv4" | "ipv6"][] = [
  ["0.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["127.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["224.0.0.0", 3, "ipv4"],
  ["::", 128, "ipv6"],
  ["::1", 128, "ipv6"],
  ["fc00::", 7, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
];

export class GuardedSender implements WebhookSender {
  private readonly blocked = new BlockList();
  private readonly allowed = new BlockList();
  private readonly allowedHosts = new Set<string>();

  constructor(allow: string[], private readonly timeoutMs = 10_000) {
    for (const [net, prefix, family] of BLOCKED) this.blocked.addSubnet(net, prefix, family);
    for (const entry of allow.map((a) => a.trim()).filter(Boolean)) {
      const [addr, bits] = entry.split("/") as [string, string?];
      const family = isIP(addr);
      if (family === 0) this.allowedHosts.add(entry.toLowerCase());
      else if (bits === undefined) this.allowed.addAddress(addr, family === 4 ? "ipv4" : "ipv6");
      else this.allowed.addSubnet(addr, Number(bits), family === 4 ? "ipv4" : "ipv6");
    }
  }

  /** Why an address may not be a target, or null. */
  private refusal(host: string, address: string): string | null {
    if (this.allowedHosts.has(host.toLowerCase())) return null;
    const family: "ipv4" | "ipv6" = isIP(address) === 6 ? "ipv6" : "ipv4";
    // An IPv4-mapped IPv6 address is judged as the IPv4 address it is.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const a = mapped ? mapped[1]! : address;
    const f: "ipv4" | "ipv6" = mapped ? "ipv4" : family;
    if (this.allowed.check(a, f)) return null;
    return this.blocked.check(a, f) ? `${host} resolves to ${address}, a loopback, link-local or private address (an admin can allow it with HUBBLE_WEBHOOK_ALLOW)` : null;
  }

  private parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new HubError("BadRequest", "The webhook URL is not a valid URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new HubError("BadRequest", "The webhook URL must be http or https");
    if (url.username || url.password) throw new HubError("BadRequest", "The webhook URL may not carry credentials; use the secret");
    return url;
  }

  async check(raw: string): Promise<void> {
    const url = this.parse(raw);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const addresses: LookupAddress[] = isIP(host) ? [{ address: host, family: isIP(host) }] : await new Promise((ok, fail) => dnsLookup(host, { all: true }, (e, a) => (e ? fail(new HubError("BadRequest", `The webhook host ${host} does not resolve`)) : ok(a))));
    for (const a of addresses) {
      const why = this.refusal(host, a.address);
      if (why) throw new HubError("BadRequest", `The webhook URL is refused: ${why}`);
    }
  }

  send(raw: string, body: string, headers: Record<string, string>): Promise<{ status: number }> {
    const url = this.parse(raw);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    // Every address the socket may use is checked here, at connection time.
    const lookup: LookupFunction = (hostname, options, cb) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return cb(err, "", 4);
        const list = addresses as LookupAddress[];
        for (const a of list) {
          const why = this.refusal(host, a.address);
          if (why) return cb(new Error(why), "", 4);
        }
        if ((options as { all?: boolean }).all) return (cb as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        cb(null, list[0]!.address, list[0]!.family);
      });
    };
    if (isIP(host)) {
      const why = this.refusal(host, host);
      if (why) return Promise.reject(new Error(why));
    }
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((ok, fail) => {
      const req = request(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, lookup, timeout: this.timeoutMs }, (res) => {
        res.resume();
        res.on("end", () => ok({ status: res.statusCode ?? 0 }));
        res.on("error", fail);
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on("error", fail);
      req.end(body);
    });
  }
}
