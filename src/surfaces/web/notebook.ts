/**
 * A Jupyter notebook as a page shows it: markdown cells through the one markdown renderer, code
 * cells as escaped source, outputs as text (stream, text/plain) or PNG/JPEG images (data: URLs
 * with checked base64). HTML and JavaScript outputs are never rendered: only their text/plain.
 */
import { escapeHtml } from "./escape.js";
import { type LinkBase, renderMarkdown } from "./markdown.js";

const text = (v: unknown): string => (Array.isArray(v) ? v.filter((x) => typeof x === "string").join("") : typeof v === "string" ? v : "");
const MAX_CELLS = 500;

interface Cell {
  cell_type?: unknown;
  source?: unknown;
  outputs?: { output_type?: unknown; text?: unknown; data?: Record<string, unknown>; ename?: unknown; evalue?: unknown }[];
}

/** HTML for a notebook (a file that is not one is shown as escaped text). */
export function renderNotebook(json: string, base: LinkBase): string {
  let nb: { cells?: Cell[] } | null = null;
  try {
    nb = JSON.parse(json) as { cells?: Cell[] };
  } catch {
    // shown as text below
  }
  if (!nb || !Array.isArray(nb.cells)) return `<pre tabindex="0">${escapeHtml(json)}</pre>`;
  const out: string[] = [];
  for (const cell of nb.cells.slice(0, MAX_CELLS)) {
    const src = text(cell.source);
    if (cell.cell_type === "markdown") out.push(`<div class="nb-md markdown">${renderMarkdown(src, base)}</div>`);
    else if (cell.cell_type === "code") {
      out.push(`<pre class="nb-in" tabindex="0"><code>${escapeHtml(src)}</code></pre>`);
      for (const o of Array.isArray(cell.outputs) ? cell.outputs.slice(0, 50) : []) {
        const data = o.data && typeof o.data === "object" ? o.data : {};
        const img = ["image/png", "image/jpeg"].find((t) => typeof data[t] === "string" && /^[A-Za-z0-9+/=\s]{1,2000000}$/.test(data[t] as string));
        if (img) out.push(`<p class="nb-out"><img alt="Output image" src="data:${img};base64,${(data[img] as string).replace(/\s/g, "")}" /></p>`);
        else {
          const t = o.output_type === "stream" ? text(o.text) : o.output_type === "error" ? `${text(o.ename)}: ${text(o.evalue)}` : text(data["text/plain"]);
          if (t) out.push(`<pre class="nb-out" tabindex="0">${escapeHtml(t.length > 20000 ? `${t.slice(0, 20000)}…` : t)}</pre>`);
        }
      }
    } else if (src) out.push(`<pre class="nb-raw" tabindex="0">${escapeHtml(src)}</pre>`);
  }
  if (nb.cells.length > MAX_CELLS) out.push(`<p class="muted">${nb.cells.length - MAX_CELLS} more cells are not shown.</p>`);
  return out.join("\n");
}
