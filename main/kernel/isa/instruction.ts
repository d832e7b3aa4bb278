// The normalised instruction model. The decoder resolves every encoding detail once
// (div with off 1 is sdiv, JMP32|JA is a long goto, ALU64|END is an unconditional byte
// swap …) so that formatters, the listing and the CFG never look at raw bits again.

/** A register (r0..r10) or a 32-bit signed immediate. */
export type Operand = { readonly kind: 'reg'; readonly reg: number } | { readonly kind: 'imm'; readonly value: number };

/** Access width in bytes. */
export type AccessSize = 1 | 2 | 4 | 8;

export type AluOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'or' | 'and' | 'lsh'
  | 'rsh' | 'mod' | 'smod' | 'xor' | 'mov' | 'arsh';

export type JumpCondition =
  | 'eq' | 'gt' | 'ge' | 'set' | 'ne' | 'sgt' | 'sge' | 'lt' | 'le' | 'slt' | 'sle';

export type AtomicOp =
  | 'add' | 'and' | 'or' | 'xor' | 'xchg' | 'cmpxchg' | 'load_acquire' | 'store_release';

/** What the 64-bit immediate of ld_imm64 refers to (its src register). */
export type PseudoSource =
  | 'none' | 'map_fd' | 'map_value' | 'btf_id' | 'func' | 'map_idx' | 'map_idx_value';

export type CallKind = 'helper' | 'subprog' | 'kfunc';

/**
 * Encodings only the kernel writes, seen in xlated code:
 * - `zext`: BPF_ZEXT_REG, a mov32 with imm 1 the verifier inserts to zero-extend a register
 *   explicitly (after a 32-bit cmpxchg, or for JITs that need it); it moves like any mov32.
 * - `probe_memsx`: BPF_PROBE_MEMSX, a sign-extending load from a BTF pointer that the JIT
 *   guards against faults (BPF_PROBE_MEM loads are turned back into plain loads by the kernel
 *   before it dumps them; these are not).
 */
export type InternalForm = 'zext' | 'probe_memsx';

interface InstructionBase {
  /** Slot index in the program (ld_imm64 occupies this slot and the next). */
  readonly index: number;
  /** The opcode byte, shown by bpftool as `(bf)`. */
  readonly code: number;
  /** Slots taken: 2 for ld_imm64, else 1. */
  readonly slots: 1 | 2;
  /** Why the kernel would refuse this instruction here (bad register, jump out of range …). */
  problem?: string;
  /** Set when the bytes are a kernel-internal encoding of this instruction. */
  readonly internal?: InternalForm;
}

export interface AluInstruction extends InstructionBase {
  readonly kind: 'alu';
  readonly op: AluOp;
  readonly width: 32 | 64;
  readonly dst: number;
  readonly operand: Operand;
}

export interface NegInstruction extends InstructionBase {
  readonly kind: 'neg';
  readonly width: 32 | 64;
  readonly dst: number;
}

/** Sign-extending move (Linux 6.6): `r1 = (s8)r2`. */
export interface MovsxInstruction extends InstructionBase {
  readonly kind: 'movsx';
  readonly width: 32 | 64;
  readonly dst: number;
  readonly src: number;
  readonly fromBits: 8 | 16 | 32;
}

/** `le`/`be` convert to that byte order (class ALU); `swap` swaps unconditionally (ALU64, Linux 6.6). */
export interface EndianInstruction extends InstructionBase {
  readonly kind: 'endian';
  readonly order: 'le' | 'be' | 'swap';
  /** The imm: 16, 32 or 64 (kept as encoded when invalid). */
  readonly bits: number;
  readonly dst: number;
}

/** Pointer conversion between address spaces (Linux 6.9, bpf arena). */
export interface AddrSpaceCastInstruction extends InstructionBase {
  readonly kind: 'addr_space_cast';
  readonly dst: number;
  readonly src: number;
  readonly destSpace: number;
  readonly srcSpace: number;
}

/** Kernel-internal: per-CPU address of a pointer (Linux 6.10), only in xlated code. */
export interface PercpuAddrInstruction extends InstructionBase {
  readonly kind: 'percpu_addr';
  readonly dst: number;
  readonly src: number;
}

/** `dst = *(size *)(base + off)`, sign-extending when `signed` (BPF_MEMSX). */
export interface LoadInstruction extends InstructionBase {
  readonly kind: 'load';
  readonly dst: number;
  readonly base: number;
  readonly off: number;
  readonly size: AccessSize;
  readonly signed: boolean;
}

