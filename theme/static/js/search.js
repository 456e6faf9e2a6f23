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

const HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff";
const RUNS = new RegExp(`([${HAN}]+)|((?:(?![${HAN}])[\\p{L}\\p{N}])+)`, "gu");
const HAN_ONLY = new RegExp(`^[${HAN}]+$`, "u");
const HAN_PAIR = new RegExp(`^[${HAN}]{2}$`, "u");
const HAN_TRIGRAM = new RegExp(`^[${HAN}]{3}$`, "u");
export const PAGE_SIZE = 20;
const INDEX_VERSION = 4; // export.FORMAT_VERSION
const BLOCK_FETCH_MIN = 3; // result-page articles in one metadata block that fetch the block

// ------------------------------------------------------------------ tokenizer

function fold(ch) {
  const folded = ch.normalize("NFKC");
  // One character in, one out (counted as Python counts: code points).
  return [...folded].length === 1 ? folded : ch;
}

/** NFKC per character (when it folds to one character), then lower case: analysis.normalize(). */
export function normalize(text) {
  let out = "";
  for (const ch of text) out += fold(ch);
  return out.toLowerCase();
}

/**
 * The index terms of `text` in order, as archive_search.analysis.tokens():
 * Han runs become overlapping bigrams (a lone character a unigram), runs of
 * other letters and digits whole words; positions count tokens, plus one
 * between runs separated by more than white space.  start/end are
 * offsets (UTF-16) into the original text, for highlighting.
 */
export function tokens(text) {
  const folded = [];
  const origin = []; // folded index -> original index
  let offset = 0;
  for (const ch of text) {
    const f = fold(ch);
    for (let i = 0; i < f.length; i++) {
      folded.push(f[i]);
      origin.push(offset);
    }
    offset += ch.length;
  }
  origin.push(offset);
  const joined = folded.join("");
  const lowered = joined.toLowerCase();
  let map = origin;
  if (lowered.length !== joined.length) {
    // Lower-casing changed the length (İ becomes i + combining dot): map offsets
    // character by character; the text stays the whole string's lower case
    // (which, like Python's, knows the final sigma).
    map = [];
    let i = 0;
    for (const ch of joined) {
      const size = ch.toLowerCase().length;
      for (let k = 0; k < size; k++) map.push(origin[i]);
      i += ch.length;
    }
    map.push(offset);
    while (map.length < lowered.length + 1) map.push(offset);
  }
  const out = [];
  let position = 0;
  let previousEnd = 0;
  for (const run of lowered.matchAll(RUNS)) {
    const start = run.index;
    // Runs apart by anything but white space (punctuation) are one position further
    // apart, so a phrase never matches across them (as analysis.tokens()).
    if (position && pyStrip(lowered.slice(previousEnd, start))) position++;
    previousEnd = start + run[0].length;
    if (run[2] !== undefined) {
      out.push({ text: run[0], position: position++, start: map[start], end: map[start + run[0].length] });
      continue;
    }
    const han = [...run[0]]; // BMP only: one UTF-16 unit each
    if (han.length === 1) {
      out.push({ text: han[0], position: position++, start: map[start], end: map[start + 1] });
      continue;
    }
    for (let i = 0; i < han.length - 1; i++) {
      out.push({
        text: han[i] + han[i + 1],
        position: position++,
        start: map[start + i],
        end: map[start + i + 2],
      });
    }
  }
  return out;
}

export function isHanChar(text) {
  return text.length === 1 && HAN_ONLY.test(text);
}

// ------------------------------------------------------------------ query parser
//
// The grammar of archive_search.query (its module docstring is the reference):
// words end at white space, ( ) and "; AND / OR / NOT (upper case, whole words)
// are operators; field:value for tag, place, site, year and title.
// and_expr := or_expr ([AND] or_expr)*;  or_expr := unary (OR unary)*;
// unary := NOT unary | "(" and_expr ")" | item.

// Python's str.isspace(), which differs from JavaScript's \s (\x1c-\x1f, \x85, \ufeff).
const SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const FIELD_WORD = /^(tag|place|site|year|title):([\s\S]*)$/;
const YEAR = /^\p{Nd}{4}$/u; // Python's \d: any decimal digit
const OPERATORS = new Set(["AND", "OR", "NOT"]);
// As archive_search.query.MAX_QUERY_CHARS: a link may carry any q=, and a
// query's cost (shards fetched, nesting parsed) grows with its length.
export const MAX_QUERY_CHARS = 200;

/** A query the contract rejects; the message is Chinese and English, as the Python side's. */
export class QueryError extends Error {
  constructor(message) {
    super(message);
    this.name = "QueryError";
  }
}

