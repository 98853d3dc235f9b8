"""The static leaderboard page, results/index.html: one self-contained file.

Inline CSS, vanilla JS and the leaderboard embedded as JSON in
``<script type="application/json" id="leaderboard-data">``: no network, no CDN, no other
file (a Content-Security-Policy meta tag forbids every fetch, so the page cannot quietly
grow one). The JS draws the tables and plots from the embedded data, so what the page shows
is exactly what results/leaderboard.json says.

``render_page`` is deterministic: the same leaderboard gives a byte-identical page (no
timestamps, no random ids), so regenerating the leaderboard from the same runs changes no file.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

from empathy_bench.core.errors import InputError

SCHEMA_VERSION = 1
DATA_ELEMENT_ID = "leaderboard-data"
DEFAULT_DRILLDOWN = "drilldown/index.html"


def render_page(leaderboard: dict) -> str:
    """The leaderboard page as one HTML string (write it to results/index.html)."""
    _check(leaderboard)
    drilldown = leaderboard.get("drilldown") or DEFAULT_DRILLDOWN
    page = _HTML
    for token, value in (
        ("@@CSS@@", _CSS),
        ("@@JS@@", _JS),
        ("@@SCHEMA@@", str(SCHEMA_VERSION)),
        ("@@DATA_ID@@", DATA_ELEMENT_ID),
        ("@@DRILLDOWN@@", html.escape(drilldown, quote=True)),
        ("@@DRILLDOWN_TEXT@@", html.escape(drilldown)),
        ("@@DATA@@", embed_json(leaderboard)),  # last: the data may hold anything, tokens included
    ):
        page = page.replace(token, value)
    return page


def embed_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: '<', '>' and '&' become \\u escapes, so no
    "</script>" or "<!--" in a rater name can end the element early; JSON.parse reads them back."""
    text = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _check(leaderboard: dict) -> None:
    """Fail loudly on what would give a blank or lying page."""
    fix = "regenerate it with `empathy-bench leaderboard`"
    if not isinstance(leaderboard, dict):
        raise InputError("leaderboard", f"is a {type(leaderboard).__name__}, not a dict", fix)
    version = leaderboard.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(
            "leaderboard", f"schema_version is {version!r}; this page renders version {SCHEMA_VERSION}", fix
        )
    for key in ("overall", "per_dimension", "overall_score"):
        rows = leaderboard.get(key, [])
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise InputError("leaderboard", f"'{key}' is not a list of rows", fix)
    if not leaderboard.get("overall"):
        raise InputError("leaderboard", "'overall' has no rows", "run a judge first (`empathy-bench run`), then " + fix)
    drilldown = leaderboard.get("drilldown") or DEFAULT_DRILLDOWN
    if not isinstance(drilldown, str) or "://" in drilldown or drilldown.startswith("//"):
        raise InputError(
            "leaderboard",
            f"drilldown {drilldown!r} is not a relative path",
            "give the path relative to results/, e.g. 'drilldown/index.html'",
        )
    where = _non_finite(leaderboard, "")
    if where:
        raise InputError(
            "leaderboard", f"{where} is NaN or infinite", "write missing numbers as null (None)", where=where
        )


