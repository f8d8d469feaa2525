/** Running the system `git` binary: one-shot commands with captured output. */
import { spawn } from "node:child_process";
import { HubError } from "../../core/errors.js";

/** Environment for every git child: no user config, no prompts, stable output. */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: "/nonexistent",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    LC_ALL: "C",
    ...extra,
  };
}

/** Runs git in `cwd` and resolves with stdout; rejects with an internal error carrying stderr. */
export function git(cwd: string, args: string[], opts: { input?: Buffer | string; env?: Record<string, string>; okCodes?: number[] } = {}): Promise<{ stdout: Buffer; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, env: gitEnv(opts.env), stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      const c = code ?? -1;
      if (c === 0 || opts.okCodes?.includes(c)) resolve({ stdout: Buffer.concat(out), code: c });
      else reject(new HubError("Internal", `git ${args[0]} failed (${c}): ${Buffer.concat(err).toString().trim().slice(0, 500)}`));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
  });
}
