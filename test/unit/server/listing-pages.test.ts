// Pages of display lines over a listing with function headers and source lines: walked
// with any page size, the lines put together are the whole listing's lines; an instruction
// is found on its line; the second half of an ld_imm64 is no instruction.
import { describe, expect, it } from 'vitest';
import { buildListing, listingToJson } from '../../../main/kernel/isa/index.js';
import type { ListingEntryView } from '../../../main/api/view-records.js';
import { ListingPages } from '../../../main/server/listing-pages.js';
import { listingLines } from '../../../renderer/src/lib/program/listing-lines.js';

/** mov r0, i / ld_imm64 r1, i / exit, repeated: 4 slots, 3 instructions each. */
function program(groups: number): Uint8Array {
  const bytes = new Uint8Array(groups * 32);
  for (let g = 0; g < groups; g++) {
    bytes.set([0xb7, 0x00, 0, 0, g & 0xff, 0, 0, 0], g * 32);
    bytes.set([0x18, 0x01, 0, 0, g & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], g * 32 + 8);
    bytes.set([0x95, 0, 0, 0, 0, 0, 0, 0], g * 32 + 24);
  }
  return bytes;
}

/** Rows as they cross the API: plain JSON. */
function viewRows(rows: unknown): ListingEntryView[] {
  return JSON.parse(JSON.stringify(rows)) as ListingEntryView[];
}

describe('listing pages', () => {
  const groups = 60;
  const listing = buildListing({
    insns: program(groups),
    // A function every 10 groups, a source line on every mov and on some exits.
    funcInfo: Array.from({ length: groups / 10 }, (_, f) => ({ insnOff: f * 40, text: `int f${f}(void)` })),
    lineInfo: Array.from({ length: groups * 2 }, (_, i) => ({ insnOff: Math.floor(i / 2) * 4 + (i % 2) * 3, fileName: 'p.c', lineText: `  line ${i}`, line: i + 1, col: 1 }))
      .filter((r, i) => i % 2 === 0 || i % 6 === 1),
  });
  const pages = new ListingPages(listing);
  const whole = viewRows(listingToJson(listing));
  const lines = listingLines(whole);

  it('counts the display lines and pages them with any page size', () => {
    expect(lines.filter((l) => l.kind === 'func')).toHaveLength(6);
    expect(lines.filter((l) => l.kind === 'source')).toHaveLength(80);
    expect(pages.lineCount).toBe(lines.length);
    for (const count of [1, 2, 5, 64, lines.length + 3]) {
      const walked: typeof lines = [];
      for (let line = 0; line < pages.lineCount; line += count) {
        const page = pages.page(line, count);
        expect(page.firstLine).toBeLessThanOrEqual(line);
        walked.push(...listingLines(viewRows(page.rows)).slice(line - page.firstLine, line - page.firstLine + count));
      }
      expect(walked, `pages of ${count}`).toEqual(lines);
    }
    expect(pages.page(pages.lineCount, 10).rows).toEqual([]);
    expect(pages.page(3, 0).rows).toEqual([]);
  });

  it('finds each instruction on its line, and none inside an ld_imm64', () => {
    for (const entry of whole) {
      const page = pages.pageAtInstruction(entry.index, 1)!;
      expect(lines[page.insnLine!]).toEqual({ kind: 'insn', entry });
    }
    expect(pages.pageAtInstruction(2, 1)).toBeUndefined();
    expect(pages.pageAtInstruction(groups * 4, 1)).toBeUndefined();
  });

  it('pages an empty listing', () => {
    const empty = new ListingPages(buildListing({ insns: new Uint8Array(0) }));
    expect(empty.lineCount).toBe(0);
    expect(empty.page(0, 10)).toMatchObject({ lineCount: 0, firstLine: 0, rows: [] });
  });
});
