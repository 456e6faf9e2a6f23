// Reading the files of search/: shards, their keys, postings and sets of
// ordinals (the format is docs/search_format.md; archive_search/packing.py writes it).

import { HAN_PAIR, HAN_TRIGRAM } from "./analysis.js";

export const INDEX_VERSION = 4; // export.FORMAT_VERSION

export function readVarint(bytes, state) {
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
export function shardFamily(key) {
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

export async function fetchBytes(url, counter) {
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

export function parseShard(bytes) {
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

export function decodePositions(data) {
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

export function decodeSet(kind, data, total) {
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
