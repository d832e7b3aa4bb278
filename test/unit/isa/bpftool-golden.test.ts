// Golden comparison with the real bpftool (v7.1) on programs loaded into this kernel: our
// text must equal `bpftool prog dump xlated id N` line for line, given the same inputs.

import { KallsymsIndex } from '../../../main/kernel/proc/kallsyms.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildListing, listingToBpftoolJson, renderListingText, type FuncInfoRecord, type LineInfoRecord, type ListingResolvers,
} from '../../../main/kernel/isa/index.js';
import { expectBpftoolListingJson } from '../../helpers/bpftool-compare.js';
import { buildCfg } from '../../../main/kernel/isa/cfg.js';
import { renderCfgDot } from '../../../main/kernel/isa/dot.js';
import { correctBpftoolExitEdges, describeOurCfg, parseBpftoolDot } from './dot-oracle.js';
import {
  compileFixture, kallsymsText, loadBlocker, loadObject, mapShow, programOracle, type BpftoolJsonInsn, type LoadedObject,
} from './loaded-programs.js';

const blocker = loadBlocker();

/** Our DOT read back with the bpftool parser (our indexes are already absolute). */
function parseOurDot(dot: string, starts: readonly number[]) {
  const graph = parseBpftoolDot(dot.replace(/(\(85\) call pc[+-]\d+)#[^\\]*/g, '$1'), starts.map(() => 0));
  return graph;
}

/** func_info and line_info as bpftool printed them: the records at the instructions it shows. */
function recordsFromBpftool(text: string, json: readonly BpftoolJsonInsn[]) {
  const indexes = [...text.matchAll(/^ *(\d+): /gm)].map((m) => Number(m[1]));
  expect(indexes.length).toBe(json.length);
  const funcInfo: FuncInfoRecord[] = [];
  const lineInfo: LineInfoRecord[] = [];
  json.forEach((insn, i) => {
    if (insn.proto !== undefined) funcInfo.push({ insnOff: indexes[i], text: insn.proto });
    if (insn.src !== undefined) {
      lineInfo.push({ insnOff: indexes[i], fileName: insn.file ?? '', lineText: insn.src, line: insn.line_num ?? 0, col: insn.line_col ?? 0 });
    }
  });
  return { funcInfo, lineInfo };
}

describe.skipIf(blocker !== undefined)(`bpftool golden (${blocker ?? 'root'})`, () => {
  let loaded: LoadedObject;
  let resolversBase: ListingResolvers;

  beforeAll(() => {
    loaded = loadObject(compileFixture('programs'), 'golden');
    const kallsyms = KallsymsIndex.parse(kallsymsText());
    const maps = new Map(mapShow().map((m) => [m.id, m]));
    resolversBase = {
      callBase: kallsyms.callBase,
      kernelSymbol: (address) => kallsyms.symbolAt(address),
      map: (key) => (key.by === 'id' ? maps.get(key.value) : undefined),
    };
  });
  afterAll(() => loaded?.unload());

  for (const name of ['count_packets', 'legacy_loads', 'xdp_arith', 'trace_getpid']) {
    it(`${name}: text, linum and opcodes equal bpftool`, () => {
      const prog = loaded.programs.get(name);
      expect(prog).toBeDefined();
      const oracle = programOracle(prog!.id);
      const { funcInfo, lineInfo } = recordsFromBpftool(oracle.text, oracle.json);
      const resolvers = { ...resolversBase, jitedKsyms: oracle.jit.jitedKsyms.map((a) => BigInt(`0x${a}`)) };
      const listing = buildListing({ insns: oracle.xlated, funcInfo, lineInfo }, resolvers);
      expect(renderListingText(listing)).toBe(oracle.text);
      expect(renderListingText(listing, { linum: true })).toBe(oracle.linum);
      expect(renderListingText(listing, { opcodes: true })).toBe(oracle.opcodes);
      expect(listing.rows().map((e) => e.text)).toEqual(oracle.json.map((j) => j.disasm));
      expectBpftoolListingJson(listingToBpftoolJson(listing, { linum: true }), oracle.json, `${name} -j linum`);
      expectBpftoolListingJson(listingToBpftoolJson(listing, { opcodes: true }), oracle.jsonOpcodes, `${name} -j opcodes`);
      expect(listing.rows().filter((e) => e.problem !== undefined)).toEqual([]);
      // The verifier zero-extends r0 after the 32-bit cmpxchg with a mov32 whose imm is 1.
      if (name === 'trace_getpid') expect(listing.rows().filter((e) => e.instruction.internal === 'zext').map((e) => e.text)).toEqual(['(bc) w0 = w0']);

      const cfg = buildCfg(listing);
      const ours = describeOurCfg(listing, cfg);
      const theirs = correctBpftoolExitEdges(parseBpftoolDot(oracle.visual, cfg.functions.map((f) => f.start)));
      expect(cfg.functions.map((f) => f.start)).toEqual(funcInfo.map((f) => f.insnOff));
      expect(theirs.blocks.size).toBeGreaterThan(1);
      expect(theirs.edges.size).toBeGreaterThan(2);
      expect(ours.blocks).toEqual(theirs.blocks);
      expect(ours.edges).toEqual(theirs.edges);
      expect(describeOurCfg(listing, cfg)).toEqual(parseOurDot(renderCfgDot(listing, cfg), cfg.functions.map((f) => f.start)));
    });
  }
});
