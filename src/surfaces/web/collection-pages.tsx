/** Collection pages: an owner's collections, and one collection's repos with their notes. */
import type { Actor } from "../../core/accounts.js";
import { collectionSlug, type CollectionView } from "../../core/collections.js";
import type { Account } from "../../core/ports.js";
import { Page } from "./layout.js";
import { repoPath } from "./pages.js";

export function CollectionListPage(p: { actor: Actor; owner: Account; views: CollectionView[] }) {
  return (
    <Page title={`${p.owner.name} · Collections`} actor={p.actor}>
      <h1>
        <a href={`/${p.owner.name}`}>{p.owner.name}</a> / Collections
      </h1>
      {p.views.length === 0 ? <p class="empty">No collections yet.</p> : null}
      <ul class="repos">
        {p.views.map((v) => (
          <li>
            <a href={`/collections/${collectionSlug(v.collection)}`}>{v.collection.title}</a>
            {v.collection.private ? <span class="badge">private</span> : null}
            <span class="muted">
              {" "}
              · {v.items.length} {v.items.length === 1 ? "item" : "items"} · updated {v.collection.updatedAt.slice(0, 10)}
            </span>
            {v.collection.description ? <p class="muted">{v.collection.description}</p> : null}
          </li>
        ))}
      </ul>
    </Page>
  );
}

export function CollectionPage(p: { actor: Actor; view: CollectionView; noteHtml: (text: string) => string }) {
  const c = p.view.collection;
  return (
    <Page title={`${c.title} · ${c.owner.name} collection`} actor={p.actor}>
      <p class="muted">
        <a href={`/collections/${c.owner.name}`}>{c.owner.name}'s collections</a>
      </p>
      <h1>
        {c.title}
        {c.private ? <span class="badge">private</span> : null}
      </h1>
      {c.description ? <p>{c.description}</p> : null}
      {p.view.items.length === 0 ? <p class="empty">This collection is empty.</p> : null}
      <ol class="repos collection-items">
        {p.view.items.map((i) => (
          <li>
            <span class="badge">{i.repo.type}</span> <a href={repoPath(i.repo)}>{i.repo.namespace}/{i.repo.name}</a>
            <span class="muted">
              {" "}
              · updated {i.repo.lastModified.slice(0, 10)}
              {i.repo.likes ? ` · ${i.repo.likes} likes` : ""}
            </span>
            {i.note ? <div class="note" dangerouslySetInnerHTML={{ __html: p.noteHtml(i.note) }} /> : null}
          </li>
        ))}
      </ol>
    </Page>
  );
}
