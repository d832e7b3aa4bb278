// The listing as display lines: function headers and source lines interleaved
// with instructions, as bpftool prints them.
import type { ListingEntryView } from '../../../../main/api/view-records.js';

export type ListingLine =
  | { kind: 'func'; text: string }
  | { kind: 'source'; text: string; where: string }
  | { kind: 'insn'; entry: ListingEntryView };

export function listingLines(entries: readonly ListingEntryView[]): ListingLine[] {
  const lines: ListingLine[] = [];
  for (const entry of entries) {
    if (entry.funcHeader) lines.push({ kind: 'func', text: `${entry.funcHeader}:` });
    if (entry.source) lines.push({ kind: 'source', text: `; ${entry.source.text}`, where: `${entry.source.file}:${entry.source.line}:${entry.source.col}` });
    lines.push({ kind: 'insn', entry });
  }
  return lines;
}

/** Where `query` occurs in `text`: [start, end) of each occurrence, in order. */
export function matchRanges(text: string, query: string, caseSensitive: boolean): Array<[number, number]> {
  if (query === '') return [];
  const haystack = caseSensitive ? text : text.toLowerCase();
  const needle = caseSensitive ? query : query.toLowerCase();
  const ranges: Array<[number, number]> = [];
  for (let hit = haystack.indexOf(needle); hit !== -1; hit = haystack.indexOf(needle, hit + needle.length)) ranges.push([hit, hit + needle.length]);
  return ranges;
}

/** A line's text cut around each occurrence of `query`, for marking what a find matched. */
export function matchParts(text: string, query: string, caseSensitive: boolean): { text: string; match: boolean }[] {
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  for (const [from, to] of matchRanges(text, query, caseSensitive)) {
    if (from > at) parts.push({ text: text.slice(at, from), match: false });
    parts.push({ text: text.slice(from, to), match: true });
    at = to;
  }
  if (at < text.length || parts.length === 0) parts.push({ text: text.slice(at), match: false });
  return parts;
}
