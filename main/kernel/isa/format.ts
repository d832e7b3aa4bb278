// Instruction text, as the kernel's kernel/bpf/disasm.c (print_bpf_insn, Linux 6.18) prints
// it and bpftool shows it. Like disasm.c, names the formatter cannot know (kernel symbols,
// map ids) come from an injected callback table.

import { helperName } from './helpers.js';
import type {
  AccessSize, AluOp, AtomicOp, CallInstruction, Instruction, JumpCondition, LoadImm64Instruction, Operand,
} from './instruction.js';

/** The formatter's lookups, after disasm.c's `struct bpf_insn_cbs`. */
export interface DisasmCallbacks {
  /** cb_call: the name of a call the helper table does not name; undefined → disasm.c's default. */
  callName?(insn: CallInstruction): string | undefined;
  /** cb_imm: the text of an ld_imm64 value; undefined → `0x…` of the full immediate. */
  immText?(insn: LoadImm64Instruction): string | undefined;
}

const ALU_TEXT: Readonly<Record<AluOp, string>> = {
  add: '+=', sub: '-=', mul: '*=', div: '/=', sdiv: 's/=', or: '|=', and: '&=', lsh: '<<=',
  rsh: '>>=', mod: '%=', smod: 's%=', xor: '^=', mov: '=', arsh: 's>>=',
};

const JUMP_TEXT: Readonly<Record<JumpCondition, string>> = {
  eq: '==', gt: '>', ge: '>=', set: '&', ne: '!=', sgt: 's>', sge: 's>=', lt: '<', le: '<=', slt: 's<', sle: 's<=',
};

const ATOMIC_ALU_TEXT: Readonly<Partial<Record<AtomicOp, string>>> = { add: '+=', and: '&=', or: '|=', xor: '^=' };

const UNSIGNED_TYPE: Readonly<Record<AccessSize, string>> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };
const SIGNED_TYPE: Readonly<Record<AccessSize, string>> = { 1: 's8', 2: 's16', 4: 's32', 8: 's64' };

/** printf's `%+d`. */
export function signed(n: number): string {
  return n < 0 ? String(n) : `+${n}`;
}

/** printf's `%02x` of the opcode byte. */
function hexCode(code: number): string {
  return code < 16 ? `0${code.toString(16)}` : code.toString(16);
}

function operandText(operand: Operand, prefix: string): string {
  return operand.kind === 'reg' ? `${prefix}${operand.reg}` : String(operand.value);
}

function memory(size: AccessSize, base: number, off: number): string {
  return `(${UNSIGNED_TYPE[size]} *)(r${base} ${signed(off)})`;
}

/** disasm.c's __func_get_name: the helper table first, then the callback, then a default. */
function callName(insn: CallInstruction, callbacks: DisasmCallbacks | undefined): string {
  if (insn.callee === 'helper') {
    const name = helperName(insn.imm);
    if (name !== undefined) return name;
  }
  const resolved = callbacks?.callName?.(insn);
  if (resolved !== undefined) return resolved;
  if (insn.callee === 'subprog') return signed(insn.imm);
  return insn.callee === 'kfunc' ? 'kernel-function' : 'unknown';
}

function formatAtomic(insn: Extract<Instruction, { kind: 'atomic' }>): string {
  const mem = memory(insn.size, insn.base, insn.off);
  const bits = insn.size === 8 ? '64' : '';
  switch (insn.op) {
    case 'load_acquire':
      return `r${insn.dst} = load_acquire(${mem})`;
    case 'store_release':
      return `store_release(${mem}, r${insn.src})`;
    case 'cmpxchg':
      return `r0 = atomic${bits}_cmpxchg(${mem}, r0, r${insn.src})`;
    case 'xchg':
      return `r${insn.src} = atomic${bits}_xchg(${mem}, r${insn.src})`;
    default:
      return insn.fetch
        ? `r${insn.src} = atomic${bits}_fetch_${insn.op}(${mem}, r${insn.src})`
        : `lock *${mem} ${ATOMIC_ALU_TEXT[insn.op]} r${insn.src}`;
  }
}

/** The instruction's text after the `(code) ` prefix. */
function body(insn: Instruction, callbacks: DisasmCallbacks | undefined): string {
  switch (insn.kind) {
    case 'alu': {
      const w = insn.width === 32 ? 'w' : 'r';
      return `${w}${insn.dst} ${ALU_TEXT[insn.op]} ${operandText(insn.operand, w)}`;
    }
    case 'neg': {
      const w = insn.width === 32 ? 'w' : 'r';
      return `${w}${insn.dst} = -${w}${insn.dst}`;
    }
    case 'movsx': {
      const w = insn.width === 32 ? 'w' : 'r';
      return `${w}${insn.dst} = (s${insn.fromBits})${w}${insn.src}`;
    }
    case 'endian':
      return insn.order === 'swap'
        ? `r${insn.dst} = bswap${insn.bits} r${insn.dst}`
        : `r${insn.dst} = ${insn.order}${insn.bits} r${insn.dst}`;
    case 'addr_space_cast':
      return `r${insn.dst} = addr_space_cast(r${insn.src}, ${insn.destSpace}, ${insn.srcSpace})`;
    case 'percpu_addr':
      return `r${insn.dst} = &(void __percpu *)(r${insn.src})`;
    case 'load': {
      const type = insn.signed ? SIGNED_TYPE[insn.size] : UNSIGNED_TYPE[insn.size];
      return `r${insn.dst} = *(${type} *)(r${insn.base} ${signed(insn.off)})`;
    }
    case 'store':
      return `*${memory(insn.size, insn.base, insn.off)} = ${operandText(insn.value, 'r')}`;
    case 'atomic':
      return formatAtomic(insn);
    case 'nospec':
      return 'nospec';
    case 'ld_abs':
      return `r0 = *(${UNSIGNED_TYPE[insn.size]} *)skb[${insn.imm}]`;
    case 'ld_ind':
      return `r0 = *(${UNSIGNED_TYPE[insn.size]} *)skb[r${insn.src} + ${insn.imm}]`;
    case 'ld_imm64':
      return `r${insn.dst} = ${callbacks?.immText?.(insn) ?? `0x${insn.value.toString(16)}`}`;
    case 'call':
      return insn.callee === 'subprog'
        ? `call pc${callName(insn, callbacks)}`
        : `call ${callName(insn, callbacks)}#${insn.imm}`;
    case 'goto':
      return `${insn.long ? 'gotol' : 'goto'} pc${signed(insn.offset)}`;
    case 'may_goto':
      return `may_goto pc${signed(insn.offset)}`;
    case 'exit':
      return 'exit';
    case 'jump': {
      const w = insn.width === 32 ? 'w' : 'r';
      const right = insn.operand.kind === 'reg' ? `${w}${insn.operand.reg}` : `0x${(insn.operand.value >>> 0).toString(16)}`;
      return `if ${w}${insn.dst} ${JUMP_TEXT[insn.condition]} ${right} goto pc${signed(insn.offset)}`;
    }
    case 'invalid':
      return `invalid: ${insn.problem}`;
  }
}

/** One instruction as disasm.c prints it, e.g. `(bf) r6 = r1` or `(85) call bpf_map_lookup_elem#1`. */
export function formatInstruction(insn: Instruction, callbacks?: DisasmCallbacks): string {
  return `(${hexCode(insn.code)}) ${body(insn, callbacks)}`;
}