def _non_finite(value: Any, path: str) -> str:
    """Path of the first NaN/inf in a nested structure ('' when none): JSON has no NaN, and
    JSON.parse would reject the whole page's data over one."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, dict):
        items = ((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return ""
    return next((found for sub, item in items if (found := _non_finite(item, sub))), "")


_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="generator" content="empathy-bench">
<title>empathy-bench leaderboard</title>
<style>@@CSS@@</style>
</head>
<body>
<header>
<h1>empathy-bench leaderboard</h1>
<p class="lede">How closely LLM judges, trivial baselines and human raters agree with expert ratings of empathic communication, and what each costs.</p>
<p class="explain">Each row is one rater on the selected task.
<b>QWK</b> is the quadratic-weighted Cohen's kappa between the rater and the median of the experts (the task's reference), averaged over the task's dimensions: 1 is perfect agreement, 0 is chance. Brackets hold a bootstrap 95% interval over items.
<b>&alpha; with rater</b> is Krippendorff's alpha of the experts with this rater added as one more expert: a rater that could sit on the panel leaves it where the experts alone have it. In parentheses, the same with the rater's ratings shuffled across items: what an uninformative rater with its ratings scores (a constant rater scores exactly that), so only the gap above it is information.
<b>Spearman &rho;</b> is the rank correlation with the reference.
<b>Of expert ceiling</b> compares like with like: the rater's QWK with the median of the other experts (averaged over which expert is left out) divided by an expert's QWK with the median of the other experts (the leave-one-out row), so 1.00 means as close to the experts as an expert is.
<b>Alt-test</b> is the alternative annotator test of Calderon, Reichart &amp; Dror (2025), by the authors' own procedure (every item and dimension one instance; &epsilon; = 0.2, Benjamini-Yekutieli at 0.05): passed when the rater could replace at least half of the experts; the number is its winning rate. &ldquo;not robust to clustering&rdquo; (or &ldquo;passes when clustered&rdquo;) marks a verdict that flips when conversations, not instances, are the test's units.
<b>fitted on these items</b> marks a candidate whose judge file declares it was built or tuned on this task's items.
<b>Parse failures</b> are replies that could not be read as a rating (left unscored, never counted as a low score).
<b>$ / 1k</b> and <b>s / 1k</b> are dollars and seconds per 1,000 items, from the run logs; recorded ratings and humans have none, built-in models cost nothing.
&ldquo;&ndash;&rdquo; marks a number that does not exist (e.g. no human ceiling, or a constant rater's correlation).</p>
<p class="kinds"><span><span class="badge kind-run">run</span> a judge run by this harness</span>
<span><span class="badge kind-recorded">recorded</span> ratings an LLM produced in a published study</span>
<span><span class="badge kind-baseline">baseline</span> a trivial baseline (length, constant)</span>
<span><span class="badge kind-human">human</span> human raters against the reference</span></p>
</header>
<nav id="task-nav" aria-label="Task">
<span class="nav-label" id="task-nav-label">Task</span>
<div id="task-tabs" role="group" aria-labelledby="task-nav-label"></div>
</nav>
<main>
<noscript><p class="warning">This page draws its tables and plots with JavaScript, which is off. The same numbers are in results/leaderboard.csv, leaderboard.json and leaderboard.md, and embedded at the end of this file.</p></noscript>
<section id="overall-section" aria-labelledby="overall-title">
<h2 id="overall-title">Overall agreement</h2>
<p id="task-note" class="note"></p>
<div class="table-wrap"><table id="overall" class="sortable"><caption class="sr-only">Agreement of each rater with the reference on the selected task; click a column header to sort.</caption><thead></thead><tbody></tbody></table></div>
<p class="hint">Click a column header to sort; click again to reverse. Empty values always sort last.</p>
</section>
<section id="heatmap-section" aria-labelledby="heatmap-title">
<h2 id="heatmap-title">Agreement per dimension</h2>
<p class="note">QWK with the reference on each dimension of the rubric, one row per rater; hover a cell for its 95% interval, Spearman &rho;, alpha and n.</p>
<div id="heatmap-legend" class="legend"></div>
<div class="table-wrap"><table id="heatmap"><caption class="sr-only">QWK per rater and dimension for the selected task.</caption><thead></thead><tbody></tbody></table></div>
</section>
<section id="plots-section" aria-labelledby="plots-title">
<h2 id="plots-title">Agreement, uncertainty and cost</h2>
<div class="plots">
<figure class="plot-figure"><div id="scatter-wrap" class="plot"></div>
<figcaption>Agreement vs cost. x: dollars per 1,000 items; judges with no cost in the logs (built-in, local, recorded) sit in the grey &ldquo;free / recorded&rdquo; band on the left. y: QWK with its 95% interval as an error bar. Dashed line: the human expert ceiling (an expert against the other experts); dotted line: the crowd. <span id="scatter-note"></span></figcaption></figure>
<figure class="plot-figure"><div id="forest-wrap" class="plot"></div>
<figcaption>QWK of every rater with its bootstrap 95% interval, best first; the dashed line is the human expert ceiling.</figcaption></figure>
</div>
</section>
<section id="overall-score-section" aria-labelledby="overall-score-title">
<h2 id="overall-score-title">Lend an Ear overall score</h2>
<p class="note">Agreement on the rubric's overall score (sum of the prescriptive dimensions minus the sum of the proscriptive ones) with the reference's overall score, with bootstrap 95% intervals.</p>
<div class="table-wrap"><table id="overall-score" class="sortable"><caption class="sr-only">Agreement on the Lend an Ear overall score; click a column header to sort.</caption><thead></thead><tbody></tbody></table></div>
</section>
<section id="drilldown-section" aria-labelledby="drilldown-title">
<h2 id="drilldown-title">Per-item drill-down</h2>
<p><a id="drilldown-link" href="@@DRILLDOWN@@">Open the per-item drill-down</a> (<code>@@DRILLDOWN_TEXT@@</code>): every prompt, reply and parsed rating of every run, in inspect's log viewer.</p>
<p class="note">The drill-down is built separately and <b>may not exist yet</b>: build it with <code>empathy-bench leaderboard --bundle logs</code> (which runs <code>inspect view bundle</code>). It holds the conversations' text, so check the label source's licence before publishing it.</p>
</section>
</main>
<footer><p>Made by <code>empathy-bench leaderboard</code> from the run records in results/ (leaderboard schema version @@SCHEMA@@). The data is embedded in this file; nothing is fetched.</p></footer>
<script type="application/json" id="@@DATA_ID@@">@@DATA@@</script>
<script>@@JS@@</script>
</body>
</html>
"""

