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

/** A line's text cut around each occurrence of `query`, for marking what a find matched. */
export function matchParts(text: string, query: string, caseSensitive: boolean): { text: string; match: boolean }[] {
  if (query === '') return [{ text, match: false }];
  const haystack = caseSensitive ? text : text.toLowerCase();
  const needle = caseSensitive ? query : query.toLowerCase();
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  for (let hit = haystack.indexOf(needle); hit !== -1; hit = haystack.indexOf(needle, at)) {
    if (hit > at) parts.push({ text: text.slice(at, hit), match: false });
    parts.push({ text: text.slice(hit, hit + needle.length), match: true });
    at = hit + needle.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts;
}
