// The archive's tokenizer, as archive_search/analysis.py: the terms a text is
// indexed and searched by (the parity tests compare the two on the same texts).

const HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff";
const RUNS = new RegExp(`([${HAN}]+)|((?:(?![${HAN}])[\\p{L}\\p{N}])+)`, "gu");
const HAN_ONLY = new RegExp(`^[${HAN}]+$`, "u");
export const HAN_PAIR = new RegExp(`^[${HAN}]{2}$`, "u");
export const HAN_TRIGRAM = new RegExp(`^[${HAN}]{3}$`, "u");

// Python's str.isspace(), which differs from JavaScript's \s (\x1c-\x1f, \x85, \ufeff).
export const SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

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

/** Python's str.strip(): white space as Python counts it. */
export function pyStrip(text) {
  let start = 0;
  let end = text.length;
  while (start < end && SPACE.test(text[start])) start++;
  while (end > start && SPACE.test(text[end - 1])) end--;
  return text.slice(start, end);
}
