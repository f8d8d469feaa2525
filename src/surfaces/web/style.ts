/** The one stylesheet, served from /static/hubble.css: light and dark by the system setting. */
export const STYLESHEET = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #111827; --muted: #4b5563; --line: #e5e7eb; --accent: #1d4ed8; --code: #f3f4f6; }
@media (prefers-color-scheme: dark) { :root { --bg: #0b0f19; --fg: #e5e7eb; --muted: #9ca3af; --line: #1f2937; --accent: #93c5fd; --code: #111827; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
a { color: var(--accent); }
header.top { display: flex; gap: 1.5rem; align-items: center; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); }
header.top .brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; color: var(--fg); }
header.top nav { display: flex; gap: 1rem; }
header.top .who { margin-left: auto; color: var(--muted); }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
footer.bottom { color: var(--muted); text-align: center; padding: 2rem; border-top: 1px solid var(--line); }
h1 { font-size: 1.4rem; }
.badge { display: inline-block; margin-left: .5rem; padding: 0 .4rem; border: 1px solid var(--line); border-radius: .3rem; font-size: .75rem; color: var(--muted); }
.tabs { display: flex; gap: 1rem; border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
.tabs a { padding: .4rem 0; text-decoration: none; }
.tabs a[aria-current="page"] { border-bottom: 2px solid var(--accent); font-weight: 600; }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) 320px; gap: 2rem; }
@media (max-width: 900px) { .columns { grid-template-columns: 1fr; } }
.sidebar dt { font-weight: 600; margin-top: .5rem; }
.sidebar dd { margin: 0; }
.tag { display: inline-block; margin: 0 .3rem .3rem 0; padding: 0 .4rem; border: 1px solid var(--line); border-radius: .3rem; text-decoration: none; }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
pre { background: var(--code); padding: .75rem; overflow-x: auto; border-radius: .4rem; }
.markdown img { max-width: 100%; }
.markdown table, table.files { border-collapse: collapse; width: 100%; }
.markdown td, .markdown th, table.files td, table.files th { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; }
table.files caption { text-align: left; color: var(--muted); padding: .25rem 0; }
table.code { border-collapse: collapse; width: 100%; background: var(--bg); border: 1px solid var(--line); }
table.code td { padding: 0 .5rem; white-space: pre; vertical-align: top; }
table.code td.ln { text-align: right; user-select: none; width: 1%; }
table.code td.ln a { color: var(--muted); text-decoration: none; }
table.diff tr.add { background: rgba(34, 197, 94, .15); }
table.diff tr.del { background: rgba(239, 68, 68, .15); }
table.diff tr.hunk td, table.diff tr.file td { color: var(--muted); }
ul.changes { list-style: none; padding: 0; }
.timeline article.comment { border: 1px solid var(--line); border-radius: .4rem; padding: 0 .75rem; margin: .75rem 0; }
.timeline article.comment > p.muted { border-bottom: 1px solid var(--line); margin: 0 -.75rem; padding: .4rem .75rem; }
.timeline p.event { color: var(--muted); margin: .5rem .75rem; }
.bar + form, section + .bar { margin-top: 1rem; }
.bar { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin-bottom: .75rem; }
details.refs ul { list-style: none; padding-left: .5rem; }
.muted, .empty { color: var(--muted); }
ol.commits li, ul.repos li { padding: .35rem 0; border-bottom: 1px solid var(--line); }
ul.repos { list-style: none; padding: 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.error { text-align: center; padding: 3rem 0; }
input[type="search"] { padding: .3rem .5rem; }
header.top .who { display: flex; gap: .75rem; align-items: center; }
form.inline { display: inline; }
fieldset { border: 1px solid var(--line); margin: .5rem 0; }
label.choice { display: inline-block; margin-right: 1rem; }
label.choice input { display: inline; width: auto; }
button.danger { border: 1px solid #b91c1c; color: #b91c1c; background: transparent; }
.form-page { max-width: 420px; }
form label { display: block; margin: .5rem 0; }
form label input, form label select, form label textarea { display: block; width: 100%; padding: .35rem .5rem; margin-top: .2rem; }
button { padding: .35rem .8rem; cursor: pointer; }
.error-text { color: #b91c1c; }
.browse { display: grid; grid-template-columns: 260px minmax(0, 1fr); gap: 2rem; }
@media (max-width: 900px) { .browse { grid-template-columns: 1fr; } }
.facets h3 { font-size: .95rem; margin: .75rem 0 .3rem; }
.tag[aria-current] { border-color: var(--accent); font-weight: 600; }
nav.pages { display: flex; gap: 1rem; margin-top: 1rem; }
.scroll { overflow-x: auto; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dd { margin: 0; }
.media img, video.media { max-width: 100%; }
img.only-dark { display: none; }
@media (prefers-color-scheme: dark) { img.only-dark { display: inline; } img.only-light { display: none; } }
.katex-block { overflow-x: auto; }
math { font-size: 1.15em; }
pre.nb-in { border-left: 3px solid var(--accent); }
pre.nb-out { background: transparent; border-left: 3px solid var(--line); }
section.gate { border: 1px solid var(--line); border-radius: .5rem; padding: .5rem 1rem; margin-bottom: 1rem; }
details.menu { position: relative; }
details.menu ul { position: absolute; z-index: 1; list-style: none; margin: .25rem 0 0; padding: .4rem .8rem; background: var(--bg); border: 1px solid var(--line); border-radius: .4rem; white-space: nowrap; }
.drop { border: 2px dashed var(--line); border-radius: .5rem; padding: 1rem; }
.drop.over { border-color: var(--accent); }
ul.picked { list-style: none; padding: 0; }
ul.picked progress { width: 12rem; vertical-align: middle; }
textarea.code-input { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
form.edit { max-width: 960px; }
section.preview { border-top: 1px solid var(--line); margin-top: 1rem; }
@media (prefers-color-scheme: dark) { .error-text, button.danger { color: #fca5a5; border-color: #fca5a5; } }
`;

/** A ringed planet, for the browser tab. */
export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="8" fill="#1d4ed8"/><ellipse cx="16" cy="16" rx="14" ry="4" fill="none" stroke="#f59e0b" stroke-width="2" transform="rotate(-20 16 16)"/></svg>`;
