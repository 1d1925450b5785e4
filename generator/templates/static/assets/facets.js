/* Faceted browsing for the lists whose kind declares facets: the browser half of generator/output/facets.py.
 *
 * Loads facets/<kind>/index.json (value tables + run-length encoded integer columns), filters and
 * counts every record in memory (OR within a facet, AND across facets; each facet's counts
 * respect the other facets' selections), and fetches only the row chunks of the page shown.
 * The state lives in the query string (?category=行政许可&category=行政处罚&page=2), so a view
 * can be shared and bookmarked; back/forward restore it. Record text is inserted as text only. */
(function () {
  "use strict";
  var PAGE = 50, SHOWN = 8;
  var app = document.querySelector("[data-facet-app]");
  if (!app) return;
  if (!window.fetch || !window.URLSearchParams || !window.history.pushState) { fallBack(); return; }
  var root = app.getAttribute("data-root") || "";
  var base = root + "facets/" + app.getAttribute("data-facet-app") + "/";
  var meta, columns, state, chunks = {}, pending = 0;

  /* Without its data the list cannot filter: the grouped lists after it (assets/a11y.css hides them
   * where scripts run) take its place. */
  function fallBack() {
    app.hidden = true;
    document.querySelectorAll("[data-facet-fallback]").forEach(function (node) { node.classList.add("facet-fallback--shown"); });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function getJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + " " + r.status);
      return r.json();
    });
  }

  /* Columns: for each facet an array of code arrays (multi) or a typed array of codes (single). */
  function decode(facet, n) {
    var c = facet.codes, i, j, k, p = 0;
    if (!facet.multi) {
      var out = new Int32Array(n);
      for (i = 0; i < c.length; i += 2) for (j = 0; j < c[i + 1]; j++) out[p++] = c[i];
      return out;
    }
    var lists = new Array(n);
    for (i = 0; i < c.length; i += 1 + k) { k = c[i]; lists[p++] = c.slice(i + 1, i + 1 + k); }
    return lists;
  }

  function label(facet, v) { return (facet.labels || facet.values)[v]; }

  function readState() {
    var q = new URLSearchParams(location.search), s = { sel: [], page: 1 };
    meta.facets.forEach(function (f, fi) {
      var flags = new Uint8Array(f.values.length);
      q.getAll(f.key).forEach(function (value) {
        var v = f.values.indexOf(value);
        if (v >= 0) flags[v] = 1;
      });
      s.sel[fi] = flags;
    });
    s.page = Math.max(1, parseInt(q.get("page"), 10) || 1);
    return s;
  }

  function query(s, page) {
    var q = new URLSearchParams();
    meta.facets.forEach(function (f, fi) {
      f.values.forEach(function (value, v) { if (s.sel[fi][v]) q.append(f.key, value); });
    });
    if (page > 1) q.set("page", String(page));
    var text = q.toString();
    return text ? "?" + text : location.pathname;
  }

  function go(page) {
    state.page = page;
    history.pushState(null, "", query(state, page));
    render();
  }

  /* One pass over all records: the matches, and per facet the counts under the other facets. */
  function compute() {
    var n = meta.count, facets = meta.facets, active = [], counts = [], matches = [];
    facets.forEach(function (f, fi) {
      counts[fi] = new Int32Array(f.values.length);
      if (state.sel[fi].indexOf(1) >= 0) active.push(fi);
    });
    function passes(fi, i) {
      var col = columns[fi], sel = state.sel[fi];
      if (!facets[fi].multi) return sel[col[i]] === 1;
      for (var j = 0; j < col[i].length; j++) if (sel[col[i][j]]) return true;
      return false;
    }
    function add(fi, i) {
      var col = columns[fi];
      if (!facets[fi].multi) { counts[fi][col[i]]++; return; }
      for (var j = 0; j < col[i].length; j++) counts[fi][col[i][j]]++;
    }
    for (var i = 0; i < n; i++) {
      var failed = -1, fails = 0;
      for (var a = 0; a < active.length && fails < 2; a++) {
        if (!passes(active[a], i)) { fails++; failed = active[a]; }
      }
      if (fails === 0) {
        matches.push(i);
        for (var fi = 0; fi < facets.length; fi++) add(fi, i);
      } else if (fails === 1) {
        add(failed, i);
      }
    }
    return { matches: matches, counts: counts };
  }

  var ui = {};

  /* The page carries the list's first view (templates/partials/facets.html draws an unfiltered list as
   * render() does), so the script takes over the elements on the screen instead of drawing them
   * again: nothing moves as it starts. Results first: the count, the chosen values, then the filters
   * folded in a panel (open on a wide screen, closed on a phone) whose summary and 查看 button show
   * the count as it changes. */
  function adopt() {
    ui.status = app.querySelector(".facet-status");
    ui.chosen = app.querySelector(".facet-chosen");
    ui.panel = app.querySelector(".facet-panel");
    ui.summary = ui.panel.querySelector(".facet-summary");
    ui.apply = ui.panel.querySelector(".facet-apply");
    ui.results = app.querySelector(".facet-results");
    ui.pager = app.querySelector(".facet-pager");
    var boxes = app.querySelectorAll("fieldset.facet");
    if (boxes.length !== meta.facets.length) throw new Error("the page and " + base + " differ");
    ui.groups = meta.facets.map(function (f, fi) {
      var box = boxes[fi], filter = box.querySelector(".facet-filter"), more = box.querySelector(".facet-more");
      var lis = box.querySelectorAll(".facet-values > li"), items = [];
      if (box.getAttribute("data-facet") !== f.key || lis.length !== f.values.length) {
        throw new Error("the page and " + base + " differ");
      }
      f.values.forEach(function (value, v) {
        var li = lis[v], input = li.querySelector("input");
        if (input.value !== value) throw new Error("the page and " + base + " differ");
        input.addEventListener("change", function () {
          state.sel[fi][v] = input.checked ? 1 : 0;
          go(1);
        });
        items.push({ li: li, input: input, count: li.querySelector(".facet-count"), text: label(f, v) + " " + value });
      });
      if (more) {
        more.addEventListener("click", function () {
          var open = more.getAttribute("aria-expanded") !== "true";
          more.setAttribute("aria-expanded", open ? "true" : "false");
          more.textContent = open ? "收起" : "显示全部 " + f.values.length + " 项";
          if (filter) { filter.hidden = !open; if (open) filter.focus(); else filter.value = ""; }
          paintFacet(fi);
        });
      }
      if (filter) filter.addEventListener("input", function () { paintFacet(fi); });
      return { box: box, items: items, more: more, filter: filter };
    });
    ui.apply.addEventListener("click", function () {
      ui.panel.open = false;
      ui.status.focus();
    });
    /* The page opens the panel; a phone folds it (assets/a11y.css hides its content there until then). */
    if (!window.matchMedia || !window.matchMedia("(min-width: 60em)").matches) ui.panel.open = false;
    ui.panel.classList.add("facet-panel--ready");
  }

  /* Collapsed, a facet shows its chosen values and the first SHOWN that would give results;
   * expanded, every value matching the filter box (those giving none dimmed). */
  function paintFacet(fi) {
    var g = ui.groups[fi], open = !g.more || g.more.getAttribute("aria-expanded") === "true";
    var needle = g.filter && !g.filter.hidden ? g.filter.value.trim().toLowerCase() : "";
    var counts = g.counts || [], room = SHOWN;
    var shown = g.items.map(function (item, v) {
      if (state.sel[fi][v] === 1 || item.input === document.activeElement) return true;
      if (open) return !needle || item.text.toLowerCase().indexOf(needle) >= 0;
      if (counts[v] > 0 && room > 0) { room--; return true; }
      return false;
    });
    g.items.forEach(function (item, v) { item.li.hidden = !shown[v]; });
  }

  function paintChosen() {
    ui.chosen.textContent = "";
    var any = false, list = el("ul", { "class": "facet-chips", "aria-label": "已选条件" });
    meta.facets.forEach(function (f, fi) {
      f.values.forEach(function (value, v) {
        if (!state.sel[fi][v]) return;
        any = true;
        var li = el("li"), b = el("button", { type: "button", "aria-label": "取消条件：" + f.label + " " + label(f, v) });
        b.appendChild(el("span", { "class": "facet-chip-facet" }, f.label + "："));
        b.appendChild(document.createTextNode(label(f, v) + " "));
        b.appendChild(el("span", { "aria-hidden": "true" }, "×"));
        b.addEventListener("click", function () { state.sel[fi][v] = 0; go(1); focusForm(); });
        li.appendChild(b);
        list.appendChild(li);
      });
    });
    if (!any) return;
    var clear = el("button", { type: "button", "class": "facet-clear" }, "清除全部条件");
    clear.addEventListener("click", function () {
      state.sel.forEach(function (flags) { flags.fill(0); });
      go(1);
      focusForm();
    });
    ui.chosen.appendChild(list);
    ui.chosen.appendChild(clear);
  }

  function focusForm() {
    var first = app.querySelector(".facet input[type=checkbox]");
    if (!ui.panel.open) ui.summary.focus();
    else if (first) first.focus();
  }

  /* An unfiltered first page is the one the page carries: the script only starts listening. */
  function takeOver() {
    meta.facets.forEach(function (f, fi) { ui.groups[fi].counts = f.counts; });
    var next = ui.pager.querySelector("a[rel=next]");
    if (next) follow(next, 2);
    ui.results.removeAttribute("aria-busy");
  }

  function render() {
    var r = compute(), pages = Math.max(1, Math.ceil(r.matches.length / PAGE));
    if (state.page > pages) state.page = pages;
    meta.facets.forEach(function (f, fi) {
      var g = ui.groups[fi];
      g.counts = r.counts[fi];
      g.items.forEach(function (item, v) {
        item.input.checked = state.sel[fi][v] === 1;
        item.count.textContent = "（" + r.counts[fi][v] + "）";
        item.li.classList.toggle("facet-empty", r.counts[fi][v] === 0);
      });
      paintFacet(fi);
    });
    paintChosen();
    var filtered = state.sel.some(function (flags) { return flags.indexOf(1) >= 0; });
    ui.status.textContent = (filtered ? "符合条件的共 " : "共 ") + r.matches.length + " " + meta.noun +
      (pages > 1 ? "，第 " + state.page + " / " + pages + " 页" : "");
    var chosen = state.sel.reduce(function (n, flags) { return n + flags.reduce(function (a, b) { return a + b; }, 0); }, 0);
    ui.summary.textContent = "筛选条件" + (chosen ? "（已选 " + chosen + " 项，符合条件 " + r.matches.length + " " + meta.noun + "）"
                                                 : "（共 " + r.matches.length + " " + meta.noun + "）");
    ui.apply.textContent = "查看 " + r.matches.length + " " + meta.noun;
    var shown = r.matches.slice((state.page - 1) * PAGE, state.page * PAGE);
    paintPager(pages);
    var token = ++pending;
    var needed = {};
    shown.forEach(function (i) { needed[Math.floor(i / meta.chunk)] = true; });
    var loads = Object.keys(needed).map(function (c) {
      if (!chunks[c]) chunks[c] = getJSON(base + "rows/" + c + ".json");
      return chunks[c];
    });
    ui.results.setAttribute("aria-busy", "true");
    Promise.all(loads).then(function () {
      return Promise.all(shown.map(function (i) {
        return chunks[Math.floor(i / meta.chunk)].then(function (rows) { return [i, rows[i % meta.chunk]]; });
      }));
    }).then(function (rows) {
      if (token !== pending) return;
      paintRows(rows, (state.page - 1) * PAGE + 1);
    }).catch(function () {
      if (token !== pending) return;
      ui.results.textContent = "";
      ui.results.appendChild(el("li", {}, "列表加载失败，请刷新页面，或使用下方的分组列表。"));
    });
  }

  function paintRows(rows, start) {
    ui.results.textContent = "";
    ui.results.setAttribute("start", String(start));
    ui.results.removeAttribute("aria-busy");
    if (!rows.length) {
      ui.results.appendChild(el("li", { "class": "facet-none" }, "没有符合全部条件的记录。可以取消部分条件再试。"));
      return;
    }
    rows.forEach(function (pair) {
      var i = pair[0], row = pair[1], li = el("li");
      var href = root + meta.link.replace(/\{(\d+)\}/g, function (_, k) { return encodeURIComponent(row[+k]); });
      li.appendChild(el("a", { href: href, "class": "facet-result-title" }, row[meta.title]));
      var info = el("span", { "class": "facet-result-meta" });
      meta.meta.forEach(function (m) {
        var text;
        if (typeof m === "number") {
          text = row[m];
        } else {
          var fi = meta.facets.findIndex(function (f) { return f.key === m; }), f = meta.facets[fi];
          var codes = f.multi ? columns[fi][i] : [columns[fi][i]];
          text = codes.map(function (v) { return label(f, v); }).join("、");
          if (f.badge === "status") {  /* the kind's facet says how it is shown (generator/kinds/) */
            info.appendChild(el("span", { "class": "badge " + (text === "有效" || text === "公示中" ? "badge--ok" : "badge--off") }, text));
            info.appendChild(document.createTextNode(" "));
            return;
          }
          if (f.badge === "value") {
            info.appendChild(el("span", { "class": "badge badge--" + f.values[columns[fi][i]] }, text));
            info.appendChild(document.createTextNode(" "));
            return;
          }
        }
        if (text) info.appendChild(el("span", {}, text));
        info.appendChild(document.createTextNode(" "));
      });
      li.appendChild(info);
      ui.results.appendChild(li);
    });
  }

  function follow(a, page) {
    a.addEventListener("click", function (e) {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      go(page);
      ui.status.focus();
    });
    return a;
  }

  function paintPager(pages) {
    ui.pager.textContent = "";
    if (pages <= 1) return;
    function link(page, text, rel) {
      var a = el("a", { href: query(state, page), "class": "md-button" }, text);
      if (rel) a.setAttribute("rel", rel);
      return follow(a, page);
    }
    if (state.page > 1) ui.pager.appendChild(link(state.page - 1, "上一页", "prev"));
    ui.pager.appendChild(el("span", { "class": "facet-page" }, "第 " + state.page + " / " + pages + " 页"));
    if (state.page < pages) ui.pager.appendChild(link(state.page + 1, "下一页", "next"));
  }

  getJSON(base + "index.json").then(function (data) {
    meta = data;
    columns = meta.facets.map(function (f) { return decode(f, meta.count); });
    state = readState();
    adopt();
    if (state.page === 1 && state.sel.every(function (flags) { return flags.indexOf(1) < 0; })) takeOver(); else render();
    window.addEventListener("popstate", function () { state = readState(); render(); });
  }).catch(fallBack);
})();
