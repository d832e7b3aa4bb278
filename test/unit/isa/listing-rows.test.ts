// The listing keeps typed arrays and makes rows on demand: every accessor must agree with the
// whole-program decoder (decodeInstructions, which checks targets its own way) and with the
// others, on programs full of jumps, calls, ld_imm64 halves and bad targets.

import { describe, expect, it } from 'vitest';
import {
  buildCfg, buildListing, decodeInstructions, listingJsonText, listingToBpftoolJson, listingToJson, type Listing,
} from '../../../main/kernel/isa/index.js';
import { Flow } from '../../../main/kernel/isa/listing.js';

/** Opcodes that move control or span two slots: goto, jeq, call (subprog when src 1), ld_imm64, exit, mov. */
const CODES = [0x05, 0x15, 0x85, 0x18, 0x95, 0xbf, 0x00, 0x06];

function program(seed: number, slots: number): Uint8Array {
  let state = seed;
  const random = (n: number) => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) % n;
  const bytes = new Uint8Array(slots * 8 + random(3));
  for (let at = 0; at + 8 <= bytes.length; at += 8) {
    const off = random(9) - 4;
    const imm = random(4) === 0 ? random(9) - 4 : 0;
    bytes.set([CODES[random(CODES.length)], random(3) === 0 ? (random(5) << 4) | random(2) : random(11), off & 0xff, (off >> 8) & 0xff, imm & 0xff, (imm >> 8) & 0xff, (imm >> 16) & 0xff, imm >>> 24], at);
  }
  return bytes;
}

function expectedFlow(listing: Listing, p: number): Flow {
  const insn = listing.entry(p).instruction;
  if (insn.kind === 'jump' || insn.kind === 'may_goto') return Flow.Branch;
  if (insn.kind === 'goto') return Flow.Goto;
  if (insn.kind === 'exit') return Flow.Exit;
  if (insn.kind === 'call' && insn.callee === 'subprog') return Flow.Call;
  if (insn.kind === 'ld_imm64' && insn.pseudo === 'func' && insn.target !== undefined) return Flow.FuncRef;
  return Flow.Next;
}

describe('listing rows on demand', () => {
  for (const jited of [false, true]) {
    it(`agree with the whole-program decoder and with each other (${jited ? 'JIT-ed' : 'interpreted'} calls)`, () => {
      let problems = 0;
      let targets = 0;
      let funcRefs = 0;
      for (let seed = 1; seed <= 60; seed++) {
        const insns = program(seed, 5 + (seed % 40));
        const listing = buildListing({ insns }, jited ? { jitedKsyms: [1n], callBase: 0n, kernelSymbol: () => undefined } : {});
        const reference = decodeInstructions(insns, { jitedCalls: jited });
        expect(listing.length).toBe(reference.length);
        for (let p = 0; p < listing.length; p++) {
          const entry = listing.entry(p);
          expect(entry.instruction).toEqual(reference[p]);
          expect(entry.problem).toBe(reference[p].problem);
          expect(listing.text(p)).toBe(entry.text);
          expect(listing.index(p)).toBe(entry.index);
          expect(listing.positionOf(entry.index)).toBe(p);
          expect(listing.hasProblem(p)).toBe(entry.problem !== undefined);
          expect(listing.flow(p)).toBe(expectedFlow(listing, p));
          if (listing.flow(p) !== Flow.Next && listing.flow(p) !== Flow.Exit) {
            expect(listing.target(p)).toBe(entry.jumpTarget ?? entry.call?.target ?? (entry.instruction.kind === 'ld_imm64' ? entry.instruction.target : undefined));
            targets++;
          }
          if (entry.problem !== undefined) problems++;
          if (listing.flow(p) === Flow.FuncRef) funcRefs++;
        }
        const json = listingToJson(listing);
        expect([...listingToJson(listing, 0, 7), ...listingToJson(listing, 7, 20), ...listingToJson(listing, 20)]).toEqual(json);
        for (const options of [{}, { linum: true, opcodes: true }]) {
          const bpftoolJson = listingToBpftoolJson(listing, options);
          expect([...listingToBpftoolJson(listing, options, 0, 7), ...listingToBpftoolJson(listing, options, 7)]).toEqual(bpftoolJson);
          expect(listingJsonText(listing, options)).toBe(JSON.stringify(bpftoolJson));
          expect(bpftoolJson.map((e) => e.disasm)).toEqual(json.map((e) => e.text));
        }
        expect(() => buildCfg(listing)).not.toThrow();
      }
      // The generator must exercise both: rows with targets and rows with problems.
      expect(targets).toBeGreaterThan(100);
      expect(problems).toBeGreaterThan(50);
      if (!jited) expect(funcRefs).toBeGreaterThan(0);
    });
  }

  it('a JIT-ed call further than 32 767 slots finds its callee by subprog number (off keeps 16 bits)', () => {
    const far = 40_001;
    const slot = (code: number, regs: number, off: number, imm: number) => [code, regs, off & 0xff, (off >> 8) & 0xff, imm & 0xff, (imm >> 8) & 0xff, (imm >> 16) & 0xff, imm >>> 24];
    const insns = new Uint8Array((far + 2) * 8);
    // call pc+40000 as the kernel dumps it: off wrapped to s16, imm the subprog number.
    insns.set(slot(0x85, 0x10, (far - 1) << 16 >> 16, 1), 0);
    for (let i = 1; i < far - 1; i++) insns.set(slot(0xb7, 0x00, 0, 0), i * 8);
    insns.set(slot(0x95, 0, 0, 0), (far - 1) * 8);
    insns.set(slot(0xb7, 0x00, 0, 1), far * 8);
    insns.set(slot(0x95, 0, 0, 0), (far + 1) * 8);
    const funcInfo = [{ insnOff: 0, text: 'int main(void)' }, { insnOff: far, text: 'int far(void)' }];
    const listing = buildListing({ insns, funcInfo }, { jitedKsyms: [0xffffffffa0000000n, 0xffffffffa0001000n], callBase: 0n, kernelSymbol: () => undefined });
    expect(listing.text(0)).toBe('(85) call pc-25536#0xffffffffa0001000');
    expect(listing.target(0)).toBe(far);
    expect(listing.hasProblem(0)).toBe(false);
    const cfg = buildCfg(listing);
    expect(cfg.edges.some((e) => e.kind === 'call' && typeof e.to === 'number' && cfg.blocks[e.to]!.start === far)).toBe(true);
  });

  it('an empty program has no rows', () => {
    const listing = buildListing({ insns: new Uint8Array(0) });
    expect(listing.length).toBe(0);
    expect(listingJsonText(listing)).toBe('[]');
    expect(buildCfg(listing)).toEqual({ functions: [], blocks: [], edges: [] });
  });
});
