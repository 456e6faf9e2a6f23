// Highlighted snippets of a result, as archive_search/snippets.py.

import { isHanChar, normalize, tokens } from "./analysis.js";

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
