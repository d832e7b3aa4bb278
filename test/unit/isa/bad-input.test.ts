// Bad input: every malformed program decodes into entries marked invalid, never a throw.

import { describe, expect, it } from 'vitest';
import { buildListing, decodeInstructions, renderListingText } from '../../../main/kernel/isa/index.js';

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.trim().split(/\s+/).filter(Boolean), (b) => parseInt(b, 16));
}

const EXIT = '95 00 00 00 00 00 00 00';

describe('bad input', () => {
  it('a truncated program ends with a truncated entry', () => {
    const insns = decodeInstructions(bytes(`${EXIT} b7 00 00 00 01`));
    expect(insns).toHaveLength(2);
    expect(insns[1]).toMatchObject({ kind: 'invalid', index: 1, truncatedBytes: 5, problem: 'truncated instruction (5 of 8 bytes)' });
  });

  it('an ld_imm64 at the end without its second half is invalid', () => {
    const [, lone] = decodeInstructions(bytes(`${EXIT} 18 01 00 00 01 00 00 00`));
    expect(lone).toMatchObject({ kind: 'invalid', problem: 'ld_imm64 without its second half' });
  });

  it('a second half without its first is invalid', () => {
    const [half] = decodeInstructions(bytes(`00 00 00 00 05 00 00 00 ${EXIT}`));
    expect(half).toMatchObject({ kind: 'invalid', problem: 'second half of ld_imm64 without its first half' });
  });

  it('a second half with a non-zero opcode is flagged', () => {
    const [insn] = decodeInstructions(bytes(`18 01 00 00 01 00 00 00 07 00 00 00 00 00 00 00 ${EXIT}`));
    expect(insn).toMatchObject({ kind: 'ld_imm64', problem: 'ld_imm64 second half uses reserved fields' });
  });

  it.each([
    ['e4 01 00 00 00 00 00 00', 'unknown alu op 0xe0'],
    ['f5 01 00 00 00 00 00 00', 'unknown jump op 0xf0'],
    ['96 00 00 00 00 00 00 00', 'jmp32 has no op 0x90'],
    ['8d 00 00 00 01 00 00 00', 'jump op 0x80 with reserved source bit'],
    ['85 30 00 00 01 00 00 00', 'unknown call kind 3'],
    ['e5 10 00 00 00 00 00 00', 'unknown conditional pseudo jump'],
    ['0d 01 00 00 00 00 00 00', 'indirect goto is not supported before Linux 6.19'],
    ['a1 12 00 00 00 00 00 00', 'unknown ldx mode 0xa0'],
    ['99 12 00 00 00 00 00 00', 'sign-extending load of 8 bytes'],
    ['d3 21 00 00 00 00 00 00', 'atomic add of 1 bytes'],
    ['db 21 00 00 02 00 00 00', 'unknown atomic op 0x2'],
    ['38 00 00 00 00 00 00 00', 'legacy packet load of 8 bytes'],
    ['bf 21 07 00 00 00 00 00', 'invalid mov offset 7'],
    ['df 01 00 00 10 00 00 00', 'byte swap with reserved source bit'],
  ])('%s is invalid: %s', (hex, problem) => {
    const [insn] = decodeInstructions(bytes(`${hex} ${EXIT}`));
    expect(insn).toMatchObject({ kind: 'invalid', problem });
  });

  it.each([
    ['bf 0b 00 00 00 00 00 00', 'invalid register r11'],
    ['d4 01 00 00 18 00 00 00', 'invalid byte swap width 24'],
    ['07 01 01 00 01 00 00 00', 'alu uses reserved offset 1'],
    ['15 01 05 00 00 00 00 00', 'target 6 is outside the program (0..1)'],
    ['05 00 fd ff 00 00 00 00', 'target -2 is outside the program (0..1)'],
    ['85 10 00 00 05 00 00 00', 'target 6 is outside the program (0..1)'],
  ])('%s decodes but is flagged: %s', (hex, problem) => {
    const [insn] = decodeInstructions(bytes(`${hex} ${EXIT}`));
    expect(insn.kind).not.toBe('invalid');
    expect(insn.problem).toBe(problem);
  });

  it('a jump into the middle of ld_imm64 is flagged', () => {
    const [jump] = decodeInstructions(bytes(`05 00 01 00 00 00 00 00 18 01 00 00 01 00 00 00 00 00 00 00 00 00 00 00 ${EXIT}`));
    expect(jump.problem).toBe('target 2 is the second half of ld_imm64');
  });

  it('invalid entries render as marked lines', () => {
    const listing = buildListing({ insns: bytes(`e4 01 00 00 00 00 00 00 ${EXIT} 18`) });
    expect(renderListingText(listing)).toBe(
      '   0: (e4) invalid: unknown alu op 0xe0\n   1: (95) exit\n   2: (18) invalid: truncated instruction (1 of 8 bytes)\n');
    expect(listing.rows().map((e) => e.problem)).toEqual(['unknown alu op 0xe0', undefined, 'truncated instruction (1 of 8 bytes)']);
  });

  it('random bytes never throw and cover every slot', () => {
    // A fixed LCG keeps the test reproducible.
    let seed = 0x2545f491;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    for (let round = 0; round < 200; round++) {
      const length = (random() * 4) + (round % 9);
      const input = Uint8Array.from({ length }, random);
      const listing = buildListing({ insns: input }, { jitedKsyms: [1n], callBase: 0n, kernelSymbol: () => undefined });
      const covered = listing.rows().reduce((n, e) => n + e.bytes.length, 0);
      expect(covered).toBe(input.length);
      expect(() => renderListingText(listing)).not.toThrow();
    }
  });
});
