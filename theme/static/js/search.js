// The archive's static search: queries evaluated in the browser on the index
// that archive_search/export.py writes into search/ (no server, no library).
//
// It implements the query contract shared with archive_search.search() (Whoosh):
// the same tokenizer, query grammar, filters and canonical order, so both return
// the same articles in the same order (tests/test_search_page.py compares them).
// Files are fetched on demand: the manifest, then only the key shards the query
// names, then the titles of the page shown, and the body of a result (for its
// snippet) only when it comes near the screen.  The files and their format are
// described in docs/search_format.md.
//
// This module is the page; the parts it shares with archive_search/ are
// modules of their own, each named after its Python counterpart:
// analysis.js (tokenizer), query_language.js (grammar, filters, errors),
// index_files.js (the files' format), matching.js (sets of ordinals),
// search_index.js (evaluating a query) and snippets.js.

import { normalize, tokens } from "./analysis.js";
import { QueryError, highlightTerms, parseQuery } from "./query_language.js";
import { SearchIndex } from "./search_index.js";
import { appendMarked, matchRanges, snippetWindow } from "./snippets.js";

// What scripts and tests may use, from this one entry point.
export { isHanChar, normalize, tokens } from "./analysis.js";
export { fnv1a, phraseKeys } from "./index_files.js";
export { dayBound, highlightTerms, parseQuery, QueryError } from "./query_language.js";
export { SearchIndex } from "./search_index.js";
export { appendMarked, matchRanges, snippetWindow } from "./snippets.js";

export const PAGE_SIZE = 20;

const FILTERS = ["tag", "place", "site", "year", "from", "to"];

export function formatDate(date) {
  if (!date) return "日期不详";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : date;
}

function stateFromUrl(location) {
  const params = new URLSearchParams(location.search);
  const state = { q: params.get("q") || "", page: Math.max(1, Number(params.get("page")) || 1) };
  for (const f of FILTERS) state[f] = params.get(f) || "";
  return state;
}

function urlFromState(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const f of FILTERS) if (state[f]) params.set(f, state[f]);
  if (state.page > 1) params.set("page", String(state.page));
  const query = params.toString();
  return query ? `?${query}` : location.pathname;
}

function option(value, label) {
  const el = document.createElement("option");
  el.value = value;
  el.textContent = label;
  return el;
}

