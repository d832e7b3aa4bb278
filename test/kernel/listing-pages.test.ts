// The paged bytecode listing through the API, on a real clang-built program loaded here:
// pages walked by display line, put together, are the listing `bpfscope dump prog --json`
// gives; their lines count as the host says; an instruction is found on its line; the
// program unloaded, its pages are gone. A graph of thousands of blocks is not sent. Search
// steps through the lines of the dump that hold a text, in order, with their count.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListingEntryView } from '../../main/api/view-records.js';
import type { BpftoolListingJson } from '../../main/kernel/isa/index.js';
import { CFG_MAX_BLOCKS } from '../../main/server/code-service.js';
import { createHostService, type ClosableService } from '../../main/server/host-service.js';
import { listingLines } from '../../renderer/src/lib/program/listing-lines.js';
import { loadBigProgram, type BigProgram } from '../helpers/big-program.js';
import { bpfscope } from '../helpers/cli.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
const signal = new AbortController().signal;

type ViewMap = NonNullable<ListingEntryView['map']>;
/** One instruction of `dump prog --json`, its call and map in the API's JSON types. */
type DumpedInsn = Omit<BpftoolListingJson, 'call' | 'map'> & Pick<ListingEntryView, 'call'> & {
  map?: Pick<ViewMap, 'by' | 'value' | 'map'> & { value_offset?: number };
};

/** `bpfscope dump prog ID --json --linum` (bpftool's keys, then ours) as the API's rows. */
async function dumpedRows(id: number): Promise<ListingEntryView[]> {
  const dumped = JSON.parse((await bpfscope(['dump', 'prog', String(id), '--json', '--linum'])).stdout) as DumpedInsn[];
  return dumped.map((e) => ({
    index: e.index,
    bytes: e.bytes,
    class: e.class,
    kind: e.kind,
    text: e.disasm,
    ...(e.proto !== undefined ? { funcHeader: e.proto } : {}),
    ...(e.src !== undefined ? { source: { file: e.file ?? '', line: e.line_num ?? 0, col: e.line_col ?? 0, text: e.src } } : {}),
    ...(e.jump_target !== undefined ? { jumpTarget: e.jump_target } : {}),
    ...(e.call !== undefined ? { call: e.call } : {}),
    ...(e.map !== undefined ? { map: { by: e.map.by, value: e.map.value, ...(e.map.value_offset !== undefined ? { valueOffset: e.map.value_offset } : {}), ...(e.map.map ? { map: e.map.map } : {}) } } : {}),
    ...(e.problem !== undefined ? { problem: e.problem } : {}),
  }));
}

