/**
 * "Add file → Upload files": the one island on Hubble's pages. The server renders the form; this
 * script adds drag and drop, folder picking, checks every limit before the first byte leaves, and
 * uploads through @huggingface/hub exactly as a script would (preupload, LFS/Xet, NDJSON commit),
 * authenticated by the page's session cookie (same origin, so the CSRF check passes).
 */
import { uploadFilesWithProgress } from "@huggingface/hub";

interface Picked {
  path: string;
  file: File;
}

const form = document.querySelector<HTMLFormElement>("form#upload");
if (form) setUp(form);

/** The path rule of core/paths.ts, client side: a file the server would refuse is never sent. */
function pathProblem(path: string): string | null {
  if (path === "" || path.length > 1000) return "an empty or over-long path";
  if (/[\u0000-\u001f\u007f]/.test(path)) return "a control character";
  if (path.startsWith("/")) return "an absolute path";
  for (const part of path.split("/")) {
    if (part === "") return "an empty folder name";
    if (part === "." || part === "..") return `a '${part}' component`;
    if (part.toLowerCase() === ".git") return "a .git folder";
  }
  return null;
}

function human(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** Every file below a dropped folder entry, with its path relative to the drop. */
async function walk(entry: FileSystemEntry, prefix: string, out: Picked[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ path: prefix + entry.name, file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
    if (batch.length === 0) break;
    for (const e of batch) await walk(e, `${prefix}${entry.name}/`, out);
  }
}

function setUp(form: HTMLFormElement): void {
  const maxFileBytes = Number(form.dataset.maxFileBytes);
  const maxFiles = Number(form.dataset.maxFiles);
  const files = form.querySelector<HTMLInputElement>("#files")!;
  const folder = form.querySelector<HTMLInputElement>("#folder")!;
  const drop = form.querySelector<HTMLElement>("#drop")!;
  const list = form.querySelector<HTMLUListElement>("#picked")!;
  const status = form.querySelector<HTMLElement>("#status")!;
  const alert = form.querySelector<HTMLElement>("#problem")!;
  const submit = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  const picked = new Map<string, Picked>();
  const bars = new Map<string, HTMLProgressElement>();
  form.querySelector<HTMLElement>("#needs-js")?.remove();
  drop.hidden = false;
  submit.disabled = false;

  const show = () => {
    list.replaceChildren();
    bars.clear();
    for (const p of [...picked.values()].sort((a, b) => a.path.localeCompare(b.path))) {
      const li = document.createElement("li");
      const label = document.createElement("span");
      label.textContent = `${p.path} (${human(p.file.size)})`;
      const bar = document.createElement("progress");
      bar.max = 1;
      bar.value = 0;
      bar.setAttribute("aria-label", `Upload of ${p.path}`);
      bars.set(p.path, bar);
      li.append(label, " ", bar);
      list.append(li);
    }
    status.textContent = picked.size ? `${picked.size} file(s) selected` : "";
  };
  const add = (items: Picked[]) => {
    for (const p of items) picked.set(p.path, p);
    alert.textContent = "";
    show();
  };
  files.addEventListener("change", () => add([...(files.files ?? [])].map((file) => ({ path: file.name, file }))));
  folder.addEventListener("change", () => add([...(folder.files ?? [])].map((file) => ({ path: file.webkitRelativePath || file.name, file }))));
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const entries = [...(e.dataTransfer?.items ?? [])].map((i) => i.webkitGetAsEntry()).filter((x): x is FileSystemEntry => x !== null);
    const out: Picked[] = [];
    void Promise.all(entries.map((en) => walk(en, "", out))).then(() => add(out));
  });

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const chosen = [...picked.values()];
    // Every limit is checked here, before the first byte is sent.
    const problems: string[] = [];
    if (chosen.length === 0) problems.push("Choose at least one file.");
    if (chosen.length > maxFiles) problems.push(`At most ${maxFiles} files per commit: split the upload.`);
    for (const p of chosen) {
      const why = pathProblem(p.path);
      if (why) problems.push(`${p.path}: not allowed (${why}).`);
      else if (p.file.size > maxFileBytes) problems.push(`${p.path}: ${human(p.file.size)} is larger than this hub's limit of ${human(maxFileBytes)}.`);
    }
    if (problems.length) {
      alert.textContent = problems.slice(0, 5).join(" ") + (problems.length > 5 ? ` (and ${problems.length - 5} more)` : "");
      return;
    }
    void run(chosen);
  });

  const run = async (chosen: Picked[]) => {
    const data = new FormData(form);
    const branch = String(data.get("branch") ?? form.dataset.branch);
    submit.disabled = true;
    alert.textContent = "";
    try {
      const asPr = form.dataset.prOnly === "1" || data.get("pr") === "on";
      const it = uploadFilesWithProgress({
        repo: { type: form.dataset.repoType as "model" | "dataset" | "space", name: form.dataset.repoName! },
        hubUrl: location.origin,
        branch,
        isPullRequest: asPr,
        commitTitle: String(data.get("summary") || "") || `Upload ${chosen.length} file${chosen.length === 1 ? "" : "s"}`,
        commitDescription: String(data.get("description") ?? ""),
        files: chosen.map((p) => ({ path: p.path, content: p.file })),
      });
      for (;;) {
        const step = await it.next();
        if (step.done) {
          // A pull request: go to it (its URL is the server's own, so only its path is taken).
          const pr = step.value?.pullRequestUrl;
          status.textContent = pr ? "Pull request opened." : "Committed.";
          location.assign(pr ? new URL(pr).pathname : `${form.dataset.doneUrl}/${encodeURIComponent(branch)}`);
          return;
        }
        const ev = step.value;
        if (ev.event === "phase") status.textContent = ev.phase === "preuploading" ? "Checking files…" : ev.phase === "uploadingLargeFiles" ? "Uploading large files…" : "Committing…";
        else {
          const bar = bars.get(ev.path);
          if (bar) bar.value = ev.state === "uploading" ? ev.progress : 0;
        }
      }
    } catch (err) {
      alert.textContent = `Upload failed: ${(err as Error).message}`;
      status.textContent = "";
      submit.disabled = false;
    }
  };
}