function quoted(text, start) {
  const end = text.indexOf('"', start + 1);
  if (end < 0) throw new QueryError('引号不成对 / unbalanced quote: a phrase opened with " is not closed');
  return [text.slice(start + 1, end), end + 1];
}

function pushWords(out, text, scope) {
  const found = tokens(text);
  if (!found.length) return;
  const terms = found.map((t) => t.text);
  // Offsets from the first token: gaps where punctuation was (query.Words.positions).
  const positions = found.map((t) => t.position - found[0].position);
  out.push({ kind: "word", node: { type: "words", terms, positions, scope }, text });
}

function lex(text) {
  const out = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (SPACE.test(ch)) i++;
    else if (ch === "(" || ch === ")") {
      out.push({ kind: ch, text: ch });
      i++;
    } else if (ch === '"') {
      let phrase;
      [phrase, i] = quoted(text, i);
      pushWords(out, phrase, "any");
    } else {
      const start = i;
      while (i < n && !SPACE.test(text[i]) && !'()"'.includes(text[i])) i++;
      const word = text.slice(start, i);
      if (OPERATORS.has(word)) {
        out.push({ kind: "op", text: word });
        continue;
      }
      const match = FIELD_WORD.exec(word);
      if (!match) {
        pushWords(out, word, "any");
        continue;
      }
      const name = match[1];
      let value = match[2];
      if (!value && i < n && text[i] === '"') [value, i] = quoted(text, i);
      else if (!value) throw new QueryError(`“${name}:” 后面缺少值 / \`${name}:\` needs a value (no space after :)`);
      if (name === "title") {
        pushWords(out, value, "title");
        continue;
      }
      value = pyStrip(value);
      if (name === "year" && !YEAR.test(value)) {
        throw new QueryError(`year: 需要四位数字的年份，而不是“${value}” / year: needs 4 digits`);
      }
      out.push({ kind: "word", node: { type: "field", name, value }, text: word });
    }
  }
  return out;
}

function pyStrip(text) {
  let start = 0;
  let end = text.length;
  while (start < end && SPACE.test(text[start])) start++;
  while (end > start && SPACE.test(text[end - 1])) end--;
  return text.slice(start, end);
}

class Parser {
  constructor(lexemes) {
    this.lexemes = lexemes;
    this.i = 0;
  }

  peek() {
    return this.i < this.lexemes.length ? this.lexemes[this.i] : null;
  }

  take() {
    return this.lexemes[this.i++];
  }

  parse() {
    const node = this.andExpr();
    const extra = this.peek();
    if (extra) {
      if (extra.kind === ")") throw new QueryError("右括号多余 / unbalanced parenthesis: ) without (");
      throw new QueryError(`无法理解“${extra.text}” / unexpected ${extra.text}`);
    }
    return node;
  }

  andExpr() {
    const children = [this.orExpr()];
    let lexeme;
    while ((lexeme = this.peek()) && lexeme.kind !== ")") {
      if (lexeme.kind === "op" && lexeme.text === "AND") {
        this.take();
        if (!this.peek() || this.peek().kind === ")") {
          throw new QueryError("AND 后面缺少检索词 / AND needs something after it");
        }
      }
      children.push(this.orExpr());
    }
    return children.length === 1 ? children[0] : { type: "and", items: children };
  }

  orExpr() {
    const children = [this.unary()];
    let lexeme;
    while ((lexeme = this.peek()) && lexeme.kind === "op" && lexeme.text === "OR") {
      this.take();
      children.push(this.unary("OR"));
    }
    return children.length === 1 ? children[0] : { type: "or", items: children };
  }

  unary(after = "") {
    const lexeme = this.peek();
    if (!lexeme || lexeme.kind === ")") {
      if (after) throw new QueryError(`${after} 后面缺少检索词 / ${after} needs something after it`);
      if (!lexeme) throw new QueryError("检索式为空 / empty query");
      throw new QueryError("括号内为空或右括号多余 / empty or unbalanced parentheses");
    }
    this.take();
    if (lexeme.kind === "op") {
      if (lexeme.text === "NOT") return { type: "not", item: this.unary("NOT") };
      throw new QueryError(`${lexeme.text} 前面缺少检索词 / ${lexeme.text} needs something before it`);
    }
    if (lexeme.kind === "(") {
      const inner = this.peek();
      if (inner && inner.kind === ")") throw new QueryError("括号内为空 / empty parentheses ()");
      const node = this.andExpr();
      if (!this.peek()) throw new QueryError("括号不成对 / unbalanced parenthesis: ( is not closed");
      this.take();
      return node;
    }
    return lexeme.node;
  }
}

