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