_CSS = r"""
:root {
  --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; --bg: #fff;
  --run: #1d4ed8; --recorded: #7c3aed; --baseline: #6b7280; --human: #b45309;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: var(--bg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
header, nav, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
h1 { font-size: 1.85rem; margin: 24px 0 2px; letter-spacing: -0.01em; }
h2 { font-size: 1.2rem; margin: 26px 0 6px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
p { margin: 6px 0; }
.lede { font-size: 1.05rem; color: var(--muted); margin-bottom: 8px; }
.explain { font-size: 0.9rem; max-width: 125ch; color: #32383f; }
.kinds { font-size: 0.85rem; color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 18px; align-items: center; }
.note, .hint { font-size: 0.88rem; color: var(--muted); }
.hint { margin-top: 4px; font-size: 0.8rem; }
.warning { background: #fff8c5; border: 1px solid #d4a72c; padding: 8px 12px; border-radius: 6px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 0.85em; }
a { color: #0b57d0; }
a:focus-visible, button:focus-visible { outline: 2px solid #0b57d0; outline-offset: 2px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

nav { position: sticky; top: 0; z-index: 2; background: rgba(255, 255, 255, 0.96); padding-top: 10px; padding-bottom: 10px;
  display: flex; align-items: center; gap: 12px; border-bottom: 1px solid var(--line); }
.nav-label { font-weight: 600; font-size: 0.9rem; }
#task-tabs { display: flex; flex-wrap: wrap; gap: 6px; }
.task-tab { font: inherit; font-size: 0.9rem; padding: 5px 14px; border-radius: 999px; cursor: pointer;
  border: 1px solid var(--line); background: var(--soft); color: var(--fg); }
.task-tab:hover { border-color: #8c959f; }
.task-tab[aria-pressed="true"] { background: #1f2328; border-color: #1f2328; color: #fff; }
.task-tab .count { opacity: 0.7; font-size: 0.8em; margin-left: 4px; }

.badge { display: inline-block; padding: 0 8px; border-radius: 999px; border: 1px solid; font-size: 0.75rem;
  font-weight: 600; line-height: 1.55; font-style: normal; white-space: nowrap; }
.badge.kind-run { color: var(--run); background: #eff6ff; border-color: #bfdbfe; }
.badge.kind-recorded { color: var(--recorded); background: #f5f3ff; border-color: #ddd6fe; }
.badge.kind-baseline { color: #4b5563; background: #f3f4f6; border-color: #d1d5db; }
.badge.kind-human { color: var(--human); background: #fffbeb; border-color: #fcd34d; }

.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th.text, td.text { text-align: left; }
thead th { background: var(--soft); font-size: 0.82rem; vertical-align: bottom; }
th button { font: inherit; font-weight: 600; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; text-align: inherit; }
th button:hover { text-decoration: underline; }
.sort-icon { display: inline-block; width: 1em; margin-left: 2px; color: var(--muted); font-size: 0.8em; }
th[aria-sort="ascending"] .sort-icon, th[aria-sort="descending"] .sort-icon { color: var(--fg); }
table.sortable { width: 100%; font-size: 0.9rem; }
#overall-score { width: auto; min-width: 760px; }
table.sortable tbody tr:hover { background: #f0f6ff; }
.ci { color: var(--muted); font-size: 0.9em; }
td .model { display: block; max-width: 250px; overflow: hidden; text-overflow: ellipsis; color: var(--muted); font-size: 0.74rem; line-height: 1.3; }
table.sortable thead th { line-height: 1.25; }
.rater-name { font-weight: 600; }
tr.kind-human { background: #fffbeb; }
tr.kind-human .rater-name { font-style: italic; }
tr.kind-human.ceiling-row td { border-top: 1px solid #fcd34d; border-bottom: 1px solid #fcd34d; }
tr.kind-baseline { background: #f8f9fa; color: #6b7280; }
tr.kind-baseline .rater-name { font-weight: 500; }
.pass { color: #1a7f37; font-weight: 600; }
.fail { color: #cf222e; font-weight: 600; }
.fitted { color: #9a6700; font-size: 0.85em; font-weight: 600; }
.null { color: #8c959f; }

#heatmap { font-size: 0.88rem; }
#heatmap thead th { white-space: normal; text-align: center; min-width: 92px; max-width: 140px; line-height: 1.25; }
#heatmap thead th.text { text-align: left; }
#heatmap th.mean, #heatmap td.mean { border-left: 2px solid #fff; }
#heatmap td.rater { padding-right: 16px; }
#heatmap td.rater .badge { margin-left: 6px; font-size: 0.68rem; }
.heatmap-cell { text-align: center; font-weight: 600; border: 2px solid #fff; min-width: 92px; color: #1f2328; }
.heatmap-cell.dark { color: #fff; }
.heatmap-cell.null { background: repeating-linear-gradient(45deg, #f3f4f6, #f3f4f6 4px, #e5e7eb 4px, #e5e7eb 8px); color: #6b7280; font-weight: 400; }
.legend-title { font-weight: 600; color: var(--fg); }
.legend-text { max-width: 52ch; }
.legend { display: flex; align-items: center; gap: 10px; font-size: 0.8rem; color: var(--muted); margin: 6px 0 8px; flex-wrap: wrap; }
.legend-bar { position: relative; width: 360px; height: 14px; border-radius: 3px; border: 1px solid var(--line); }
.legend-ticks { position: relative; width: 360px; height: 16px; }
.legend-ticks span { position: absolute; transform: translateX(-50%); font-size: 0.72rem; top: 0; }
.legend-scale { display: inline-flex; flex-direction: column; padding: 14px 14px 0; }

.plots { display: grid; grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr); gap: 20px; align-items: start; }
@media (max-width: 980px) { .plots { grid-template-columns: minmax(0, 1fr); } }
figure { margin: 0; }
figcaption { font-size: 0.8rem; color: var(--muted); margin-top: 4px; }
.plot svg { width: 100%; height: auto; display: block; font-family: inherit; }
.plot text { font-size: 11px; fill: #32383f; }
.plot .axis-label { font-size: 11.5px; fill: #57606a; font-weight: 600; }
.plot .tick text { fill: #57606a; font-size: 10.5px; }
.plot .grid { stroke: #eaeef2; }
.plot .zero { stroke: #8c959f; }
.plot .axis { stroke: #8c959f; }
.plot .ceiling { stroke: #b45309; stroke-width: 1.5; stroke-dasharray: 6 4; }
.plot .crowd-line { stroke: #b45309; stroke-width: 1.2; stroke-dasharray: 1.5 3; opacity: 0.8; }
.plot .ref-label { fill: #b45309; font-size: 10.5px; font-weight: 600; }
.plot .free-band { fill: #f3f4f6; }
.plot .band-label { fill: #57606a; font-size: 11px; font-weight: 600; }
.plot line.errorbar, .plot line.errorbar-cap { stroke-width: 1.5; }
.plot circle { stroke: #fff; stroke-width: 1.5; }
.plot .point-label { font-size: 10.5px; }
.plot .row-human { fill: #fffbeb; }
.plot .row-baseline { fill: #f8f9fa; }
.plot .ci-text { fill: #57606a; font-size: 10.5px; }
.plot .empty { fill: #8c959f; font-size: 12px; }
.kind-run-stroke { stroke: var(--run); } .kind-run-fill { fill: var(--run); }
.kind-recorded-stroke { stroke: var(--recorded); } .kind-recorded-fill { fill: var(--recorded); }
.kind-baseline-stroke { stroke: var(--baseline); } .kind-baseline-fill { fill: var(--baseline); }
.kind-human-stroke { stroke: var(--human); } .kind-human-fill { fill: var(--human); }

footer { margin-top: 30px; padding-top: 10px; padding-bottom: 30px; border-top: 1px solid var(--line); font-size: 0.8rem; color: var(--muted); }
"""

