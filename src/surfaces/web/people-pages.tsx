/** Pages about people: your profile and password, organizations and their members, the site admin's user list. */
import type { Actor } from "../../core/accounts.js";
import type { Account } from "../../core/ports.js";
import { ORG_ROLES } from "../../core/access.js";
import { Alert, ListTable, Page } from "./layout.js";

export function ProfilePage(p: { actor: NonNullable<Actor>; notice: string | null; error: string | null }) {
  const u = p.actor.user;
  return (
    <Page title="Profile" actor={p.actor}>
      <section class="form-page">
        <h1>Profile of {u.name}</h1>
        {p.notice ? <p role="status">{p.notice}</p> : null}
        <Alert message={p.error} />
        <form method="post" action="/settings/profile">
          <label>
            Full name <input name="fullname" required maxLength={256} value={u.fullname} />
          </label>
          <label>
            E-mail <input name="email" type="email" maxLength={254} value={u.email ?? ""} />
          </label>
          <button type="submit">Save profile</button>
        </form>
        <h2>Change your password</h2>
        <form method="post" action="/settings/password">
          <label>
            Current password <input name="currentPassword" type="password" required autocomplete="current-password" />
          </label>
          <label>
            New password <input name="newPassword" type="password" required minLength={8} autocomplete="new-password" />
          </label>
          <p class="muted">Your other sessions end; access tokens keep working until you revoke them.</p>
          <button type="submit">Change password</button>
        </form>
      </section>
    </Page>
  );
}

export function NewOrgPage(p: { actor: NonNullable<Actor>; error: string | null; name: string; fullname: string }) {
  return (
    <Page title="New organization" actor={p.actor}>
      <section class="form-page">
        <h1>Create an organization</h1>
        <Alert message={p.error} />
        <form method="post" action="/organizations/new">
          <label>
            Organization name (used in URLs) <input name="name" required maxLength={96} value={p.name} autocomplete="off" />
          </label>
          <label>
            Full name <input name="fullname" maxLength={256} value={p.fullname} />
          </label>
          <button type="submit">Create organization</button>
        </form>
      </section>
    </Page>
  );
}

export function MembersPage(p: { actor: Actor; org: string; members: { user: string; role?: string }[]; canManage: boolean; error: string | null }) {
  return (
    <Page title={`${p.org} · members`} actor={p.actor}>
      <section>
        <h1>
          Members of <a href={`/${p.org}`}>{p.org}</a>
        </h1>
        <Alert message={p.error} />
        <ListTable caption={`Members of ${p.org}`} columns={["User", "Role"]} action="Actions">
          {p.members.map((m) => (
            <tr>
              <td>
                <a href={`/${m.user}`}>{m.user}</a>
              </td>
              <td>{m.role ?? ""}</td>
              <td>
                {p.canManage ? (
                  <form method="post" action={`/organizations/${p.org}/settings/members/remove`} class="inline">
                    <input type="hidden" name="user" value={m.user} />
                    <button type="submit" class="danger" aria-label={`Remove ${m.user}`}>
                      Remove
                    </button>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </ListTable>
        {p.canManage ? (
          <form method="post" action={`/organizations/${p.org}/settings/members`} class="form-page">
            <h2>Add a member or change a role</h2>
            <label>
              User <input name="user" required maxLength={96} autocomplete="off" />
            </label>
            <label>
              Role
              <select name="role">
                {ORG_ROLES.map((r) => (
                  <option value={r} selected={r === "read"}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">Save member</button>
          </form>
        ) : null}
      </section>
    </Page>
  );
}

export function AdminUsersPage(p: { actor: NonNullable<Actor>; users: Account[]; search: string; next: string | null; error: string | null }) {
  return (
    <Page title="Users · site administration" actor={p.actor}>
      <section>
        <h1>Users</h1>
        <Alert message={p.error} />
        <form method="get" action="/settings/admin/users" role="search">
          <label>
            Find a user <input type="search" name="search" value={p.search} />
          </label>
          <button type="submit">Search</button>
        </form>
        <ListTable caption="Users of this hub" columns={["User", "Full name", "E-mail", "Status"]} action="Actions">
          {p.users.map((u) => (
            <tr>
              <td>
                <a href={`/${u.name}`}>{u.name}</a>
                {u.isAdmin ? <span class="badge">site admin</span> : null}
              </td>
              <td>{u.fullname}</td>
              <td>{u.email ?? ""}</td>
              <td>{u.disabled ? "disabled" : "active"}</td>
              <td>
                {u.id === p.actor.user.id ? null : (
                  <form method="post" action="/settings/admin/users/disable" class="inline">
                    <input type="hidden" name="user" value={u.name} />
                    <input type="hidden" name="disabled" value={u.disabled ? "false" : "true"} />
                    <button type="submit" aria-label={`${u.disabled ? "Enable" : "Disable"} ${u.name}`}>
                      {u.disabled ? "Enable" : "Disable"}
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </ListTable>
        {p.next ? (
          <p>
            <a href={p.next}>More users</a>
          </p>
        ) : null}
        <h2>Add a user</h2>
        <form method="post" action="/settings/admin/users" class="form-page">
          <label>
            Username <input name="username" required maxLength={96} autocomplete="off" />
          </label>
          <label>
            E-mail <input name="email" type="email" maxLength={254} />
          </label>
          <label>
            Password <input name="password" type="password" required minLength={8} autocomplete="new-password" />
          </label>
          <button type="submit">Add user</button>
        </form>
      </section>
    </Page>
  );
}
