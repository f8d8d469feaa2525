/** Model/dataset card metadata: the YAML header of README.md, and the tags derived from it. */
import { parse } from "yaml";

/** The YAML header of a README, or null when there is none or it is not a mapping. */
export function parseCardData(readme: string): Record<string, unknown> | null {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/.exec(readme);
  if (!m) return null;
  try {
    const data: unknown = parse(m[1]!);
    return data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Problems a card header has, as validate-yaml reports them. */
export function validateCardYaml(readme: string): string[] {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/.exec(readme);
  if (!m) return [];
  try {
    const data: unknown = parse(m[1]!);
    if (data !== null && (typeof data !== "object" || Array.isArray(data))) return ["YAML metadata must be a mapping"];
    const d = (data ?? {}) as Record<string, unknown>;
    if (d.tags !== undefined && !(Array.isArray(d.tags) || typeof d.tags === "string")) return ['"tags" must be a list of strings'];
    return [];
  } catch (e) {
    return [`Invalid YAML: ${(e as Error).message.split("\n")[0]}`];
  }
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : []);

/** Repo tags as the Hub derives them from card data. */
export function tagsFromCard(card: Record<string, unknown> | null): string[] {
  if (!card) return [];
  const tags = new Set<string>(asList(card.tags));
  for (const l of asList(card.library_name)) tags.add(l);
  for (const l of asList(card.license)) tags.add(`license:${l}`);
  for (const l of asList(card.language)) tags.add(l);
  for (const d of asList(card.datasets)) tags.add(`dataset:${d}`);
  for (const p of asList(card.pipeline_tag)) tags.add(p);
  return [...tags];
}
