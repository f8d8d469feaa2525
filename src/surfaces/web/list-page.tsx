/** Home and the `/models`-style lists: search, facets as shareable links, sort, pages. */
import type { Actor } from "../../core/accounts.js";
import type { RepoRecord } from "../../core/ports.js";
import { FACET_LABELS, FACETS, type Facet } from "./facets.js";
import { Page } from "./layout.js";
import { repoPath } from "./pages.js";

/** The sort, facets and page of a `/models`-style list. */
export interface Browse {
  sort: "modified" | "created" | "alphabetical" | "likes" | "downloads";
  chosen: Record<Facet, string>;
  facets: Record<Facet, [string, number][]>;
  page: number;
  hasNext: boolean;
}

/** The list URL with some parameters changed (a facet set to "" is removed); shareable as is. */
function listUrl(action: string, search: string, b: Browse, change: Partial<Record<Facet | "sort" | "p", string>>): string {
  const q = new URLSearchParams();
  if (search) q.set("search", search);
  const all: Record<string, string> = { ...b.chosen, sort: b.sort === "modified" ? "" : b.sort, p: "", ...change };
  for (const k of [...FACETS, "sort", "p"]) if (all[k]) q.set(k, all[k]!);
  const qs = q.toString();
  return qs ? `${action}?${qs}` : action;
}

/** Home and the `/models`-style lists (these with sort, facet links and pages). */
export function ListPage(p: { actor: Actor; title: string; heading: string; repos: RepoRecord[]; search: string; action: string; endpoint: string; intro: boolean; browse?: Browse; links?: { href: string; text: string }[] }) {
  const b = p.browse;
  return (
    <Page title={p.title} actor={p.actor}>
      {p.intro ? (
        <section class="intro">
          <h1>Hubble</h1>
          <p>A self-hosted Hugging Face Hub. Point the clients you already use at it:</p>
          <pre tabIndex={0}>
            <code>{`export HF_ENDPOINT=${p.endpoint}\nhf auth login\nhf upload <you>/<repo> ./folder\ngit clone ${p.endpoint}/<you>/<repo>`}</code>
          </pre>
        </section>
      ) : null}
      <h2>{p.heading}</h2>
      {p.links?.length ? (
        <p>
          {p.links.map((l, i) => (
            <>
              {i ? " · " : ""}
              <a href={l.href}>{l.text}</a>
            </>
          ))}
        </p>
      ) : null}
      <div class={b ? "browse" : undefined}>
        {b ? (
          <aside class="facets" aria-label="Filters">
            {FACETS.filter((f) => b.facets[f].length || b.chosen[f]).map((f) => (
              <nav aria-label={FACET_LABELS[f]}>
                <h3>{FACET_LABELS[f]}</h3>
                {b.chosen[f] && !b.facets[f].some(([v]) => v === b.chosen[f]) ? (
                  <a class="tag" aria-current="true" href={listUrl(p.action, p.search, b, { [f]: "" })}>
                    {b.chosen[f]} ✕
                  </a>
                ) : null}
                {b.facets[f].map(([v, n]) =>
                  b.chosen[f] === v ? (
                    <a class="tag" aria-current="true" href={listUrl(p.action, p.search, b, { [f]: "" })} aria-label={`${v}, selected: remove this filter`}>
                      {v} ✕
                    </a>
                  ) : (
                    <a class="tag" href={listUrl(p.action, p.search, b, { [f]: v })}>
                      {v} <span class="muted">{n}</span>
                    </a>
                  ),
                )}
              </nav>
            ))}
          </aside>
        ) : null}
        <div>
          <form method="get" action={p.action} role="search">
            {b
              ? FACETS.filter((f) => b.chosen[f]).map((f) => <input type="hidden" name={f} value={b.chosen[f]} />)
              : null}
            <label>
              Search <input type="search" name="search" value={p.search} />
            </label>
            {b ? (
              <label class="choice">
                Sort{" "}
                <select name="sort">
                  <option value="modified" selected={b.sort === "modified"}>
                    Recently updated
                  </option>
                  <option value="created" selected={b.sort === "created"}>
                    Recently created
                  </option>
                  <option value="alphabetical" selected={b.sort === "alphabetical"}>
                    Name
                  </option>
                  <option value="likes" selected={b.sort === "likes"}>
                    Most likes
                  </option>
                  <option value="downloads" selected={b.sort === "downloads"}>
                    Most downloads
                  </option>
                </select>
              </label>
            ) : null}
            <button type="submit">Search</button>
          </form>
          {p.repos.length === 0 ? <p class="empty">Nothing here yet.</p> : null}
          <ul class="repos">
            {p.repos.map((r) => (
              <li>
                <a href={repoPath(r)}>
                  {r.namespace}/{r.name}
                </a>
                <span class="muted">
                  {" "}
                  {r.type} · updated {r.lastModified.slice(0, 10)}
                  {r.type !== "space" && r.downloads ? ` · ${r.downloads} downloads` : ""}
                  {r.likes ? ` · ${r.likes} likes` : ""}
                  {r.cardData && typeof r.cardData.pipeline_tag === "string" ? ` · ${r.cardData.pipeline_tag}` : ""}
                </span>
              </li>
            ))}
          </ul>
          {b && (b.page > 0 || b.hasNext) ? (
            <nav class="pages" aria-label="Pages">
              {b.page > 0 ? <a href={listUrl(p.action, p.search, b, { p: b.page > 1 ? String(b.page - 1) : "" })}>Previous page</a> : null}
              <span class="muted">Page {b.page + 1}</span>
              {b.hasNext ? <a href={listUrl(p.action, p.search, b, { p: String(b.page + 1) })}>Next page</a> : null}
            </nav>
          ) : null}
        </div>
      </div>
    </Page>
  );
}
