// Decoder: raw eBPF bytes → normalised instructions. Never throws: what the kernel would
// refuse comes back as an `invalid` instruction or with `problem` set.

import type {
  AccessSize, AluOp, AtomicOp, Instruction, JumpCondition, Operand, PseudoSource,
} from './instruction.js';
import { isBranch } from './instruction.js';
import * as op from './opcode.js';

export interface DecodeOptions {
  /** The bytes are xlated code (what the kernel runs), where r11 (BPF_REG_AX) may appear. */
  readonly xlated?: boolean;
  /**
   * The bytes are xlated code of a JIT-ed program: bpf-to-bpf calls then carry the callee's
   * relative offset in `off` (imm holds the subprog number), as bpftool assumes when the
   * program has jited ksyms. Otherwise (object files, interpreted programs) it is in `imm`.
   */
  readonly jitedCalls?: boolean;
  /**
   * With jitedCalls: where each subprogram starts (func_info order), so a call's target comes
   * from its subprog number — `off` keeps only 16 bits of a call further than 32 767 slots.
   */
  readonly subprogStarts?: readonly number[];
}

interface RawSlot {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const ALU_OPS: readonly (AluOp | undefined)[] = [
  'add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', undefined, 'mod', 'xor', 'mov', 'arsh',
];

const JUMP_CONDITIONS: readonly (JumpCondition | undefined)[] = [
  undefined, 'eq', 'gt', 'ge', 'set', 'ne', 'sgt', 'sge', undefined, undefined, 'lt', 'le', 'slt', 'sle',
];

const LD_IMM64 = op.CLASS_LD | op.MODE_IMM | op.SIZE_DW;

const SIZES: readonly AccessSize[] = [4, 2, 1, 8];

const PSEUDO_SOURCES: readonly PseudoSource[] = [
  'none', 'map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value',
];

const ATOMIC_RMW: ReadonlyMap<number, AtomicOp> = new Map([
  [op.ALU_ADD, 'add'], [op.ALU_AND, 'and'], [op.ALU_OR, 'or'], [op.ALU_XOR, 'xor'],
]);

/** Fills `into` from the slot at byte offset `at` (scratch objects keep the hot loop allocation-free). */
function readSlot(bytes: Uint8Array, at: number, into: RawSlot): RawSlot {
  const regs = bytes[at + 1];
  into.code = bytes[at];
  into.dst = regs & 0x0f;
  into.src = regs >> 4;
  into.off = ((bytes[at + 2] | (bytes[at + 3] << 8)) << 16) >> 16;
  into.imm = bytes[at + 4] | (bytes[at + 5] << 8) | (bytes[at + 6] << 16) | (bytes[at + 7] << 24);
  return into;
}

function invalid(index: number, raw: RawSlot, problem: string): Instruction {
  return { kind: 'invalid', index, code: raw.code, slots: 1, dstReg: raw.dst, srcReg: raw.src, off: raw.off, imm: raw.imm, problem };
}

function badRegister(raw: RawSlot, usesSrc: boolean, options: DecodeOptions): string | undefined {
  // Constant blinding rewrites xlated code with the kernel's auxiliary register r11 (BPF_REG_AX).
  const max = options.xlated ? op.MAX_XLATED_REGISTER : op.MAX_REGISTER;
  if (raw.dst > max) return `invalid register r${raw.dst}`;
  if (usesSrc && raw.src > max) return `invalid register r${raw.src}`;
  return undefined;
}

function withProblem<T extends Instruction>(insn: T, problem: string | undefined): T {
  if (problem !== undefined) insn.problem = problem;
  return insn;
}

function decodeAlu(index: number, raw: RawSlot, options: DecodeOptions): Instruction {
  const cls = raw.code & op.CLASS_MASK;
  const width = cls === op.CLASS_ALU64 ? 64 : 32;
  const aluOp = raw.code & op.OP_MASK;
  const fromReg = (raw.code & op.SOURCE_MASK) === op.SOURCE_X;

  if (aluOp === op.ALU_END) {
    if (cls === op.CLASS_ALU64 && fromReg) return invalid(index, raw, 'byte swap with reserved source bit');
    const order = cls === op.CLASS_ALU64 ? 'swap' : fromReg ? 'be' : 'le';
    const problem = raw.imm !== 16 && raw.imm !== 32 && raw.imm !== 64 ? `invalid byte swap width ${raw.imm}`
      : raw.src !== 0 || raw.off !== 0 ? 'byte swap uses reserved fields' : badRegister(raw, false, options);
    return withProblem({ index, code: raw.code, slots: 1, kind: 'endian', order, bits: raw.imm, dst: raw.dst }, problem);
  }
  if (aluOp === op.ALU_NEG) {
    const problem = fromReg || raw.src !== 0 || raw.off !== 0 || raw.imm !== 0 ? 'neg uses reserved fields' : badRegister(raw, false, options);
    return withProblem({ index, code: raw.code, slots: 1, kind: 'neg', width, dst: raw.dst }, problem);
  }
  let aluName = ALU_OPS[aluOp >> 4];
  if (aluName === undefined) return invalid(index, raw, `unknown alu op 0x${aluOp.toString(16)}`);

  if (aluName === 'mov' && fromReg && raw.off !== 0) {
    if (cls === op.CLASS_ALU64 && raw.off === op.OFF_ADDR_SPACE_CAST) {
      const problem = raw.imm !== 1 && raw.imm !== 0x10000 ? 'invalid addr_space_cast' : badRegister(raw, true, options);
      return withProblem({
        index, code: raw.code, slots: 1, kind: 'addr_space_cast', dst: raw.dst, src: raw.src, destSpace: raw.imm >>> 16, srcSpace: raw.imm & 0xffff,
      }, problem);
    }
    if (cls === op.CLASS_ALU64 && raw.off === op.OFF_PERCPU_ADDR) {
      return withProblem({ index, code: raw.code, slots: 1, kind: 'percpu_addr', dst: raw.dst, src: raw.src }, badRegister(raw, true, options));
    }
    if (raw.off === 8 || raw.off === 16 || (raw.off === 32 && cls === op.CLASS_ALU64)) {
      const problem = raw.imm !== 0 ? 'movsx uses reserved fields' : badRegister(raw, true, options);
      return withProblem({ index, code: raw.code, slots: 1, kind: 'movsx', width, dst: raw.dst, src: raw.src, fromBits: raw.off }, problem);
    }
    return invalid(index, raw, `invalid mov offset ${raw.off}`);
  }

  let problem: string | undefined;
  if ((aluName === 'div' || aluName === 'mod') && raw.off === 1) aluName = aluName === 'div' ? 'sdiv' : 'smod';
  else if (raw.off !== 0) problem = `alu uses reserved offset ${raw.off}`;
  const zext = aluName === 'mov' && fromReg && cls === op.CLASS_ALU && raw.imm === op.IMM_ZEXT;
  if (fromReg && raw.imm !== 0 && !zext) problem ??= 'alu uses reserved imm';
  if (!fromReg && raw.src !== 0) problem ??= 'alu uses reserved src register';
  problem ??= badRegister(raw, fromReg, options);
  const operand: Operand = fromReg ? { kind: 'reg', reg: raw.src } : { kind: 'imm', value: raw.imm };
  return withProblem({
    index, code: raw.code, slots: 1, kind: 'alu', op: aluName, width, dst: raw.dst, operand, ...(zext ? { internal: 'zext' } : {}),
  }, problem);
}

function decodeMemory(index: number, raw: RawSlot, options: DecodeOptions): Instruction {
  const cls = raw.code & op.CLASS_MASK;
  const mode = raw.code & op.MODE_MASK;
  const size = SIZES[(raw.code & op.SIZE_MASK) >> 3];

  if (cls === op.CLASS_LDX) {
    const probe = mode === op.MODE_PROBE_MEMSX;
    if (mode !== op.MODE_MEM && mode !== op.MODE_MEMSX && !probe) return invalid(index, raw, `unknown ldx mode 0x${mode.toString(16)}`);
    const signed = mode !== op.MODE_MEM;
    if (signed && size === 8) return invalid(index, raw, 'sign-extending load of 8 bytes');
    const problem = raw.imm !== 0 ? 'ldx uses reserved imm' : badRegister(raw, true, options);
    return withProblem({
      index, code: raw.code, slots: 1, kind: 'load', dst: raw.dst, base: raw.src, off: raw.off, size, signed, ...(probe ? { internal: 'probe_memsx' } : {}),
    }, problem);
  }
  if (cls === op.CLASS_ST) {
    if (mode === op.MODE_NOSPEC) return { index, code: raw.code, slots: 1, kind: 'nospec' };
    if (mode !== op.MODE_MEM) return invalid(index, raw, `unknown st mode 0x${mode.toString(16)}`);
    const problem = raw.src !== 0 ? 'st uses reserved src register' : badRegister(raw, false, options);
    return withProblem({ index, code: raw.code, slots: 1, kind: 'store', base: raw.dst, off: raw.off, size, value: { kind: 'imm', value: raw.imm } }, problem);
  }
  // STX
  if (mode === op.MODE_MEM) {
    const problem = raw.imm !== 0 ? 'stx uses reserved imm' : badRegister(raw, true, options);
    return withProblem({ index, code: raw.code, slots: 1, kind: 'store', base: raw.dst, off: raw.off, size, value: { kind: 'reg', reg: raw.src } }, problem);
  }
  if (mode !== op.MODE_ATOMIC) return invalid(index, raw, `unknown stx mode 0x${mode.toString(16)}`);
  let atomicOp: AtomicOp | undefined;
  let fetch = false;
  if (raw.imm === op.ATOMIC_XCHG) [atomicOp, fetch] = ['xchg', true];
  else if (raw.imm === op.ATOMIC_CMPXCHG) [atomicOp, fetch] = ['cmpxchg', true];
  else if (raw.imm === op.ATOMIC_LOAD_ACQ) atomicOp = 'load_acquire';
  else if (raw.imm === op.ATOMIC_STORE_REL) atomicOp = 'store_release';
  else if ((raw.imm & ~(op.OP_MASK | op.ATOMIC_FETCH)) === 0) {
    atomicOp = ATOMIC_RMW.get(raw.imm & op.OP_MASK);
    fetch = (raw.imm & op.ATOMIC_FETCH) !== 0;
  }
  if (atomicOp === undefined) return invalid(index, raw, `unknown atomic op 0x${(raw.imm >>> 0).toString(16)}`);
  const ordered = atomicOp === 'load_acquire' || atomicOp === 'store_release';
  if (!ordered && size !== 4 && size !== 8) return invalid(index, raw, `atomic ${atomicOp} of ${size} bytes`);
  const base = atomicOp === 'load_acquire' ? raw.src : raw.dst;
  return withProblem({
    index, code: raw.code, slots: 1, kind: 'atomic', op: atomicOp, fetch, size, off: raw.off, base, dst: raw.dst, src: raw.src,
  }, badRegister(raw, true, options));
}

function decodeJump(index: number, raw: RawSlot, options: DecodeOptions): Instruction {
  const cls = raw.code & op.CLASS_MASK;
  const jmpOp = raw.code & op.OP_MASK;
  const fromReg = (raw.code & op.SOURCE_MASK) === op.SOURCE_X;
  const is32 = cls === op.CLASS_JMP32;

  if (jmpOp === op.JMP_JA) {
    if (fromReg) return invalid(index, raw, 'indirect goto is not supported before Linux 6.19');
    const offset = is32 ? raw.imm : raw.off;
    return { index, code: raw.code, slots: 1, kind: 'goto', long: is32, offset, target: index + 1 + offset };
  }
  if (jmpOp === op.JMP_CALL || jmpOp === op.JMP_EXIT || jmpOp === op.JMP_JCOND) {
    if (is32) return invalid(index, raw, `jmp32 has no op 0x${jmpOp.toString(16)}`);
    if (fromReg) return invalid(index, raw, `jump op 0x${jmpOp.toString(16)} with reserved source bit`);
    if (jmpOp === op.JMP_EXIT) return { index, code: raw.code, slots: 1, kind: 'exit' };
    if (jmpOp === op.JMP_JCOND) {
      if (raw.src !== 0) return invalid(index, raw, 'unknown conditional pseudo jump');
      return { index, code: raw.code, slots: 1, kind: 'may_goto', offset: raw.off, target: index + 1 + raw.off };
    }
    if (raw.src === op.CALL_HELPER) return { index, code: raw.code, slots: 1, kind: 'call', callee: 'helper', imm: raw.imm, off: raw.off };
    if (raw.src === op.PSEUDO_KFUNC_CALL) return { index, code: raw.code, slots: 1, kind: 'call', callee: 'kfunc', imm: raw.imm, off: raw.off };
    if (raw.src === op.PSEUDO_CALL) {
      const target = options.jitedCalls ? options.subprogStarts?.[raw.imm] ?? index + 1 + raw.off : index + 1 + raw.imm;
      return { index, code: raw.code, slots: 1, kind: 'call', callee: 'subprog', imm: raw.imm, off: raw.off, target };
    }
    return invalid(index, raw, `unknown call kind ${raw.src}`);
  }
  const condition = JUMP_CONDITIONS[jmpOp >> 4];
  if (condition === undefined) return invalid(index, raw, `unknown jump op 0x${jmpOp.toString(16)}`);
  const operand: Operand = fromReg ? { kind: 'reg', reg: raw.src } : { kind: 'imm', value: raw.imm };
  const problem = !fromReg && raw.src !== 0 ? 'jump uses reserved src register' : badRegister(raw, fromReg, options);
  return withProblem({
    index, code: raw.code, slots: 1, kind: 'jump', condition, width: is32 ? 32 : 64, dst: raw.dst, operand, offset: raw.off, target: index + 1 + raw.off,
  }, problem);
}

function decodeLd(index: number, raw: RawSlot, next: RawSlot | undefined, options: DecodeOptions): Instruction {
  const mode = raw.code & op.MODE_MASK;
  const sizeBits = raw.code & op.SIZE_MASK;
  if (mode === op.MODE_ABS || mode === op.MODE_IND) {
    if (sizeBits === op.SIZE_DW) return invalid(index, raw, 'legacy packet load of 8 bytes');
    const kind = mode === op.MODE_ABS ? 'ld_abs' : 'ld_ind';
    return withProblem({ index, code: raw.code, slots: 1, kind, size: SIZES[sizeBits >> 3], src: raw.src, imm: raw.imm }, badRegister(raw, kind === 'ld_ind', options));
  }
  if (mode !== op.MODE_IMM || sizeBits !== op.SIZE_DW) {
    if (raw.code === 0) return invalid(index, raw, 'second half of ld_imm64 without its first half');
    return invalid(index, raw, `unknown ld opcode 0x${raw.code.toString(16).padStart(2, '0')}`);
  }
  if (next === undefined) return invalid(index, raw, 'ld_imm64 without its second half');
  const pseudo = PSEUDO_SOURCES[raw.src];
  let problem: string | undefined;
  if (next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) problem = 'ld_imm64 second half uses reserved fields';
  else if (pseudo === undefined) problem = `unknown ld_imm64 pseudo source ${raw.src}`;
  else if (raw.off !== 0) problem = 'ld_imm64 uses reserved offset';
  problem ??= badRegister(raw, false, options);
  const value = (BigInt(next.imm >>> 0) << 32n) | BigInt(raw.imm >>> 0);
  const target = pseudo === 'func' && !options.jitedCalls ? index + 1 + raw.imm : undefined;
  return withProblem({
    index, code: raw.code, slots: 2, kind: 'ld_imm64', dst: raw.dst, pseudo: pseudo ?? 'none', srcReg: raw.src,
    immLo: raw.imm, immHi: next.imm, value, target,
  }, problem);
}

function decodeSlot(index: number, raw: RawSlot, next: RawSlot | undefined, options: DecodeOptions): Instruction {
  switch (raw.code & op.CLASS_MASK) {
    case op.CLASS_ALU:
    case op.CLASS_ALU64:
      return decodeAlu(index, raw, options);
    case op.CLASS_JMP:
    case op.CLASS_JMP32:
      return decodeJump(index, raw, options);
    case op.CLASS_LD:
      return decodeLd(index, raw, next, options);
    default:
      return decodeMemory(index, raw, options);
  }
}

/** The instruction index a branch, bpf-to-bpf call or func reference points at, if any. */
export function targetOf(insn: Instruction): number | undefined {
  if (isBranch(insn) || (insn.kind === 'call' && insn.callee === 'subprog') || insn.kind === 'ld_imm64') return insn.target;
  return undefined;
}

/** Why `target` is not an instruction the kernel would let code go to (`starts` marks first slots). */
export function targetProblem(target: number, slotCount: number, starts: Uint8Array): string | undefined {
  if (target < 0 || target >= slotCount) return `target ${target} is outside the program (0..${slotCount - 1})`;
  return starts[target] === 0 ? `target ${target} is the second half of ld_imm64` : undefined;
}

/**
 * Decodes one instruction at a time, at any slot: what the listing re-decodes on demand, so a
 * million-instruction program never holds a million instruction objects. Target checks need the
 * whole program and are not done here (see `targetProblem`).
 */
export class SlotDecoder {
  /** Whole instruction slots; a shorter tail is the truncated slot `slotCount`. */
  readonly slotCount: number;
  private readonly raw: RawSlot = { code: 0, dst: 0, src: 0, off: 0, imm: 0 };
  private readonly second: RawSlot = { code: 0, dst: 0, src: 0, off: 0, imm: 0 };

