/**
 * The one markdown renderer for every page (cards, markdown files, previews; discussions later):
 * markdown-it with raw HTML allowed, then sanitized on the server with an allowlist
 * (sanitize-html), relative links and images rewritten to the repo at the page's revision (`blob`
 * for links, `resolve` for images). `$…$` and `$$…$$` become MathML through KaTeX on the server
 * (MathML needs no script and no inline style, which the CSP forbids). Images marked for one color
 * scheme (GitHub's `#gh-dark-mode-only` / `#gh-light-mode-only`, or the Hub's `dark:hidden` /
 * `hidden dark:block` classes) show only in it.
 */
import { katex } from "@mdit/plugin-katex";
import MarkdownIt from "markdown-it";
import sanitizeHtml from "sanitize-html";

const md = new MarkdownIt({ html: true, linkify: true });
md.use(katex, { output: "mathml", throwOnError: false, strict: "ignore" });

/**
 * KaTeX's MathML is kept out of the sanitizer: it goes in as a placeholder no input can contain
 * (markdown-it turns NUL into U+FFFD) and is put back afterwards. Raw `<math>` written in a card
 * is not allowed at all — MathML inside HTML is where sanitizer/browser parsing differences
 * (mutation XSS) live.
 */
let formulas: string[] = [];
for (const rule of ["math_inline", "math_block"] as const) {
  const render = md.renderer.rules[rule]!;
  md.renderer.rules[rule] = (...args) => `\u0000${formulas.push(render(...args)) - 1}\u0000`;
}

const ALLOWED_TAGS = [
  "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "a", "img", "picture", "source", "video", "audio",
  "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "code", "pre", "ul", "ol", "li",
  "blockquote", "sup", "sub", "kbd", "em", "strong", "del", "s", "div", "span",
];

/** Where relative links of a card point: the repo's web base and the revision shown. */
export interface LinkBase {
  /** e.g. `/admin/my-model` or `/datasets/admin/set` */
  repoPath: string;
  rev: string;
  /** Folder of the rendered file, "" for the root. */
  folder: string;
}

const ABSOLUTE = /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i;

function rewrite(url: string, base: LinkBase, kind: "blob" | "resolve"): string {
  if (!url || ABSOLUTE.test(url) || url.startsWith("/")) return url;
  const [path, hash = ""] = url.split("#", 2) as [string, string?];
  const parts = (base.folder ? `${base.folder}/${path}` : path).split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return `${base.repoPath}/${kind}/${encodeURIComponent(base.rev)}/${out.map(encodeURIComponent).join("/")}${hash ? `#${hash}` : ""}`;
}

/** The color scheme an image is marked for, if any. */
function schemeOf(attribs: Record<string, string>): "only-dark" | "only-light" | null {
  const cls = ` ${attribs.class ?? ""} `;
  if (/#gh-dark-mode-only$/.test(attribs.src ?? "") || cls.includes(" hidden ") && cls.includes(" dark:block ")) return "only-dark";
  if (/#gh-light-mode-only$/.test(attribs.src ?? "") || cls.includes(" dark:hidden ")) return "only-light";
  return null;
}

/** Markdown (or HTML in markdown) to safe HTML. */
export function renderMarkdown(text: string, base: LinkBase): string {
  formulas = [];
  const html = sanitize(md.render(text), base);
  const out = html.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => formulas[Number(i)] ?? "");
  formulas = [];
  return out;
}

function sanitize(html: string, base: LinkBase): string {
  return sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ["href", "title", "id", "name", "rel"],
      img: ["src", "alt", "title", "width", "height", "class"],
      source: ["srcset", "media", "type"],
      video: ["src", "controls", "width", "height", "poster"],
      audio: ["src", "controls"],
      td: ["align", "colspan", "rowspan"],
      th: ["align", "colspan", "rowspan"],
      div: ["align"],
      span: ["align", "class"],
      p: ["class"],
      code: ["class"],
      pre: ["tabindex"],
      h1: ["id"], h2: ["id"], h3: ["id"], h4: ["id"], h5: ["id"], h6: ["id"],
    },
    allowedSchemes: ["http", "https", "mailto"],
    allowedSchemesAppliedToAttributes: ["href", "src", "srcset", "poster"],
    allowProtocolRelative: false,
    allowedClasses: { code: [/^language-[\w-]+$/], img: ["only-dark", "only-light"], p: ["katex-block"], span: ["katex"] },
    transformTags: {
      a: (tag, attribs) => ({ tagName: tag, attribs: { ...attribs, ...(attribs.href ? { href: rewrite(attribs.href, base, "blob") } : {}), rel: "nofollow noopener" } }),
      // Scrollable code blocks must be reachable by keyboard.
      pre: (tag, attribs) => ({ tagName: tag, attribs: { ...attribs, tabindex: "0" } }),
      img: (tag, attribs) => {
        const scheme = schemeOf(attribs);
        const { class: _drop, ...rest } = attribs;
        return { tagName: tag, attribs: { ...rest, ...(attribs.src ? { src: rewrite(attribs.src, base, "resolve") } : {}), ...(scheme ? { class: scheme } : {}) } };
      },
    },
  });
}

/** The README body without its YAML front matter (the sidebar shows that). */
export function stripFrontMatter(readme: string): string {
  return readme.replace(/^(?:[ \t]*\r?\n)*---[ \t]*\r?\n(?:[\s\S]*?\r?\n)?---[ \t]*(?:\r?\n|$)/, "");
}
