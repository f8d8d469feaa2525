/**
 * A load balancer for tests, standing in for the one a deployment puts in front of its nodes
 * (nginx, HAProxy; none is installed here): HTTP requests go to the nodes in turn — each request,
 * not each connection, so a keep-alive client alternates too — and SSH connections likewise. The
 * Host header is passed through, so the URLs Hubble builds point back at the balancer. A node that
 * refuses or drops a connection is left out for a few seconds; the request that met it fails (502
 * or a reset connection), as behind a real balancer, and the client's retry goes to another node.
 *
 * It runs in a process of its own: the suites drive git with spawnSync, which would stall a
 * balancer living in the test's event loop.
 */
import { fork } from "node:child_process";
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from "node:net";
import { stopChild } from "./process.js";

export interface Balancer {
  url: string;
  /** The SSH port, when asked for. */
  sshPort?: number;
  /** How many requests each node served (index into the upstream list). */
  served(): Promise<number[]>;
  setUpstreams(http: number[], ssh?: number[]): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the balancer process. */
export async function startBalancer(o: { ssh?: boolean } = {}): Promise<Balancer> {
  const child = fork(import.meta.filename, ["--balancer", o.ssh ? "ssh" : "http"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ready = await new Promise<{ http: number; ssh?: number }>((ok, fail) => {
    child.once("message", (m) => ok(m as { http: number; ssh?: number }));
    child.once("exit", (code) => fail(new Error(`balancer exited (${code})`)));
  });
  const url = `http://127.0.0.1:${ready.http}`;
  return {
    url,
    sshPort: ready.ssh,
    async served() {
      return (await (await fetch(`${url}/__balancer/served`)).json()) as number[];
    },
    async setUpstreams(http, ssh = []) {
      child.send({ http, ssh });
      await new Promise((r) => child.once("message", r));
    },
    async stop() {
      await stopChild(child);
    },
  };
}

if (process.argv[2] === "--balancer") {
  const b = await runBalancer({ ssh: process.argv[3] === "ssh" });
  process.on("message", (m) => {
    const u = m as { http: number[]; ssh: number[] };
    b.setUpstreams(u.http, u.ssh);
    process.send!("ok");
  });
  process.on("disconnect", () => process.exit(0));
  process.send!({ http: b.port, ssh: b.sshPort });
}

const HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "expect"]);
const forwardable = (h: IncomingHttpHeaders) => Object.fromEntries(Object.entries(h).filter(([k]) => !HOP.has(k)));

async function runBalancer(o: { ssh: boolean }) {
  let http: number[] = [];
  let ssh: number[] = [];
  const down = new Map<number, number>();
  let next = 0;
  let nextSsh = 0;
  const served: number[] = [];
  // Idle upstream connections are dropped well before Hubble would close them (72 s).
  const agent = new Agent({ keepAlive: true, timeout: 30_000 });
  const pick = (list: number[], turn: () => number) => {
    for (let tries = 0; tries < list.length; tries++) {
      const i = turn() % list.length;
      if ((down.get(list[i]!) ?? 0) < Date.now()) return i;
    }
    return turn() % list.length;
  };

  const server: Server = createServer((req, res) => {
    if (req.url === "/__balancer/served") return void res.end(JSON.stringify(served));
    const i = pick(http, () => next++);
    const port = http[i]!;
    served[i] = (served[i] ?? 0) + 1;
    const up = request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: forwardable(req.headers), agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, forwardable(r.headers));
      r.pipe(res);
      r.on("error", () => res.destroy());
    });
    up.on("error", () => {
      down.set(port, Date.now() + 5_000);
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end("bad gateway");
      else res.destroy();
    });
    req.pipe(up);
    req.on("error", () => up.destroy());
  });
  server.requestTimeout = 0;
  // Idle keep-alive connections stay open as long as Hubble keeps its own (a client reusing one
  // the balancer had just closed would see "fetch failed", which no real balancer causes).
  server.keepAliveTimeout = 72_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));

  let sshServer: TcpServer | undefined;
  let sshPort: number | undefined;
  if (o.ssh) {
    sshServer = createTcpServer((sock) => {
      const port = ssh[pick(ssh, () => nextSsh++)]!;
      const up = connect(port, "127.0.0.1");
      sock.pipe(up).pipe(sock);
      up.on("error", () => {
        down.set(port, Date.now() + 5_000);
        sock.destroy();
      });
      sock.on("error", () => up.destroy());
    });
    await new Promise<void>((r) => sshServer!.listen(0, "127.0.0.1", r));
    sshPort = (sshServer.address() as AddressInfo).port;
  }

  return {
    port: (server.address() as AddressInfo).port,
    sshPort,
    setUpstreams(h: number[], s: number[]) {
      http = h;
      ssh = s;
    },
  };
}