  constructor(private readonly bytes: Uint8Array, private readonly options: DecodeOptions = {}) {
    this.slotCount = Math.floor(bytes.length / op.INSN_SIZE);
  }

  /** True when the bytes end inside slot `slotCount`. */
  get truncated(): boolean {
    return this.bytes.length > this.slotCount * op.INSN_SIZE;
  }

  /** The instruction starting at slot `index` (0..slotCount, the last only when truncated). */
  at(index: number): Instruction {
    const { bytes, slotCount } = this;
    if (index >= slotCount) {
      const rest = bytes.length - slotCount * op.INSN_SIZE;
      return {
        kind: 'invalid', index: slotCount, code: bytes[slotCount * op.INSN_SIZE], slots: 1,
        dstReg: 0, srcReg: 0, off: 0, imm: 0, truncatedBytes: rest, problem: `truncated instruction (${rest} of 8 bytes)`,
      };
    }
    const raw = readSlot(bytes, index * op.INSN_SIZE, this.raw);
    const next = raw.code === LD_IMM64 && index + 1 < slotCount ? readSlot(bytes, (index + 1) * op.INSN_SIZE, this.second) : undefined;
    return decodeSlot(index, raw, next, this.options);
  }
}

/**
 * Decodes a program. One entry per instruction (ld_imm64 covers two slots); trailing bytes
 * that do not fill a slot become a final `invalid` entry with `truncatedBytes`.
 */
export function decodeInstructions(bytes: Uint8Array, options: DecodeOptions = {}): Instruction[] {
  const decoder = new SlotDecoder(bytes, options);
  const { slotCount } = decoder;
  const insns: Instruction[] = [];
  const starts = new Uint8Array(slotCount);
  for (let index = 0; index < slotCount; index += insns[insns.length - 1].slots) {
    insns.push(decoder.at(index));
    starts[index] = 1;
  }
  if (decoder.truncated) insns.push(decoder.at(slotCount));
  for (const insn of insns) {
    const target = targetOf(insn);
    if (target !== undefined && insn.problem === undefined) {
      const problem = targetProblem(target, slotCount, starts);
      if (problem !== undefined) insn.problem = problem;
    }
  }
  return insns;
}
