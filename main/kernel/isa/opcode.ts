// eBPF opcode constants (include/uapi/linux/bpf.h, bpf_common.h, Linux 6.18).
//
// An instruction is 8 bytes, little-endian on every host the kernel runs us on:
//
//    byte 0      byte 1          bytes 2-3        bytes 4-7
//   +--------+--------+--------+----------------+--------------------------------+
//   | opcode | src:4  | dst:4  |  off (s16)     |  imm (s32)                     |
//   +--------+--------+--------+----------------+--------------------------------+
//             (high)   (low)
//
// ld_imm64 takes two slots; the second has opcode 0 and carries the high 32 bits in imm.

/** Bytes per instruction slot. */
export const INSN_SIZE = 8;

// The low three opcode bits are the class:
//
//   msb                lsb
//   +-----------+--------+
//   |  (other)  | class  |
//   +-----------+--------+
//      5 bits     3 bits
export const CLASS_MASK = 0x07;
export const CLASS_LD = 0x00;
export const CLASS_LDX = 0x01;
export const CLASS_ST = 0x02;
export const CLASS_STX = 0x03;
export const CLASS_ALU = 0x04;
export const CLASS_JMP = 0x05;
export const CLASS_JMP32 = 0x06;
export const CLASS_ALU64 = 0x07;

/** Class names as disasm.c's bpf_class_string spells them. */
export const CLASS_NAMES = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64'] as const;
export type InsnClassName = (typeof CLASS_NAMES)[number];

// ALU and JMP classes:
//
//   msb                     lsb
//   +-----------+--------+--------+
//   |    op     | source | class  |
//   +-----------+--------+--------+
//      4 bits     1 bit    3 bits
export const OP_MASK = 0xf0;
export const SOURCE_MASK = 0x08;
/** Operand is the 32-bit immediate. */
export const SOURCE_K = 0x00;
/** Operand is the source register. */
export const SOURCE_X = 0x08;

export const ALU_ADD = 0x00;
export const ALU_SUB = 0x10;
export const ALU_MUL = 0x20;
export const ALU_DIV = 0x30;
export const ALU_OR = 0x40;
export const ALU_AND = 0x50;
export const ALU_LSH = 0x60;
export const ALU_RSH = 0x70;
export const ALU_NEG = 0x80;
export const ALU_MOD = 0x90;
export const ALU_XOR = 0xa0;
export const ALU_MOV = 0xb0;
export const ALU_ARSH = 0xc0;
/** Byte swap; in class ALU the source bit picks the order (K = to little, X = to big endian). */
export const ALU_END = 0xd0;

export const JMP_JA = 0x00;
export const JMP_JEQ = 0x10;
export const JMP_JGT = 0x20;
export const JMP_JGE = 0x30;
export const JMP_JSET = 0x40;
export const JMP_JNE = 0x50;
export const JMP_JSGT = 0x60;
export const JMP_JSGE = 0x70;
export const JMP_CALL = 0x80;
export const JMP_EXIT = 0x90;
export const JMP_JLT = 0xa0;
export const JMP_JLE = 0xb0;
export const JMP_JSLT = 0xc0;
export const JMP_JSLE = 0xd0;
/** Conditional pseudo jump; src 0 is may_goto (Linux 6.9). */
export const JMP_JCOND = 0xe0;

// LD, LDX, ST and STX classes:
//
//   msb                     lsb
//   +--------+--------+--------+
//   |  mode  |  size  | class  |
//   +--------+--------+--------+
//     3 bits   2 bits   3 bits
export const MODE_MASK = 0xe0;
export const SIZE_MASK = 0x18;

export const SIZE_W = 0x00;
export const SIZE_H = 0x08;
export const SIZE_B = 0x10;
export const SIZE_DW = 0x18;

export const MODE_IMM = 0x00;
/** Legacy packet access (LD class only). */
export const MODE_ABS = 0x20;
export const MODE_IND = 0x40;
export const MODE_MEM = 0x60;
/** Sign-extending load (LDX class, Linux 6.6). */
export const MODE_MEMSX = 0x80;
/** Atomic operation (STX class); the imm says which. */
export const MODE_ATOMIC = 0xc0;
/** Fault-guarded sign-extending load, internal to the kernel (LDX class, BPF_PROBE_MEMSX), seen in xlated code. */
export const MODE_PROBE_MEMSX = 0x40;
/** Speculation barrier, internal to the kernel (ST class, mode 0xc0), seen in xlated code. */
export const MODE_NOSPEC = 0xc0;

// Atomic operations live in the imm of an STX|ATOMIC instruction:
//
//   +------------------------+---------+-------+
//   |  type (load/store)     |   op    | fetch |
//   +------------------------+---------+-------+
//        bits 8+               bits 4-7  bit 0
export const ATOMIC_FETCH = 0x01;
export const ATOMIC_XCHG = 0xe0 | ATOMIC_FETCH;
export const ATOMIC_CMPXCHG = 0xf0 | ATOMIC_FETCH;
/** Load-acquire (Linux 6.15). */
export const ATOMIC_LOAD_ACQ = 0x100;
/** Store-release (Linux 6.15). */
export const ATOMIC_STORE_REL = 0x110;

// Pseudo sources of ld_imm64, in the src register field.
export const PSEUDO_MAP_FD = 1;
export const PSEUDO_MAP_VALUE = 2;
export const PSEUDO_BTF_ID = 3;
export const PSEUDO_FUNC = 4;
export const PSEUDO_MAP_IDX = 5;
export const PSEUDO_MAP_IDX_VALUE = 6;

// Call kinds, in the src register field of JMP|CALL.
export const CALL_HELPER = 0;
export const PSEUDO_CALL = 1;
export const PSEUDO_KFUNC_CALL = 2;

// Offsets with a meaning on ALU64|MOV|X (the verifier rejects any other value).
/** addr_space_cast (Linux 6.9). */
export const OFF_ADDR_SPACE_CAST = 1;
/** Per-CPU address resolution, internal to the kernel (Linux 6.10), seen in xlated code. */
export const OFF_PERCPU_ADDR = -1;
/** The imm of ALU|MOV|X that marks the verifier's explicit zero-extension (BPF_ZEXT_REG), seen in xlated code. */
export const IMM_ZEXT = 1;

/** Highest register number: r10 is the read-only frame pointer. */
export const MAX_REGISTER = 10;
/** In xlated code of a constant-blinded program (net.core.bpf_jit_harden): r11, BPF_REG_AX. */
export const MAX_XLATED_REGISTER = 11;
