// The query language, as archive_search/query_language.py: its grammar, its
// filters' dates and its error messages (Chinese, then English).

import { SPACE, pyStrip, tokens } from "./analysis.js";

// ------------------------------------------------------------------ query parser
//
// The grammar of archive_search.query (its module docstring is the reference):
// words end at white space, ( ) and "; AND / OR / NOT (upper case, whole words)
// are operators; field:value for tag, place, site, year and title.
// and_expr := or_expr ([AND] or_expr)*;  or_expr := unary (OR unary)*;
// unary := NOT unary | "(" and_expr ")" | item.

const YEAR = /^\p{Nd}{4}$/u; // Python's \d: any decimal digit

/** A query the contract rejects; the message is Chinese and English, as the Python side's. */
export class QueryError extends Error {
  constructor(message) {
    super(message);
    this.name = "QueryError";
  }
}

/**
 * The QueryError of message `key`, its {fields} filled in.  `contract` is the
 * manifest's (archive_search.query_language.contract(): the longest query and
 * every message), so the limits and the words are written once, in Python.
 */
function queryError(contract, key, fields = {}) {
  const template = contract.messages[key] ?? key;
  return new QueryError(template.replace(/\{(\w+)\}/g, (whole, name) => (name in fields ? String(fields[name]) : whole)));
}

function quoted(text, start, contract) {
  const end = text.indexOf('"', start + 1);
  if (end < 0) throw queryError(contract, "unbalanced_quote");
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

// The field names and operators come with the contract, as the messages do.
const grammars = new WeakMap(); // contract -> its field-word pattern and operators

function grammar(contract) {
  let found = grammars.get(contract);
  if (!found) {
    found = {
      fieldWord: new RegExp(`^(${contract.fields.join("|")}):([\\s\\S]*)$`),
      operators: new Set(contract.operators),
    };
    grammars.set(contract, found);
  }
  return found;
}

function lex(text, contract) {
  const { fieldWord, operators } = grammar(contract);
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
      [phrase, i] = quoted(text, i, contract);
      pushWords(out, phrase, "any");
    } else {
      const start = i;
      while (i < n && !SPACE.test(text[i]) && !'()"'.includes(text[i])) i++;
      const word = text.slice(start, i);
      if (operators.has(word)) {
        out.push({ kind: "op", text: word });
        continue;
      }
      const match = fieldWord.exec(word);
      if (!match) {
        pushWords(out, word, "any");
        continue;
      }
      const name = match[1];
      let value = match[2];
      if (!value && i < n && text[i] === '"') [value, i] = quoted(text, i, contract);
      else if (!value) throw queryError(contract, "field_needs_value", { name });
      if (name === "title") {
        pushWords(out, value, "title");
        continue;
      }
      value = pyStrip(value);
      if (name === "year" && !YEAR.test(value)) {
        throw queryError(contract, "year_digits", { value });
      }
      out.push({ kind: "word", node: { type: "field", name, value }, text: word });
    }
  }
  return out;
}

class Parser {
  constructor(lexemes, contract) {
    this.lexemes = lexemes;
    this.contract = contract;
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
      if (extra.kind === ")") throw queryError(this.contract, "extra_close");
      throw queryError(this.contract, "unexpected", { text: extra.text });
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
          throw queryError(this.contract, "needs_after", { op: "AND" });
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
      if (after) throw queryError(this.contract, "needs_after", { op: after });
      if (!lexeme) throw queryError(this.contract, "nothing_left");
      throw queryError(this.contract, "empty_or_unbalanced");
    }
    this.take();
    if (lexeme.kind === "op") {
      if (lexeme.text === "NOT") return { type: "not", item: this.unary("NOT") };
      throw queryError(this.contract, "needs_before", { op: lexeme.text });
    }
    if (lexeme.kind === "(") {
      const inner = this.peek();
      if (inner && inner.kind === ")") throw queryError(this.contract, "empty_parentheses");
      const node = this.andExpr();
      if (!this.peek()) throw queryError(this.contract, "unclosed");
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
export function parseQuery(text, contract) {
  if (!text || !pyStrip(text)) throw queryError(contract, "empty");
  if ([...text].length > contract.max_query_chars) {
    throw queryError(contract, "too_long", { max: contract.max_query_chars });
  }
  const lexemes = lex(text, contract);
  if (!lexemes.length) {
    throw queryError(contract, "no_terms");
  }
  return new Parser(lexemes, contract).parse();
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
export function dayBound(value, end, contract) {
  if (!value) return null;
  const text = pyStrip(String(value));
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(text);
  const rest = m ? text.slice(m[0].length) : "";
  if (!m || (rest && !(m[3] && "T ".includes(rest[0])))) {
    throw queryError(contract, "bad_date", { value });
  }
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : null;
  const day = m[3] ? Number(m[3]) : null;
  const valid = (y, mo, d) => {
    const dt = new Date(Date.UTC(y, mo - 1, d));
    return y >= 1 && dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
  };
  if (day !== null) {
    if (!valid(year, month, day)) throw queryError(contract, "no_such_date", { value });
    return year * 10000 + month * 100 + day;
  }
  if (month !== null) {
    if (month < 1 || month > 12) throw queryError(contract, "no_such_date", { value });
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return year * 10000 + month * 100 + (end ? last : 1);
  }
  return year * 10000 + (end ? 1231 : 101);
}
