// Search in a listing's display lines, on clang-built code (the ISA fixture opened as an
// object-file host: real bytes, func_info and line_info). The oracle is the renderer's own
// display lines (listingLines) filtered naively: stepping forwards and backwards visits every
// match in order, numbered, and comes round; case folds unless asked; a listing with more
// matches than are counted steps past the count, and numbers only the counted ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildListing, listingToJson, type Listing } from '../../../main/kernel/isa/index.js';
import type { ListingEntryView } from '../../../main/api/view-records.js';
import { HostSession } from '../../../main/hosts/host-session.js';
import { openHost } from '../../../main/hosts/open-host.js';
import { programCode } from '../../../main/hosts/program-code.js';
import { ListingPages } from '../../../main/server/listing-pages.js';
import { ListingSearch, MATCH_COUNT_LIMIT, type ListingSearchResult } from '../../../main/server/listing-search.js';
import { createHostService } from '../../../main/server/host-service.js';
import { listingLines } from '../../../renderer/src/lib/program/listing-lines.js';
import { compileFixture } from '../isa/loaded-programs.js';

/** The text the view shows of each display line, without its decoration ('; ', the index, the ':'). */
function shownTexts(listing: Listing): string[] {
  const rows = JSON.parse(JSON.stringify(listingToJson(listing))) as ListingEntryView[];
  return listingLines(rows).map((line) => (line.kind === 'insn' ? line.entry.text : line.kind === 'source' ? line.text.slice(2) : line.text.slice(0, -1)));
}

function expected(texts: readonly string[], query: string, caseSensitive = false): number[] {
  const fold = (text: string) => (caseSensitive ? text : text.toLowerCase());
  return texts.flatMap((text, line) => (fold(text).includes(fold(query)) ? [line] : []));
}

/** Every answer from stepping `steps` times from the start (the end, backwards). */
async function walk(search: ListingSearch, query: string, steps: number, backwards = false, caseSensitive = false): Promise<ListingSearchResult[]> {
  const answers: ListingSearchResult[] = [];
  let from: number | undefined;
  for (let i = 0; i < steps; i++) {
    const answer = await search.search({ query, from, backwards, caseSensitive });
    answers.push(answer);
    from = answer.line;
  }
  return answers;
}

const objectPath = compileFixture('programs');
let session: HostSession;
let listing: Listing;
let programId: number;

beforeAll(async () => {
  session = new HostSession(await openHost(`objfile:${objectPath}`));
  const programs = await createHostService({ hosts: { fixture: async () => session } }).listPrograms({ host: 'fixture' }, new AbortController().signal);
  programId = programs.find((p) => p.name === 'count_packets')!.id;
  listing = (await programCode(session, programId))!.listing;
});
afterAll(() => session?.host.close());

