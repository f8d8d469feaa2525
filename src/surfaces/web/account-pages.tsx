/** Sign-in, sign-up and access-token pages: plain forms that work without JavaScript. */
import type { Actor } from "../../core/accounts.js";
import type { SshKeyRecord, TokenRecord } from "../../core/ports.js";
import { Alert, ListTable, Page } from "./layout.js";

export function LoginPage(p: { actor: Actor; error: string | null; username: string; registration: boolean; next: string }) {
  return (
    <Page title="Log in" actor={p.actor}>
      <section class="form-page">
        <h1>Log in</h1>
        <Alert message={p.error} />
        <form method="post" action="/login">
          <input type="hidden" name="next" value={p.next} />
          <label>
            Username
            <input name="username" autocomplete="username" required value={p.username} />
          </label>
          <label>
            Password
            <input name="password" type="password" autocomplete="current-password" required />
          </label>
          <button type="submit">Log in</button>
        </form>
        {p.registration ? (
          <p>
            No account? <a href="/join">Sign up</a>
          </p>
        ) : (
          <p class="muted">Accounts are created by the administrator of this hub.</p>
        )}
      </section>
    </Page>
  );
}

export function JoinPage(p: { actor: Actor; error: string | null; username: string; email: string }) {
  return (
    <Page title="Sign up" actor={p.actor}>
      <section class="form-page">
        <h1>Sign up</h1>
        <Alert message={p.error} />
        <form method="post" action="/join">
          <label>
            Username
            <input name="username" autocomplete="username" required value={p.username} />
          </label>
          <label>
            E-mail
            <input name="email" type="email" autocomplete="email" required value={p.email} />
          </label>
          <label>
            Password
            <input name="password" type="password" autocomplete="new-password" required minLength={8} />
          </label>
          <button type="submit">Create the account</button>
        </form>
      </section>
    </Page>
  );
}

export function TokensPage(p: { actor: NonNullable<Actor>; tokens: TokenRecord[]; created: { name: string; token: string } | null; error: string | null }) {
  return (
    <Page title="Access tokens" actor={p.actor}>
      <section>
        <h1>Access tokens</h1>
        <p class="muted">Use a token as HF_TOKEN, with `hf auth login`, or as the password of git over HTTPS.</p>
        <Alert message={p.error} />
        {p.created ? (
          <div class="created" role="status">
            <p>
              Token <strong>{p.created.name}</strong> created. Copy it now: it is not shown again.
            </p>
            <pre tabIndex={0}>
              <code data-testid="new-token">{p.created.token}</code>
            </pre>
          </div>
        ) : null}
        <h2>New token</h2>
        <form method="post" action="/settings/tokens">
          <label>
            Name
            <input name="name" required maxLength={128} />
          </label>
          <label>
            Role
            <select name="role">
              <option value="read">read</option>
              <option value="write">write</option>
            </select>
          </label>
          <button type="submit">Create token</button>
        </form>
        <h2>Your tokens</h2>
        <ListTable caption={`Tokens of ${p.actor.user.name}`} columns={["Name", "Role", "Created", "Last used"]} action="Actions">
            {p.tokens.map((t) => (
              <tr>
                <td>{t.name}</td>
                <td>{t.role}</td>
                <td>{t.createdAt.slice(0, 10)}</td>
                <td>{t.lastUsedAt ? t.lastUsedAt.slice(0, 10) : "never"}</td>
                <td>
                  <form method="post" action={`/settings/tokens/${t.id}/delete`}>
                    <button type="submit" aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </button>
                  </form>
                </td>
              </tr>
            ))}
        </ListTable>
      </section>
    </Page>
  );
}

export function KeysPage(p: { actor: NonNullable<Actor>; keys: SshKeyRecord[]; error: string | null; title: string; key: string; sshHost: string | null }) {
  return (
    <Page title="SSH keys" actor={p.actor}>
      <section>
        <h1>SSH keys</h1>
        <p class="muted">{p.sshHost ? `Clone and push over SSH: git clone ssh://git@${p.sshHost}/<namespace>/<repo>.git` : "The SSH server is off on this hub (HUBBLE_SSH_PORT)."}</p>
        <Alert message={p.error} />
        <h2>Add a key</h2>
        <form method="post" action="/settings/keys">
          <label>
            Title
            <input name="title" required maxLength={255} value={p.title} />
          </label>
          <label>
            Public key (ssh-ed25519, ecdsa-sha2-nistp*, ssh-rsa)
            <textarea name="key" required rows={4}>
              {p.key}
            </textarea>
          </label>
          <button type="submit">Add key</button>
        </form>
        <h2>Your keys</h2>
        <ListTable caption={`SSH keys of ${p.actor.user.name}`} columns={["Title", "Fingerprint", "Added"]} action="Actions">
            {p.keys.map((k) => (
              <tr>
                <td>{k.title}</td>
                <td>
                  <code>{k.fingerprint}</code>
                </td>
                <td>{k.createdAt.slice(0, 10)}</td>
                <td>
                  <form method="post" action={`/settings/keys/${k.id}/delete`}>
                    <button type="submit" aria-label={`Delete ${k.title}`}>
                      Delete
                    </button>
                  </form>
                </td>
              </tr>
            ))}
        </ListTable>
      </section>
    </Page>
  );
}
