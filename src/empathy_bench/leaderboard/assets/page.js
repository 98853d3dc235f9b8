(() => {
  "use strict";
  const DATA = JSON.parse(document.getElementById("leaderboard-data").textContent);
  const OVERALL = DATA.overall || [];
  const PER_DIM = DATA.per_dimension || [];
  const OVERALL_SCORE = DATA.overall_score || [];
  const TASKS = DATA.tasks || {};  // titles from the task files
  const COLUMNS = DATA.columns || [];  // the leaderboard's columns, defined once in Python
  const PREFERENCE = DATA.preference || [];  // compare tasks: one row per (task, criterion, rater)
  const BY_GAP = DATA.preference_by_gap || [];  // ... and per bin of the reference's score gap
  const COMPARE_COLUMNS = DATA.compare_columns || [];  // the preference table's columns, also from Python
  const BIAS = DATA.bias || [];  // bias probes: one row per (task, rater), absent keys = no figure
  const BIAS_BY_DIM = DATA.bias_by_dimension || [];  // ... and per (task, probe, rater, dimension)
  const TRIVIAL_WINS = DATA.trivial_wins || [];  // where a trivial baseline beats an expert in an alt-test, with the sentence to show
  const LENGTH_BY_DIM = DATA.length_by_dimension || [];  // the length association per (task, rater, dimension), magnitude and direction last
  const BIAS_COLUMN_DEFS = DATA.bias_columns || [];  // the bias table's columns, from Python too
  const COACH = DATA.coach || [];  // coach tasks: one row per (task, rater), best first
  const COACH_BY_DIM = DATA.coach_by_dimension || [];  // ... and per (task, rater, dimension)
  const COACH_COLUMN_DEFS = DATA.coach_columns || [];  // the coach table's columns, from Python as well
  const COMPARISONS = DATA.comparisons || [];  // per (task, criterion): raters best first with rank intervals, paired differences
  const KIND_TABLES = DATA.kind_tables || {};  // registered kinds' tables (leaderboard/stat_table.py): title, columns, rows, by kind
  const RATER_TYPES = ["run", "recorded", "baseline", "human"];  // a row's rater_type
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
  const typeOf = (r) => (RATER_TYPES.includes(r.rater_type) ? r.rater_type : "run");
  const taskTitle = (t) => (TASKS[t] && TASKS[t].title) || t;
  const dimLabel = (d) => String(d).replace(/_/g, " ");
  const isExpert = (r) => r.role === "ceiling";
  // the human rows a source card names besides the ceiling (sources/card.py HumanRole), as the plots name them
  const HUMAN_ROW_NAMES = { crowd: "crowd", self_report: "self-report", original_label: "released label" };
  const isCrowd = (r) => Object.keys(HUMAN_ROW_NAMES).includes(r.role);
  const ciText = (v, lo, hi) => (isNum(v) && isNum(lo) && isNum(hi) ? `${fmt(v)} [${fmt(lo)}, ${fmt(hi)}]` : fmt(v));

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v; else node.setAttribute(k, v === true ? "" : v);
    }
    // children nest to any depth (a cell of [value, " ", <span>] inside a list of parts): every level flattened,
    // so a node is appended as a node, never joined into a string as "[object HTMLSpanElement]"
    for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  const badge = (type) => el("span", { class: `badge type-${type}` }, type);
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

  const KIND_ROWS = Object.values(KIND_TABLES).flatMap((k) => k.rows);
  const tasks = [...new Set(OVERALL.map((r) => r.task).concat(PER_DIM.map((r) => r.task), PREFERENCE.map((r) => r.task), COACH.map((r) => r.task), KIND_ROWS.map((r) => r.task)))];
  // the registered kind whose table has the task's rows (its task file's kind first); null: none has
  const statKind = (t) => {
    const names = Object.keys(KIND_TABLES).filter((k) => KIND_TABLES[k].rows.some((r) => r.task === t));
    return names.includes(TASKS[t] && TASKS[t].kind) ? TASKS[t].kind : names[0] ?? null;
  };
  // a task's view: rate, compare (choices between two items), coach (feedback) by its task file, "stat" for a
  // registered kind with a table of its own; without a kind, by its rows
  const taskKind = (t) => {
    const kind = TASKS[t] && TASKS[t].kind;
    if (kind === "rate" || kind === "compare" || kind === "coach") return kind;
    if (statKind(t) !== null) return "stat";
    if (kind || OVERALL.some((r) => r.task === t)) return "rate";
    return PREFERENCE.some((r) => r.task === t) ? "compare" : COACH.some((r) => r.task === t) ? "coach" : "rate";
  };
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
    const col = sort.key === null ? null : columns.find((c) => c.key === sort.key) || columns[0];  // null: the data's order
    const sign = sort.dir === "asc" ? 1 : -1;
    const order = rows.map((r, i) => [r, i]).sort((a, b) => {
      if (!col) return a[1] - b[1];
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

  // One cell per cell format (see leaderboard/columns.py for what each format means).
  const CELLS = {
    rater: (r) => [el("span", { class: "rater-name" }, r.rater), r.fitted_on_task ? el("span", { class: "fitted" }, " fitted on these items") : "", reportedMark(r), el("code", { class: "model", title: r.model || null }, r.model || DASH)],
    text: (r, c) => (c.key === "rater_type" ? badge(typeOf(r)) : String(r[c.key] ?? DASH)),
    ci: (r, c) => withCI(r[c.key], r[`${c.key}_low`], r[`${c.key}_high`]),
    alpha: (r, c) => {  // the shuffled rater's alpha in parentheses after the interval, on the interval's line
      const cell = withCI(r[c.key], r[`${c.key}_low`], r[`${c.key}_high`]);
      // the ceiling's alpha is the experts' own (no rater added): said where the others show their shuffled value
      const own = isExpert(r) && isNum(r[c.key]);
      if (!own && !isNum(r[`${c.key}_shuffled`])) return cell;
      const shuffled = own ? " (experts' own alpha)" : ` (${fmt(r[`${c.key}_shuffled`])})`;
      if (Array.isArray(cell)) { cell[2].append(el("span", { class: "shuffled" }, shuffled)); return cell; }
      return [cell, el("span", { class: "ci shuffled" }, shuffled)];
    },
    number: (r, c) => num(r[c.key]),
    count: (r, c) => (isNum(r[c.key]) ? grouped(String(r[c.key])) : num(null)),
    money: (r, c) => (isNum(r[c.key]) ? "$" + grouped(fmt(r[c.key])) : num(null)),
    verdict: altTest,
    rank: (r) => (isNum(r.rank) ? [String(r.rank), " ", isNum(r.rank_low) && isNum(r.rank_high) ? el("span", { class: "ci" }, `[${r.rank_low}, ${r.rank_high}]`) : ""] : num(null)),
  };
  const SORT_VALUE = { verdict: (r) => r.alt_test_winning_rate, rater: (r) => r.rater };
  const tableColumns = (defs) => defs.map((c) => ({
    key: c.key, label: c.label, title: c.title, text: c.cell === "rater" || c.cell === "text",
    value: SORT_VALUE[c.cell] || ((r) => r[c.key]), cell: (r) => (CELLS[c.cell] || CELLS.number)(r, c), cls: `col-${c.cell}`,
  }));
  const OVERALL_COLUMNS = tableColumns(COLUMNS);
  const PREFERENCE_COLUMNS = tableColumns(COMPARE_COLUMNS);
  function altTest(r) {
    if (r.alt_test_passed === null || r.alt_test_passed === undefined) return num(null);
    const passed = r.alt_test_passed === true;
    const shown = r.alt_test_verdict || (passed ? "pass" : "fail");
    return [el("span", { class: passed ? "pass" : "fail" }, (passed ? "\u2713 " : "\u2717 ") + shown), " ", el("span", { class: "ci" }, fmt(r.alt_test_winning_rate))];
  }
  const rowClass = (r) => `type-${typeOf(r)}${isExpert(r) ? " ceiling-row" : ""}${r.provenance === "reported" ? " reported-row" : ""}`;
  // a row whose figures were submitted without logs (or whose bundle verify has not passed): leaderboard/provenance.py
  const REPORTED_TITLE = "Reported, not verified: submitted without logs (or in a bundle empathy-bench verify has not passed); the figures are the submitter's and were not recomputed here.";
  const reportedMark = (r) => (r.provenance === "reported" ? el("span", { class: "reported", title: REPORTED_TITLE }, " reported, not verified") : "");
  const overallSort = { key: "qwk_loo", dir: "desc" };  // the headline, like for like with the ceiling (empty: the board's order)

  // ---------- colour scale (diverging around 0 = chance) ----------
  const STOPS = [[-0.2, [214, 96, 77]], [0, [247, 247, 247]], [0.25, [209, 229, 240]], [0.5, [146, 197, 222]], [0.75, [67, 147, 195]], [1, [33, 102, 172]]];
  // a colour ramp through its stops, values beyond the ends taking the end colours
  function rampColor(stops, v) {
    const x = Math.max(stops[0][0], Math.min(stops[stops.length - 1][0], v));
    for (let i = 1; i < stops.length; i++) {
      const [x0, c0] = stops[i - 1], [x1, c1] = stops[i];
      if (x <= x1) {
        const t = (x - x0) / (x1 - x0);
        return `rgb(${c0.map((c, j) => Math.round(c + t * (c1[j] - c))).join(", ")})`;
      }
    }
    return `rgb(${stops[stops.length - 1][1].join(", ")})`;
  }
  const qwkColor = (v) => rampColor(STOPS, v);
  const QWK_SCALE = { color: qwkColor, dark: (v) => v > 0.62 || v < -0.12 };
  // Bias probes' changes: diverging around 0 (no change), symmetric to +-limit; brown lower, teal higher.
  const changeScale = (limit) => {
    const stops = [[-limit, [140, 81, 10]], [-limit / 2, [216, 179, 101]], [0, [245, 245, 245]], [limit / 2, [90, 180, 172]], [limit, [1, 102, 94]]];
    return { stops, color: (v) => rampColor(stops, v), dark: (v) => Math.abs(v) > 0.6 * limit };
  };
  // a legend: the ramp as a bar with ticks under it, a title before it and a sentence after it
  function legendNodes(stops, tickValues, digits, ariaLabel, title, sentence) {
    const lo = stops[0][0], hi = stops[stops.length - 1][0];
    const pos = (v) => ((v - lo) / (hi - lo)) * 100;
    const bar = el("div", { class: "legend-bar", role: "img", "aria-label": ariaLabel });
    bar.style.background = `linear-gradient(to right, ${stops.map(([v, c]) => `rgb(${c.join(", ")}) ${pos(v).toFixed(1)}%`).join(", ")})`;
    const ticks = el("div", { class: "legend-ticks", "aria-hidden": "true" });
    for (const v of tickValues) {
      const t = el("span", {}, fmt(v, digits));
      t.style.left = `${pos(v).toFixed(1)}%`;
      ticks.append(t);
    }
    return [el("span", { class: "legend-title" }, title), el("span", { class: "legend-scale" }, bar, ticks), el("span", { class: "legend-text" }, sentence)];
  }
  // the legend of a kappa's colour scale (QWK in the heatmap, Cohen's kappa in the coach's targeting grid)
  const kappaLegend = (title) => legendNodes(STOPS, [-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1], 1,
    "colour scale from -0.2 (red, worse than chance) through 0 (white, chance) to 1 (blue, perfect agreement)", title,
    "red: below chance \u00B7 white: chance (0) \u00B7 blue: up to perfect agreement (1). Values below \u22120.2 take the \u22120.2 colour; hatched: not available.");
  function renderLegend() {
    document.getElementById("heatmap-legend").replaceChildren(...kappaLegend("Cell colour = QWK"));
    document.getElementById("coach-dims-legend").replaceChildren(...kappaLegend("Cell colour = targeting kappa"));
  }
  // What each human row is: the labels the source cards give (with the tasks they appear on), then the ceiling.
  const CEILING_ABOUT = "each expert against the median of the other experts, averaged over the experts: the human ceiling every rater is read against";
  function renderHumanLegend() {
    const entries = new Map();  // "label\u0000about" -> the titles of the tasks it appears on
    for (const [t, info] of Object.entries(TASKS)) {
      for (const h of (info && info.human_rows) || []) {
        const key = `${h.label}\u0000${h.about}`;
        if (!entries.has(key)) entries.set(key, { label: h.label, about: h.about, tasks: [] });
        entries.get(key).tasks.push(taskTitle(t));
      }
    }
    const ceiling = OVERALL.concat(PREFERENCE, COACH).find(isExpert);
    const items = [...entries.values()].flatMap((e) => [el("dt", {}, e.label), el("dd", {}, `${e.about} (${e.tasks.join("; ")})`)]);
    if (ceiling) items.push(el("dt", {}, ceiling.rater), el("dd", {}, CEILING_ABOUT));
    const legend = document.getElementById("human-legend");
    legend.hidden = !items.length;
    legend.replaceChildren(...items);
  }
  // one heatmap cell: the value on its scale's colour (hatched when there is none)
  function heatCell(v, title, extra, scale = QWK_SCALE) {
    const td = el("td", { class: `heatmap-cell${extra}${isNum(v) ? (scale.dark(v) ? " dark" : "") : " null"}`, title, "data-value": isNum(v) ? fmt(v) : null }, isNum(v) ? fmt(v) : DASH);
    if (isNum(v)) td.style.background = scale.color(v);
    return td;
  }

  // ---------- rater x dimension grids (the heatmap, each bias probe's changes, a coach's targeting) ----------
  const raterCell = (name, row) => el("td", { class: "text rater" }, el("span", { class: "rater-name" }, name), badge(typeOf(row)));
  // Heat cells into a table's head and body: a row per name (rowOf(name) gives its rater type and marks), a
  // column per dimension (its header head(d), hover text headTitle(d)), then any extra columns
  // ({ head: th, cell: (name) => td }); cell(name, d) is [value, hover text], a null value hatched.
  function dimensionGrid(table, { names, rowOf, dimensions, cell, head = dimLabel, headTitle = (d) => d, scale = QWK_SCALE, extra = [] }) {
    table.tHead.replaceChildren(el("tr", {}, el("th", { scope: "col", class: "text", "data-key": "rater" }, "Rater"),
      dimensions.map((d) => el("th", { scope: "col", title: headTitle(d), "data-key": d }, head(d))), extra.map((x) => x.head)));
    table.tBodies[0].replaceChildren(...names.map((name) => el("tr", { class: rowClass(rowOf(name)), "data-rater": name },
      raterCell(name, rowOf(name)),
      dimensions.map((d) => { const [v, title] = cell(name, d); return heatCell(v, title, "", scale); }),
      extra.map((x) => x.cell(name)))));
  }
  // the cells' rows by (rater, dimension), and the names in the given order, then any others the cells have
  const cellIndex = (cells) => new Map(cells.map((c) => [`${c.rater}\u0000${c.dimension}`, c]));
  const cellOf = (index, name, dim) => index.get(`${name}\u0000${dim}`);
  const gridNames = (order, cells) => [...new Set(order.filter((n) => cells.some((c) => c.rater === n)).concat(cells.map((c) => c.rater)))];

  // ---------- heatmap ----------
  function renderHeatmap(rows) {
    const cells = PER_DIM.filter((r) => r.task === state.task);
    const byKey = cellIndex(cells);
    const overallBy = new Map(rows.map((r) => [r.rater, r]));
    dimensionGrid(document.getElementById("heatmap"), {
      names: [...new Set(ranked(rows).map((r) => r.rater).concat(cells.map((r) => r.rater)))],
      rowOf: (name) => overallBy.get(name) || cells.find((c) => c.rater === name),
      dimensions: [...new Set(cells.map((r) => r.dimension))],
      cell: (name, d) => {
        const c = cellOf(byKey, name, d);
        if (!c) return [null, `${name}, ${dimLabel(d)}: no rating`];
        return [c.qwk, `${name}, ${dimLabel(d)}: QWK ${ciText(c.qwk, c.qwk_low, c.qwk_high)}; Spearman ${fmt(c.spearman)}; alpha with rater ${fmt(c.alpha)} (shuffled ${fmt(c.alpha_shuffled)}); alt-test on this dimension ${c.alt_test_passed === null || c.alt_test_passed === undefined ? DASH : (c.alt_test_passed ? "pass" : "fail") + " (" + fmt(c.alt_test_winning_rate) + ")"}; n = ${isNum(c.n) ? c.n : DASH}`];
      },
      extra: [{
        head: el("th", { scope: "col", class: "mean", "data-key": "mean" }, "mean"),
        cell: (name) => { const o = overallBy.get(name); return heatCell(o ? o.qwk : null, `${name}: mean QWK over dimensions ${o ? ciText(o.qwk, o.qwk_low, o.qwk_high) : DASH}`, " mean"); },
      }],
    });
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
    const pts = ranked(rows.filter((r) => r.rater_type !== "human" && isNum(r.qwk)));
    const missing = rows.filter((r) => r.rater_type !== "human" && !isNum(r.qwk)).map((r) => r.rater);
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
      parts.push(text(W - m.r + 5, y - 3, name === "crowd" ? HUMAN_ROW_NAMES[ref.role] : "expert", "ref-label"));
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
      const k = typeOf(it.r), r = it.r;
      const tip = `${r.rater} (${k}): QWK ${ciText(r.qwk, r.qwk_low, r.qwk_high)}; ${isNum(r.usd_per_1k) && r.usd_per_1k > 0 ? usd(r.usd_per_1k) + " per 1,000 items" : "no cost in the logs"}`;
      let g = `<g class="point-group" data-rater="${esc(r.rater)}"><title>${esc(tip)}</title>`;
      if (isNum(r.qwk_low) && isNum(r.qwk_high)) {
        const y1 = sy(r.qwk_high), y2 = sy(r.qwk_low);
        g += line(it.x, y1, it.x, y2, `errorbar type-${k}-stroke`);
        g += line(it.x - 4, y1, it.x + 4, y1, `errorbar-cap type-${k}-stroke`) + line(it.x - 4, y2, it.x + 4, y2, `errorbar-cap type-${k}-stroke`);
      }
      g += `<circle class="point type-${k}-fill" cx="${r1(it.x)}" cy="${r1(it.y)}" r="5"/></g>`;
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
      const k = typeOf(r);
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
      const k = typeOf(r), y = m.t + (i + 0.5) * rowH;
      const name = r.rater.length > 30 ? r.rater.slice(0, 29) + "\u2026" : r.rater;
      parts.push(`<circle class="type-${k}-fill legend-dot" cx="${r1(m.l - 12)}" cy="${r1(y)}" r="3.5"/>`);
      parts.push(text(m.l - 20, y + 4, name, "rater-label", "end", k === "human" ? ' font-style="italic"' : ""));
      parts.push(text(W - m.r + 8, y + 4, ciText(r.qwk, r.qwk_low, r.qwk_high), "ci-text"));
      if (!isNum(r.qwk)) { parts.push(text(sx(0) + 6, y + 4, "no QWK", "empty")); return; }
      let g = `<g class="forest-row" data-rater="${esc(r.rater)}"><title>${esc(`${r.rater} (${k}): QWK ${ciText(r.qwk, r.qwk_low, r.qwk_high)}`)}</title>`;
      if (isNum(r.qwk_low) && isNum(r.qwk_high)) {
        g += line(sx(r.qwk_low), y, sx(r.qwk_high), y, `errorbar type-${k}-stroke`);
        g += line(sx(r.qwk_low), y - 4, sx(r.qwk_low), y + 4, `errorbar-cap type-${k}-stroke`) + line(sx(r.qwk_high), y - 4, sx(r.qwk_high), y + 4, `errorbar-cap type-${k}-stroke`);
      }
      g += `<circle class="point type-${k}-fill" cx="${r1(sx(r.qwk))}" cy="${r1(y)}" r="5"/></g>`;
      parts.push(g);
    });
    document.getElementById("forest-wrap").innerHTML =
      `<svg id="forest" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="forest-title"><title id="forest-title">QWK of each rater on ${esc(taskTitle(state.task))} with 95% intervals</title>${parts.join("")}</svg>`;
  }

  // ---------- overall score (Lend an Ear) ----------
  const SCORE_COLUMNS = [
    { key: "rater", label: "Rater", text: true, value: (r) => r.rater, cell: (r) => el("span", { class: "rater-name" }, r.rater) },
    { key: "rater_type", label: "Type", text: true, value: (r) => r.rater_type, cell: (r) => badge(typeOf(r)) },
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

  // ---------- provenance: verified and reported rows (leaderboard/provenance.py) ----------
  const PROVENANCE = DATA.provenance || [];
  function renderProvenance() {
    const verified = PROVENANCE.filter((p) => p.status === "verified").length;
    const reported = PROVENANCE.length - verified;
    const submitted = PROVENANCE.filter((p) => p.bundle);
    document.getElementById("provenance-counts").textContent =
      `${plural(verified, "row")} verified, ${plural(reported, "row")} reported${DATA.verified_only ? " (only verified rows are shown: --verified-only)" : ""}.`;
    const list = document.getElementById("provenance-list");
    list.replaceChildren(...submitted.map((p) => el("li", { class: p.status === "reported" ? "reported-item" : null, "data-status": p.status },
      el("span", { class: "rater-name" }, `${taskTitle(p.task)} / ${p.rater}`), ": ", el("b", {}, p.status), `, ${p.via}`)));
    list.hidden = !submitted.length;
  }

  // ---------- recipient perspective (leaderboard/recipient.py) ----------
  // Each table says what its figures are (`about`), its columns and their names (`labels`): an
  // agreement table (the client's own answers on the rubric judged) or an outcome table (another
  // rubric's overall score correlated with what the client reported).
  const RECIPIENT = DATA.recipient || [];
  function renderRecipient() {
    const section = document.getElementById("recipient-section");
    if (!RECIPIENT.length) { section.hidden = true; return; }
    const holder = document.getElementById("recipient");
    const figure = (f) => (f ? (isNum(f.value) ? [withCI(f.value, f.low, f.high), ` (n=${f.n})`] : `not defined (n=${f.n})`) : num(null));
    const mkTable = (caption, head, rows) => el("div", { class: "table-wrap" }, el("table", { class: "recipient" },
      el("caption", { class: "sr-only" }, caption),
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c)))))));
    for (const t of RECIPIENT) {
      const label = (name) => t.labels[name] || name;
      const raters = [...new Set(t.figures.filter((f) => f.rater !== "yardstick").map((f) => f.rater))];
      const of = (r, name) => t.figures.find((f) => f.rater === r && f.figure === name);
      const rows = raters.map((r) => [el("span", { class: "rater-name" }, r), badge(t.figures.find((f) => f.rater === r).rater_type)]
        .concat(t.columns.map((c) => figure(of(r, c)))));
      const yard = t.figures.filter((f) => f.rater === "yardstick").map((f) => [label(f.figure), figure(f)]);
      holder.append(el("h3", { id: `recipient-${t.task}` }, `${t.title || taskTitle(t.task)} (${t.task})`),
        el("p", {}, t.about), el("p", { class: "note" }, `Reference: ${t.reference}.`),
        mkTable(`${t.task}: each rater's figures`, ["Rater", "Type"].concat(t.columns.map(label)), rows),
        el("p", {}, "Yardsticks (no leave-one-out ceiling):"),
        mkTable(`${t.task}: yardsticks`, ["Yardstick", "Value [95% CI] (n)"], yard),
        el("ul", { class: "note" }, t.notes.map((n) => el("li", {}, n))));
    }
  }

  // ---------- compare tasks: preference table and agreement by gap ----------
  const DERIVED_NOTE = "Reference choices are derived by this project from the experts' own ratings, not collected from people; rows marked (from ratings) turn a rater's ratings into choices and have no position statistics by construction.";
  const ONE_LABEL_NOTE = "One reference label per pair: no human ceiling.";
  const COLLECTED_NOTE = "Reference choices were made by people (collected, not derived from ratings).";
  const preferenceSorts = new Map();  // one sort per criterion, kept across tabs like the rate table's
  const ratingsRowClass = (r) => rowClass(r) + (r.from_ratings ? " from-ratings" : "");  // preference and coach rows
  const idPart = (s) => String(s).replace(/[^A-Za-z0-9_-]/g, "_");
  const plural = (n, word) => `${grouped(String(n))} ${word}${n === 1 ? "" : "s"}`;
  const criteriaOf = (task) => [...new Set(PREFERENCE.filter((r) => r.task === task).map((r) => r.criterion)
    .concat(BY_GAP.filter((g) => g.task === task).map((g) => g.criterion)))];

  function renderCompare() {
    const task = state.task;
    const rows = PREFERENCE.filter((r) => r.task === task);
    const criteria = criteriaOf(task);
    document.getElementById("compare-title").textContent = `Preference agreement \u2014 ${taskTitle(task)}`;
    const raters = new Set(rows.map((r) => r.rater));
    const pairs = [...new Set(rows.map((r) => r.n_pairs).filter(isNum))];
    const note = [plural(raters.size, "rater")];
    if (pairs.length) note.push(`${pairs.map((n) => grouped(String(n))).join(" / ")} pairs`);
    if (criteria.length > 1) note.push(`${criteria.length} criteria`);
    note.push(`task id ${task}`);
    document.getElementById("compare-note").textContent = note.join(" \u00B7 ") + ".";
    document.getElementById("compare-description").textContent = (TASKS[task] && TASKS[task].description) || "";
    // the task file says whether its preferences are derived; the rows only say if there is a ceiling
    const derived = Boolean(TASKS[task] && TASKS[task].derived_preferences);
    const ceiling = rows.some(isExpert);
    const ref = document.getElementById("compare-reference-note");
    ref.textContent = derived ? DERIVED_NOTE : ceiling ? COLLECTED_NOTE : ONE_LABEL_NOTE;
    ref.className = `note reference-note ${derived ? "derived" : ceiling ? "collected" : "single"}`;
    document.getElementById("compare-criteria").replaceChildren(...criteria.map((c) => criterionBlock(task, c, rows.filter((r) => r.criterion === c), criteria.length > 1)));
  }

  function criterionBlock(task, criterion, rows, titled) {
    const id = idPart(criterion);
    const table = el("table", { id: `preference-${id}`, class: "sortable preference" },
      el("caption", { class: "sr-only" }, `Agreement of each rater's choices with the reference on ${taskTitle(task)}, criterion ${dimLabel(criterion)}; click a column header to sort.`),
      el("thead"), el("tbody"));
    if (!preferenceSorts.has(criterion)) preferenceSorts.set(criterion, { key: "accuracy", dir: "desc" });
    sortableTable(table, PREFERENCE_COLUMNS, rows, preferenceSorts.get(criterion), ratingsRowClass);
    const block = el("div", { class: "criterion-block", "data-criterion": criterion },
      el("h3", { class: "criterion-title" }, titled ? `Criterion: ${dimLabel(criterion)}` : `Choices on the criterion \u201C${dimLabel(criterion)}\u201D`),
      el("div", { class: "table-wrap" }, table),
      el("p", { class: "hint" }, "Click a column header to sort; click again to reverse. Empty values always sort last."));
    block.append(gapFigure(task, criterion, rows));
    return block;
  }

  // Accuracy by the reference's score gap: one line per rater over the gap bins, in order.
  const SERIES_COLOURS = ["#1d4ed8", "#7c3aed", "#059669", "#db2777", "#0891b2", "#dc2626", "#4d7c0f", "#1e293b", "#a855f7", "#6b7280"];  // none near the humans' brown
  const HUMAN_COLOUR = "#b45309";
  function gapFigure(task, criterion, rows) {
    const id = idPart(criterion);
    const gaps = BY_GAP.filter((g) => g.task === task && g.criterion === criterion);
    const wrap = el("div", { class: "gap-block" }, el("h4", { class: "gap-title" }, "Agreement by the reference's score gap"));
    if (!gaps.length) {
      wrap.append(el("p", { class: "note gap-skipped" }, "Not plotted: the reference gives this task's pairs no score gap, so there is no agreement by gap to show."));
      return wrap;
    }
    // bins in order of their lower edge (the data's order breaks ties)
    const lows = new Map();
    for (const g of gaps) if (!lows.has(g.bin)) lows.set(g.bin, isNum(g.low) ? g.low : Infinity);
    const bins = [...lows.keys()].map((b, i) => [b, i]).sort((a, b) => lows.get(a[0]) - lows.get(b[0]) || a[1] - b[1]).map((p) => p[0]);
    const names = [...new Set(rows.map((r) => r.rater).concat(gaps.map((g) => g.rater)))].filter((n) => gaps.some((g) => g.rater === n));
    const rowBy = new Map(rows.map((r) => [r.rater, r]));
    const cellBy = new Map(gaps.map((g) => [`${g.rater}\u0000${g.bin}`, g]));
    const roleOf = (name) => { const r = rowBy.get(name) || gaps.find((g) => g.rater === name); return r.role === "ceiling" ? "ceiling" : isCrowd(r) ? "crowd" : "rater"; };
    const typeOfName = (name) => typeOf(rowBy.get(name) || gaps.find((g) => g.rater === name));
    let colourIndex = 0;
    const series = names.map((name) => {
      const role = roleOf(name);
      const colour = role === "rater" ? SERIES_COLOURS[colourIndex++ % SERIES_COLOURS.length] : HUMAN_COLOUR;
      const points = bins.map((b, i) => ({ bin: b, i, g: cellBy.get(`${name}\u0000${b}`) }));
      return { name, role, type: typeOfName(name), colour, points };
    });

    const W = 760, H = 380, m = { l: 50, r: 220, t: 16, b: 64 };
    const pw = W - m.l - m.r, ph = H - m.t - m.b;
    const sx = (i) => m.l + ((i + 0.5) * pw) / bins.length;
    const sy = (v) => m.t + (1 - v) * ph;
    const shown = (p) => p.g && isNum(p.g.accuracy) && isNum(p.g.n) && p.g.n > 0;
    const parts = [];
    for (let k = 0; k <= 5; k++) {
      const v = k / 5;
      parts.push(line(m.l, sy(v), m.l + pw, sy(v), "grid"));
      parts.push(`<g class="tick">${text(m.l - 6, sy(v) + 3.5, fmt(v, 1), "", "end")}</g>`);
    }
    parts.push(line(m.l, sy(0.5), m.l + pw, sy(0.5), "half"));
    parts.push(text(14, m.t + ph / 2, "accuracy vs reference", "axis-label", "middle", ` transform="rotate(-90 14 ${r1(m.t + ph / 2)})"`));
    bins.forEach((b, i) => {
      const ns = gaps.filter((g) => g.bin === b).map((g) => g.n).filter(isNum);
      const lo = Math.min(...ns), hi = Math.max(...ns);
      const nText = !ns.length || hi <= 0 ? "no pairs" : lo === hi ? `n = ${grouped(String(hi))}` : `n = ${grouped(String(lo))}\u2013${grouped(String(hi))}`;
      parts.push(line(sx(i), m.t + ph, sx(i), m.t + ph + 4, "axis"));
      parts.push(`<g class="tick">${text(sx(i), m.t + ph + 16, b, "", "middle")}</g>`);
      parts.push(text(sx(i), m.t + ph + 29, nText, "bin-n", "middle"));
    });
    parts.push(text(m.l + pw / 2, H - 10, "gap in the reference's score between the two conversations", "axis-label", "middle"));
    parts.push(line(m.l, m.t + ph, m.l + pw, m.t + ph, "axis"));
    parts.push(line(m.l, m.t, m.l, m.t + ph, "axis"));
    // humans last, so the ceiling and the crowd are drawn on top
    const drawOrder = series.filter((s) => s.role === "rater").concat(series.filter((s) => s.role !== "rater"));
    const ends = [];
    for (const s of drawOrder) {
      let d = "", open = false;
      for (const p of s.points) {
        if (!shown(p)) { open = false; continue; }
        d += `${open ? "L" : "M"}${r1(sx(p.i))} ${r1(sy(p.g.accuracy))}`;
        open = true;
      }
      const cls = s.role === "rater" ? `gap-line${s.type === "baseline" ? " baseline-line" : ""}` : `gap-line ${s.role}-gap-line`;
      let g = `<g class="gap-series role-${s.role}" data-rater="${esc(s.name)}" data-role="${s.role}">`;
      g += `<path class="${cls}" d="${d}" stroke="${s.colour}" fill="none"/>`;
      for (const p of s.points.filter(shown)) {
        const x = sx(p.i), y = sy(p.g.accuracy);
        const tip = `${s.name}, gap ${p.bin}: accuracy ${fmt(p.g.accuracy)} (n = ${grouped(String(p.g.n))})`;
        const mark = s.role === "ceiling" ? `<rect x="${r1(x - 4)}" y="${r1(y - 4)}" width="8" height="8" fill="${s.colour}"/>`
          : s.role === "crowd" ? `<path d="M${r1(x)} ${r1(y - 5)}L${r1(x + 5)} ${r1(y)}L${r1(x)} ${r1(y + 5)}L${r1(x - 5)} ${r1(y)}Z" fill="${s.colour}"/>`
          : `<circle cx="${r1(x)}" cy="${r1(y)}" r="3.5" fill="${s.colour}"/>`;
        g += `<g class="gap-point" data-bin="${esc(p.bin)}" data-n="${p.g.n}"><title>${esc(tip)}</title>${mark}</g>`;
      }
      parts.push(g + "</g>");
      const last = s.points.filter(shown).pop();
      if (last) ends.push({ s, x: sx(last.i), y: sy(last.g.accuracy) });
    }
    // names at the right, in the order of their lines' ends, pushed apart so none overlap
    ends.sort((a, b) => a.y - b.y || names.indexOf(a.s.name) - names.indexOf(b.s.name));
    const step = 12.5, top = m.t + 4, bottom = m.t + ph + 4;
    const ly = ends.map((e) => e.y + 4);
    for (let i = 0; i < ly.length; i++) ly[i] = Math.max(ly[i], i ? ly[i - 1] + step : top);
    for (let i = ly.length - 1; i >= 0; i--) ly[i] = Math.min(ly[i], i < ly.length - 1 ? ly[i + 1] - step : bottom);
    const lx = m.l + pw + 14;
    ends.forEach((e, i) => {
      const name = e.s.name.length > 34 ? e.s.name.slice(0, 33) + "\u2026" : e.s.name;
      parts.push(line(e.x + 5, e.y, lx - 3, ly[i] - 4, "leader"));
      parts.push(text(lx, ly[i], name, `series-label role-${e.s.role}`, "start", ` fill="${e.s.colour}" data-rater="${esc(e.s.name)}"`));
    });
    const plot = el("div", { class: "plot gap-plot" });
    plot.innerHTML = `<svg id="gap-${id}" class="gap-svg" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="gap-${id}-title"><title id="gap-${id}-title">Accuracy of each rater's choices on ${esc(taskTitle(task))} (${esc(dimLabel(criterion))}) by the reference's score gap between the two conversations; the numbers are in the table below the plot</title>${parts.join("")}</svg>`;
    const missing = series.filter((s) => !s.points.some(shown)).map((s) => s.name);
    const caption = el("figcaption", {}, "x: the gap between the reference's scores of the two conversations, in bins (under each, the number of choices n in it; raters judged in both orders count each pair twice). ",
      "y: the share of a rater's choices that equal the reference, on pairs whose reference is not a tie. One line per rater, named at its end; hover a point for its n. ",
      "Brown dashed with squares: the human expert ceiling; brown dotted with diamonds: the crowd. The grey dashed line at 0.5 is what a rater that always picks the same side scores.",
      missing.length ? ` Not plotted (no choices in any bin): ${missing.join(", ")}.` : "");
    const dataTable = el("table", { id: `gap-table-${id}`, class: "gap-table" },
      el("caption", { class: "sr-only" }, `Accuracy and number of choices n per rater and gap bin on ${taskTitle(task)} (${dimLabel(criterion)}).`),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", class: "text" }, "Rater"), bins.map((b) => el("th", { scope: "col" }, `gap ${b}`)))),
      el("tbody", {}, series.map((s) => el("tr", { class: `type-${s.type}${s.role === "ceiling" ? " ceiling-row" : ""}`, "data-rater": s.name },
        el("th", { scope: "row", class: "text" }, el("span", { class: "rater-name" }, s.name)),
        s.points.map((p) => el("td", { "data-bin": p.bin }, p.g ? [num(p.g.accuracy), " ", el("span", { class: "ci" }, `(n = ${isNum(p.g.n) ? grouped(String(p.g.n)) : DASH})`)] : num(null)))))));
    wrap.append(el("figure", { class: "plot-figure gap-figure" }, plot, caption),
      el("details", { class: "gap-data" }, el("summary", {}, "The plotted numbers: accuracy (n) per rater and gap bin"), el("div", { class: "table-wrap" }, dataTable)));
    return wrap;
  }

  // ---------- coach tasks: the coach table, what its reference is, its grader, targeting per dimension ----------
  const COACH_TABLE_COLUMNS = tableColumns(COACH_COLUMN_DEFS);
  const coachSort = { key: "mean_kappa_loo", dir: "desc" };  // kept across tabs like the rate table's
  const threshold = (v) => (isNum(v) ? String(v) : DASH);  // a threshold on the rubric's scale, as the task file has it
  // What the coach task's reference is: derived by this project from the experts' ratings, by the task file's thresholds.
  function profileNote(profile) {
    const p = profile || {};
    const rule = profile
      ? `: a prescriptive dimension the experts' median rates at most ${threshold(p.problem_prescriptive_at_most)} is a problem and at least ${threshold(p.strength_prescriptive_at_least)} a strength; a proscriptive one rated at least ${threshold(p.problem_proscriptive_at_least)} is a problem and at most ${threshold(p.strength_proscriptive_at_most)} a strength`
      : " (the leaderboard data does not say by which thresholds)";
    return `The \u201Cexpert-flagged problems\u201D and \u201Cstrengths\u201D are this project's construction from the median of the experts' ratings, not feedback the experts gave${rule}. ` +
      `Rows from ratings (the expert ceiling, the crowd and judges marked \u201C(as coach)\u201D) read a rater's own ratings as feedback (problems worst first, strengths praised): they have no quotes or rewrites, so grounding, evidence and uplift are ${DASH}.`;
  }
  // Whose re-ratings the uplift is, and how far that grader itself agrees with the experts.
  function graderNote(task, rows) {
    const graded = rows.filter((r) => !r.from_ratings && r.grader);
    const graders = [...new Set(graded.map((r) => r.grader))];
    if (!graders.length && TASKS[task] && TASKS[task].grader) graders.push(TASKS[task].grader);
    if (!graders.length) return "No coach on this task has a grader, so no rewrite was re-rated.";
    return graders.map((g) => {
      const q = (graded.find((r) => r.grader === g && isNum(r.grader_qwk)) || {}).grader_qwk;
      if (!isNum(q)) return `Uplift graded by ${g}, whose own QWK with the experts is not on this leaderboard (${DASH}): an uplift is only as trustworthy as its grader.`;
      const rate = OVERALL.find((r) => r.rater === g && r.qwk === q);  // the rate task the QWK is from, where the board has it
      return `Uplift graded by ${g}, whose QWK with the experts on the rate task${rate ? ` (${taskTitle(rate.task)})` : ""} is ${fmt(q)}: an uplift is only as trustworthy as its grader.`;
    }).join(" ");
  }

  function renderCoach() {
    const task = state.task;
    const rows = COACH.filter((r) => r.task === task);
    const info = TASKS[task] || {};
    document.getElementById("coach-title").textContent = `Coach feedback \u2014 ${taskTitle(task)}`;
    const items = [...new Set(rows.map((r) => r.n_items).filter(isNum))];
    const note = [plural(rows.length, "rater")];
    if (items.length) note.push(`${items.map((n) => grouped(String(n))).join(" / ")} conversations`);
    note.push(`task id ${task}`);
    document.getElementById("coach-note").textContent = note.join(" \u00B7 ") + ".";
    document.getElementById("coach-description").textContent = info.description || "";
    document.getElementById("coach-reference-note").textContent = profileNote(info.profile);
    document.getElementById("coach-grader-note").textContent = graderNote(task, rows);
    sortableTable(document.getElementById("coach"), COACH_TABLE_COLUMNS, rows, coachSort, ratingsRowClass);
    renderCoachDimensions(task, rows);
  }

  // Targeting kappa per rater and dimension; under each dimension, how often the experts flag it.
  function renderCoachDimensions(task, rows) {
    const dims = COACH_BY_DIM.filter((d) => d.task === task);
    document.getElementById("coach-dimensions").hidden = !dims.length;
    if (!dims.length) return;
    const byKey = cellIndex(dims);
    const rowBy = new Map(rows.map((r) => [r.rater, r]));
    const dimensions = [...new Set(dims.map((d) => d.dimension))];
    // the base rate from the row over the most conversations (raters may cover different ones)
    const base = new Map(dimensions.map((dim) => {
      const known = dims.filter((d) => d.dimension === dim && isNum(d.base_rate));
      const widest = known.sort((a, b) => (isNum(b.n) ? b.n : 0) - (isNum(a.n) ? a.n : 0))[0];  // stable: the first of the widest
      return [dim, widest ? widest.base_rate : null];
    }));
    dimensionGrid(document.getElementById("coach-dims"), {
      names: gridNames(rows.map((r) => r.rater), dims), rowOf: (name) => rowBy.get(name) || dims.find((d) => d.rater === name), dimensions,
      head: (d) => [dimLabel(d), " ", el("span", { class: "base-rate" }, `base rate ${fmt(base.get(d))}`)],
      headTitle: (d) => `${d}: the experts' profile flags it as a problem in ${fmt(base.get(d))} of the conversations`,
      cell: (name, dim) => {
        const d = cellOf(byKey, name, dim);
        if (!d) return [null, `${name}, ${dimLabel(dim)}: no figure`];
        const graded = isNum(d.targeted_change) || isNum(d.other_change)
          ? `; grader's change where a rewrite targeted it ${fmt(d.targeted_change)}, where it targeted another dimension ${fmt(d.other_change)}` : "";
        return [d.kappa, `${name}, ${dimLabel(dim)}: targeting kappa ${fmt(d.kappa)}; F1 ${fmt(d.f1)} (precision ${fmt(d.precision)}, recall ${fmt(d.recall)}); named as an improvement in ${fmt(d.flag_rate)} of the conversations, flagged by the experts in ${fmt(d.base_rate)}${graded}; n = ${isNum(d.n) ? d.n : DASH}`];
      },
    });
  }

  // ---------- a registered kind's table: its columns over its statistics (leaderboard/stat_table.py) ----------
  const statSorts = new Map();  // one sort per kind (its columns differ), kept across tabs
  // the task's rows of its kind's table, each with its provenance (board.py with_provenance)
  const statRows = (t) => ((KIND_TABLES[statKind(t)] || {}).rows || []).filter((r) => r.task === t);
  // a figure, then [low, high] under it where the column has an interval, and (n)
  function statCell(r, c) {
    const v = r[c.metric], low = r[`${c.metric}_low`], high = r[`${c.metric}_high`], n = r[`${c.metric}_n`];
    if (!isNum(v)) return num(v);
    const count = isNum(n) ? `(${grouped(String(n))})` : "";
    if (c.interval && isNum(low) && isNum(high)) return [fmt(v), " ", el("span", { class: "ci" }, `[${fmt(low)}, ${fmt(high)}]`, count ? ` ${count}` : "")];
    return count ? [fmt(v), " ", el("span", { class: "n" }, count)] : fmt(v);
  }
  const statColumns = (table) => [
    { key: "rater", label: "rater", text: true, value: (r) => r.rater, cell: (r) => [el("span", { class: "rater-name" }, r.rater), reportedMark(r)], cls: "col-rater" },
    { key: "rater_type", label: "type", text: true, value: (r) => r.rater_type, cell: (r) => badge(typeOf(r)), cls: "col-text" },
    ...table.columns.map((c, i) => ({
      key: `figure-${i}`, label: c.label + (c.lower_is_better ? " \u2193" : ""), cls: "col-ci",
      title: `${c.metric}: ${c.lower_is_better ? "lower" : "higher"} is better${c.interval ? "; 95% interval in brackets" : ""}; n in parentheses`,
      value: (r) => (isNum(r[c.metric]) ? r[c.metric] : null), cell: (r) => statCell(r, c),
    })),
  ];
  function renderKindTable() {
    const task = state.task, name = statKind(task), table = KIND_TABLES[name];
    const rows = statRows(task);
    document.getElementById("kind-title").textContent = `${table.title} \u2014 ${taskTitle(task)}`;
    document.getElementById("kind-note").textContent = [plural(rows.length, "rater"), `kind ${name}`, `task id ${task}`].join(" \u00B7 ") + ".";
    document.getElementById("kind-description").textContent = (TASKS[task] && TASKS[task].description) || "";
    // best first by its first column (lower first where lower is better); a click re-sorts as in every table
    const first = table.columns[0];
    if (!statSorts.has(name)) statSorts.set(name, { key: first ? "figure-0" : null, dir: first && first.lower_is_better ? "asc" : "desc" });
    sortableTable(document.getElementById("kind-table"), statColumns(table), rows, statSorts.get(name), rowClass);
  }

  // ---------- bias probes (every task kind alike) ----------
  const biasSorts = new Map();  // one sort per task (its columns differ), kept across tabs; null: the board's order
  const present = (v) => v !== null && v !== undefined;
  // the rater and its type, and every column with a figure in at least one row (board.py's used_columns)
  const usedColumns = (defs, rows) => defs.filter((c) => c.cell === "rater" || c.cell === "text" || rows.some((r) => present(r[c.key])));
  // each probe's headline column: its label names the change, its title says what it measures
  const PROBE_COLUMN = { attribution: "attribution_change", length: "lengthened_change" };

  function renderBias() {
    const task = state.task;
    const section = document.getElementById("bias-section");
    const rows = BIAS.filter((r) => r.task === task);
    section.hidden = !rows.length;
    if (!rows.length) return;
    document.getElementById("bias-title").textContent = `Bias probes \u2014 ${taskTitle(task)}`;
    // the rater cell's model (and fitted mark) from the task's own agreement row, where the probe row has none
    const source = new Map(OVERALL.concat(PREFERENCE, COACH).filter((r) => r.task === task).reverse().map((r) => [r.rater, r]));
    const shown = rows.map((r) => {
      const s = source.get(r.rater) || {};
      return { ...r, model: r.model ?? s.model, fitted_on_task: r.fitted_on_task ?? s.fitted_on_task };
    });
    if (!biasSorts.has(task)) biasSorts.set(task, { key: null, dir: "desc" });
    sortableTable(document.getElementById("bias"), tableColumns(usedColumns(BIAS_COLUMN_DEFS, rows)), shown, biasSorts.get(task), rowClass);
    const dims = BIAS_BY_DIM.filter((d) => d.task === task);
    const probes = [...new Set(dims.map((d) => d.probe))];
    const order = rows.map((r) => r.rater);
    const blocks = probes.map((p) => probeBlock(task, p, dims.filter((d) => d.probe === p), rows, order));
    const lengths = LENGTH_BY_DIM.filter((d) => d.task === task);
    if (lengths.length) blocks.push(lengthBlock(task, lengths, rows, order));
    document.getElementById("bias-dimensions").replaceChildren(...blocks);
  }

  // The length association per rater and dimension, then its magnitude (mean |rho|) and direction (overall score).
  const LENGTH_HEADS = { magnitude: "magnitude |\u03C1|", overall_score: "direction (overall score)" };
  function lengthBlock(task, cells, rows, order) {
    const byKey = cellIndex(cells);
    const rowBy = new Map(rows.map((r) => [r.rater, r]));
    const scale = changeScale(1);
    const table = el("table", { id: "bias-dims-length-association", class: "bias-dims" },
      el("caption", { class: "sr-only" }, `Length association per rater and dimension on ${taskTitle(task)}, with its magnitude and direction.`), el("thead"), el("tbody"));
    dimensionGrid(table, {
      names: gridNames(order, cells), rowOf: (name) => rowBy.get(name) || cells.find((d) => d.rater === name),
      dimensions: [...new Set(cells.map((d) => d.dimension))], scale,
      head: (d) => LENGTH_HEADS[d] || dimLabel(d),
      headTitle: (d) => (d === "magnitude" ? "mean over the dimensions of |partial rho|: how much the ratings follow length, in any direction"
        : d === "overall_score" ? "partial rho of the overall score (prescriptive minus proscriptive) given the reference's overall score: the direction" : d),
      cell: (name, dim) => {
        const d = cellOf(byKey, name, dim);
        if (!d) return [null, `${name}, ${LENGTH_HEADS[dim] || dimLabel(dim)}: no figure`];
        return [d.partial_spearman, `${name}, ${LENGTH_HEADS[dim] || dimLabel(dim)}: ${ciText(d.partial_spearman, d.low, d.high)}; n = ${isNum(d.n) ? d.n : DASH}`];
      },
    });
    const legend = el("div", { class: "legend" }, legendNodes(scale.stops, [-1, -0.5, 0, 0.5, 1], 1,
      "colour scale from -1 (brown, longer support rated lower) through 0 (white, no association) to 1 (teal, longer support rated higher)",
      "Cell colour = partial \u03C1", "brown: longer support rated lower than the reference accounts for \u00B7 white: no association \u00B7 teal: rated higher; the magnitude is never below 0; hatched: no figure."));
    return el("div", { class: "probe-block", "data-probe": "length-association" },
      el("h3", { class: "probe-title" }, "Length association: partial Spearman with the supporter's word count given the reference, per dimension, its magnitude and its direction"),
      legend, el("div", { class: "table-wrap" }, table));
  }

  // One probe's mean change per rater and dimension, coloured on a scale diverging around 0.
  function probeBlock(task, probe, dims, rows, order) {
    const id = idPart(probe);
    const byKey = cellIndex(dims);
    const rowBy = new Map(rows.map((r) => [r.rater, r]));
    const biggest = Math.max(0, ...dims.map((d) => d.mean_change).filter(isNum).map(Math.abs));
    const limit = Math.max(0.5, Math.ceil(biggest * 2 - 1e-9) / 2);  // a half step above the largest change
    const scale = changeScale(limit);
    const head = BIAS_COLUMN_DEFS.find((c) => c.key === PROBE_COLUMN[probe]);
    const change = head ? String([].concat(head.label).join(" ")).replace(/\s*\[95% CI\]$/, "") : null;
    const table = el("table", { id: `bias-dims-${id}`, class: "bias-dims" },
      el("caption", { class: "sr-only" }, `Mean change per rater and dimension under the ${probe} probe on ${taskTitle(task)}.`), el("thead"), el("tbody"));
    dimensionGrid(table, {
      names: gridNames(order, dims), rowOf: (name) => rowBy.get(name) || dims.find((d) => d.rater === name),
      dimensions: [...new Set(dims.map((d) => d.dimension))], scale,
      cell: (name, dim) => {
        const d = cellOf(byKey, name, dim);
        if (!d) return [null, `${name}, ${dimLabel(dim)}: no figure`];
        return [d.mean_change, `${name}, ${dimLabel(dim)}: mean change ${ciText(d.mean_change, d.low, d.high)}; share of ratings changed ${fmt(d.flip_rate)}; n = ${isNum(d.n) ? d.n : DASH}`];
      },
    });
    const ticks = [-limit, -limit / 2, 0, limit / 2, limit];
    const legend = el("div", { class: "legend" }, legendNodes(scale.stops, ticks, 2,
      `colour scale from ${fmt(-limit)} (brown, the probe lowers the score) through 0 (white, no change) to ${fmt(limit)} (teal, it raises the score)`,
      "Cell colour = mean change", "brown: the probe lowers the score \u00B7 white: no change (0, unbiased) \u00B7 teal: it raises the score; hatched: no figure."));
    return el("div", { class: "probe-block", "data-probe": probe },
      el("h3", { class: "probe-title", title: head ? head.title : null }, `${probe.charAt(0).toUpperCase()}${probe.slice(1)} probe${change ? ` (${change})` : ""}: mean change per dimension`),
      legend, el("div", { class: "table-wrap" }, table));
  }

  // ---------- paired differences (every task kind alike) ----------
  // Per comparison of the task (a compare task has one per criterion): row minus column on the headline, with the
  // interval over the bootstrap draws every rater shares; bold where it excludes 0, the only case one is called better.
  function renderDifferences() {
    const found = COMPARISONS.filter((c) => c.task === state.task);
    document.getElementById("differences-section").hidden = !found.length;
    if (!found.length) return;
    document.getElementById("differences-title").textContent = `Do two raters differ? \u2014 ${taskTitle(state.task)}`;
    document.getElementById("differences").replaceChildren(...found.map(differenceTable));
  }
  function differenceTable(c) {
    const names = c.raters.map((r) => r.rater);
    const rowBy = new Map(c.raters.map((r) => [r.rater, r]));
    const cellBy = new Map(c.differences.map((d) => [`${d.rater}\u0000${d.other}`, d]));
    const units = taskKind(c.task) === "rate" ? "items" : "conversations";
    const what = `${c.label}${c.criterion ? ` (${dimLabel(c.criterion)})` : ""}`;
    const rankText = (r) => (isNum(r.rank) ? `rank ${r.rank} [${r.rank_low}, ${r.rank_high}]` : "");
    return el("div", { class: "table-wrap" }, el("table", { class: "differences", "data-criterion": c.criterion || null },
      el("caption", {}, `${what}: row minus column, with the 95% interval over the same ${grouped(String(c.n_resamples))} bootstrap draws of ${c.n} ${units}; bold: the interval excludes 0.`),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", class: "text" }, "row \u2212 column"), names.map((n) => el("th", { scope: "col", "data-rater": n }, n)))),
      el("tbody", {}, names.map((a) => el("tr", { class: rowClass(rowBy.get(a)), "data-rater": a },
        el("th", { scope: "row", class: "text" }, el("span", { class: "rater-name" }, a), " ", el("span", { class: "ci" }, rankText(rowBy.get(a)))),
        names.map((b) => differenceCell(a, b, cellBy.get(`${a}\u0000${b}`))))))));
  }
  function differenceCell(a, b, d) {
    if (a === b || !d) return el("td", { class: "null" }, DASH);
    const text = ciText(d.difference, d.low, d.high);
    const title = `${a} minus ${b}: ${text}; ${d.excludes_zero ? "the interval excludes 0" : "the interval includes 0: no difference shown"}`;
    return el("td", { class: d.excludes_zero ? "differs" : null, title, "data-other": b }, d.excludes_zero ? el("b", {}, text) : text);
  }

  // ---------- task selection ----------
  function renderTabs() {
    const tabs = tasks.map((t) => {
      const kind = taskKind(t);
      const n = kind === "compare" ? new Set(PREFERENCE.filter((r) => r.task === t).map((r) => r.rater)).size
        : kind === "stat" ? statRows(t).length : (kind === "coach" ? COACH : OVERALL).filter((r) => r.task === t).length;
      const b = el("button", { type: "button", class: "task-tab", "data-task": t, title: `${n} rater${n === 1 ? "" : "s"}`, "aria-pressed": String(t === state.task) }, taskTitle(t), el("span", { class: "count" }, `${n}`));
      b.addEventListener("click", () => { location.hash = "task=" + encodeURIComponent(t); });
      return b;
    });
    document.getElementById("task-tabs").replaceChildren(...tabs);
  }
  // each task kind's sections and what draws them; the bias probes go below every kind's
  const KIND_VIEWS = {
    rate: { sections: ["overall-section", "heatmap-section", "plots-section"], render: () => renderRate() },
    compare: { sections: ["compare-section"], render: () => renderCompare() },
    coach: { sections: ["coach-section"], render: () => renderCoach() },
    stat: { sections: ["kind-section"], render: () => renderKindTable() },
  };
  function renderTask() {
    const kind = taskKind(state.task);
    for (const [k, view] of Object.entries(KIND_VIEWS)) for (const id of view.sections) document.getElementById(id).hidden = k !== kind;
    renderTabs();
    KIND_VIEWS[kind].render();
    renderBias();
    renderDifferences();
    markOverflow();
  }
  // A table wider than its .table-wrap scrolls inside it, its rater column fixed: marked, so a line above it
  // says so (page.css); again whenever the tables change size (a tab, the window, a <details> opened).
  function markOverflow() {
    for (const wrap of document.querySelectorAll(".table-wrap")) wrap.classList.toggle("overflowing", wrap.scrollWidth > wrap.clientWidth + 1);
  }
  window.addEventListener("resize", markOverflow);
  document.addEventListener("toggle", markOverflow, true);
  function renderRate() {
    const rows = OVERALL.filter((r) => r.task === state.task);
    const items = [...new Set(rows.map((r) => r.n_items).filter(isNum))];
    document.getElementById("overall-title").textContent = `Overall agreement \u2014 ${taskTitle(state.task)}`;
    const note = [`${rows.length} rater${rows.length === 1 ? "" : "s"}`];
    if (items.length) note.push(`${items.map((n) => grouped(String(n))).join(" / ")} items`);
    note.push(`task id ${state.task}`);
    let summary = note.join(" \u00B7 ") + ".";
    if (!rows.some(isExpert)) summary += " This task has no per-expert ratings, so it has no expert ceiling, alpha or alt-test; QWK is against the task's own reference label.";
    document.getElementById("task-note").textContent = summary;
    const wins = TRIVIAL_WINS.filter((w) => w.task === state.task);
    const trivial = document.getElementById("trivial-note");
    trivial.hidden = !wins.length;
    // the same head as leaderboard.md and the terminal (board.py TRIVIAL_WINS_HEAD), then each win
    const head = "A trivial rater wins an alt-test comparison: where a rater that ignores the conversation beats an expert, no judge's alt-test result shows that it could replace one.";
    trivial.replaceChildren(...(wins.length ? [el("b", {}, head), " ", wins.map((w) => w.note).join(" ")] : []));
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
  renderHumanLegend();
  renderOverallScore();
  renderRecipient();
  renderProvenance();
  renderTask();
})();
