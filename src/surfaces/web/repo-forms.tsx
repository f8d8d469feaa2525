/** Forms that change repos: create (`/new`, `/new-dataset`, `/new-space`) and repo settings. */
import type { Actor } from "../../core/accounts.js";
import type { RepoType } from "../../core/ids.js";
import type { AccessRequest, RepoRecord } from "../../core/ports.js";
import { Alert, ListTable, Page } from "./layout.js";
import { repoPath } from "./pages.js";

export function NewRepoPage(p: { actor: NonNullable<Actor>; type: RepoType; owners: string[]; error: string | null; name: string }) {
  const action = p.type === "model" ? "/new" : `/new-${p.type}`;
  return (
    <Page title={`New ${p.type}`} actor={p.actor}>
      <section class="form-page">
        <h1>Create a new {p.type}</h1>
        <Alert message={p.error} />
        <form method="post" action={action}>
          <label>
            Owner
            <select name="owner">
              {p.owners.map((o) => (
                <option value={o}>{o}</option>
              ))}
            </select>
          </label>
          <label>
            {p.type === "model" ? "Model" : p.type === "dataset" ? "Dataset" : "Space"} name
            <input name="name" required maxLength={96} value={p.name} />
          </label>
          {p.type === "space" ? (
            <label>
              SDK
              <select name="sdk">
                <option value="static">static</option>
                <option value="gradio">gradio</option>
                <option value="streamlit">streamlit</option>
                <option value="docker">docker</option>
              </select>
            </label>
          ) : null}
          <fieldset>
            <legend>Visibility</legend>
            <label class="choice">
              <input type="radio" name="visibility" value="public" checked /> Public
            </label>
            <label class="choice">
              <input type="radio" name="visibility" value="private" /> Private
            </label>
          </fieldset>
          <button type="submit">Create {p.type}</button>
        </form>
      </section>
    </Page>
  );
}