describe.skipIf(skip)('paged program listing', () => {
  let work: string;
  let program: BigProgram;
  let service: ClosableService;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'bpfscope-listing-'));
    program = loadBigProgram(work, `/sys/fs/bpf/bpfscope_listing_pages_${process.pid}`, 5, 40);
    service = createHostService();
  }, 120_000);
  afterAll(async () => {
    program?.unload();
    await service?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('pages put together are the whole listing, line for line', async () => {
    const whole = await dumpedRows(program.id);
    expect(whole.length).toBeGreaterThan(800);
    const code = await service.getProgramCode({ host: 'local', id: program.id }, signal);
    expect(code.length).toBe(whole.length);
    const expectedLines = listingLines(whole);
    expect(code.lineCount).toBe(expectedLines.length);
    expect(expectedLines.filter((l) => l.kind === 'func')).toHaveLength(6);
    expect(expectedLines.filter((l) => l.kind === 'source').length).toBeGreaterThan(200);
    expect(code.cfg?.functions).toHaveLength(6);
    expect(code.cfgBlocks).toBe(code.cfg?.blocks.length);

    for (const count of [1, 7, 200]) {
      const rows = new Map<number, ListingEntryView>();
      const lines: ReturnType<typeof listingLines> = [];
      for (let line = 0; line < code.lineCount; line += count) {
        const page = await service.readProgramListing({ host: 'local', id: program.id, line, count }, signal);
        expect(page.lineCount).toBe(code.lineCount);
        expect(page.firstLine).toBeLessThanOrEqual(line);
        for (const row of page.rows) rows.set(row.index, row);
        const pageLines = listingLines(page.rows);
        lines.push(...pageLines.slice(line - page.firstLine, line - page.firstLine + count));
        expect(page.firstLine + pageLines.length, `page at ${line} by ${count}`).toBeGreaterThanOrEqual(Math.min(line + count, code.lineCount));
      }
      expect([...rows.values()], `pages of ${count}`).toEqual(whole);
      expect(lines).toEqual(expectedLines);
    }
    const past = await service.readProgramListing({ host: 'local', id: program.id, line: code.lineCount + 5, count: 10 }, signal);
    expect(past.rows).toEqual([]);
  });

  it('finds a call target on its line, and refuses an index where no instruction starts', async () => {
    const first = await service.readProgramListing({ host: 'local', id: program.id, line: 0, count: 200 }, signal);
    const calls = first.rows.filter((r) => typeof r.call === 'object' && r.call !== null && 'target' in r.call);
    expect(calls).toHaveLength(5);
    const target = (calls.at(-1)!.call as { target: number }).target;
    const located = await service.readProgramListing({ host: 'local', id: program.id, line: 0, count: 3, insn: target }, signal);
    expect(located.insnLine).toBeDefined();
    const page = await service.readProgramListing({ host: 'local', id: program.id, line: located.insnLine!, count: 1 }, signal);
    expect(page.rows.map((r) => r.index)).toEqual([target]);
    expect(page.rows[0]!.funcHeader).toMatch(/step4\(/);
    await expect(service.readProgramListing({ host: 'local', id: program.id, line: 0, count: 1, insn: program.insns + 10 }, signal)).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('leaves out a graph too large to draw, and says how large', async () => {
    const branchy = loadBigProgram(work, `/sys/fs/bpf/bpfscope_listing_branches_${process.pid}`, 2, 1200, true);
    try {
      const code = await service.getProgramCode({ host: 'local', id: branchy.id }, signal);
      expect(code.cfg).toBeUndefined();
      expect(code.cfgBlocks).toBeGreaterThan(CFG_MAX_BLOCKS);
      expect(code.length).toBeGreaterThan(2400 * 4);
    } finally {
      branchy.unload();
    }
  }, 120_000);

  it('steps through the lines holding a text, as the dumped listing has them', async () => {
    const whole = await dumpedRows(program.id);
    const shown = listingLines(whole).map((line) => (line.kind === 'insn' ? line.entry.text : line.text));
    // A function's header, the call of it, and source lines of its body.
    for (const query of ['step3', 'v += 17;', 'call pc+']) {
      const lines = shown.flatMap((text, line) => (text.includes(query) ? [line] : []));
      expect(lines.length, query).toBeGreaterThan(1);
      let from: number | undefined;
      const visited: number[] = [];
      for (let i = 0; i < lines.length; i++) {
        const answer = await service.searchProgramListing({ host: 'local', id: program.id, query, from }, signal);
        expect(answer).toMatchObject({ ordinal: i + 1, matches: lines.length, more: false, wrapped: false });
        visited.push(answer.line!);
        from = answer.line;
      }
      expect(visited, query).toEqual(lines);
      // The page holding a found line shows the text on that line.
      const page = await service.readProgramListing({ host: 'local', id: program.id, line: lines[0], count: 1 }, signal);
      const pageLines = listingLines(page.rows).map((line) => (line.kind === 'insn' ? line.entry.text : line.text));
      expect(pageLines[lines[0] - page.firstLine]).toContain(query);
    }
  });

  it('says the program is gone once it is unloaded, to pages and searches', async () => {
    program.unload();
    await expect.poll(() => service.readProgramListing({ host: 'local', id: program.id, line: 0, count: 10 }, signal).then(() => 'there', (e: { code?: string }) => e.code), { timeout: 10_000 }).toBe('EGONE');
    await expect(service.searchProgramListing({ host: 'local', id: program.id, query: 'exit' }, signal)).rejects.toMatchObject({ code: 'EGONE' });
  });
});