/** `*(size *)(base + off) = value`. */
export interface StoreInstruction extends InstructionBase {
  readonly kind: 'store';
  readonly base: number;
  readonly off: number;
  readonly size: AccessSize;
  readonly value: Operand;
}

/** An atomic operation on `*(size *)(base + off)` with register `src`. */
export interface AtomicInstruction extends InstructionBase {
  readonly kind: 'atomic';
  readonly op: AtomicOp;
  /** The old value comes back in `src` (r0 for cmpxchg). */
  readonly fetch: boolean;
  readonly size: AccessSize;
  readonly base: number;
  readonly off: number;
  readonly src: number;
  /** Destination of load_acquire (the instruction's dst register, base is src). */
  readonly dst: number;
}

export interface LoadImm64Instruction extends InstructionBase {
  readonly kind: 'ld_imm64';
  readonly dst: number;
  readonly pseudo: PseudoSource;
  /** Raw src register (the pseudo source number). */
  readonly srcReg: number;
  /** The two 32-bit halves as encoded (signed); for map pseudo sources: map id/fd/idx and value offset. */
  readonly immLo: number;
  readonly immHi: number;
  /** The full unsigned 64-bit immediate. */
  readonly value: bigint;
  /** For `func`: the referenced subprog's first instruction, when it can be known. */
  readonly target?: number;
}

/** Legacy packet loads: `r0 = *(size *)skb[imm]` or `skb[src + imm]`. */
export interface LegacyLoadInstruction extends InstructionBase {
  readonly kind: 'ld_abs' | 'ld_ind';
  readonly size: AccessSize;
  readonly src: number;
  readonly imm: number;
}

export interface JumpInstruction extends InstructionBase {
  readonly kind: 'jump';
  readonly condition: JumpCondition;
  readonly width: 32 | 64;
  readonly dst: number;
  readonly operand: Operand;
  readonly offset: number;
  readonly target: number;
}

/** Unconditional jump: `goto` (16-bit off) or `gotol` (JMP32|JA, 32-bit imm, Linux 6.6). */
export interface GotoInstruction extends InstructionBase {
  readonly kind: 'goto';
  readonly long: boolean;
  readonly offset: number;
  readonly target: number;
}

/** Bounded-loop escape hatch (Linux 6.9): falls through until the budget runs out, then jumps. */
export interface MayGotoInstruction extends InstructionBase {
  readonly kind: 'may_goto';
  readonly offset: number;
  readonly target: number;
}

export interface CallInstruction extends InstructionBase {
  readonly kind: 'call';
  readonly callee: CallKind;
  /** Helper id, kfunc BTF id, subprog offset — or, in JIT-ed xlated code, an address offset / subprog number. */
  readonly imm: number;
  readonly off: number;
  /** For bpf-to-bpf calls: the callee's first instruction. */
  readonly target?: number;
}

export interface ExitInstruction extends InstructionBase {
  readonly kind: 'exit';
}

/** Kernel-internal speculation barrier, only in xlated code. */
export interface NospecInstruction extends InstructionBase {
  readonly kind: 'nospec';
}

/** Bytes that are not an instruction the kernel accepts; `problem` says why. */
export interface InvalidInstruction extends InstructionBase {
  readonly kind: 'invalid';
  readonly dstReg: number;
  readonly srcReg: number;
  readonly off: number;
  readonly imm: number;
  /** Bytes present when the program ends inside this slot (fewer than 8). */
  readonly truncatedBytes?: number;
  problem: string;
}

export type Instruction =
  | AluInstruction | NegInstruction | MovsxInstruction | EndianInstruction
  | AddrSpaceCastInstruction | PercpuAddrInstruction
  | LoadInstruction | StoreInstruction | AtomicInstruction
  | LoadImm64Instruction | LegacyLoadInstruction
  | JumpInstruction | GotoInstruction | MayGotoInstruction
  | CallInstruction | ExitInstruction | NospecInstruction | InvalidInstruction;

/** Instructions that may transfer control to `target`. */
export type BranchInstruction = JumpInstruction | GotoInstruction | MayGotoInstruction;

export function isBranch(insn: Instruction): insn is BranchInstruction {
  return insn.kind === 'jump' || insn.kind === 'goto' || insn.kind === 'may_goto';
}
