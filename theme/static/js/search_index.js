// The index of search/ as the page uses it: fetched on demand, queries evaluated
// into ordinals in canonical order (archive_search/query.py's results()).

import { isHanChar, pyStrip } from "./analysis.js";
import { QueryError, dayBound, parseQuery } from "./query_language.js";
import {
  INDEX_VERSION,
  decodePositions,
  decodeSet,
  fetchBytes,
  fnv1a,
  parseShard,
  phraseKeys,
  readVarint,
  shardFamily,
} from "./index_files.js";
import { difference, hasSorted, intersect, range, union } from "./matching.js";

const BLOCK_FETCH_MIN = 3; // result-page articles in one metadata block that fetch the block

export class SearchIndex {
  /** `base`: URL of the search/ folder (ending in "/"). */
  constructor(base) {
    this.base = new URL(base, document.baseURI);
    this.counter = { bytes: 0 };
    this.shards = new Map();
    this.decoded = new Map();
    this.files = new Map();
  }

  async load() {
    if (!this.manifest) {
      const response = await fetch(new URL("manifest.json", this.base), { cache: "no-cache" });
      if (!response.ok) throw new Error(`manifest.json: HTTP ${response.status}`);
      const text = await response.text();
      this.counter.bytes += new TextEncoder().encode(text).length;
      this.manifest = JSON.parse(text);
      if (this.manifest.version !== INDEX_VERSION) throw new Error(`unknown index version ${this.manifest.version}`);
    }
    return this.manifest;
  }

  /** The path of file n in folders of `group_size` files whose hashes `hashes` lists. */
  path(prefix, n, hashes) {
    const g = Math.floor(n / this.manifest.group_size);
    const width = this.manifest.hash_chars;
    return `${prefix}/${g}-${hashes.slice(g * width, (g + 1) * width)}/${n}.bin`;
  }

  file(path) {
    if (!this.files.has(path)) {
      const promise = fetchBytes(new URL(path, this.base), this.counter);
      promise.catch(() => this.files.delete(path));
      this.files.set(path, promise);
    }
    return this.files.get(path);
  }

  async entry(key) {
    const family = shardFamily(key);
    const n = fnv1a(key) % this.manifest.shards[family];
    const name = `${family}/${n}`;
    if (!this.shards.has(name)) {
      const path = this.path(family, n, this.manifest.shard_groups[family]);
      this.shards.set(name, this.file(path).then(parseShard));
    }
    return (await this.shards.get(name)).get(key) || null;
  }

  /** Positional postings of a term, or null when no article has it. */
  async postings(term) {
    if (!this.decoded.has(term)) {
      const entry = await this.entry(term);
      this.decoded.set(term, entry ? decodePositions(entry.data) : null);
    }
    return this.decoded.get(term);
  }

  /** A set key ("#村", "tag:vetting" …) as ordinals. */
  async docSet(key) {
    if (!this.decoded.has(key)) {
      const entry = await this.entry(key);
      this.decoded.set(key, entry ? decodeSet(entry.kind, entry.data, this.manifest.docs) : new Int32Array(0));
    }
    return this.decoded.get(key);
  }

  all() {
    return range(0, this.manifest.docs);
  }

  /** Articles whose title and body (or title only) hold the terms as a phrase. */
  async matchText(terms, positions, titleOnly) {
    if (terms.length === 1 && isHanChar(terms[0])) {
      return this.docSet((titleOnly ? "^" : "#") + terms[0]);
    }
    if (terms.length === 1 && !titleOnly) return this.docSet("=" + terms[0]);
    const { keys, offsets, trigrams } = phraseKeys(terms, positions, titleOnly ? "@" : "");
    // A three-character phrase is one trigram: its articles are a doc set.
    if (trigrams && keys.length === 1) return this.docSet("=" + keys[0]);
    const lists = await Promise.all(keys.map((k) => this.postings(k)));
    if (lists.some((l) => !l)) return new Int32Array(0);
    if (keys.length === 1) return lists[0].docs;
    const first = lists[0];
    const cursors = lists.map(() => 0);
    const out = [];
    for (let d = 0; d < first.docs.length; d++) {
      const ordinal = first.docs[d];
      const at = [d];
      let present = true;
      for (let k = 1; k < lists.length; k++) {
        const docs = lists[k].docs;
        let c = cursors[k];
        while (c < docs.length && docs[c] < ordinal) c++;
        cursors[k] = c;
        if (c >= docs.length || docs[c] !== ordinal) {
          present = false;
          break;
        }
        at.push(c);
      }
      if (!present) continue;
      const p0 = first.positions;
      for (let i = first.starts[d]; i < first.starts[d + 1]; i++) {
        const p = p0[i];
        let phrase = true;
        for (let k = 1; k < lists.length && phrase; k++) {
          const l = lists[k];
          phrase = hasSorted(l.positions, p + offsets[k] - offsets[0], l.starts[at[k]], l.starts[at[k] + 1]);
        }
        if (phrase) {
          out.push(ordinal);
          break;
        }
      }
    }
    return Int32Array.from(out);
  }

