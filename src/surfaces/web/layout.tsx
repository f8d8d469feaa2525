/** The page frame shared by every page: header, navigation, main, footer. No inline script or style. */
import type { ComponentChildren } from "preact";
import type { Actor } from "../../core/accounts.js";

export interface PageProps {
  title: string;
  actor: Actor;
  children: ComponentChildren;
  /** Island bundles this page loads (reading pages load none). */
  scripts?: string[];
  /** Stylesheets beyond the site's own (the code token classes). */
  styles?: string[];
}

export function Page({ title, actor, children, scripts, styles }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Hubble`}</title>
        <link rel="stylesheet" href="/static/hubble.css" />
        {(styles ?? []).map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        {(scripts ?? []).map((src) => (
          <script type="module" src={src}></script>
        ))}
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">
            Hubble
          </a>
          <nav aria-label="Main">
            <a href="/models">Models</a>
            <a href="/datasets">Datasets</a>
            <a href="/spaces">Spaces</a>
          </nav>
          <span class="who">
            {actor ? (
              <>
                <a href="/new">New model</a>
                <a href={`/${actor.user.name}`}>{actor.user.name}</a>
                <a href="/settings/profile">Profile</a>
                <a href="/settings/tokens">Access tokens</a>
                <a href="/settings/keys">SSH keys</a>
                {actor.user.isAdmin ? <a href="/settings/admin/users">Users</a> : null}
                <form method="post" action="/logout" class="inline">
                  <button type="submit">Log out</button>
                </form>
              </>
            ) : (
              <a href="/login">Log in</a>
            )}
          </span>
        </header>
        <main>{children}</main>
        <footer class="bottom">Hubble — a self-hosted Hugging Face Hub</footer>
      </body>
    </html>
  );
}

/** The error page every web route renders (a private repo looks exactly like a missing one). */
export function ErrorPage({ status, message, actor }: { status: number; message: string; actor: Actor }) {
  return (
    <Page title={`${status}`} actor={actor}>
      <section class="error">
        <h1>{status === 404 ? "404 — not found" : `${status}`}</h1>
        <p>{message}</p>
        <p>
          <a href="/">Back to the home page</a>
        </p>
      </section>
    </Page>
  );
}

/** The error line of a form page (announced to screen readers). */
export function Alert({ message }: { message: string | null }) {
  return message ? (
    <p class="error-text" role="alert">
      {message}
    </p>
  ) : null;
}

/**
 * A table of records with a caption, column headers, and a last column of actions (buttons) whose
 * header is for screen readers only; the rows are the children.
 */
export function ListTable(p: { caption: string; columns: string[]; action: string; children: ComponentChildren }) {
  return (
    <table class="files">
      <caption>{p.caption}</caption>
      <thead>
        <tr>
          {p.columns.map((c) => (
            <th scope="col">{c}</th>
          ))}
          <th scope="col">
            <span class="visually-hidden">{p.action}</span>
          </th>
        </tr>
      </thead>
      <tbody>{p.children}</tbody>
    </table>
  );
}
