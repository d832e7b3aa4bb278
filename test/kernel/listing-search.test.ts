// Search in the bytecode listing through the API, on a real clang-built program loaded here:
// the lines it steps through are the lines of `bpfscope dump prog --json` (as the view shows
// them) that hold the text, in order, with their count; once the program is unloaded the
// search says it is gone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListingEntryView } from '../../main/api/view-records.js';
import { createHostService, type ClosableService } from '../../main/server/host-service.js';
import { listingLines } from '../../renderer/src/lib/program/listing-lines.js';
import { loadBigProgram, type BigProgram } from '../helpers/big-program.js';
import { bpfscope } from '../helpers/cli.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
const signal = new AbortController().signal;

describe.skipIf(skip)('search in a program listing', () => {
  let work: string;
  let program: BigProgram;
  let service: ClosableService;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'bpfscope-listing-search-'));
    program = loadBigProgram(work, `/sys/fs/bpf/bpfscope_listing_search_${process.pid}`, 5, 40);
    service = createHostService();
  }, 120_000);
  afterAll(async () => {
    program?.unload();
    await service?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('steps through the lines holding a text, as the dumped listing has them', async () => {
    const whole = JSON.parse((await bpfscope(['dump', 'prog', String(program.id), '--json'])).stdout) as ListingEntryView[];
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

  it('says the program is gone once it is unloaded', async () => {
    program.unload();
    await expect.poll(() => service.searchProgramListing({ host: 'local', id: program.id, query: 'exit' }, signal).then(() => 'there', (e: { code?: string }) => e.code), { timeout: 10_000 }).toBe('EGONE');
  });
});
