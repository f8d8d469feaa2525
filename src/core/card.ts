/** Model/dataset card metadata: the YAML header of README.md, and the tags derived from it. */
import { parse, YAMLParseError } from "yaml";

/** The YAML front matter: `---` lines at the top, after any blank lines (as the Hub reads it). */
const FRONT_MATTER = /^(?:[ \t]*\r?\n)*---[ \t]*\r?\n((?:[\s\S]*?\r?\n)?)---[ \t]*(?:\r?\n|$)/;

/** The YAML header of a README, or null when there is none or it is not a mapping. */
export function parseCardData(readme: string): Record<string, unknown> | null {
  const m = FRONT_MATTER.exec(readme);
  if (!m) return null;
  try {
    const data: unknown = parse(m[1]!);
    return data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What validate-yaml answers: errors make it a 400; warnings come with a 200. */
export interface CardValidation {
  errors: string[];
  warnings: string[];
  /** Where the YAML stops parsing, as line and column of the whole README (1-based). */
  at?: { line: number; column: number };
}

const isStr = (v: unknown) => typeof v === "string";
const isStrList = (v: unknown) => Array.isArray(v) && v.every(isStr);
const strOrList = (v: unknown) => isStr(v) || isStrList(v);

/** Known metadata fields and the shape the Hub requires of each. */
const FIELDS: Record<string, [check: (v: unknown) => boolean, shape: string]> = {
  license: [strOrList, "a string"],
  license_name: [isStr, "a string"],
  license_link: [isStr, "a string"],
  language: [strOrList, "a string or a list of strings"],
  tags: [strOrList, "a list of strings"],
  datasets: [strOrList, "a list of strings"],
  metrics: [strOrList, "a list of strings"],
  base_model: [strOrList, "a string or a list of strings"],
  library_name: [isStr, "a string"],
  pipeline_tag: [isStr, "a string"],
  thumbnail: [(v) => v === null || isStr(v), "a string"],
  pretty_name: [isStr, "a string"],
  task_categories: [strOrList, "a list of strings"],
  task_ids: [strOrList, "a list of strings"],
  size_categories: [strOrList, "a list of strings"],
  sdk: [(v) => isStr(v) && ["gradio", "streamlit", "docker", "static"].includes(v as string), "one of gradio, streamlit, docker, static"],
  emoji: [isStr, "a string"],
  "model-index": [(v) => Array.isArray(v) && v.every((e) => e !== null && typeof e === "object" && isStr((e as { name?: unknown }).name)), "a list of {name, results} entries"],
};

/** Validates a README's metadata as the Hub's validate-yaml does. */
export function validateCard(readme: string): CardValidation {
  const m = FRONT_MATTER.exec(readme);
  if (!m) return { errors: [], warnings: ["Empty or missing yaml metadata in repo card"] };
  let data: unknown;
  try {
    data = parse(m[1]!);
  } catch (e) {
    const first = (e as Error).message.split("\n")[0]!;
    const pos = e instanceof YAMLParseError ? e.linePos?.[0] : undefined;
    if (!pos) return { errors: [`Invalid YAML: ${first}`], warnings: [] };
    // linePos counts within the YAML text; the README has the opening `---` (and blank lines) above it.
    const line = readme.slice(0, m.index + m[0].indexOf(m[1]!)).split("\n").length - 1 + pos.line;
    const reason = first.replace(/ at line \d+, column \d+:?$/, "");
    return { errors: [`Invalid YAML at line ${line}, column ${pos.col}: ${reason}`], warnings: [], at: { line, column: pos.col } };
  }
  if (data === null || data === undefined) return { errors: [], warnings: ["Empty or missing yaml metadata in repo card"] };
  if (typeof data !== "object" || Array.isArray(data)) return { errors: ["YAML metadata must be a mapping"], warnings: [] };
  const errors: string[] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const rule = FIELDS[key];
    if (rule && !rule[0](value)) errors.push(`"${key}" must be ${rule[1]}`);
  }
  return { errors, warnings: [] };
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

const COLORS = ["red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"];
const EMOJIS = ["🚀", "🔥", "🌍", "📊", "🏆", "🐨", "🦀", "💻", "📚", "🐢"];

/**
 * The README a new repo starts with, as the Hub writes it: a Space gets its configuration header
 * (title, emoji, colors, sdk, pinned); a repo created with a license gets `license:` (a Space
 * both). Null when the Hub writes none (a model or dataset without a license).
 */
export function initialReadme(type: "model" | "dataset" | "space", name: string, o: { sdk: string | null; license: string | null }, pick: (n: number) => number = (n) => Math.floor(Math.random() * n)): string | null {
  const lines: string[] = [];
  if (type === "space") {
    const from = COLORS[pick(COLORS.length)]!;
    let to = COLORS[pick(COLORS.length)]!;
    if (to === from) to = COLORS[(COLORS.indexOf(from) + 1) % COLORS.length]!;
    lines.push(`title: ${JSON.stringify(name)}`, `emoji: ${EMOJIS[pick(EMOJIS.length)]}`, `colorFrom: ${from}`, `colorTo: ${to}`, `sdk: ${o.sdk ?? "static"}`, "pinned: false");
    if (o.sdk === "gradio" || o.sdk === "streamlit") lines.push(`app_file: app.py`);
  }
  if (o.license) lines.push(`license: ${JSON.stringify(o.license)}`);
  if (lines.length === 0) return null;
  const body = type === "space" ? "Check out the configuration reference at https://huggingface.co/docs/hub/spaces-config-reference\n" : "";
  return `---\n${lines.join("\n")}\n---\n\n${body}`;
}
