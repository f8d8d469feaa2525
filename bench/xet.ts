/**
 * `npm run bench` (Xet part): the stock huggingface_hub + hf_xet against Hubble, each number next
 * to a reference measured in the same run.
 *
 *  1. 1 GiB upload through Xet (hf_xet) vs the same file through LFS basic (HF_HUB_DISABLE_XET=1)
 *  2. re-upload with 1% of the bytes edited, from an empty client cache: bytes Hubble receives /
 *     file size (goal ≤ 3%), read from /metrics
 *  3. hf_hub_download through Xet (reconstructions + xorb ranges) vs hf_hub_download of the
 *     LFS-stored copy with Xet disabled; a plain GET of the Xet file (server-side reconstruction)
 *     vs a plain GET of the LFS copy
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PYTHON, startServer } from "../test/e2e/harness.js";
import { writeRandomFile } from "../test/e2e/random-file.js";

const SIZE = Number(process.env.BENCH_SIZE ?? 1024 * 1024 * 1024);

function py(script: string, args: string[], env: Record<string, string>): string {
  return execFileSync(PYTHON, ["-c", script, ...args], { encoding: "utf8", env: { ...process.env, HF_HUB_DISABLE_PROGRESS_BARS: "1", HF_HUB_DISABLE_TELEMETRY: "1", HF_XET_TELEMETRY_ENABLED: "false", ...env }, maxBuffer: 64 << 20 }).trim();
}

const UPLOAD = `
import sys, time
from huggingface_hub import HfApi
t = time.time()
HfApi().upload_file(path_or_fileobj=sys.argv[1], path_in_repo=sys.argv[2], repo_id=sys.argv[3])
print(time.time() - t)
`;
const DOWNLOAD = `
import sys, time
from huggingface_hub import hf_hub_download
t = time.time()
hf_hub_download(sys.argv[1], sys.argv[2], cache_dir=sys.argv[3])
print(time.time() - t)
`;

async function received(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^hubble_xet_xorb_bytes_received_total (\d+)$/m.exec(text)![1]);
}

function curlSeconds(url: string, token: string): number {
  return Number(execFileSync("curl", ["-sS", "-f", "-o", "/dev/null", "-w", "%{time_total}", "-H", `Authorization: Bearer ${token}`, url], { encoding: "utf8" }));
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "hubble-bench-xet-"));
  const server = await startServer();
  try {
    const file = join(dir, "model.bin");
    await writeRandomFile(file, SIZE);
    const mib = (s: number) => `${(SIZE / s / 1048576).toFixed(0)} MiB/s`;
    const env = (cache: string, xet: boolean): Record<string, string> => ({
      HF_ENDPOINT: server.url,
      HF_TOKEN: server.adminToken,
      HF_HOME: join(dir, "hf-home"),
      HF_XET_CACHE: join(dir, cache),
      ...(xet ? {} : { HF_HUB_DISABLE_XET: "1" }),
    });
    py("import sys\nfrom huggingface_hub import HfApi\nHfApi().create_repo(sys.argv[1])", ["admin/bench-xet"], env("c0", true));
    console.log(`file size: ${(SIZE / 1048576).toFixed(0)} MiB`);

    console.log("\n[upload] huggingface_hub upload_file: Xet (hf_xet) vs LFS basic (HF_HUB_DISABLE_XET=1)");
    const lfs = Number(py(UPLOAD, [file, "lfs.bin", "admin/bench-xet"], env("c1", false)));
    console.log(`  LFS basic: ${lfs.toFixed(2)} s (${mib(lfs)})`);
    const before = await received(server.url);
    const xet = Number(py(UPLOAD, [file, "xet.bin", "admin/bench-xet"], env("c2", true)));
    console.log(`  Xet: ${xet.toFixed(2)} s (${mib(xet)}), ${((await received(server.url)) - before).toLocaleString("en")} bytes received`);
    console.log(`  RATIO upload: Xet/LFS throughput = ${(lfs / xet).toFixed(2)}x`);

    console.log("\n[dedupe] re-upload with 1% of the bytes edited in place, empty client cache");
    const fh = await open(file, "r+");
    const edit = randomBytes(Math.floor(SIZE / 100)); // incompressible, so the edit costs its full size
    await fh.write(edit, 0, edit.length, Math.floor(SIZE / 2));
    await fh.close();
    const b2 = await received(server.url);
    const re = Number(py(UPLOAD, [file, "xet.bin", "admin/bench-xet"], env("c3", true)));
    const got = (await received(server.url)) - b2;
    console.log(`  re-upload: ${re.toFixed(2)} s, ${got.toLocaleString("en")} bytes received`);
    console.log(`  RATIO dedupe: bytes received / file size = ${((100 * got) / SIZE).toFixed(2)}% (goal <= 3%)`);

    console.log("\n[download] hf_hub_download through Xet vs plain GETs (curl to /dev/null)");
    const xd = Number(py(DOWNLOAD, ["admin/bench-xet", "xet.bin", join(dir, "dl-cache")], env("c4", true)));
    console.log(`  Xet (hf_xet reconstruction): ${xd.toFixed(2)} s (${mib(xd)})`);
    const ld = Number(py(DOWNLOAD, ["admin/bench-xet", "lfs.bin", join(dir, "dl-cache-lfs")], env("c5", false)));
    console.log(`  hf_hub_download of the LFS copy (HF_HUB_DISABLE_XET=1): ${ld.toFixed(2)} s (${mib(ld)})`);
    const plainXet = curlSeconds(`${server.url}/admin/bench-xet/resolve/main/xet.bin`, server.adminToken);
    console.log(`  plain GET of the Xet file (server-side reconstruction): ${plainXet.toFixed(2)} s (${mib(plainXet)})`);
    const plainLfs = curlSeconds(`${server.url}/admin/bench-xet/resolve/main/lfs.bin`, server.adminToken);
    console.log(`  plain GET of the LFS copy: ${plainLfs.toFixed(2)} s (${mib(plainLfs)})`);
    console.log(`  RATIO download: hf_hub_download Xet/LFS throughput = ${(ld / xd).toFixed(2)}x; plain GET reconstruction/LFS = ${(plainLfs / plainXet).toFixed(2)}x`);
    console.log(`\nserver peak RSS: ${((await server.peakRss()) / 1048576).toFixed(0)} MiB`);
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
