/* Site search: the browser half of generator/output/search_lookup.py (keep the two in step).
 * Fetches only the index shards a query needs; record text is inserted as text, never as HTML. */
(function () {
  "use strict";
  var CHARS = "0-9a-z\u00c0-\u024f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var GAP = new RegExp("[^" + CHARS + "]+", "g");
  var cache = {};

  function fetchJSON(url) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + " " + r.status);
        return r.json();
      });
      cache[url].catch(function () { delete cache[url]; });  /* a failed file is fetched again next time */
    }
    return cache[url];
  }

  var fold = {};  /* Traditional -> Simplified (search/fold.json), loaded with meta.json */
  var folded = null;  /* a pattern of fold's keys: only they are replaced (native speed elsewhere) */

  /* search_text.stream: folded (NFKC, lower case, Simplified), every gap between runs one space. */
  function normalise(text) {
    var out = text.normalize("NFKC").toLowerCase();
    return folded ? out.replace(folded, function (c) { return fold[c]; }) : out;
  }

  function stream(text) {
    return normalise(text).replace(GAP, " ");
  }

  /* meta.json and fold.json, fetched once: when the box gets focus (a person clicks it before
   * typing), when the search page opens, or at the first query. */
  var metas = {};
  function loadMeta(root) {
    if (!metas[root]) {
      metas[root] = Promise.all([fetchJSON(root + "search/meta.json"), fetchJSON(root + "search/fold.json")]).then(function (r) {
        var pairs = Array.from(r[1]), keys = [];
        fold = {};
        for (var i = 0; i + 1 < pairs.length; i += 2) {
          fold[pairs[i]] = pairs[i + 1];
          keys.push(pairs[i].replace(/[\\\]^-]/g, "\\$&"));
        }
        folded = keys.length ? new RegExp("[" + keys.join("") + "]", "gu") : null;
        return r[0];
      });
      metas[root].catch(function () { delete metas[root]; });  /* a failed load is tried again */
    }
    return metas[root];
  }

  /* search_text.phrase: one word's pairs in order, or the one character it is. */
  function phrase(word) {
    var chars = Array.from(stream(word));
    if (!chars.join("").trim()) return [];
    if (chars.length === 1) return chars;
    return chars.slice(0, -1).map(function (c, i) { return c + chars[i + 1]; });
  }

  function queryGrams(text) {
    var out = [];
    text.split(/\s+/).filter(Boolean).forEach(function (word) {
      phrase(word).forEach(function (p) { if (out.indexOf(p) < 0) out.push(p); });
    });
    return out;
  }

  /* search_lookup.phrase_at: the pairs (keys: their offsets in the word) can stand at those offsets
   * in one record, given each pair's positions there (modulo meta.positions). */
  function phraseAt(where, positions) {
    var keys = Object.keys(where);
    if (keys.length < 2) return true;
    var anchor = keys.reduce(function (a, k) { return where[k].length < where[a].length ? k : a; }, keys[0]);
    return where[anchor].some(function (start) {
      return keys.every(function (k) {
        var want = ((start - Number(anchor) + Number(k)) % positions + positions) % positions;
        return where[k].indexOf(want) >= 0;
      });
    });
  }

  /* search_lookup.shard_of: a title pair "#xy" lives beside "xy". */
  function shardOf(key, shards) {
    var h = 0;
    for (var ch of key.replace(/^#/, "")) h = (h * 131 + ch.codePointAt(0)) % 4294967296;
    return h % shards;
  }

  /* search_postings.decode: per record its number's difference to the previous one (5 bits a
   * symbol, high first, 32 = more follows), then for a pair its positions (32 = more follows;
   * 31 = a bit mask of the positions follows in 7 symbols). The positions are read only for the
   * records a phrase check asks about (`positionsOf`): most records of a long list are not. */
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var VALUE = new Int8Array(128);
  for (var v = 0; v < ALPHABET.length; v++) VALUE[ALPHABET.charCodeAt(v)] = v;

  function positioned(gram) {
    return Array.from(gram).length === 2 && gram[0] !== "#" && gram[0] !== "=";
  }

  function decode(text, withPositions) {
    var ids = [], at = [], total = 0, i = 0, n = text.length, value, symbol;
    while (i < n) {
      value = 0;
      do { symbol = VALUE[text.charCodeAt(i++)]; value = value * 32 + (symbol & 31); } while (symbol & 32);
      total += value;
      ids.push(total);
      if (!withPositions) continue;
      at.push(i);
      do {  /* skip the positions */
        symbol = VALUE[text.charCodeAt(i++)];
        if (symbol === 31) { i += 7; break; }
      } while (symbol & 32);
    }
    return { ids: ids, at: at, text: text };
  }

  /* A record's positions in a decoded list (none when the list does not hold it). */
  function positionsOf(list, id) {
    var lo = 0, hi = list.at.length - 1, mid;
    while (lo <= hi) {
      mid = (lo + hi) >> 1;
      if (list.ids[mid] < id) lo = mid + 1;
      else if (list.ids[mid] > id) hi = mid - 1;
      else return readPositions(list.text, list.at[mid]);
    }
    return [];
  }

  function readPositions(text, i) {
    var found = [], symbol;
    for (;;) {
      symbol = VALUE[text.charCodeAt(i++)];
      if (symbol === 31) {
        for (var j = 0; j < 7; j++) {
          var bits = VALUE[text.charCodeAt(i++)];
          for (var b = 0; b < 5; b++) if (bits & (1 << b)) found.push(j * 5 + b);
        }
        return found;
      }
      found.push(symbol & 31);
      if (!(symbol & 32)) return found;
    }
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }

  /* A gram's value in its shard: postings, or the number of its records when it has a file
   * of its own (search/p/), or undefined when no record has it. */
  function shardValue(root, meta, gram) {
    return fetchJSON(root + "search/g/" + shardOf(gram, meta.shards) + ".json").then(function (shard) {
      return shard[gram];
    });
  }

  function postings(root, meta, gram) {
    return shardValue(root, meta, gram).then(function (value) {
      if (typeof value === "number") {
        var name = Array.from(gram).map(function (c) { return c.codePointAt(0).toString(16); }).join("-");
        return fetchJSON(root + "search/p/" + name + ".json");
      }
      return value || "";
    }).then(function (text) { return decode(text, positioned(gram)); });
  }

  /* search_tokens.token_filters: a run of letters and digits with something on both sides
   * inside the word is a whole token ("%"); one that ends the word, a token's beginning (">"). */
  function tokenFilters(word, limits) {
    var s = stream(word), out = [], re = /[0-9a-z]+/g, m;
    while ((m = re.exec(s)) !== null) {
      var run = m[0], before = m.index > 0, after = m.index + run.length < s.length;
      if (before && after && run.length >= limits[0]) out.push("%" + run);
      else if (before && run.length >= limits[1]) out.push(">" + run.slice(0, run.length >= limits[2] ? limits[2] : limits[1]));
    }
    return out;
  }

  /* search_lookup.looked_up: all of a word's pairs, or of a long word every other one and the last. */
  function lookedUp(pairs, longWord) {
    var out = [];
    for (var i = 0; i < pairs; i++) if (pairs <= longWord || i % 2 === 0 || i === pairs - 1) out.push(i);
    return out;
  }

  /* search_lookup.needed_pairs: those in their shards first; then, of the files of their own, the
   * fewest records that still cover every character, the rarest alone, then the others (all
   * at once when together they weigh no more than `together`). */
  function neededPairs(values, together) {
    var n = Math.max.apply(null, Object.keys(values).map(Number)) + 1, i;
    var cost = [], forced = [], best = [];
    for (i = 0; i < n; i++) {
      forced.push(typeof values[i] === "string");
      cost.push(forced[i] ? 0 : values[i] === undefined ? Infinity : values[i]);
    }
    best.push([Infinity, cost[0]]);  /* the first character is only in the first pair */
    for (i = 1; i < n; i++) {
      best.push([forced[i] ? Infinity : best[i - 1][1], cost[i] + Math.min(best[i - 1][0], best[i - 1][1])]);
    }
    var chosen = [], s = 1;
    for (i = n - 1; i >= 0; i--) {
      if (s) {
        chosen.push(i);
        s = i && best[i - 1][1] <= best[i - 1][0] ? 1 : 0;
      } else {
        s = 1;
      }
    }
    var first = chosen.filter(function (i) { return forced[i]; }).sort(function (a, b) { return a - b; });
    var then = chosen.filter(function (i) { return !forced[i]; })
      .sort(function (a, b) { return values[a] - values[b] || a - b; });
    var rest = then.slice(1).sort(function (a, b) { return a - b; });
    var weight = then.reduce(function (sum, i) { return sum + values[i]; }, 0);
    var steps = weight <= together ? [first, then.slice().sort(function (a, b) { return a - b; })] : [first, then.slice(0, 1), rest];
    return steps.filter(function (step) { return step.length; });
  }

  /* search/t/: per record [url, kind, meta, title, texts...]: what its result shows, and the
   * texts its page shows (snippets, and checking a few records). */
  function row(root, meta, id) {
    return fetchJSON(root + "search/t/" + Math.floor(id / meta.text_chunk) + ".json").then(function (rows) {
      return rows[id % meta.text_chunk];
    });
  }

  /* search_lookup.cheaper_by_text: checking the records left against their texts downloads less
   * than the next step's files of their own (their length in the shard), or few are left. */
  function cheaperByText(found, step, meta) {
    var fetch = step.reduce(function (sum, v) { return sum + (typeof v === "number" ? v : 0); }, 0);
    var chunks = new Set(found.map(function (d) { return Math.floor(d / meta.text_chunk); })).size;
    return found.length <= meta.verify || (fetch > 0 && chunks * meta.text_bytes < fetch);
  }

  /* A record's texts (its t/ row's) as search_lookup.shows_word reads them, each streamed once. */
  var streamed = new WeakMap();
  function streamedTexts(row) {
    if (!streamed.has(row)) streamed.set(row, row.slice(3).map(function (t) { return " " + stream(t) + " "; }));
    return streamed.get(row);
  }

  /* search_lookup.shows_word, over a record's t/ row */
  function showsWord(row, word) {
    var want = stream(word);
    return streamedTexts(row).some(function (t) { return t.indexOf(want) >= 0; });
  }

  function union(a, b) {
    return Array.from(new Set(a.concat(b))).sort(function (x, y) { return x - y; });
  }

  /* Resolve a query to {total, ids, offers}: every word must occur in the record as a phrase,
   * or as any word of its synonym group (meta.synonyms); words that name a filter (行政处罚,
   * 金州区, 政策) also offer the filtered list (meta.offers). An exact code or document number
   * comes first, then records showing every word itself, title matches first, then the rest. */
  function search(root, query) {
    return loadMeta(root).then(function (meta) {
      var raw = query.trim().split(/\s+/).filter(Boolean);
      var offers = [], estimated = false;
      raw.forEach(function (w) {
        var offer = meta.offers && meta.offers[w];
        if (offer && offers.indexOf(offer) < 0) offers.push(offer);
      });
      if (!queryGrams(query).length) return { total: 0, ids: [], offers: [], meta: meta };
      var all = [];
      for (var n = 0; n < meta.docs; n++) all.push(n);

      /* search_lookup.search's matching: a word's records, its pairs at their offsets (a phrase). */
      function matching(word) {
        var grams = phrase(word);
        if (!grams.length) return Promise.resolve(all);
        var looked = lookedUp(grams.length, meta.long_word);
        /* search_tokens: a code's or phone's runs narrow the records first; their shards are
         * requested with the pairs', and a few records left are checked by text at once */
        var keys = tokenFilters(word, meta.tokens);
        var tokens = Promise.all(keys.map(function (k) { return shardValue(root, meta, k); })).then(function (got) {
          if (got.some(function (v) { return v === undefined; })) return [];
          var ids = null;
          got.forEach(function (v) {  /* a frequent token (a year) would narrow little for its bytes */
            if (typeof v === "string") ids = ids === null ? decode(v, false).ids : intersect(ids, decode(v, false).ids);
          });
          return ids;
        });
        var pairs = Promise.all(looked.map(function (i) { return shardValue(root, meta, grams[i]); }));
        pairs.catch(function () {});  /* not needed when the tokens leave a few records */
        return tokens.then(function (ids) {
          if (ids !== null && ids.length <= meta.verify) return byText(ids);
          return pairs.then(function (got) { return byPairs(got, ids); });
        });
        function byText(ids) {
          return Promise.all(ids.map(function (id) { return row(root, meta, id); })).then(function (rows) {
            return ids.filter(function (id, k) { return showsWord(rows[k], word); });
          });
        }
        function byPairs(got, ids) {
          if (got.some(function (v) { return v === undefined; })) return [];
          var values = {};
          looked.forEach(function (i, n) { values[i] = got[n]; });
          var steps = neededPairs(values, meta.together), lists = {}, found = ids, spent = 0;
          function step(n) {
            if (n >= steps.length || (found && !found.length)) return Promise.resolve(found || []);
            if (found && cheaperByText(found, steps[n].map(function (i) { return values[i]; }), meta)) return byText(found);
            var cost = steps[n].reduce(function (sum, i) { return sum + (typeof values[i] === "number" ? values[i] : 0); }, 0);
            if (found && spent + cost > meta.budget) {  /* an estimate past the budget: the results shown are checked */
              estimated = true;
              return Promise.resolve(found);
            }
            spent += cost;
            return Promise.all(steps[n].map(function (i) { return postings(root, meta, grams[i]); })).then(function (got) {
              steps[n].forEach(function (i, k) {
                lists[i] = got[k];
                found = found === null ? got[k].ids : intersect(found, got[k].ids);
              });
              var keys = Object.keys(lists);
              found = found.filter(function (id) {
                var where = {};
                keys.forEach(function (i) { where[i] = positionsOf(lists[i], id); });
                return phraseAt(where, meta.positions);
              });
              return step(n + 1);
            });
          }
          return step(0);
        }
      }

      var words = raw.map(normalise);
      /* search_lookup.search's in_title: the word's title pairs in their shards (or the rarest). */
      function inTitle(word) {
        var pairs = phrase(word).filter(function (g) { return Array.from(g).length === 2; })
          .map(function (g) { return "#" + g; });
        if (!pairs.length) return Promise.resolve([]);
        return Promise.all(pairs.map(function (g) { return shardValue(root, meta, g); })).then(function (values) {
          if (values.some(function (v) { return v === undefined; })) return [];
          var inline = pairs.filter(function (g, i) { return typeof values[i] === "string"; });
          var rarest = pairs.reduce(function (best, g, i) {
            var count = typeof values[i] === "number" ? values[i] : 0;
            return best === null || count < best[0] ? [count, g] : best;
          }, null)[1];
          return Promise.all((inline.length ? inline : [rarest]).map(function (g) { return postings(root, meta, g); }))
            .then(function (lists) {
              return lists.map(function (l) { return l.ids; }).reduce(function (acc, list) { return intersect(acc, list); });
            });
        });
      }

      var groups = words.map(function (w) { return (meta.synonyms && meta.synonyms[w.trim()]) || [w]; });
      var perWord = Promise.all(groups.map(function (group, i) {
        return Promise.all([matching(words[i])].concat(group.slice(1).map(matching)));
      }));
      var titles = Promise.all(groups.map(function (group) {
        return Promise.all(group.map(inTitle)).then(function (lists) { return lists.reduce(union); });
      }));
      var exact = postings(root, meta, "=" + stream(query).trim());
      return Promise.all([perWord, titles, exact]).then(function (r) {
        var direct = r[0].map(function (m) { return m[0]; }).reduce(function (acc, list) { return intersect(acc, list); });
        var perWord = r[0].map(function (m) { return m.reduce(union); });
        var hits = perWord.reduce(function (acc, list) { return intersect(acc, list); });
        var isDirect = new Set(direct);
        var titled = r[1].map(function (list) { return new Set(list); });
        /* search_lookup.search: a word a title shows weighs more the rarer it is */
        var rarity = perWord.map(function (found) { return Math.floor((meta.docs + 1) / (1 + found.length)); });
        var isExact = new Set(r[2].ids);
        hits = hits.map(function (id) {
          var score = 0;
          titled.forEach(function (title, k) { if (title.has(id)) score += rarity[k]; });
          return [isExact.has(id) ? 0 : 1, isDirect.has(id) ? 0 : 1, -score, id];
        }).sort(function (x, y) { return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || x[3] - y[3]; })
          .map(function (t) { return t[3]; });
        return { total: hits.length, ids: hits, offers: offers, meta: meta, groups: groups, estimated: estimated };
      });
    });
  }

  /* search_lookup.near_queries: a one-word query with one Chinese character left out, or cut in two
   * between Chinese characters. */
  function nearQueries(query) {
    var word = normalise(query).trim(), chars = Array.from(word), out = [], i;
    if (/\s/.test(word) || chars.length < 3) return [];
    var han = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;  /* a typo in a number is not a near match */
    for (i = 0; i < chars.length; i++) {
      if (han.test(chars[i])) out.push((chars.slice(0, i).join("") + " " + chars.slice(i + 1).join("")).trim());
    }
    for (i = 1; i < chars.length; i++) {
      if (han.test(chars[i - 1]) && han.test(chars[i])) out.push((chars.slice(0, i).join("") + " " + chars.slice(i).join("")).trim());
    }
    return out.filter(function (q, n) { return Array.from(q).length >= 2 && out.indexOf(q) === n; });
  }

  /* search_lookup.closest: when nothing matches, records found by the most near queries first. */
  function searchOrClosest(root, query) {
    return search(root, query).then(function (res) {
      if (res.total) return res;
      return Promise.all(nearQueries(query).map(function (q) { return search(root, q); })).then(function (all) {
        var votes = {};
        all.forEach(function (r) { r.ids.forEach(function (id) { votes[id] = (votes[id] || 0) + 1; }); });
        var ids = Object.keys(votes).map(Number).sort(function (a, b) { return votes[b] - votes[a] || a - b; });
        return { total: ids.length, ids: ids, offers: res.offers, meta: res.meta, closest: ids.length > 0, groups: null };
      });
    });
  }

  /* "只看 职权类型：行政处罚" links above the results, for words that name a filter. */
  function offerLinks(root, offers) {
    var p = el("p", "search-offers");
    offers.forEach(function (o, i) {
      if (i) p.appendChild(document.createTextNode(" "));
      var a = el("a", "search-offer", "只看 " + o[0] + "：" + o[1]);
      a.href = root + o[2];
      p.appendChild(a);
    });
    return p;
  }

  /* search.shows_query: every word (or a word of its synonym group) shown by a text. */
  function showsQuery(row, groups) {
    return groups.every(function (group) { return group.some(function (w) { return showsWord(row, w); }); });
  }

  /* The text around the first word of the query a record's texts show (its title aside),
   * as [before, the word as shown, after]; matched character by character as normalised. */
  function snippet(fields, groups) {
    var words = [].concat.apply([], groups).map(function (w) { return normalise(w).trim(); }).filter(Boolean);
    for (var f = 1; f < fields.length; f++) {
      var chars = Array.from(fields[f]), at = [], norm = "";
      chars.forEach(function (c, i) { var n = normalise(c); for (var k = 0; k < n.length; k++) at.push(i); norm += n; });
      for (var w = 0; w < words.length; w++) {
        var i = norm.indexOf(words[w]);
        if (i < 0) continue;
        var start = at[i], end = at[i + words[w].length - 1] + 1, from = Math.max(0, start - 24);
        return [(from ? "…" : "") + chars.slice(from, start).join(""), chars.slice(start, end).join(""),
                chars.slice(end, end + 60).join("") + (end + 60 < chars.length ? "…" : "")];
      }
    }
    return null;
  }

  /* The count to show: exact when every result was checked against its text (`items` from
   * `docs` of the first `checked`); "约" when some were not and a checked one was dropped, or
   * the lookup stopped at its byte budget (meta.budget). */
  function counted(res, items, checked) {
    var total = res.total - (items.dropped || 0);
    return res.total > checked && (items.dropped || res.estimated) ? "约 " + total : String(total);
  }

  /* The results to show, from their rows (t/); with `groups`, only records whose texts show
   * the query (the index's positions are kept modulo meta.positions, so a rare record can
   * match by its pairs alone: it is never shown). */
  function docs(root, meta, ids, groups) {
    return Promise.all(ids.map(function (id) { return row(root, meta, id); })).then(function (rows) {
      var items = rows.map(function (r) {
        return { url: r[0], kind: r[1], meta: r[2], title: r[3], row: r, fields: r.slice(3) };
      }).filter(function (item) { return !groups || showsQuery(item.row, groups); });
      items.dropped = ids.length - items.length;
      return items;
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function resultList(root, items, query, groups) {
    var list = el("ol", "search-results");
    items.forEach(function (item) {
      var li = el("li", "search-result");
      var a = el("a", "search-result__title", item.title);
      if (query) markQuery(a, query);
      var hash = item.url.indexOf("#");
      var path = hash < 0 ? item.url : item.url.slice(0, hash);
      a.href = root + path + (query ? "?q=" + encodeURIComponent(query) : "") + (hash < 0 ? "" : item.url.slice(hash));
      li.appendChild(el("span", "search-result__kind", item.kind));
      li.appendChild(a);
      if (item.meta) li.appendChild(el("span", "search-result__meta", item.meta));
      var cut = groups && snippet(item.fields, groups);
      if (cut) {
        var p = el("span", "search-result__snippet", cut[0]);
        p.appendChild(el("mark", "search-mark", cut[1]));
        p.appendChild(document.createTextNode(cut[2]));
        li.appendChild(p);
      }
      list.appendChild(li);
    });
    return list;
  }

  function rootOf(node) {
    var root = node.getAttribute("data-site-root") || "./";
    return root === "./" ? "" : root;
  }

  /* The header box: an ARIA combobox (arrow keys move through the results, Enter opens one);
   * the live region announces only the count. */
  function setupHeader(form) {
    var input = form.querySelector(".site-search__input");
    var box = form.querySelector(".site-search__results");
    var status = form.querySelector("#site-search-status");
    var root = rootOf(form);
    var timer = null, serial = 0, options = [], active = -1;
    function setActive(n) {
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === n ? "true" : "false"); });
      active = n;
      if (n >= 0) {
        input.setAttribute("aria-activedescendant", options[n].id);
        options[n].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function close() {
      box.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }
    input.addEventListener("focus", function () { loadMeta(root).catch(function () {}); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var query = input.value, mine = ++serial;
        if (!query.trim()) { close(); status.textContent = ""; return; }
        searchOrClosest(root, query).then(function (res) {
          return docs(root, res.meta, res.ids.slice(0, 8), res.groups).then(showList);
          function showList(items) {
            if (mine !== serial) return;
            var total = counted(res, items, 8);
            box.textContent = "";
            box.appendChild(el("p", "search-summary", res.closest ? "没有完全匹配的结果，以下是相近的 " + total + " 条结果"
              : res.total ? "找到 " + total + " 条结果" : "没有找到相关结果"));
            if (res.offers.length) box.appendChild(offerLinks(root, res.offers));
            var list = resultList(root, items, query, res.groups || [query.trim().split(/\s+/)]);
            list.id = "site-search-listbox";
            list.setAttribute("role", "listbox");
            list.setAttribute("aria-label", "搜索结果");
            options = Array.from(list.children);
            options.forEach(function (li, i) {
              li.id = "site-search-option-" + i;
              li.setAttribute("role", "option");
              li.setAttribute("aria-selected", "false");
              li.querySelector("a").tabIndex = -1;
            });
            box.appendChild(list);
            if (res.total > 8) {
              var more = el("a", "search-more", "查看全部 " + total + " 条结果");
              more.href = root + "search/?q=" + encodeURIComponent(query);
              box.appendChild(more);
            }
            active = -1;
            input.removeAttribute("aria-activedescendant");
            box.hidden = false;
            input.setAttribute("aria-expanded", "true");
            status.textContent = res.closest ? "没有完全匹配的结果，相近的结果 " + total + " 条"
              : res.total ? "找到 " + total + " 条结果" : "没有找到相关结果";
          }
        }).catch(function () { box.textContent = "搜索暂时不可用"; box.hidden = false; status.textContent = "搜索暂时不可用"; });
      }, 100);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { close(); return; }
      if (box.hidden || !options.length) return;
      if (e.key === "ArrowDown") { e.preventDefault(); setActive((active + 1) % options.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); setActive(active <= 0 ? options.length - 1 : active - 1); }
      else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        location.href = options[active].querySelector("a").href;
      }
    });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) close(); });
  }

  /* The search page: ?q= in the URL, results paged 20 at a time. */
  function setupPage(container) {
    var form = document.getElementById("search-page-form");
    var input = document.getElementById("search-page-input");
    var root = rootOf(document.querySelector(".site-search") || container);
    var query = new URLSearchParams(location.search).get("q") || "";
    input.value = query;
    loadMeta(root).catch(function () {});  /* the person is about to search */
    if (!query.trim()) return;
    searchOrClosest(root, query).then(function (res) {
      var shown = 0;
      container.textContent = "";
      var summary = el("p", "search-summary", res.total ? "" : "没有找到与“" + query + "”相关的结果，请换个关键词试试");
      container.appendChild(summary);
      if (res.offers.length) container.appendChild(offerLinks(root, res.offers));
      var holder = el("div");
      container.appendChild(holder);
      function page() {
        var ids = res.ids.slice(shown, shown + 20);
        return docs(root, res.meta, ids, res.groups).then(function (items) {
          if (!shown) {
            var total = counted(res, items, 20);
            summary.textContent = res.closest ? "没有完全匹配“" + query + "”的结果，以下是相近的 " + total + " 条结果"
              : "“" + query + "”共找到 " + total + " 条结果";
          }
          holder.appendChild(resultList(root, items, query, res.groups || [query.trim().split(/\s+/)]));
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

  /* A record page opened from a result (?q=): the query's words are marked in its text. */
  function markQuery(article, query) {
    var words = query.trim().split(/\s+/).filter(function (w) { return w.length > 0; });
    if (!words.length) return;
    var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var text = node.nodeValue, at = [], i;
      words.forEach(function (w) {
        for (i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + w.length)) at.push([i, i + w.length]);
      });
      if (!at.length) return;
      at.sort(function (a, b) { return a[0] - b[0]; });
      var frag = document.createDocumentFragment(), last = 0;
      at.forEach(function (span) {
        if (span[0] < last) return;
        frag.appendChild(document.createTextNode(text.slice(last, span[0])));
        frag.appendChild(el("mark", "search-mark", text.slice(span[0], span[1])));
        last = span[1];
      });
      frag.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(frag, node);
    });
  }

  function init() {
    document.querySelectorAll("form.site-search").forEach(setupHeader);
    var page = document.getElementById("search-page-results");
    if (page) setupPage(page);
    var query = new URLSearchParams(location.search).get("q");
    var article = document.getElementById("main-content");
    if (!page && query && article) markQuery(article, query);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  window.siteSearch = { search: search, searchOrClosest: searchOrClosest, queryGrams: queryGrams, shardOf: shardOf,
                        normalise: normalise };
})();
