/* Site search: the browser half of generator/search.py (keep the two in step).
 * Fetches only the index shards a query needs; record text is inserted as text, never as HTML. */
(function () {
  "use strict";
  var RUN = /[0-9a-z\u00c0-\u024f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var cache = {};

  function fetchJSON(url) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + " " + r.status);
        return r.json();
      });
    }
    return cache[url];
  }

  function runs(text) {
    return text.normalize("NFKC").toLowerCase().match(RUN) || [];
  }

  function queryGrams(text) {
    var out = [];
    runs(text).forEach(function (run) {
      var chars = Array.from(run);
      var pieces = chars.length === 1 ? [run] : chars.slice(0, -1).map(function (c, i) { return c + chars[i + 1]; });
      pieces.forEach(function (p) { if (out.indexOf(p) < 0) out.push(p); });
    });
    return out;
  }

  function shardOf(key, shards) {
    var h = 0;
    for (var ch of key) h = (h * 131 + ch.codePointAt(0)) % 4294967296;
    return h % shards;
  }

  function decode(text) {
    var ids = [], total = 0;
    text.split(",").forEach(function (part) { total += parseInt(part, 36); ids.push(total); });
    return ids;
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }

  function postings(root, meta, gram) {
    return fetchJSON(root + "search/g/" + shardOf(gram, meta.shards) + ".json").then(function (shard) {
      return shard[gram] ? decode(shard[gram]) : [];
    });
  }

  /* Resolve a query to {total, ids, filters}: words that name a filter value (行政处罚, 政策, 红榜)
   * filter; everything else must occur in the record. Title matches come first. */
  function search(root, query) {
    return fetchJSON(root + "search/meta.json").then(function (meta) {
      var filters = [], text = [];
      query.trim().split(/\s+/).filter(Boolean).forEach(function (term) {
        for (var f = 0; f < meta.filters.length; f++) {
          var v = meta.values[meta.filters[f]].indexOf(term);
          if (v >= 0) { filters.push([f, v, term]); return; }
        }
        text.push(term);
      });
      var grams = queryGrams(text.join(" "));
      if (!grams.length && !filters.length) return { total: 0, ids: [], filters: [] };
      var lists = Promise.all(grams.map(function (g) { return postings(root, meta, g); }));
      var titles = Promise.all(grams.filter(function (g) { return Array.from(g).length === 2; })
        .map(function (g) { return postings(root, meta, "#" + g); }));
      var tags = filters.length ? fetchJSON(root + "search/tags.json") : Promise.resolve(null);
      return Promise.all([lists, titles, tags]).then(function (r) {
        var hits;
        if (r[0].length) {
          hits = r[0].reduce(function (acc, list) { return intersect(acc, list); });
        } else {
          hits = [];
          for (var i = 0; i < meta.docs; i++) hits.push(i);
        }
        if (r[2]) {
          hits = hits.filter(function (id) {
            return filters.every(function (f) { return r[2][id][f[0]] === f[1]; });
          });
        }
        if (r[1].length) {
          var inTitle = r[1].reduce(function (acc, list) { return intersect(acc, list); });
          var set = new Set(inTitle);
          hits = hits.filter(function (id) { return set.has(id); })
            .concat(hits.filter(function (id) { return !set.has(id); }));
        }
        return { total: hits.length, ids: hits, filters: filters, meta: meta };
      });
    });
  }

  function docs(root, meta, ids) {
    var chunks = {};
    ids.forEach(function (id) { chunks[Math.floor(id / meta.chunk)] = true; });
    return Promise.all(Object.keys(chunks).map(function (n) {
      return fetchJSON(root + "search/d/" + n + ".json").then(function (rows) { return [n, rows]; });
    })).then(function (loaded) {
      var byChunk = {};
      loaded.forEach(function (pair) { byChunk[pair[0]] = pair[1]; });
      return ids.map(function (id) {
        var row = byChunk[Math.floor(id / meta.chunk)][id % meta.chunk];
        return { url: row[0], title: row[1], kind: row[2], meta: row[3] };
      });
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function resultList(root, items) {
    var list = el("ol", "search-results");
    items.forEach(function (item) {
      var li = el("li", "search-result");
      var a = el("a", "search-result__title", item.title);
      a.href = root + item.url;
      li.appendChild(el("span", "search-result__kind", item.kind));
      li.appendChild(a);
      if (item.meta) li.appendChild(el("span", "search-result__meta", item.meta));
      list.appendChild(li);
    });
    return list;
  }

  function rootOf(node) {
    var root = node.getAttribute("data-site-root") || "./";
    return root === "./" ? "" : root;
  }

  /* The header box: results drop down as you type. */
  function setupHeader(form) {
    var input = form.querySelector("input[type=search]");
    var box = form.querySelector(".site-search__results");
    var root = rootOf(form);
    var timer = null, serial = 0;
    function close() { box.hidden = true; }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var query = input.value, mine = ++serial;
        if (!query.trim()) { close(); return; }
        search(root, query).then(function (res) {
          return docs(root, res.meta || { chunk: 64 }, res.ids.slice(0, 8)).then(function (items) {
            if (mine !== serial) return;
            box.textContent = "";
            box.appendChild(el("p", "search-summary", res.total ? "找到 " + res.total + " 条结果" : "没有找到相关结果"));
            box.appendChild(resultList(root, items));
            if (res.total > items.length) {
              var more = el("a", "search-more", "查看全部 " + res.total + " 条结果");
              more.href = root + "search/?q=" + encodeURIComponent(query);
              box.appendChild(more);
            }
            box.hidden = false;
          });
        }).catch(function () { box.textContent = "搜索暂时不可用"; box.hidden = false; });
      }, 100);
    });
    input.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) close(); });
  }

  /* The search page: ?q= in the URL, results paged 20 at a time. */
  function setupPage(container) {
    var form = document.getElementById("search-page-form");
    var input = document.getElementById("search-page-input");
    var root = rootOf(document.querySelector(".site-search") || container);
    var query = new URLSearchParams(location.search).get("q") || "";
    input.value = query;
    if (!query.trim()) return;
    search(root, query).then(function (res) {
      var shown = 0;
      container.textContent = "";
      var summary = el("p", "search-summary", res.total ? "“" + query + "”共找到 " + res.total + " 条结果" : "没有找到与“" + query + "”相关的结果，请换个关键词试试");
      container.appendChild(summary);
      var holder = el("div");
      container.appendChild(holder);
      function page() {
        var ids = res.ids.slice(shown, shown + 20);
        return docs(root, res.meta, ids).then(function (items) {
          holder.appendChild(resultList(root, items));
          shown += ids.length;
          if (shown < res.total) {
            var more = el("button", "md-button", "显示更多");
            more.type = "button";
            more.addEventListener("click", function () { more.remove(); page(); });
            container.appendChild(more);
          }
        });
      }
      if (res.total) return page();
    }).catch(function () { container.textContent = "搜索暂时不可用，请稍后再试"; });
    form.addEventListener("submit", function () {});
  }

  function init() {
    document.querySelectorAll("form.site-search").forEach(setupHeader);
    var page = document.getElementById("search-page-results");
    if (page) setupPage(page);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  window.siteSearch = { search: search, queryGrams: queryGrams, shardOf: shardOf };
})();
