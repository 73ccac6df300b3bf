/* Toolkit search for the published book: the same ranking as hesj/toolkit.py
 * (BM25 over title, topics, authors and summary, with field weights), run in
 * the reader's browser with no network and no kernel. tests/test_toolkit.py
 * runs this file in Node and compares its results with the Python search. */
(function (root) {
  "use strict";
  var STOPWORDS = {};
  ("a an and are as at be by for from how in into is it of on or that the this to with what who why")
    .split(" ").forEach(function (w) { STOPWORDS[w] = true; });
  var FIELDS = ["title", "topics", "authors", "summary"];
  var WEIGHTS = { title: 3.0, topics: 2.0, authors: 1.5, summary: 1.0 };
  var K1 = 1.2, B = 0.75;
  var SUFFIXES = [["ies", "y"], ["ing", ""], ["ed", ""], ["es", ""], ["s", ""]];

  function stem(word) {
    for (var i = 0; i < SUFFIXES.length; i++) {
      var suf = SUFFIXES[i][0];
      if (word.length >= suf.length && word.slice(-suf.length) === suf &&
          word.length - suf.length >= 3 && word.slice(-2) !== "ss") {
        return word.slice(0, word.length - suf.length) + SUFFIXES[i][1];
      }
    }
    return word;
  }

  function tokens(text) {
    var t = String(text).toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    var words = t.match(/[a-z0-9]+/g) || [];
    var out = [];
    for (var i = 0; i < words.length; i++) {
      if (!STOPWORDS[words[i]]) out.push(stem(words[i]));
    }
    return out;
  }

  function fieldTokens(e) {
    return { title: tokens(e.title), topics: tokens(e.topics.join(" ")),
             authors: tokens(e.authors.join(" ")), summary: tokens(e.summary) };
  }

  function counts(list) {  // insertion-ordered term counts, like Python's Counter
    var order = [], c = {};
    for (var i = 0; i < list.length; i++) {
      if (!Object.prototype.hasOwnProperty.call(c, list[i])) { c[list[i]] = 0; order.push(list[i]); }
      c[list[i]] += 1;
    }
    return { order: order, c: c };
  }

  function buildIndex(entries) {
    var n = entries.length, toks = entries.map(fieldTokens), avg = {};
    FIELDS.forEach(function (f) {
      var sum = 0;
      toks.forEach(function (t) { sum += t[f].length; });
      avg[f] = (sum / Math.max(n, 1)) || 1.0;
    });
    var postings = {}, df = {};
    entries.forEach(function (e, i) {
      var weights = {}, order = [];
      FIELDS.forEach(function (f) {
        var norm = 1 - B + B * toks[i][f].length / avg[f];
        var tc = counts(toks[i][f]);
        tc.order.forEach(function (term) {
          var tf = tc.c[term];
          if (!Object.prototype.hasOwnProperty.call(weights, term)) { weights[term] = 0.0; order.push(term); }
          weights[term] += WEIGHTS[f] * tf / (tf + K1 * norm);
        });
      });
      order.forEach(function (term) {
        if (!postings[term]) { postings[term] = []; df[term] = 0; }
        postings[term].push([i, weights[term]]);
        df[term] += 1;
      });
    });
    var idf = {};
    Object.keys(df).forEach(function (t) { idf[t] = Math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)); });
    return { entries: entries, postings: postings, idf: idf };
  }

  function keep(e, f) {
    return (!f.type || e.type === f.type) && (!f.topic || e.topics.indexOf(f.topic) >= 0) &&
      (!f.unit || e.units.indexOf(f.unit) >= 0) && (!f.audience || e.audience.indexOf(f.audience) >= 0) &&
      (!f.yearFrom || e.year >= f.yearFrom) && (!f.yearTo || e.year <= f.yearTo);
  }

  /* Returns [{entry, score}] best first. With no words, every entry that passes
   * the filters, newest first. */
  function search(index, query, filters) {
    var f = filters || {}, entries = index.entries, out = [];
    var terms = tokens(query || "");
    if (!terms.length) {
      entries.forEach(function (e) { if (keep(e, f)) out.push({ entry: e, score: 0 }); });
      out.sort(function (a, b) {
        return (b.entry.year - a.entry.year) ||
          (a.entry.title.toLowerCase() < b.entry.title.toLowerCase() ? -1 : a.entry.title.toLowerCase() > b.entry.title.toLowerCase() ? 1 : 0);
      });
      return out;
    }
    var seen = {}, scores = {}, hit = [];
    terms.forEach(function (term) {
      if (seen[term]) return;
      seen[term] = true;
      (index.postings[term] || []).forEach(function (p) {
        if (!Object.prototype.hasOwnProperty.call(scores, p[0])) { scores[p[0]] = 0.0; hit.push(p[0]); }
        scores[p[0]] += index.idf[term] * p[1];
      });
    });
    var phrase = terms.join(" ");
    hit.forEach(function (i) {
      var e = entries[i], s = scores[i];
      if (!keep(e, f)) return;
      if (terms.length > 1 && tokens(e.title).join(" ").indexOf(phrase) >= 0) s *= 1.5;
      out.push({ entry: e, score: s });
    });
    out.sort(function (a, b) {
      return (b.score - a.score) || (b.entry.year - a.entry.year) ||
        (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0);
    });
    return out;
  }

  var api = { tokens: tokens, stem: stem, buildIndex: buildIndex, search: search };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; } else { root.HesjToolkit = api; }
})(this);