export function SettingsPage(p: { actor: NonNullable<Actor>; repo: RepoRecord; notice: string | null; error: string | null; requests: AccessRequest[]; branches: string[]; tags: string[] }) {
  const { repo } = p;
  const base = repoPath(repo);
  const id = `${repo.namespace}/${repo.name}`;
  return (
    <Page title={`${id} · settings`} actor={p.actor}>
      <section class="form-page">
        <h1>
          Settings of <a href={base}>{id}</a>
        </h1>
        {p.notice ? <p role="status">{p.notice}</p> : null}
        <Alert message={p.error} />
        <h2>Visibility</h2>
        <form method="post" action={`${base}/settings/visibility`}>
          <p>This repository is {repo.private ? "private" : "public"}.</p>
          <input type="hidden" name="private" value={repo.private ? "false" : "true"} />
          <button type="submit">Make it {repo.private ? "public" : "private"}</button>
        </form>
        <h2>Community</h2>
        <form method="post" action={`${base}/settings/community`}>
          <p>{repo.discussionsDisabled ? "The Community tab is closed: nobody can open discussions or pull requests." : "Anyone who can see this repository can open discussions and pull requests."}</p>
          <input type="hidden" name="disabled" value={repo.discussionsDisabled ? "false" : "true"} />
          <button type="submit">{repo.discussionsDisabled ? "Open the Community tab" : "Close the Community tab"}</button>
        </form>
        <h2>Access requests</h2>
        <form method="post" action={`${base}/settings/gated`}>
          <label>
            Gated access
            <select name="gated">
              <option value="off" selected={!repo.gated}>
                off — anyone who can see the repo downloads it
              </option>
              <option value="auto" selected={repo.gated === "auto"}>
                automatic — requests are accepted at once
              </option>
              <option value="manual" selected={repo.gated === "manual"}>
                manual — you review every request
              </option>
            </select>
          </label>
          <button type="submit">Save</button>
        </form>
        {repo.gated ? (
          <>
            <ListTable caption="Access requests" columns={["User", "Status", "Asked"]} action="Decision">
              {p.requests.map((r) => (
                <tr>
                  <td>{r.user.name}</td>
                  <td>{r.status}</td>
                  <td>{r.createdAt.slice(0, 10)}</td>
                  <td>
                    <form method="post" action={`${base}/settings/requests`} class="inline">
                      <input type="hidden" name="user" value={r.user.name} />
                      {r.status !== "accepted" ? (
                        <button type="submit" name="status" value="accepted" aria-label={`Accept ${r.user.name}`}>
                          Accept
                        </button>
                      ) : null}{" "}
                      {r.status !== "rejected" ? (
                        <button type="submit" name="status" value="rejected" aria-label={`Reject ${r.user.name}`}>
                          Reject
                        </button>
                      ) : null}
                    </form>
                  </td>
                </tr>
              ))}
            </ListTable>
            <form method="post" action={`${base}/settings/grant`}>
              <label>
                Grant access to a user <input name="user" required autocomplete="off" />
              </label>
              <button type="submit">Grant access</button>
            </form>
          </>
        ) : null}
        <h2>Branches and tags</h2>
        <ListTable caption="Branches" columns={["Branch"]} action="Delete">
          {p.branches.map((b) => (
            <tr>
              <td>
                <a href={`${base}/tree/${encodeURIComponent(b)}`}>{b}</a>
                {b === repo.defaultBranch ? <span class="badge">default</span> : null}
              </td>
              <td>
                {b === repo.defaultBranch ? null : (
                  <form method="post" action={`${base}/settings/branches/delete`} class="inline">
                    <input type="hidden" name="name" value={b} />
                    <button type="submit" class="danger" aria-label={`Delete branch ${b}`}>
                      Delete
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </ListTable>
        <form method="post" action={`${base}/settings/branches`}>
          <label>
            New branch <input name="name" required autocomplete="off" />
          </label>
          <label>
            From revision <input name="from" value={repo.defaultBranch} required />
          </label>
          <button type="submit">Create branch</button>
        </form>
        <ListTable caption="Tags" columns={["Tag"]} action="Delete">
          {p.tags.map((t) => (
            <tr>
              <td>
                <a href={`${base}/tree/${encodeURIComponent(t)}`}>{t}</a>
              </td>
              <td>
                <form method="post" action={`${base}/settings/tags/delete`} class="inline">
                  <input type="hidden" name="name" value={t} />
                  <button type="submit" class="danger" aria-label={`Delete tag ${t}`}>
                    Delete
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </ListTable>
        <form method="post" action={`${base}/settings/tags`}>
          <label>
            New tag <input name="name" required autocomplete="off" />
          </label>
          <label>
            At revision <input name="from" value={repo.defaultBranch} required />
          </label>
          <button type="submit">Create tag</button>
        </form>
        <h2>Large files</h2>
        <form method="post" action={`${base}/settings/lfs`}>
          <p class="muted">Files from this size, or with these suffixes, are stored with LFS/Xet when pushed with git.</p>
          <label>
            Size threshold in bytes (empty: the hub's default) <input name="threshold" inputMode="numeric" pattern="[0-9]*" value={repo.lfsThreshold === null ? "" : String(repo.lfsThreshold)} />
          </label>
          <label>
            Suffixes, one per line (empty: the defaults) <textarea name="suffixes" rows={4}>{(repo.lfsSuffixRules ?? []).join("\n")}</textarea>
          </label>
          <button type="submit">Save large-file rules</button>
        </form>
        <h2>Rename or move</h2>
        <form method="post" action={`${base}/settings/move`}>
          <label>
            New id (namespace/name)
            <input name="to" required value={id} />
          </label>
          <button type="submit">Rename</button>
        </form>
        <h2>Delete this repository</h2>
        <form method="post" action={`${base}/settings/delete`}>
          <label>
            Type <strong>{id}</strong> to confirm
            <input name="confirm" required autocomplete="off" />
          </label>
          <button type="submit" class="danger">
            Delete {id}
          </button>
        </form>
      </section>
    </Page>
  );
}
