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

export function SettingsPage(p: { actor: NonNullable<Actor>; repo: RepoRecord; notice: string | null; error: string | null; pending: AccessRequest[] }) {
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
          <ListTable caption={"Pending requests"} columns={["User", "Asked"]} action="Decision">
              {p.pending.map((r) => (
                <tr>
                  <td>{r.user.name}</td>
                  <td>{r.createdAt.slice(0, 10)}</td>
                  <td>
                    <form method="post" action={`${base}/settings/requests`} class="inline">
                      <input type="hidden" name="user" value={r.user.name} />
                      <button type="submit" name="status" value="accepted" aria-label={`Accept ${r.user.name}`}>
                        Accept
                      </button>{" "}
                      <button type="submit" name="status" value="rejected" aria-label={`Reject ${r.user.name}`}>
                        Reject
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
          </ListTable>
        ) : null}
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