/**
 * The query tree of `text`: {type: "words", terms, scope: "any"|"title"},
 * {type: "field", name, value}, {type: "not", item}, {type: "and"|"or", items}.
 * Throws QueryError for an empty or malformed query, as archive_search.query.parse().
 */
export function parseQuery(text) {
  if (!text || !pyStrip(text)) throw new QueryError("请输入检索词 / the query is empty");
  if ([...text].length > MAX_QUERY_CHARS) {
    throw new QueryError(`检索式过长（最多 ${MAX_QUERY_CHARS} 字）/ the query is longer than ${MAX_QUERY_CHARS} characters`);
  }
  const lexemes = lex(text);
  if (!lexemes.length) {
    throw new QueryError("检索式中没有可检索的字词 / nothing to search for (only punctuation)");
  }
  return new Parser(lexemes).parse();
}

/** The words and phrases a matching article contains (not those under NOT), for highlighting. */
export function highlightTerms(node, negated = false, out = []) {
  if (node.type === "words" && !negated && node.scope === "any") out.push(node.terms);
  else if (node.type === "not") highlightTerms(node.item, !negated, out);
  else if (node.type === "and" || node.type === "or") {
    for (const item of node.items) highlightTerms(item, negated, out);
  }
  return out;
}

/** A date filter as the day it means (YYYYMMDD): a year or month is its first or last day. */
export function dayBound(value, end) {
  if (!value) return null;
  const text = pyStrip(String(value));
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(text);
  const rest = m ? text.slice(m[0].length) : "";
  if (!m || (rest && !(m[3] && "T ".includes(rest[0])))) {
    throw new QueryError(`日期“${value}”无法识别，请用 YYYY-MM-DD / unreadable date ${value}, use YYYY-MM-DD`);
  }
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : null;
  const day = m[3] ? Number(m[3]) : null;
  const valid = (y, mo, d) => {
    const dt = new Date(Date.UTC(y, mo - 1, d));
    return y >= 1 && dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
  };
  if (day !== null) {
    if (!valid(year, month, day)) throw new QueryError(`日期“${value}”不存在 / no such date ${value}`);
    return year * 10000 + month * 100 + day;
  }
  if (month !== null) {
    if (month < 1 || month > 12) throw new QueryError(`日期“${value}”不存在 / no such date ${value}`);
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return year * 10000 + month * 100 + (end ? last : 1);
  }
  return year * 10000 + (end ? 1231 : 101);
}

// ------------------------------------------------------------------ index files

function readVarint(bytes, state) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[state.i++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return value;
    shift += 7;
  }
}

/** The shard family of a key, as export.family(): k positions, t title positions, s doc sets, g trigrams. */
function shardFamily(key) {
  if (key[0] === "@") return "t";
  if ("=#^".includes(key[0]) || key.includes(":")) return "s";
  if (HAN_TRIGRAM.test(key)) return "g";
  return "k";
}

/**
 * The keys and offsets that match a phrase of `terms` at `positions`.  A
 * Chinese phrase (chained bigrams at consecutive positions) is matched by
 * trigrams at offsets 0, 2, 4 … and the last: each bigram lies in one, and a
 * trigram stands exactly where its two bigrams follow each other
 * (analysis.term_positions), so the match is the same, from far rarer terms.
 */
export function phraseKeys(terms, positions, prefix) {
  const chained =
    !prefix &&
    terms.length >= 2 &&
    terms.every((t, k) => HAN_PAIR.test(t) && positions[k] === k && (k === 0 || terms[k - 1][1] === t[0]));
  if (!chained) return { keys: terms.map((t) => prefix + t), offsets: positions, trigrams: false };
  const last = terms.length - 2;
  const offsets = [];
  for (let k = 0; k < last; k += 2) offsets.push(k);
  offsets.push(last);
  return { keys: offsets.map((k) => terms[k] + terms[k + 1][1]), offsets, trigrams: true };
}

/** 32-bit FNV-1a of the UTF-8 bytes, as export.fnv1a(). */
export function fnv1a(key) {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

async function fetchBytes(url, counter) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  let bytes = new Uint8Array(await response.arrayBuffer());
  if (counter) counter.bytes += bytes.length;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  return bytes;
}

async function fetchJSON(url, counter) {
  return JSON.parse(new TextDecoder().decode(await fetchBytes(url, counter)));
}

function parseShard(bytes) {
  const state = { i: 0 };
  const count = readVarint(bytes, state);
  const header = [];
  const decoder = new TextDecoder();
  for (let k = 0; k < count; k++) {
    const length = readVarint(bytes, state);
    const key = decoder.decode(bytes.subarray(state.i, state.i + length));
    state.i += length;
    const kind = readVarint(bytes, state);
    const size = readVarint(bytes, state);
    header.push([key, kind, size]);
  }
  const entries = new Map();
  let at = state.i;
  for (const [key, kind, size] of header) {
    entries.set(key, { kind, data: bytes.subarray(at, at + size) });
    at += size;
  }
  return entries;
}

