// The instructions of a program cut into basic blocks for the access analysis: leaders are the
// entry, function starts (call and callback targets, func_info), jump targets and what follows
// a jump or exit. Calls stay inside blocks: the interpreter steps into them.
import { decodeInstructions, type DecodeOptions } from '../isa/decode.js';
import type { Instruction } from '../isa/instruction.js';

export interface Block {
  readonly first: number;
  /** Position of the last instruction (inclusive). */
  readonly last: number;
  /** Blocks control may go to next: fallthrough first, then the jump target. */
  readonly next: readonly number[];
}

export interface ProgramBlocks {
  /** Instructions by position (ld_imm64 is one position, two slots). */
  readonly insns: readonly Instruction[];
  readonly blocks: readonly Block[];
  /** The block starting at an instruction index (slot), or -1. */
  blockAtSlot(index: number): number;
  /** Instruction indexes that ld_imm64 takes the address of (callbacks), each once. */
  readonly funcRefs: readonly number[];
}

/**
 * Where an ld_imm64 of a function points. The kernel keeps these relative in dumps of JIT-ed
 * code too (it restores the offsets after JIT), so the decoder's `target` is not needed.
 */
export function funcTarget(insn: Extract<Instruction, { kind: 'ld_imm64' }>): number {
  return insn.target ?? insn.index + 1 + insn.immLo;
}

function isJump(insn: Instruction): boolean {
  return insn.kind === 'jump' || insn.kind === 'goto' || insn.kind === 'may_goto';
}

export function programBlocks(bytes: Uint8Array, decode: DecodeOptions = {}): ProgramBlocks {
  const insns = decodeInstructions(bytes, decode);
  const slotCount = Math.ceil(bytes.length / 8) + 1;
  const positionOfSlot = new Int32Array(slotCount).fill(-1);
  insns.forEach((insn, p) => (positionOfSlot[insn.index] = p));
  const position = (slot: number): number => (slot >= 0 && slot < slotCount ? positionOfSlot[slot] : -1);

  const leader = new Uint8Array(insns.length + 1);
  if (insns.length > 0) leader[0] = 1;
  const funcRefs = new Set<number>();
  const mark = (slot: number | undefined): void => {
    const p = slot === undefined ? -1 : position(slot);
    if (p >= 0) leader[p] = 1;
  };
  for (const start of decode.subprogStarts ?? []) mark(start);
  insns.forEach((insn, p) => {
    if (insn.problem !== undefined) return;
    if (isJump(insn) && 'target' in insn) {
      mark(insn.target);
      leader[p + 1] = 1;
    } else if (insn.kind === 'exit') {
      leader[p + 1] = 1;
    } else if (insn.kind === 'call' && insn.callee === 'subprog') {
      mark(insn.target);
    } else if (insn.kind === 'ld_imm64' && insn.pseudo === 'func') {
      const target = funcTarget(insn);
      mark(target);
      if (position(target) >= 0) funcRefs.add(target);
    }
  });

  const blockAtPosition = new Int32Array(insns.length).fill(-1);
  const starts: number[] = [];
  for (let p = 0; p < insns.length; p++) if (leader[p] === 1) starts.push(p);
  starts.forEach((first, id) => (blockAtPosition[first] = id));
  const blocks: Block[] = starts.map((first, id) => {
    const last = (id + 1 < starts.length ? starts[id + 1] : insns.length) - 1;
    const end = insns[last];
    const next: number[] = [];
    const ok = end.problem === undefined;
    const fallsThrough = end.kind !== 'exit' && end.kind !== 'goto' && last + 1 < insns.length;
    if (fallsThrough) next.push(blockAtPosition[last + 1]);
    if (ok && isJump(end) && 'target' in end && end.target !== undefined) {
      const target = position(end.target);
      if (target >= 0) next.push(blockAtPosition[target]);
    }
    return { first, last, next: next.filter((b) => b >= 0) };
  });
  return {
    insns,
    blocks,
    blockAtSlot: (slot) => {
      const p = position(slot);
      return p < 0 ? -1 : blockAtPosition[p];
    },
    funcRefs: [...funcRefs],
  };
}