describe('listing search', () => {
  it('steps through every match of a clang-built program, in order and back, and comes round', async () => {
    const texts = shownTexts(listing);
    const search = new ListingSearch(listing, new ListingPages(listing));
    expect(texts.length).toBe(new ListingPages(listing).lineCount);
    for (const query of ['classify', 'call', 'bpf_map_lookup_elem', 'R1 =', '__sync_fetch_and_add', 'goto pc']) {
      const lines = expected(texts, query);
      expect(lines.length, query).toBeGreaterThan(0);
      const forwards = await walk(search, query, lines.length + 1);
      expect(forwards.map((a) => a.line), query).toEqual([...lines, lines[0]]);
      expect(forwards.map((a) => a.ordinal)).toEqual([...lines.map((_, i) => i + 1), 1]);
      expect(forwards.map((a) => a.wrapped)).toEqual([...lines.map(() => false), true]);
      expect(forwards.every((a) => a.matches === lines.length && !a.more)).toBe(true);
      const backwards = await walk(search, query, lines.length + 1, true);
      expect(backwards.map((a) => a.line), query).toEqual([...lines].reverse().concat(lines.at(-1)!));
      expect(backwards.at(-1)!.wrapped).toBe(true);
    }
    // The function header comes first: line 0.
    expect(texts[0]).toBe('int count_packets(struct __sk_buff * skb)');
    expect(await search.search({ query: 'count_packets(struct' })).toMatchObject({ line: 0, ordinal: 1, matches: expected(texts, 'count_packets(struct').length });
  });

  it('folds case unless asked not to, and says when nothing matches', async () => {
    const search = new ListingSearch(listing, new ListingPages(listing));
    const texts = shownTexts(listing);
    expect((await search.search({ query: 'CALL' })).matches).toBe(expected(texts, 'call').length);
    expect(await search.search({ query: 'CALL', caseSensitive: true })).toEqual({ matches: 0, more: false, wrapped: false });
    expect((await search.search({ query: 'Call', caseSensitive: true })).matches).toBe(expected(texts, 'Call', true).length);
    expect(await search.search({ query: 'no such text (.*)' })).toEqual({ matches: 0, more: false, wrapped: false });
    // From a line in the middle: the next match after it, the previous before it.
    const lines = expected(texts, 'r1');
    const middle = lines[Math.floor(lines.length / 2)];
    expect((await search.search({ query: 'r1', from: middle })).line).toBe(lines[Math.floor(lines.length / 2) + 1]);
    expect((await search.search({ query: 'r1', from: middle, backwards: true })).line).toBe(lines[Math.floor(lines.length / 2) - 1]);
  });

  it('counts up to the limit, then steps past it without numbering', async () => {
    // The program's bytes over and over: real code, more 'r1' lines than are counted.
    const one = listing.rows().map((e) => e.bytes);
    const copies = Math.ceil((MATCH_COUNT_LIMIT * 1.5) / expected(shownTexts(listing), 'r1').length);
    const insns = new Uint8Array(copies * one.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (let c = 0; c < copies; c++) for (const bytes of one) insns.set(bytes, (at += bytes.length) - bytes.length);
    const big = buildListing({ insns, lineInfo: [{ insnOff: 0, fileName: 'a.c', lineText: 'first r1 line', line: 1, col: 1 }] });
    const pages = new ListingPages(big);
    const search = new ListingSearch(big, pages);
    const lines: number[] = [];
    for (let p = 0; p < big.length; p++) {
      if (p === 0) lines.push(0);
      if (big.text(p).includes('r1')) lines.push(pages.firstLine(p + 1) - 1);
    }
    expect(lines.length).toBeGreaterThan(MATCH_COUNT_LIMIT);
    const first = await search.search({ query: 'r1' });
    expect(first).toEqual({ line: 0, ordinal: 1, matches: MATCH_COUNT_LIMIT, more: true, wrapped: false });
    const last = MATCH_COUNT_LIMIT - 1;
    expect(await search.search({ query: 'r1', from: lines[last - 1] })).toMatchObject({ line: lines[last], ordinal: MATCH_COUNT_LIMIT });
    expect(await search.search({ query: 'r1', from: lines[last] })).toEqual({ line: lines[last + 1], matches: MATCH_COUNT_LIMIT, more: true, wrapped: false });
    expect((await search.search({ query: 'r1', from: lines[last + 5] })).line).toBe(lines[last + 6]);
    expect((await search.search({ query: 'r1', from: lines[last + 5], backwards: true })).line).toBe(lines[last + 4]);
    expect(await search.search({ query: 'r1', from: lines.at(-1) })).toMatchObject({ line: 0, ordinal: 1, wrapped: true });
    expect(await search.search({ query: 'r1', backwards: true })).toMatchObject({ line: lines.at(-1), wrapped: false });
    expect(await search.search({ query: 'r1', from: 0, backwards: true })).toMatchObject({ line: lines.at(-1), wrapped: true });
  });

  it('is served for a program, and refuses one the host does not have', async () => {
    const service = createHostService({ hosts: { fixture: async () => session } });
    const signal = new AbortController().signal;
    const texts = shownTexts(listing);
    const answer = await service.searchProgramListing({ host: 'fixture', id: programId, query: 'bpf_tail_call' }, signal);
    expect(answer).toEqual({ line: expected(texts, 'bpf_tail_call')[0], ordinal: 1, matches: expected(texts, 'bpf_tail_call').length, more: false, wrapped: false });
    await expect(service.searchProgramListing({ host: 'fixture', id: 999_999, query: 'call' }, signal)).rejects.toMatchObject({ code: 'EGONE' });
  });
});
