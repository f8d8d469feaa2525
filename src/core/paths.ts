/**
 * The one path rule for what lands in a repo's tree, shared by the commit API, preupload, pushes
 * (the pre-receive hook checks every new tree entry with `entryNameProblem`) and SSH. Pure, with
 * no imports, so the hook process can load it.
 *
 * As on the Hub, `\` is an ordinary character (`folder/..\..\file` is one odd file name, not a
 * traversal); a path that would leave the repo (`..` component, leading `/`) is a 422; anything
 * git cannot or must not store (control characters, empty or `.` components, `.git` in any case)
 * is a 400.
 */

/** The most bytes a path may have, and a component. */
export const MAX_PATH_BYTES = 4096;
export const MAX_COMPONENT_BYTES = 255;

/** Why a path cannot be used, with the status to answer; null when it is fine. */
export interface PathProblem {
  status: 400 | 422;
  message: string;
}

// C0 controls, DEL and C1 controls: invisible in listings, and newline/NUL break git's own formats.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why one tree entry name (a path component) is not allowed; null when it is fine. */
export function entryNameProblem(name: string): string | null {
  if (name === "") return "an empty path component";
  if (CONTROL.test(name)) return "a control character";
  if (name === "." || name === "..") return `a '${name}' component`;
  if (name.includes("/")) return "a '/' inside a tree entry name";
  if (name.toLowerCase() === ".git") return "a '.git' component (reserved for git)";
  if (Buffer.byteLength(name) > MAX_COMPONENT_BYTES) return `a component longer than ${MAX_COMPONENT_BYTES} bytes`;
  return null;
}

/** Why a client-supplied file path is not allowed; null when it is fine. */
export function pathProblem(path: unknown): PathProblem | null {
  if (typeof path !== "string" || path.length === 0) return { status: 400, message: "Invalid path: empty" };
  const shown = JSON.stringify(path);
  if (CONTROL.test(path)) return { status: 400, message: `Invalid path ${shown}: control characters are not allowed in file names` };
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return { status: 400, message: `Invalid path: longer than ${MAX_PATH_BYTES} bytes` };
  if (path.startsWith("/")) return { status: 422, message: `Invalid path ${shown}: absolute paths are not allowed` };
  const parts = path.split("/");
  if (parts.includes("..")) return { status: 422, message: `Invalid path ${shown}: the path escapes the repository` };
  for (const p of parts) {
    const why = entryNameProblem(p);
    if (why) return { status: 400, message: `Invalid path ${shown}: ${why}` };
  }
  return null;
}

/**
 * Why a path to *delete* is not usable; null when fine. Deletes only remove entries that exist,
 * so they may name what the rule refuses for writing (`.GIT`, `..`, control characters) — that is
 * how a repo that received such a tree before this rule existed is cleaned through the API.
 */
export function deletePathProblem(path: unknown): PathProblem | null {
  if (typeof path !== "string" || path.length === 0) return { status: 400, message: "Invalid path: empty" };
  if (path.includes("\0")) return { status: 400, message: `Invalid path ${JSON.stringify(path)}: NUL` };
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return { status: 400, message: `Invalid path: longer than ${MAX_PATH_BYTES} bytes` };
  if (path.startsWith("/")) return { status: 422, message: `Invalid path ${JSON.stringify(path)}: absolute paths are not allowed` };
  if (path.split("/").includes("")) return { status: 400, message: `Invalid path ${JSON.stringify(path)}: an empty path component` };
  return null;
}
