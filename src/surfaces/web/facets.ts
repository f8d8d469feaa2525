/**
 * The facets of the list pages, from card metadata as the Hub names them in its URLs
 * (`pipeline_tag`, `library`, `license`, `language`, `other`). Each value is a repo tag, so a
 * chosen facet is a tag filter on the same query the API uses.
 */
import type { RepoRecord } from "../../core/ports.js";

export const FACETS = ["pipeline_tag", "library", "license", "language", "other"] as const;
export type Facet = (typeof FACETS)[number];
export const FACET_LABELS: Record<Facet, string> = { pipeline_tag: "Tasks", library: "Libraries", license: "Licenses", language: "Languages", other: "Other tags" };

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : []);

/** Which facet each of a repo's tags belongs to. */
export function facetsOf(r: RepoRecord): [Facet, string][] {
  const card = r.cardData ?? {};
  const out: [Facet, string][] = [];
  const seen = new Set<string>();
  const add = (f: Facet, tag: string) => {
    if (!seen.has(tag) && r.tags.includes(tag)) {
      seen.add(tag);
      out.push([f, tag]);
    }
  };
  for (const t of list(card.pipeline_tag)) add("pipeline_tag", t);
  for (const t of [...list(r.derived?.libraryName), ...list(card.library_name)]) add("library", t);
  for (const t of list(card.license)) add("license", `license:${t}`);
  for (const t of list(card.language)) add("language", t);
  for (const t of r.tags) if (!t.includes(":")) add("other", t);
  return out;
}

/** Counts per facet value, most common first (at most 12 values per facet). */
export function facetCounts(repos: RepoRecord[]): Record<Facet, [string, number][]> {
  const counts = Object.fromEntries(FACETS.map((f) => [f, new Map<string, number>()])) as Record<Facet, Map<string, number>>;
  for (const r of repos) for (const [f, tag] of facetsOf(r)) counts[f].set(tag, (counts[f].get(tag) ?? 0) + 1);
  return Object.fromEntries(FACETS.map((f) => [f, [...counts[f]].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 12)])) as Record<Facet, [string, number][]>;
}