  /** Ordinals matching a parsed query, in canonical order. */
  async evaluate(node) {
    switch (node.type) {
      case "words":
        return this.matchText(node.terms, node.positions, node.scope === "title");
      case "field":
        return this.docSet(`${node.name}:${node.value}`);
      case "not":
        return difference(this.all(), await this.evaluate(node.item));
      case "and": {
        const parts = await Promise.all(node.items.map((i) => this.evaluate(i)));
        return parts.reduce((a, b) => intersect(a, b));
      }
      case "or": {
        const parts = await Promise.all(node.items.map((i) => this.evaluate(i)));
        return parts.reduce((a, b) => union(a, b));
      }
      default:
        throw new Error(`unknown query node ${node.type}`);
    }
  }

  async days() {
    if (!this.dayRuns) {
      const bytes = await this.file(this.manifest.dates);
      const state = { i: 0 };
      const count = readVarint(bytes, state);
      const runs = [];
      let day = 0;
      let start = 0;
      for (let k = 0; k < count; k++) {
        const z = readVarint(bytes, state);
        day += z % 2 ? -(z + 1) / 2 : z / 2;
        const length = readVarint(bytes, state);
        runs.push([day, start, start + length]);
        start += length;
      }
      this.dayRuns = runs;
    }
    return this.dayRuns;
  }

  /** Articles published between two days (YYYYMMDD numbers, inclusive, null = open); never undated ones. */
  async dateRange(low, high) {
    const out = [];
    for (const [day, start, end] of await this.days()) {
      if (day && (low === null || day >= low) && (high === null || day <= high)) {
        for (let o = start; o < end; o++) out.push(o);
      }
    }
    return Int32Array.from(out);
  }

  /**
   * The articles matching `query` and `filters` ({tag, place, site, year,
   * from, to}) in canonical order, as archive_search.search(): {tree, ordinals}.
   * An empty query lists the filtered archive (the page's browsing; the
   * Python API requires a query).  Throws QueryError for a malformed query.
   */
  async search(query, filters = {}) {
    await this.load();
    const hasQuery = Boolean(query && pyStrip(query));
    const contract = this.manifest.contract;
    const tree = hasQuery ? parseQuery(query, contract) : null;
    const low = dayBound(filters.from, false, contract);
    const high = dayBound(filters.to, true, contract);
    let result = tree ? await this.evaluate(tree) : this.all();
    for (const f of ["tag", "place", "site", "year"]) {
      if (filters[f]) result = intersect(result, await this.docSet(`${f}:${filters[f]}`));
    }
    if (low !== null || high !== null) result = intersect(result, await this.dateRange(low, high));
    return { tree, ordinals: result };
  }

  string(index) {
    return index >= 0 ? this.manifest.strings[index] : null;
  }

  /** A metadata row of the export as an object. */
  record(row) {
    const [slug, title, date, site, place, tags, primary, sourceUrl, derived, url] = row;
    return {
      slug,
      title,
      date,
      site: this.string(site),
      province: this.string(place[0]),
      city: this.string(place[1]),
      county: this.string(place[2]),
      tags: tags.map((t) => this.string(t)),
      primary_tag: this.string(primary),
      source_url: sourceUrl,
      title_derived: Boolean(derived),
      url: url || this.manifest.url_pattern.replace("{slug}", slug),
    };
  }

  /** One article's metadata and title (for the result list). */
  async article(ordinal) {
    const path = this.path("d", ordinal, this.manifest.doc_groups);
    const row = JSON.parse(new TextDecoder().decode(await this.file(path)));
    return { ...this.record(row), ordinal };
  }

  /** The metadata rows of one metadata block (META_BLOCK consecutive ordinals). */
  async metaBlock(block) {
    const path = this.path("m", block, this.manifest.meta_groups);
    return JSON.parse(new TextDecoder().decode(await this.file(path)));
  }

  /**
   * The articles of a result page.  Where several of them fall in one
   * metadata block (dense results list neighbouring ordinals) that block is
   * one request instead of several: a browser opens six connections to a
   * host, so twenty per-article files cost four round trips.
   */
  async articles(ordinals) {
    const block = this.manifest.meta_block;
    const perBlock = new Map();
    for (const o of ordinals) perBlock.set(Math.floor(o / block), (perBlock.get(Math.floor(o / block)) || 0) + 1);
    return Promise.all(
      Array.from(ordinals, async (o) => {
        const b = Math.floor(o / block);
        if (perBlock.get(b) < BLOCK_FETCH_MIN) return this.article(o);
        const row = (await this.metaBlock(b))[o - b * block];
        return { ...this.record(row), ordinal: o };
      }),
    );
  }

  /** One article's body (for its snippet). */
  async body(ordinal) {
    const path = this.path("b", ordinal, this.manifest.body_groups);
    return new TextDecoder().decode(await this.file(path));
  }

  /** Metadata of many articles, read from the metadata shards (CSV, tests). */
  async records(ordinals, concurrency = 6) {
    const block = this.manifest.meta_block;
    const blocks = [...new Set(Array.from(ordinals, (o) => Math.floor(o / block)))];
    const rows = new Map();
    let next = 0;
    const worker = async () => {
      while (next < blocks.length) {
        const b = blocks[next++];
        (await this.metaBlock(b)).forEach((row, k) => rows.set(b * block + k, row));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, blocks.length) }, worker));
    return Array.from(ordinals, (o) => this.record(rows.get(o)));
  }
}