function decodePositions(data) {
  const docs = [];
  const starts = [0];
  const positions = [];
  const state = { i: 0 };
  let ordinal = 0;
  let first = true;
  while (state.i < data.length) {
    const delta = readVarint(data, state);
    ordinal = first ? delta : ordinal + delta;
    first = false;
    docs.push(ordinal);
    const count = readVarint(data, state);
    let p = 0;
    for (let k = 0; k < count; k++) {
      p += readVarint(data, state);
      positions.push(p);
    }
    starts.push(positions.length);
  }
  return { docs: Int32Array.from(docs), starts, positions: Int32Array.from(positions) };
}

function decodeSet(kind, data, total) {
  const out = [];
  const state = { i: 0 };
  if (kind === 1) {
    let o = 0;
    while (state.i < data.length) {
      o += readVarint(data, state);
      out.push(o);
    }
  } else if (kind === 2) {
    let end = 0;
    while (state.i < data.length) {
      const start = end + readVarint(data, state);
      const length = readVarint(data, state);
      for (let o = start; o < start + length; o++) out.push(o);
      end = start + length;
    }
  } else {
    for (let o = 0; o < total; o++) if (data[o >> 3] & (1 << (o & 7))) out.push(o);
  }
  return Int32Array.from(out);
}

// ------------------------------------------------------------------ sets of ordinals

function intersect(a, b) {
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else {
      out.push(a[i]);
      i++;
      j++;
    }
  }
  return Int32Array.from(out);
}

function union(a, b) {
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
    else {
      out.push(a[i]);
      i++;
      j++;
    }
  }
  return Int32Array.from(out);
}

function difference(a, b) {
  const out = [];
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    while (j < b.length && b[j] < a[i]) j++;
    if (j >= b.length || b[j] !== a[i]) out.push(a[i]);
  }
  return Int32Array.from(out);
}

function range(start, end) {
  const out = new Int32Array(Math.max(0, end - start));
  for (let k = 0; k < out.length; k++) out[k] = start + k;
  return out;
}

function hasSorted(array, value, lo = 0, hi = array.length) {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (array[mid] < value) lo = mid + 1;
    else if (array[mid] > value) hi = mid;
    else return true;
  }
  return false;
}

// ------------------------------------------------------------------ the index

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
    const tree = hasQuery ? parseQuery(query) : null;
    const low = dayBound(filters.from, false);
    const high = dayBound(filters.to, true);
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

// ------------------------------------------------------------------ snippets

/** Character ranges [start, end) of the query's terms in `text` (phrases as wholes). */
export function matchRanges(text, termLists) {
  const toks = tokens(text);
  const ranges = [];
  for (const terms of termLists) {
    if (terms.length === 1 && isHanChar(terms[0])) {
      const folded = normalize(text);
      if (folded.length === text.length) {
        for (let i = folded.indexOf(terms[0]); i >= 0; i = folded.indexOf(terms[0], i + 1)) {
          ranges.push([i, i + 1]);
        }
      }
      continue;
    }
    for (let i = 0; i + terms.length <= toks.length; i++) {
      let ok = true;
      for (let k = 0; k < terms.length && ok; k++) ok = toks[i + k].text === terms[k];
      if (ok) ranges.push([toks[i].start, toks[i + terms.length - 1].end]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push(r.slice());
  }
  return merged;
}

/** Append `text` to `parent` with <mark> around `ranges` (text nodes only: never HTML). */
export function appendMarked(parent, text, ranges, from = 0, to = text.length) {
  let at = from;
  for (const [start, end] of ranges) {
    if (end <= from || start >= to) continue;
    const s = Math.max(start, from);
    const e = Math.min(end, to);
    if (s > at) parent.append(document.createTextNode(text.slice(at, s)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(s, e);
    parent.append(mark);
    at = e;
  }
  if (at < to) parent.append(document.createTextNode(text.slice(at, to)));
}

/** A window of the body around its first match (or its opening), as [from, to, ranges]. */
export function snippetWindow(body, ranges, width = 120) {
  const first = ranges.length ? ranges[0][0] : 0;
  let from = Math.max(0, first - Math.floor(width / 4));
  const newline = body.lastIndexOf("\n", first);
  if (newline >= from) from = newline + 1;
  const to = Math.min(body.length, from + width);
  return [from, to];
}

// ------------------------------------------------------------------ the page

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
