/**
 * nginx for tests and benchmarks (Debian's nginx-light): serving a folder statically (the
 * reference of the download benchmarks), or in front of Hubble as deploy/nginx-embedded.conf
 * runs it — proxying, and sending the files Hubble names with X-Accel-Redirect itself.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { ROOT } from "../e2e/harness.js";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Nginx {
  port: number;
  url: string;
  stop(): void;
}

/**
 * Starts nginx on a free loopback port with `workers` worker processes: serving `o.root`, or in
 * front of `o.hubble` (a base URL) with Hubble's data folder `o.data` behind `/_hubble_files/`.
 */
export async function startNginx(dir: string, o: { workers?: number; root?: string; hubble?: string; data?: string }): Promise<Nginx> {
  const port = await freePort();
  let server: string;
  if (o.hubble) {
    // The deployment file, with its placeholders filled in.
    const conf = await readFile(join(ROOT, "deploy/nginx-embedded.conf"), "utf8");
    server = /server \{[\s\S]*\n {2}\}/.exec(conf)![0].replace("listen 80;", `listen 127.0.0.1:${port};`).replace("http://127.0.0.1:8080", o.hubble).replace("/var/lib/hubble/", `${o.data!.replace(/\/$/, "")}/`);
  } else server = `server { listen 127.0.0.1:${port}; root ${o.root}; location / { } }`;
  // As root, workers run as root too so they can read Hubble's owner-only data folder.
  const user = process.getuid?.() === 0 ? "user root;" : "";
  await writeFile(
    join(dir, "nginx.conf"),
    `daemon off; ${user} worker_processes ${o.workers ?? 1}; pid ${dir}/nginx.pid; error_log ${dir}/nginx-error.log;
events { worker_connections 256; }
http { access_log off; sendfile on; tcp_nopush on; client_body_temp_path ${dir}/nb; proxy_temp_path ${dir}/np;
  fastcgi_temp_path ${dir}/nf; uwsgi_temp_path ${dir}/nu; scgi_temp_path ${dir}/ns;
  ${server} }\n`,
  );
  const proc = spawn("nginx", ["-c", join(dir, "nginx.conf"), "-p", dir], { stdio: "ignore" });
  for (let i = 0; i < 50; i++) {
    if (spawnSync("curl", ["-s", "-o", "/dev/null", `http://127.0.0.1:${port}/`]).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, url: `http://127.0.0.1:${port}`, stop: () => proc.kill("SIGTERM") };
}
