/** Stopping a process a test started: SIGTERM, then SIGKILL if it has not exited within 5 s. */
import type { ChildProcess } from "node:child_process";

export async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
}
