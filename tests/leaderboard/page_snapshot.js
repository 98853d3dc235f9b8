// Evaluated in the leaderboard page by tests/leaderboard/test_page.py (through browser_support.Browser):
// clicks every task tab in turn, as a person would, and records what each one draws: the rendered text of
// every cell of every table, any broken value anywhere in the document (text, hover titles, labels), and
// how every table sits in the window. Returns { task: snapshot } in the tabs' order, as JSON.
(async () => {
  "use strict";
  const BROKEN = /\[object|NaN|undefined|Infinity/;  // what a script prints when it formats the wrong thing
  const shown = (e) => !e.closest("[hidden]");
  // what a person reads; inside a closed <details> (drawn once opened) the text it holds
  const text = (e) => (e.closest("details:not([open])") ? e.textContent : e.innerText).replace(/\s+/g, " ").trim();
  const scrollerOf = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(a).overflowX)) return a;
    }
    return null;
  };
  const rect = (e) => { const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, width: r.width }; };

  // every text and attribute shown in the body (scripts aside: they hold the data and the code) with a broken value
  function brokenAnywhere() {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let n = walker.currentNode; n; n = walker.nextNode()) {
      if (n.nodeType === Node.TEXT_NODE) {
        if (!n.parentElement.closest("script, style, [hidden]") && BROKEN.test(n.data)) found.push(`text in <${n.parentElement.tagName.toLowerCase()}>: ${n.data.trim().slice(0, 160)}`);
        continue;
      }
      if (n.closest("[hidden]")) continue;  // another tab's sections, as that tab left them
      for (const a of n.attributes) if (BROKEN.test(a.value)) found.push(`${a.name}= of <${n.tagName.toLowerCase()}>: ${a.value.slice(0, 160)}`);
    }
    return found;
  }

  // how a table sits: its wrap, whether it overflows, whether its first column stays at the wrap's left edge
  // when the wrap is scrolled to its end, and whether its last column can then be seen whole
  function layout(table) {
    const wrap = scrollerOf(table);
    const out = { table: rect(table), wrap: null, firstColumn: [], hint: null, scrolled: null };
    out.firstColumn = [...table.rows].filter((r) => r.cells.length).map((r) => {
      const s = getComputedStyle(r.cells[0]);
      return { position: s.position, left: s.left, background: s.backgroundColor, rowBackground: getComputedStyle(r).backgroundColor };
    });
    if (!wrap) return out;
    out.wrap = { ...rect(wrap), client: wrap.clientWidth, scroll: wrap.scrollWidth, overflowX: getComputedStyle(wrap).overflowX,
      marked: wrap.classList.contains("overflowing") };
    out.hint = getComputedStyle(wrap, "::before").content;
    if (wrap.scrollWidth > wrap.clientWidth) {
      const before = wrap.scrollLeft;
      wrap.scrollLeft = wrap.scrollWidth;
      const w = rect(wrap), head = table.rows[0], last = head.cells[head.cells.length - 1], first = head.cells[0];
      out.scrolled = { firstLeft: rect(first).left - w.left, lastRight: w.right - rect(last).right, lastLeft: rect(last).left - rect(first).right };
      wrap.scrollLeft = before;
    }
    return out;
  }

  function snapshot(task) {
    const tables = [...document.querySelectorAll("main table")].filter(shown).map((t) => ({
      id: t.id || `.${t.className.split(" ").join(".")}`,  // a table without an id by its classes
      section: (t.closest("section") || {}).id || null,
      rendered: t.getClientRects().length > 0 && !t.closest("details:not([open])"),
      headers: t.tHead && t.tHead.rows.length ? [...t.tHead.rows[t.tHead.rows.length - 1].cells].map(text) : [],  // the last header row
      rows: [...t.tBodies].flatMap((b) => [...b.rows]).map((r) => ({ rater: r.dataset.rater ?? null, cells: [...r.cells].map(text) })),
    }));
    for (const [i, t] of [...document.querySelectorAll("main table")].filter(shown).entries()) {
      if (tables[i].rendered) tables[i].layout = layout(t);
    }
    return {
      task,
      pressed: [...document.querySelectorAll("#task-tabs .task-tab[aria-pressed='true']")].map((b) => b.dataset.task),
      sections: [...document.querySelectorAll("main > section")].filter((s) => !s.hidden).map((s) => s.id),
      tables,
      broken: brokenAnywhere(),
      page: { scrollWidth: document.documentElement.scrollWidth, innerWidth },
    };
  }

  const out = {};
  for (const task of [...document.querySelectorAll("#task-tabs .task-tab")].map((b) => b.dataset.task)) {
    // a tab's click sets location.hash, and the page draws the tab on hashchange (its listener runs first)
    const drawn = new Promise((resolve) => addEventListener("hashchange", resolve, { once: true }));
    document.querySelector(`#task-tabs .task-tab[data-task="${CSS.escape(task)}"]`).click();
    await Promise.race([drawn, new Promise((resolve) => setTimeout(resolve, 5000))]);
    out[task] = snapshot(task);
  }
  return out;
})()
