/** The reference server of the download benchmarks. */
import { spawn, spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

/** nginx serving `root` statically on a random loopback port with `workers` worker processes. */
export async function startNginx(dir: string, root: string, workers = 1): Promise<{ port: number; stop: () => void }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const conf = join(dir, "nginx.conf");
  await writeFile(
    conf,
    `daemon off; worker_processes ${workers}; pid ${dir}/nginx.pid; error_log ${dir}/nginx-error.log;
events { worker_connections 64; }
http { access_log off; sendfile on; tcp_nopush on; client_body_temp_path ${dir}/nb; proxy_temp_path ${dir}/np;
  fastcgi_temp_path ${dir}/nf; uwsgi_temp_path ${dir}/nu; scgi_temp_path ${dir}/ns;
  server { listen 127.0.0.1:${port}; root ${root}; location / { } } }\n`,
  );
  const proc = spawn("nginx", ["-c", conf, "-p", dir], { stdio: "ignore" });
  for (let i = 0; i < 50; i++) {
    if (spawnSync("curl", ["-s", "-o", "/dev/null", `http://127.0.0.1:${port}/`]).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, stop: () => proc.kill("SIGTERM") };
}
