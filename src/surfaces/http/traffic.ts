/**
 * Bytes this node moved to and from HTTP clients, counted on the sockets (headers and bodies):
 * what `/metrics` reports so a deployment — and the direct-transfer tests — can see how much of a
 * transfer went through the node rather than straight to the bucket.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";

/** Socket byte counters of one HTTP server. */
export class Traffic {
  private closedIn = 0;
  private closedOut = 0;
  private readonly open = new Set<Socket>();

  /** Starts counting the server's connections. */
  attach(server: Server): void {
    server.on("connection", (s: Socket) => {
      this.open.add(s);
      s.once("close", () => {
        this.closedIn += s.bytesRead;
        this.closedOut += s.bytesWritten;
        this.open.delete(s);
      });
    });
  }

  received(): number {
    let n = this.closedIn;
    for (const s of this.open) n += s.bytesRead;
    return n;
  }

  sent(): number {
    let n = this.closedOut;
    for (const s of this.open) n += s.bytesWritten;
    return n;
  }
}