function csvCell(value) {
  let text = value == null ? "" : String(value);
  // A cell starting with = + - @ would run as a formula in a spreadsheet.
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(records, siteRoot) {
  const head = ["slug", "title", "date", "site", "province", "city", "county", "tags", "primary_tag", "url", "source_url", "title_derived"];
  const lines = [head.join(",")];
  for (const r of records) {
    lines.push(
      [
        r.slug, r.title, r.date, r.site, r.province, r.city, r.county, r.tags.join(";"),
        r.primary_tag, new URL(r.url, siteRoot).href, r.source_url, r.title_derived ? "1" : "0",
      ].map(csvCell).join(","),
    );
  }
  return "\ufeff" + lines.join("\r\n") + "\r\n";
}

class SearchPage {
  constructor(root) {
    this.root = root;
    this.form = root.querySelector("form");
    this.status = root.querySelector("[data-status]");
    this.list = root.querySelector("[data-results]");
    this.pager = root.querySelector("[data-pager]");
    this.csv = root.querySelector("[data-csv]");
    this.siteRoot = new URL(root.dataset.root || "./", document.baseURI);
    this.index = new SearchIndex(new URL(root.dataset.index || "search/", document.baseURI));
    this.tagNames = new Map();
    this.run = 0;
    // Snippets are filled in as results come near the screen: a body is most of
    // a result's bytes, and most of a page of results is never scrolled to.
    this.snippets = new WeakMap();
    this.observer =
      typeof IntersectionObserver === "undefined"
        ? null
        : new IntersectionObserver((entries) => this.onVisible(entries), { rootMargin: "300px 0px" });
  }

  async start() {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.navigate({ ...this.readForm(), page: 1 });
    });
    for (const select of this.form.querySelectorAll("select")) {
      select.addEventListener("change", () => this.navigate({ ...this.readForm(), page: 1 }));
    }
    this.csv.addEventListener("click", () => this.downloadCsv());
    window.addEventListener("popstate", () => this.show(stateFromUrl(location)));
    this.firstStart = performance.now(); // the first search's time includes loading the manifest
    try {
      await this.index.load();
    } catch (error) {
      this.setStatus(`检索索引加载失败：${error.message}`);
      return;
    }
    this.fillFilters();
    await this.show(stateFromUrl(location));
  }

  fillFilters() {
    const m = this.index.manifest;
    const s = (i) => m.strings[i];
    const tag = this.form.elements.tag;
    for (const [id, name, count] of m.facets.tags) {
      this.tagNames.set(s(id), name);
      tag.append(option(s(id), `${name}（${count}）`));
    }
    const place = this.form.elements.place;
    for (const [p, c, k, count] of m.facets.places) {
      const name = s(k >= 0 ? k : c >= 0 ? c : p);
      const indent = k >= 0 ? "\u3000\u3000" : c >= 0 ? "\u3000" : "";
      place.append(option(name, `${indent}${name}（${count}）`));
    }
    const site = this.form.elements.site;
    for (const [id, count] of m.facets.sites) site.append(option(s(id), `${s(id)}（${count}）`));
    const year = this.form.elements.year;
    for (const [y, count] of m.facets.years) year.append(option(y, `${y}年（${count}）`));
  }

  readForm() {
    const state = { q: this.form.elements.q.value.trim() };
    for (const f of FILTERS) state[f] = this.form.elements[f] ? this.form.elements[f].value : "";
    return state;
  }

  writeForm(state) {
    this.form.elements.q.value = state.q;
    for (const f of FILTERS) {
      const el = this.form.elements[f];
      if (!el) continue;
      if (el.tagName === "SELECT" && state[f] && ![...el.options].some((o) => o.value === state[f])) {
        el.append(option(state[f], state[f])); // a value from a shared link the facets lack
      }
      el.value = state[f];
    }
  }

  navigate(state) {
    history.pushState(null, "", urlFromState(state));
    return this.show(state);
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  async show(state) {
    const run = ++this.run;
    this.state = state;
    this.observer?.disconnect();
    this.writeForm(state);
    const hasFilter = FILTERS.some((f) => state[f]);
    this.list.replaceChildren();
    this.pager.replaceChildren();
    this.csv.hidden = true;
    if (!state.q && !hasFilter) {
      this.setStatus("请输入检索词，或选择筛选条件。");
      this.root.dataset.state = "idle";
      return;
    }
    document.title = `${state.q || "筛选"} - 检索 - ${this.root.dataset.sitename || ""}`;
    this.setStatus("检索中…");
    this.root.dataset.state = "searching";
    const started = this.firstStart ?? performance.now();
    this.firstStart = null;
    let found;
    try {
      found = await this.index.search(state.q, state);
    } catch (error) {
      if (run !== this.run) return;
      const message = error instanceof QueryError ? error.message.split(" / ")[0] : error.message;
      this.setStatus(`检索失败：${message}`);
      this.root.dataset.state = "error";
      return;
    }
    const { ordinals, tree } = found;
    const total = ordinals.length;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(state.page, pages);
    const shown = ordinals.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    let articles;
    try {
      articles = await this.index.articles(shown);
    } catch (error) {
      this.setStatus(`结果加载失败：${error.message}`);
      this.root.dataset.state = "error";
      return;
    }
    if (run !== this.run) return; // a newer search has started
    const terms = tree ? highlightTerms(tree) : [];
    this.list.start = (page - 1) * PAGE_SIZE + 1;
    const items = articles.map((a) => this.renderResult(a, terms));
    this.list.replaceChildren(...items);
    for (const li of items) {
      if (this.observer) this.observer.observe(li);
      else this.fillSnippet(li);
    }
    const ms = Math.round(performance.now() - started);
    this.setStatus(
      total
        ? `共找到 ${total} 篇，第 ${this.list.start}–${this.list.start + shown.length - 1} 篇（${ms} 毫秒）`
        : "没有找到符合条件的文章。",
    );
    this.root.dataset.total = String(total);
    this.root.dataset.q = state.q;
    this.root.dataset.ms = String(ms);
    this.csv.hidden = total === 0;
    this.renderPager(page, pages);
    this.root.dataset.state = "done";
  }

  renderResult(article, terms) {
    const li = document.createElement("li");
    li.className = "result";
    li.dataset.slug = article.slug;
    const h = document.createElement("h3");
    const a = document.createElement("a");
    a.href = new URL(article.url, this.siteRoot).href;
    appendMarked(a, article.title, matchRanges(article.title, terms));
    h.append(a);
    if (article.title_derived) {
      const note = document.createElement("span");
      note.className = "derived";
      note.textContent = "（标题为摘录）";
      h.append(note);
    }
    const meta = document.createElement("p");
    meta.className = "meta";
    const place = [article.province, article.city, article.county].filter(Boolean).join(" ");
    const parts = [formatDate(article.date), article.site, place].filter(Boolean);
    meta.textContent = parts.join(" · ");
    for (const t of article.tags) {
      const tag = document.createElement("span");
      tag.className = t === article.primary_tag ? "tag primary" : "tag";
      tag.textContent = this.tagNames.get(t) || t;
      meta.append(" ", tag);
    }
    const snippet = document.createElement("p");
    snippet.className = "snippet";
    li.append(h, meta, snippet);
    this.snippets.set(li, { ordinal: article.ordinal, terms, snippet });
    return li;
  }

  onVisible(entries) {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      this.observer.unobserve(entry.target);
      this.fillSnippet(entry.target);
    }
  }

  /** The snippet of a listed result: a window of its body around the first match. */
  async fillSnippet(li) {
    const wanted = this.snippets.get(li);
    if (!wanted) return;
    this.snippets.delete(li);
    const { ordinal, terms, snippet } = wanted;
    let body;
    try {
      body = await this.index.body(ordinal);
    } catch {
      return; // the title and metadata are shown; the snippet stays empty
    }
    const ranges = matchRanges(body, terms);
    const [from, to] = snippetWindow(body, ranges);
    if (from > 0) snippet.append("…");
    appendMarked(snippet, body.replaceAll("\n", " "), ranges, from, to);
    if (to < body.length) snippet.append("…");
    li.dataset.snippet = "done";
  }

  renderPager(page, pages) {
    if (pages <= 1) return;
    const link = (n, label, rel) => {
      const a = document.createElement("a");
      a.href = urlFromState({ ...this.state, page: n });
      a.textContent = label;
      if (rel) a.rel = rel;
      if (n === page) a.setAttribute("aria-current", "page");
      a.addEventListener("click", (event) => {
        event.preventDefault();
        this.navigate({ ...this.state, page: n }).then(() => this.root.scrollIntoView());
      });
      return a;
    };
    if (page > 1) this.pager.append(link(page - 1, "上一页", "prev"));
    const numbers = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2]);
    let previous = 0;
    for (const n of [...numbers].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b)) {
      if (n > previous + 1) this.pager.append(document.createTextNode(" … "));
      this.pager.append(link(n, String(n)));
      previous = n;
    }
    if (page < pages) this.pager.append(link(page + 1, "下一页", "next"));
  }

  async downloadCsv() {
    const { ordinals } = await this.index.search(this.state.q, this.state);
    this.setStatus(`正在准备 ${ordinals.length} 篇的 CSV…`);
    const records = await this.index.records(ordinals);
    const blob = new Blob([toCsv(records, this.siteRoot)], { type: "text/csv;charset=utf-8" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "检索结果.csv";
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    this.setStatus(`已生成 CSV：${ordinals.length} 篇。`);
  }
}

const root = typeof document !== "undefined" && document.getElementById("search-app");
if (root) {
  const page = new SearchPage(root);
  window.archiveSearch = { page, index: page.index, tokens, parseQuery, normalize };
  page.start();
}
