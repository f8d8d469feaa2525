/** Pages that change a repo's files: "Upload files" (an island) and "Create / Edit file" (a plain form). */
import type { Actor } from "../../core/accounts.js";
import type { RepoRecord } from "../../core/ports.js";
import { Alert, Page } from "./layout.js";
import { humanSize, RepoHeader, repoPath } from "./pages.js";

/**
 * "Add file → Upload files". The form is rendered here; /static/upload.js (bundled from
 * islands/upload.ts) picks files, checks the limits and uploads through @huggingface/hub.
 */
export function UploadPage(p: { actor: Actor; repo: RepoRecord; rev: string; branches: string[]; folder: string; maxFileBytes: number; maxFiles: number; prOnly: boolean }) {
  const { repo } = p;
  return (
    <Page title={`${repo.namespace}/${repo.name} · upload`} actor={p.actor} scripts={["/static/upload.js"]}>
      <RepoHeader repo={repo} tab="files" rev={p.rev} />
      <h2>Upload files</h2>
      <form id="upload" data-repo-type={repo.type} data-repo-name={`${repo.namespace}/${repo.name}`} data-branch={p.rev} data-done-url={`${repoPath(repo)}/tree`} data-max-file-bytes={String(p.maxFileBytes)} data-max-files={String(p.maxFiles)} data-pr-only={p.prOnly ? "1" : "0"}>
        <p id="needs-js" class="muted">
          Uploading from the browser needs JavaScript. Without it, use <code>hf upload</code> or git.
        </p>
        <div id="drop" class="drop" hidden>
          <p>Drag files or folders here, or choose them:</p>
          <label>
            Files <input id="files" type="file" multiple />
          </label>
          <label>
            A folder <input id="folder" type="file" {...{ webkitdirectory: "" }} />
          </label>
          <p class="muted">Up to {p.maxFiles} files per commit, each at most {humanSize(p.maxFileBytes)}.</p>
        </div>
        <ul id="picked" class="picked" aria-label="Selected files"></ul>
        <label>
          Branch
          <select name="branch">
            {p.branches.map((b) => (
              <option value={b} selected={b === p.rev}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label>
          Commit message <input name="summary" placeholder="Upload files" maxLength={1000} />
        </label>
        <label>
          Extended description <textarea name="description" rows={3}></textarea>
        </label>
        <PrChoice prOnly={p.prOnly} rev={p.rev} />
        <p id="problem" class="error-text" role="alert"></p>
        <p id="status" role="status" class="muted"></p>
        <button type="submit" disabled>
          Commit changes
        </button>
      </form>
    </Page>
  );
}

/**
 * Commit to the branch, or open a pull request with the change: those who cannot write to the
 * repo only have the second (the Hub's "Open as a pull request").
 */
function PrChoice({ prOnly, rev }: { prOnly: boolean; rev: string }) {
  if (prOnly) {
    return (
      <p class="muted">
        <input type="hidden" name="pr" value="on" />
        You cannot write to this repository: your change opens a pull request against {rev}.
      </p>
    );
  }
  return (
    <label class="choice">
      <input type="checkbox" name="pr" /> Open as a pull request against {rev} instead of committing to it
    </label>
  );
}

/** "Create new file" and "Edit": a textarea, a preview of a card, the YAML error with its line and column. */
export function EditPage(p: {
  actor: Actor;
  repo: RepoRecord;
  rev: string;
  mode: "new" | "edit";
  oldPath: string;
  path: string;
  content: string;
  parent: string | null;
  summary: string;
  error: string | null;
  errorAt: { line: number; column: number } | null;
  previewHtml: string | null;
  prOnly: boolean;
}) {
  const { repo } = p;
  const action = p.mode === "new" ? `${repoPath(repo)}/new/${encodeURIComponent(p.rev)}` : `${repoPath(repo)}/edit/${encodeURIComponent(p.rev)}/${p.oldPath.split("/").map(encodeURIComponent).join("/")}`;
  return (
    <Page title={`${repo.namespace}/${repo.name} · ${p.mode === "new" ? "new file" : `edit ${p.oldPath}`}`} actor={p.actor}>
      <RepoHeader repo={repo} tab="files" rev={p.rev} />
      <h2>{p.mode === "new" ? "Create a new file" : `Edit ${p.oldPath}`}</h2>
      <form method="post" action={action} class="edit">
        <input type="hidden" name="parent" value={p.parent ?? ""} />
        <label>
          File path <input name="path" value={p.path} required maxLength={1000} />
        </label>
        <Alert message={p.error} />
        {p.errorAt ? (
          <p class="muted" data-testid="error-at">
            Line {p.errorAt.line}, column {p.errorAt.column}
          </p>
        ) : null}
        <label>
          Content <textarea name="content" rows={24} spellcheck={false} class="code-input">{p.content}</textarea>
        </label>
        <label>
          Commit message <input name="summary" value={p.summary} placeholder={p.mode === "new" ? "Create file" : `Update ${p.oldPath}`} maxLength={1000} />
        </label>
        <label>
          Extended description <textarea name="description" rows={3}></textarea>
        </label>
        <PrChoice prOnly={p.prOnly} rev={p.rev} />
        <button type="submit" name="intent" value="preview">
          Preview
        </button>{" "}
        <button type="submit" name="intent" value="commit">
          Commit changes
        </button>
      </form>
      {p.previewHtml !== null ? (
        <section class="preview" aria-label="Preview">
          <h3>Preview</h3>
          <div class="markdown" dangerouslySetInnerHTML={{ __html: p.previewHtml }} />
        </section>
      ) : null}
    </Page>
  );
}
