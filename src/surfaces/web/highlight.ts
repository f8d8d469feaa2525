/**
 * Syntax highlighting on the server with shiki, light and dark themes at once. The page CSP allows
 * no inline styles, so each distinct token style becomes a class named by a hash of the style (the
 * same name on every node) and its rules are served from /static/code.css. Rows carry `#L` anchors
 * like the plain renderer; callers cache the result by blob id.
 */
import { escapeHtml } from "./escape.js";
import { createHash } from "node:crypto";
import { bundledLanguages, createHighlighter, type BundledLanguage, type Highlighter } from "shiki";

/** Files larger than this are shown plain: tokenizing costs about 12 ms per KB warm. */
export const HIGHLIGHT_CAP = 64 * 1024;
const THEMES = { light: "github-light", dark: "github-dark" } as const;
const NAMES: Record<string, BundledLanguage> = { dockerfile: "dockerfile", makefile: "makefile", "cmakelists.txt": "cmake", ".gitattributes": "ini", ".gitignore": "shellscript" };
const EXTS: Record<string, BundledLanguage> = { h: "c", hpp: "cpp", cfg: "ini", ipynb: "json", pyi: "python", cu: "cpp", yml: "yaml" };

let highlighter: Promise<Highlighter> | null = null;
/** Class name → its CSS rules (light, dark). */
const classes = new Map<string, string>();

/** shiki's language for a path, or null (plain text). */
export function languageOf(path: string): BundledLanguage | null {
  const name = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  if (NAMES[name]) return NAMES[name];
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return null;
  const ext = name.slice(dot + 1);
  if (EXTS[ext]) return EXTS[ext];
  return ext in bundledLanguages && ext !== "txt" ? (ext as BundledLanguage) : null;
}


function classFor(style: Record<string, string>): string {
  const key = Object.entries(style).sort().map(([k, v]) => `${k}:${v}`).join(";");
  const name = `t${createHash("sha1").update(key).digest("hex").slice(0, 8)}`;
  if (!classes.has(name)) {
    const light: string[] = [];
    const dark: string[] = [];
    for (const [k, v] of Object.entries(style)) {
      if (!/^[#\w\s().,%-]+$/.test(v)) continue;
      if (k.startsWith("--shiki-dark")) dark.push(`${k === "--shiki-dark" ? "color" : k.slice("--shiki-dark-".length)}:${v}`);
      else if (!k.startsWith("--")) light.push(`${k}:${v}`);
    }
    classes.set(name, `.${name}{${light.join(";")}}` + (dark.length ? `@media (prefers-color-scheme: dark){.${name}{${dark.join(";")}}}` : ""));
  }
  return name;
}

/** Table rows of highlighted code, one per line with its anchor. */
export async function highlightRows(text: string, lang: BundledLanguage): Promise<string> {
  const h = await (highlighter ??= createHighlighter({ themes: Object.values(THEMES), langs: [] }));
  if (!h.getLoadedLanguages().includes(lang)) await h.loadLanguage(lang);
  const { tokens } = h.codeToTokens(text, { lang, themes: THEMES, tokenizeMaxLineLength: 2000 });
  if (tokens.length > 1 && tokens[tokens.length - 1]!.length === 0 && text.endsWith("\n")) tokens.pop();
  return tokens
    .map((line, i) => {
      const code = line.map((t) => (t.htmlStyle ? `<span class="${classFor(t.htmlStyle as Record<string, string>)}">${escapeHtml(t.content)}</span>` : escapeHtml(t.content))).join("");
      return `<tr id="L${i + 1}"><td class="ln"><a href="#L${i + 1}">${i + 1}</a></td><td><code>${code}</code></td></tr>`;
    })
    .join("");
}

/** The rules of every token class made so far (served as /static/code.css). */
export function codeCss(): string {
  return [...classes.values()].join("\n");
}

/** Changes whenever a class is added: the stylesheet's URL carries it so browsers refetch. */
export function codeCssVersion(): number {
  return classes.size;
}