_JS = r"""
(() => {
  "use strict";
  const DATA = JSON.parse(document.getElementById("leaderboard-data").textContent);
  const OVERALL = DATA.overall || [];
  const PER_DIM = DATA.per_dimension || [];
  const OVERALL_SCORE = DATA.overall_score || [];
  const TASK_TITLES = { lend_an_ear: "Lend an Ear", epitome: "EPITOME", empathetic_dialogues: "EmpatheticDialogues", epitome_reddit: "EPITOME Reddit" };
  const KINDS = ["run", "recorded", "baseline", "human"];
  const DASH = "\u2013";
  const Y_MIN = -0.2;  // bottom of every QWK scale (colour, scatter, forest); lower values stretch the plots

  const isNum = (v) => typeof v === "number" && isFinite(v);
  const fmt = (v, digits = 2) => {
    if (!isNum(v)) return DASH;
    const s = v.toFixed(digits);
    return /^-0\.?0*$/.test(s) ? s.slice(1) : s;  // no "-0.00"
  };
  const grouped = (s) => { const [i, f] = s.split("."); return i.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (f === undefined ? "" : "." + f); };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const kindOf = (r) => (KINDS.includes(r.kind) ? r.kind : "run");
  const taskTitle = (t) => TASK_TITLES[t] || t;
  const dimLabel = (d) => String(d).replace(/_/g, " ");
  const isExpert = (r) => r.kind === "human" && /expert/i.test(r.rater);
  const isCrowd = (r) => r.kind === "human" && /crowd/i.test(r.rater);
  const ciText = (v, lo, hi) => (isNum(v) && isNum(lo) && isNum(hi) ? `${fmt(v)} [${fmt(lo)}, ${fmt(hi)}]` : fmt(v));

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v; else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  const badge = (kind) => el("span", { class: `badge kind-${kind}` }, kind);
  const num = (v) => (isNum(v) ? fmt(v) : el("span", { class: "null", title: "not available" }, DASH));
  const withCI = (v, lo, hi) => {
    if (!isNum(v)) return num(v);
    if (!isNum(lo) || !isNum(hi)) return fmt(v);
    return [fmt(v), " ", el("span", { class: "ci" }, `[${fmt(lo)}, ${fmt(hi)}]`)];
  };

  // Best first: QWK descending, empty last, ties in input order (deterministic).
  const ranked = (rows) => rows.map((r, i) => [r, i]).sort((a, b) => {
    const x = a[0].qwk, y = b[0].qwk;
    if (isNum(x) !== isNum(y)) return isNum(x) ? -1 : 1;
    if (isNum(x) && x !== y) return y - x;
    return a[1] - b[1];
  }).map((p) => p[0]);

  const tasks = [...new Set(OVERALL.map((r) => r.task).concat(PER_DIM.map((r) => r.task)))];
  const state = { task: tasks.includes("lend_an_ear") ? "lend_an_ear" : tasks[0] };

  // ---------- sortable tables ----------
  function sortableTable(table, columns, rows, sort, rowClass) {
    const head = el("tr");
    for (const col of columns) {
      const active = sort.key === col.key;
      const th = el("th", { scope: "col", class: col.text ? "text" : null, "data-key": col.key, title: col.title || null,
        "aria-sort": active ? (sort.dir === "asc" ? "ascending" : "descending") : "none" });
      // a label is a string or its lines; the sort icon stays on the last line
      const lines = [].concat(col.label).flatMap((s, i) => (i ? [el("br"), s] : [s]));
      const button = el("button", { type: "button" }, lines, el("span", { class: "sort-icon", "aria-hidden": "true" }, active ? (sort.dir === "asc" ? "\u25B2" : "\u25BC") : "\u21C5"));
      button.addEventListener("click", () => {
        if (sort.key === col.key) sort.dir = sort.dir === "asc" ? "desc" : "asc";
        else { sort.key = col.key; sort.dir = col.text ? "asc" : "desc"; }
        sortableTable(table, columns, rows, sort, rowClass);
      });
      th.append(button);
      head.append(th);
    }
    table.tHead.replaceChildren(head);
    const col = columns.find((c) => c.key === sort.key) || columns[0];
    const sign = sort.dir === "asc" ? 1 : -1;
    const order = rows.map((r, i) => [r, i]).sort((a, b) => {
      const x = col.value(a[0]), y = col.value(b[0]);
      const xe = x === null || x === undefined || (typeof x === "number" && !isFinite(x));
      const ye = y === null || y === undefined || (typeof y === "number" && !isFinite(y));
      if (xe !== ye) return xe ? 1 : -1;  // empty last, whatever the direction
      if (!xe && x !== y) return (typeof x === "string" ? x.localeCompare(y) : x - y) * sign;
      return a[1] - b[1];
    });
    table.tBodies[0].replaceChildren(...order.map(([r]) => el("tr", { class: rowClass(r), "data-rater": r.rater },
      columns.map((c) => el("td", { class: [c.text ? "text" : "", c.cls || ""].join(" ").trim() || null }, c.cell(r))))));
  }

  const OVERALL_COLUMNS = [
    { key: "rater", label: "Rater (model)", text: true, value: (r) => r.rater, cell: (r) => [el("span", { class: "rater-name" }, r.rater), r.fitted_on_task ? el("span", { class: "fitted" }, " fitted on these items") : "", el("code", { class: "model", title: r.model || null }, r.model || DASH)] },
    { key: "kind", label: "Kind", text: true, value: (r) => r.kind, cell: (r) => badge(kindOf(r)) },
    { key: "n_items", label: ["Items"], value: (r) => r.n_items, cell: (r) => (isNum(r.n_items) ? grouped(String(r.n_items)) : num(null)) },
    { key: "qwk", label: ["QWK", "[95% CI]"], title: "quadratic-weighted kappa vs the reference, mean over dimensions", value: (r) => r.qwk, cell: (r) => withCI(r.qwk, r.qwk_low, r.qwk_high) },
    { key: "alpha", label: ["\u03B1 with rater", "[95% CI] (shuffled)"], title: "Krippendorff's alpha of the experts with this rater added; in parentheses with the rater's ratings shuffled across items (an uninformative rater)", value: (r) => r.alpha, cell: (r) => [withCI(r.alpha, r.alpha_low, r.alpha_high), isNum(r.alpha_shuffled) ? el("span", { class: "ci shuffled" }, ` (${fmt(r.alpha_shuffled)})`) : ""] },
    { key: "spearman", label: ["Spearman \u03C1", "[95% CI]"], value: (r) => r.spearman, cell: (r) => withCI(r.spearman, r.spearman_low, r.spearman_high) },
    { key: "ceiling_fraction", label: ["Of expert", "ceiling"], title: "QWK / QWK of a human expert against the other experts", value: (r) => r.ceiling_fraction, cell: (r) => num(r.ceiling_fraction) },
    { key: "alt_test", label: ["Alt-test"], title: "alternative annotator test (Calderon et al. 2025): passed? winning rate", value: (r) => r.alt_test_winning_rate, cell: altTest },
    { key: "parse_failure_rate", label: ["Parse", "failures"], value: (r) => r.parse_failure_rate, cell: (r) => (isNum(r.parse_failure_rate) ? fmt(100 * r.parse_failure_rate) + "%" : num(null)) },
    { key: "usd_per_1k", label: ["$ / 1k", "items"], value: (r) => r.usd_per_1k, cell: (r) => (isNum(r.usd_per_1k) ? "$" + grouped(fmt(r.usd_per_1k)) : num(null)) },
    { key: "seconds_per_1k", label: ["s / 1k", "items"], value: (r) => r.seconds_per_1k, cell: (r) => (isNum(r.seconds_per_1k) ? grouped(fmt(r.seconds_per_1k)) : num(null)) },
  ];
  function altTest(r) {
    if (r.alt_test_passed === null || r.alt_test_passed === undefined) return num(null);
    const passed = r.alt_test_passed === true;
    const shown = r.alt_test_verdict || (passed ? "pass" : "fail");
    return [el("span", { class: passed ? "pass" : "fail" }, (passed ? "\u2713 " : "\u2717 ") + shown), " ", el("span", { class: "ci" }, fmt(r.alt_test_winning_rate))];
  }
  const rowClass = (r) => `kind-${kindOf(r)}${isExpert(r) ? " ceiling-row" : ""}`;
  const overallSort = { key: "qwk", dir: "desc" };

  // ---------- colour scale (diverging around 0 = chance) ----------
  const STOPS = [[-0.2, [214, 96, 77]], [0, [247, 247, 247]], [0.25, [209, 229, 240]], [0.5, [146, 197, 222]], [0.75, [67, 147, 195]], [1, [33, 102, 172]]];
  function qwkColor(v) {
    const x = Math.max(STOPS[0][0], Math.min(1, v));
    for (let i = 1; i < STOPS.length; i++) {
      const [x0, c0] = STOPS[i - 1], [x1, c1] = STOPS[i];
      if (x <= x1) {
        const t = (x - x0) / (x1 - x0);
        return `rgb(${c0.map((c, j) => Math.round(c + t * (c1[j] - c))).join(", ")})`;
      }
    }
    return `rgb(${STOPS[STOPS.length - 1][1].join(", ")})`;
  }
  function renderLegend() {
    const pos = (v) => ((v - STOPS[0][0]) / (1 - STOPS[0][0])) * 100;
    const bar = el("div", { class: "legend-bar", role: "img", "aria-label": "colour scale from -0.2 (red, worse than chance) through 0 (white, chance) to 1 (blue, perfect agreement)" });
    bar.style.background = `linear-gradient(to right, ${STOPS.map(([v, c]) => `rgb(${c.join(", ")}) ${pos(v).toFixed(1)}%`).join(", ")})`;
    const ticks = el("div", { class: "legend-ticks", "aria-hidden": "true" });
    for (const v of [-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1]) {
      const t = el("span", {}, fmt(v, 1));
      t.style.left = `${pos(v).toFixed(1)}%`;
      ticks.append(t);
    }
    document.getElementById("heatmap-legend").replaceChildren(
      el("span", { class: "legend-title" }, "Cell colour = QWK"), el("span", { class: "legend-scale" }, bar, ticks),
      el("span", { class: "legend-text" }, "red: below chance \u00B7 white: chance (0) \u00B7 blue: up to perfect agreement (1). Values below \u22120.2 take the \u22120.2 colour; hatched: not available."));
  }

  // ---------- heatmap ----------
  function renderHeatmap(rows) {
    const task = state.task;
    const cells = PER_DIM.filter((r) => r.task === task);
    const dims = [...new Set(cells.map((r) => r.dimension))];
    const names = [...new Set(ranked(rows).map((r) => r.rater).concat(cells.map((r) => r.rater)))];
    const byKey = new Map(cells.map((r) => [`${r.rater}\u0000${r.dimension}`, r]));
    const overallBy = new Map(rows.map((r) => [r.rater, r]));
    const table = document.getElementById("heatmap");
    table.tHead.replaceChildren(el("tr", {}, el("th", { scope: "col", class: "text" }, "Rater"),
      dims.map((d) => el("th", { scope: "col", title: d }, dimLabel(d))), el("th", { scope: "col", class: "mean" }, "mean")));
    const cell = (v, title, extra) => {
      const td = el("td", { class: `heatmap-cell${extra}${isNum(v) ? (v > 0.62 || v < -0.12 ? " dark" : "") : " null"}`, title, "data-value": isNum(v) ? fmt(v) : null }, isNum(v) ? fmt(v) : DASH);
      if (isNum(v)) td.style.background = qwkColor(v);
      return td;
    };
    table.tBodies[0].replaceChildren(...names.map((name) => {
      const any = overallBy.get(name) || cells.find((c) => c.rater === name);
      const tds = dims.map((d) => {
        const c = byKey.get(`${name}\u0000${d}`);
        if (!c) return cell(null, `${name}, ${dimLabel(d)}: no rating`, "");
        return cell(c.qwk, `${name}, ${dimLabel(d)}: QWK ${ciText(c.qwk, c.qwk_low, c.qwk_high)}; Spearman ${fmt(c.spearman)}; alpha with rater ${fmt(c.alpha)} (shuffled ${fmt(c.alpha_shuffled)}); alt-test on this dimension ${c.alt_test_passed === null || c.alt_test_passed === undefined ? DASH : (c.alt_test_passed ? "pass" : "fail") + " (" + fmt(c.alt_test_winning_rate) + ")"}; n = ${isNum(c.n) ? c.n : DASH}`, "");
      });
      const o = overallBy.get(name);
      const mean = cell(o ? o.qwk : null, `${name}: mean QWK over dimensions ${o ? ciText(o.qwk, o.qwk_low, o.qwk_high) : DASH}`, " mean");
      return el("tr", { class: `kind-${kindOf(any)}`, "data-rater": name },
        el("td", { class: "text rater" }, el("span", { class: "rater-name" }, name), badge(kindOf(any))), tds, mean);
    }));
  }

  // ---------- SVG helpers (markup strings: the HTML parser puts <svg> in its namespace) ----------
  const r1 = (v) => (Math.round(v * 10) / 10).toString();
  const line = (x1, y1, x2, y2, cls, extra = "") => `<line class="${cls}" x1="${r1(x1)}" y1="${r1(y1)}" x2="${r1(x2)}" y2="${r1(y2)}"${extra}/>`;
  const text = (x, y, s, cls = "", anchor = "start", extra = "") => `<text class="${cls}" x="${r1(x)}" y="${r1(y)}" text-anchor="${anchor}"${extra}>${esc(s)}</text>`;
  const textWidth = (s, size = 10.5) => String(s).length * size * 0.56 + 2;
  function qwkDomain(rows) {
    const lows = rows.flatMap((r) => [r.qwk_low, r.qwk]).filter(isNum);
    const lo = Math.min(Y_MIN, ...lows.map((v) => Math.floor(v * 5) / 5));
    return [lo, 1];
  }
  const qwkTicks = ([lo, hi]) => { const out = []; for (let k = Math.ceil(lo * 5 - 1e-9); k <= Math.floor(hi * 5 + 1e-9); k++) out.push(k / 5); return out; };
  function niceStep(span, count) {
    const raw = span / count, p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const f of [1, 2, 2.5, 5, 10]) if (f * p >= raw) return f * p;
    return 10 * p;
  }
  const usd = (v) => "$" + (v >= 100 ? grouped(v.toFixed(0)) : v >= 1 ? String(+v.toFixed(2)) : String(+v.toPrecision(2)));

  // Greedy label placement: the first candidate spot that overlaps least (labels count most).
  function placeLabels(items, obstacles, bounds) {
    const placed = [];
    const overlap = (a, b) => Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)) * Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
    const out = [];
    for (const it of items) {
      const w = textWidth(it.label), h = 12;
      const spots = [];
      for (const dy of [0, -13, 13, -26, 26, -39, 39]) {
        spots.push({ x: it.x + 8, y: it.y + 4 + dy, anchor: "start" });
        spots.push({ x: it.x - 8, y: it.y + 4 + dy, anchor: "end" });
      }
      let best = null, bestScore = Infinity;
      spots.forEach((s, i) => {
        const box = s.anchor === "start" ? { x1: s.x, x2: s.x + w } : { x1: s.x - w, x2: s.x };
        box.y1 = s.y - h + 2; box.y2 = s.y + 2;
        let score = i * 0.5;  // prefer the nearer spots
        if (box.x1 < bounds.x1 || box.x2 > bounds.x2 || box.y1 < bounds.y1 || box.y2 > bounds.y2) score += 1e6;
        for (const p of placed) score += 40 * overlap(box, p);
        for (const o of obstacles) if (o.id !== it.id) score += o.weight * overlap(box, o);
        if (score < bestScore) { bestScore = score; best = { ...s, box }; }
      });
      placed.push(best.box);
      out.push({ ...it, lx: best.x, ly: best.y, anchor: best.anchor });
    }
    return out;
  }

  // ---------- agreement vs cost scatter ----------
  function renderScatter(rows) {
    const W = 720, H = 440, m = { l: 50, r: 78, t: 18, b: 58 };
    const pts = ranked(rows.filter((r) => r.kind !== "human" && isNum(r.qwk)));
    const missing = rows.filter((r) => r.kind !== "human" && !isNum(r.qwk)).map((r) => r.rater);
    const paid = pts.filter((r) => isNum(r.usd_per_1k) && r.usd_per_1k > 0);
    const free = pts.filter((r) => !(isNum(r.usd_per_1k) && r.usd_per_1k > 0));
    const expert = rows.find(isExpert), crowd = rows.find(isCrowd);
    const dom = qwkDomain(pts.concat(expert ? [expert] : [], crowd ? [crowd] : []));
    const pw = W - m.l - m.r, ph = H - m.t - m.b;
    const sy = (v) => m.t + ((dom[1] - v) / (dom[1] - dom[0])) * ph;
    const gap = 14;
    const bandW = !free.length ? 0 : paid.length ? Math.max(220, pw * 0.36) : pw;
    const px0 = m.l + bandW + (bandW && paid.length ? gap : 0) + 28, px1 = W - m.r - 28;
    const parts = [];
    const obstacles = [];
    // grid + y axis
    for (const v of qwkTicks(dom)) {
      parts.push(line(m.l, sy(v), W - m.r, sy(v), Math.abs(v) < 1e-9 ? "zero" : "grid"));
      parts.push(`<g class="tick">${text(m.l - 6, sy(v) + 3.5, fmt(v, 1), "", "end")}</g>`);
    }
    parts.push(text(14, m.t + ph / 2, "QWK vs reference (95% CI)", "axis-label", "middle", ` transform="rotate(-90 14 ${r1(m.t + ph / 2)})"`));
    if (bandW) {
      parts.push(`<rect class="free-band" x="${r1(m.l)}" y="${r1(m.t)}" width="${r1(bandW)}" height="${r1(ph)}" opacity="0.75"/>`);
      parts.push(text(m.l + bandW / 2, H - m.b + 18, "free / recorded", "band-label", "middle"));
      parts.push(text(m.l + bandW / 2, H - m.b + 32, "(no cost in the logs)", "tick-note", "middle", ' fill="#57606a" font-size="10"'));
    }
    // cost axis: log when the costs span a factor of 10 or more
    let sx = null;
    if (paid.length) {
      const costs = paid.map((r) => r.usd_per_1k);
      const cmin = Math.min(...costs), cmax = Math.max(...costs);
      const log = cmax / cmin >= 10;
      let ticks;
      if (log) {
        const lo = Math.floor(Math.log10(cmin)), hi = Math.max(lo + 1, Math.ceil(Math.log10(cmax)));
        sx = (c) => px0 + ((Math.log10(c) - lo) / (hi - lo)) * (px1 - px0);
        ticks = [];
        for (let e = lo; e <= hi; e++) for (const f of hi - lo <= 2 ? [1, 2, 5] : [1]) { const v = f * Math.pow(10, e); if (v <= Math.pow(10, hi) * 1.0001) ticks.push(v); }
      } else {
        const step = niceStep(cmax * 1.1, 4), top = Math.ceil((cmax * 1.1) / step) * step;
        sx = (c) => px0 + (c / top) * (px1 - px0);
        ticks = []; for (let v = 0; v <= top + step / 1000; v += step) ticks.push(v);
      }
      for (const v of ticks) {
        parts.push(line(sx(v), H - m.b, sx(v), H - m.b + 4, "axis"));
        parts.push(`<g class="tick">${text(sx(v), H - m.b + 15, usd(v), "", "middle")}</g>`);
      }
      parts.push(text((px0 + px1) / 2, H - m.b + 34, `$ per 1,000 items${log ? " (log scale)" : ""}`, "axis-label", "middle"));
    }
    parts.push(line(m.l, H - m.b, W - m.r, H - m.b, "axis"));
    parts.push(line(m.l, m.t, m.l, H - m.b, "axis"));
    // human reference lines
    for (const [ref, cls, name] of [[expert, "ceiling", "expert ceiling"], [crowd, "crowd-line", "crowd"]]) {
      if (!ref || !isNum(ref.qwk)) continue;
      const y = sy(ref.qwk);
      parts.push(line(m.l, y, W - m.r, y, cls));
      // in the right margin, clear of the points: name above the line's end, value below
      parts.push(text(W - m.r + 5, y - 3, name === "crowd" ? "crowd" : "expert", "ref-label"));
      parts.push(text(W - m.r + 5, y + 10, name === "crowd" ? fmt(ref.qwk) : `ceiling ${fmt(ref.qwk)}`, "ref-label"));
    }
    // points
    const items = [];
    free.forEach((r, i) => items.push({ r, x: m.l + ((i + 0.5) * bandW) / free.length }));
    paid.forEach((r) => items.push({ r, x: sx(r.usd_per_1k) }));
    items.forEach((it, i) => { it.id = i; it.y = sy(it.r.qwk); it.label = it.r.rater; });
    for (const it of items) {
      obstacles.push({ id: it.id, weight: 8, x1: it.x - 6, x2: it.x + 6, y1: it.y - 6, y2: it.y + 6 });
      if (isNum(it.r.qwk_low) && isNum(it.r.qwk_high)) obstacles.push({ id: it.id, weight: 2, x1: it.x - 4, x2: it.x + 4, y1: sy(it.r.qwk_high), y2: sy(it.r.qwk_low) });
    }
    const order = items.slice().sort((a, b) => a.y - b.y || a.id - b.id);
    const labels = placeLabels(order, obstacles, { x1: m.l + 2, x2: W - m.r - 2, y1: m.t, y2: H - m.b - 2 });
    for (const it of items) {
      const k = kindOf(it.r), r = it.r;
      const tip = `${r.rater} (${k}): QWK ${ciText(r.qwk, r.qwk_low, r.qwk_high)}; ${isNum(r.usd_per_1k) && r.usd_per_1k > 0 ? usd(r.usd_per_1k) + " per 1,000 items" : "no cost in the logs"}`;
      let g = `<g class="point-group" data-rater="${esc(r.rater)}"><title>${esc(tip)}</title>`;
      if (isNum(r.qwk_low) && isNum(r.qwk_high)) {
        const y1 = sy(r.qwk_high), y2 = sy(r.qwk_low);
        g += line(it.x, y1, it.x, y2, `errorbar kind-${k}-stroke`);
        g += line(it.x - 4, y1, it.x + 4, y1, `errorbar-cap kind-${k}-stroke`) + line(it.x - 4, y2, it.x + 4, y2, `errorbar-cap kind-${k}-stroke`);
      }
      g += `<circle class="point kind-${k}-fill" cx="${r1(it.x)}" cy="${r1(it.y)}" r="5"/></g>`;
      parts.push(g);
    }
    for (const l of labels) parts.push(text(l.lx, l.ly, l.label, "point-label", l.anchor));
    if (!items.length) parts.push(text(W / 2, H / 2, "no rater with a QWK on this task", "empty", "middle"));
    document.getElementById("scatter-wrap").innerHTML =
      `<svg id="scatter" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="scatter-title"><title id="scatter-title">QWK against dollars per 1,000 items for ${esc(taskTitle(state.task))}, with 95% intervals</title>${parts.join("")}</svg>`;
    const notes = [];
    if (!paid.length) notes.push("No run on this task has a cost yet.");
    if (missing.length) notes.push(`Not plotted (no QWK): ${missing.join(", ")}.`);
    if (!expert) notes.push("This task has no expert ceiling.");
    document.getElementById("scatter-note").textContent = notes.join(" ");
  }

  // ---------- forest plot of QWK with 95% CIs ----------
  function renderForest(rows) {
    const list = ranked(rows);
    const rowH = 27, W = 600, m = { l: 190, r: 112, t: 26, b: 44 };
    const H = m.t + m.b + rowH * Math.max(1, list.length);
    const dom = qwkDomain(list);
    const sx = (v) => m.l + ((v - dom[0]) / (dom[1] - dom[0])) * (W - m.l - m.r);
    const parts = [];
    list.forEach((r, i) => {
      const k = kindOf(r);
      if (k === "human" || k === "baseline") parts.push(`<rect class="row-${k}" x="0" y="${r1(m.t + i * rowH)}" width="${W}" height="${rowH}"/>`);
    });
    for (const v of qwkTicks(dom)) {
      parts.push(line(sx(v), m.t, sx(v), H - m.b, Math.abs(v) < 1e-9 ? "zero" : "grid"));
      parts.push(`<g class="tick">${text(sx(v), H - m.b + 15, fmt(v, 1), "", "middle")}</g>`);
    }
    parts.push(line(m.l, H - m.b, W - m.r, H - m.b, "axis"));
    parts.push(text((m.l + W - m.r) / 2, H - m.b + 33, "QWK vs reference, mean over dimensions", "axis-label", "middle"));
    parts.push(text(W - m.r + 8, m.t - 9, "QWK [95% CI]", "axis-label", "start"));
    const expert = list.find(isExpert);
    if (expert && isNum(expert.qwk)) {
      parts.push(line(sx(expert.qwk), m.t - 4, sx(expert.qwk), H - m.b, "ceiling"));
      parts.push(text(sx(expert.qwk), m.t - 9, `expert ceiling ${fmt(expert.qwk)}`, "ref-label", "middle"));
    }
    list.forEach((r, i) => {
      const k = kindOf(r), y = m.t + (i + 0.5) * rowH;
      const name = r.rater.length > 30 ? r.rater.slice(0, 29) + "\u2026" : r.rater;
      parts.push(`<circle class="kind-${k}-fill legend-dot" cx="${r1(m.l - 12)}" cy="${r1(y)}" r="3.5"/>`);
      parts.push(text(m.l - 20, y + 4, name, "rater-label", "end", k === "human" ? ' font-style="italic"' : ""));
      parts.push(text(W - m.r + 8, y + 4, ciText(r.qwk, r.qwk_low, r.qwk_high), "ci-text"));
      if (!isNum(r.qwk)) { parts.push(text(sx(0) + 6, y + 4, "no QWK", "empty")); return; }
      let g = `<g class="forest-row" data-rater="${esc(r.rater)}"><title>${esc(`${r.rater} (${k}): QWK ${ciText(r.qwk, r.qwk_low, r.qwk_high)}`)}</title>`;
      if (isNum(r.qwk_low) && isNum(r.qwk_high)) {
        g += line(sx(r.qwk_low), y, sx(r.qwk_high), y, `errorbar kind-${k}-stroke`);
        g += line(sx(r.qwk_low), y - 4, sx(r.qwk_low), y + 4, `errorbar-cap kind-${k}-stroke`) + line(sx(r.qwk_high), y - 4, sx(r.qwk_high), y + 4, `errorbar-cap kind-${k}-stroke`);
      }
      g += `<circle class="point kind-${k}-fill" cx="${r1(sx(r.qwk))}" cy="${r1(y)}" r="5"/></g>`;
      parts.push(g);
    });
    document.getElementById("forest-wrap").innerHTML =
      `<svg id="forest" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="forest-title"><title id="forest-title">QWK of each rater on ${esc(taskTitle(state.task))} with 95% intervals</title>${parts.join("")}</svg>`;
  }

  // ---------- overall score (Lend an Ear) ----------
  const SCORE_COLUMNS = [
    { key: "rater", label: "Rater", text: true, value: (r) => r.rater, cell: (r) => el("span", { class: "rater-name" }, r.rater) },
    { key: "kind", label: "Kind", text: true, value: (r) => r.kind, cell: (r) => badge(kindOf(r)) },
    { key: "n", label: "Items", value: (r) => r.n, cell: (r) => (isNum(r.n) ? grouped(String(r.n)) : num(null)) },
    { key: "qwk", label: ["QWK", "[95% CI]"], value: (r) => r.qwk, cell: (r) => withCI(r.qwk, r.qwk_low, r.qwk_high) },
    { key: "spearman", label: ["Spearman \u03C1", "[95% CI]"], value: (r) => r.spearman, cell: (r) => withCI(r.spearman, r.spearman_low, r.spearman_high) },
  ];
  function renderOverallScore() {
    const section = document.getElementById("overall-score-section");
    if (!OVERALL_SCORE.length) { section.hidden = true; return; }
    const scoreTasks = [...new Set(OVERALL_SCORE.map((r) => r.task))];
    const columns = scoreTasks.length > 1
      ? [{ key: "task", label: "Task", text: true, value: (r) => taskTitle(r.task), cell: (r) => taskTitle(r.task) }].concat(SCORE_COLUMNS)
      : SCORE_COLUMNS;
    sortableTable(document.getElementById("overall-score"), columns, OVERALL_SCORE, { key: "qwk", dir: "desc" }, rowClass);
  }

  // ---------- task selection ----------
  function renderTabs() {
    const tabs = tasks.map((t) => {
      const n = OVERALL.filter((r) => r.task === t).length;
      const b = el("button", { type: "button", class: "task-tab", "data-task": t, title: `${n} rater${n === 1 ? "" : "s"}`, "aria-pressed": String(t === state.task) }, taskTitle(t), el("span", { class: "count" }, `${n}`));
      b.addEventListener("click", () => { location.hash = "task=" + encodeURIComponent(t); });
      return b;
    });
    document.getElementById("task-tabs").replaceChildren(...tabs);
  }
  function renderTask() {
    const rows = OVERALL.filter((r) => r.task === state.task);
    renderTabs();
    const items = [...new Set(rows.map((r) => r.n_items).filter(isNum))];
    document.getElementById("overall-title").textContent = `Overall agreement \u2014 ${taskTitle(state.task)}`;
    const note = [`${rows.length} rater${rows.length === 1 ? "" : "s"}`];
    if (items.length) note.push(`${items.map((n) => grouped(String(n))).join(" / ")} items`);
    note.push(`task id ${state.task}`);
    let summary = note.join(" \u00B7 ") + ".";
    if (!rows.some(isExpert)) summary += " This task has no per-expert ratings, so it has no expert ceiling, alpha or alt-test; QWK is against the task's own reference label.";
    document.getElementById("task-note").textContent = summary;
    sortableTable(document.getElementById("overall"), OVERALL_COLUMNS, rows, overallSort, rowClass);
    renderHeatmap(rows);
    renderScatter(rows);
    renderForest(rows);
  }
  function fromHash() {
    const m = /(?:^#|&)task=([^&]*)/.exec(location.hash);
    const t = m ? decodeURIComponent(m[1]) : null;
    if (t && tasks.includes(t)) state.task = t;
  }
  window.addEventListener("hashchange", () => { fromHash(); renderTask(); });
  fromHash();
  renderLegend();
  renderOverallScore();
  renderTask();
})();
"""
