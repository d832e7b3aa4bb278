// Native disassembly of arm64 (AArch64) JIT images with Capstone (capstone.js, compiled to
// WebAssembly), written as GNU objdump (`objdump -D -b binary -m aarch64`) writes it:
// immediates of arithmetic, logical and move instructions in hex (`#0x10`, a negative one as
// its two's complement), memory offsets and shift amounts in decimal (`[sp, #-16]!`,
// `lsr x7, x7, #32`), branch targets bare (`b.eq 0xf0`). Every instruction is 4 bytes.
//
// Capstone loads its WebAssembly asynchronously, which the host side does (program-jit.ts);
// decoding is then a pure function of the bytes.
import { placeBranch, splitJitImage, U64, type JitFunction, type JitListing, type NativeInstruction } from './jit-image.js';

export interface CapstoneInsn {
  address: bigint | number;
  size: number;
  mnemonic: string;
  op_str: string;
}

/** An arm64 decoder, its WebAssembly loaded: the instructions from `address` up to the end or the first word it cannot decode. */
export interface Arm64Decoder {
  disasm(bytes: Uint8Array, address: number): CapstoneInsn[];
}

const BRANCHES = new Set(['b', 'bl', 'cbz', 'cbnz', 'tbz', 'tbnz']);
/** Instructions whose immediate objdump prints in hex. */
const HEX_IMMEDIATES = new Set(['add', 'adds', 'sub', 'subs', 'cmp', 'cmn', 'mov', 'movz', 'movn', 'and', 'ands', 'orr', 'eor', 'tst']);
/** Shift aliases whose amount objdump prints in decimal. */
const SHIFTS = new Set(['lsl', 'lsr', 'asr', 'ror']);

function isBranch(mnemonic: string): boolean {
  return BRANCHES.has(mnemonic) || mnemonic.startsWith('b.');
}

/** `#-0x10` or `#16` → `-16`, `16`. */
function decimal(text: string): string {
  const negative = text.startsWith('-');
  return `${negative ? '-' : ''}${BigInt(negative ? text.slice(1) : text)}`;
}

/** Capstone's operands in objdump's spelling (branch targets are placed by the caller). */
function objdumpOperands(mnemonic: string, operands: string): string {
  // Memory offsets, pre- and post-indexed: decimal.
  let text = operands
    .replace(/(\[[^\]]*?, #)(-?(?:0x)?[0-9a-f]+)\]/g, (_m, head: string, n: string) => `${head}${decimal(n)}]`)
    .replace(/\], #(-?(?:0x)?[0-9a-f]+)$/, (_m, n: string) => `], #${decimal(n)}`);
  if (SHIFTS.has(mnemonic)) text = text.replace(/#(-?(?:0x)?[0-9a-f]+)$/, (_m, n: string) => `#${decimal(n)}`);
  if (HEX_IMMEDIATES.has(mnemonic)) {
    // The first immediate (a shift after it, `lsl #12`, stays decimal); negative ones as the
    // register's two's complement, as objdump writes `mov x10, #0xfffffffffffffffc`.
    const bits = /^w/.test(text) ? 32 : 64;
    text = text.replace(/#(-?(?:0x)?[0-9a-f]+)(?=$|,)/, (_m, n: string) => `#0x${BigInt.asUintN(bits, BigInt(decimal(n))).toString(16)}`);
  }
  return text;
}

export interface Arm64Options {
  /** Resolves branch targets to kernel symbols. */
  symbolAt?(address: bigint): string | undefined;
  /** Every function of the image (default: this one alone), so calls between subprogs get image offsets. */
  readonly functions?: readonly JitFunction[];
}

function arm64Instruction(fn: JitFunction, insn: CapstoneInsn, functions: readonly JitFunction[], options: Arm64Options): NativeInstruction {
  const offset = Number(insn.address) - fn.imageOffset;
  const base = { address: fn.address + BigInt(offset), offset: fn.imageOffset + offset, bytes: fn.bytes.subarray(offset, offset + insn.size) };
  const text = `${insn.mnemonic}${insn.op_str ? `\t${objdumpOperands(insn.mnemonic, insn.op_str)}` : ''}`;
  const targetMatch = isBranch(insn.mnemonic) ? /#(0x[0-9a-f]+)$/.exec(insn.op_str) : null;
  if (!targetMatch) return { ...base, text };
  const target = U64(fn.address + BigInt(targetMatch[1]!) - BigInt(fn.imageOffset));
  const symbol = options.symbolAt?.(target);
  const place = placeBranch(fn, target, functions, symbol);
  return {
    ...base,
    text: text.replace(/#0x[0-9a-f]+$/, place.text),
    target,
    ...(place.targetOffset !== undefined ? { targetOffset: place.targetOffset } : {}),
    ...(symbol !== undefined ? { targetSymbol: symbol } : {}),
  };
}

/** Disassembles one arm64 function; a word Capstone cannot decode is objdump's `.inst 0x…`. */
export function disassembleArm64(decoder: Arm64Decoder, fn: JitFunction, options: Arm64Options = {}): NativeInstruction[] {
  const functions = options.functions ?? [fn];
  const out: NativeInstruction[] = [];
  // Capstone stops at a word it cannot decode: that word is data, and decoding goes on after it.
  for (let at = 0; at + 4 <= fn.bytes.length; ) {
    for (const insn of decoder.disasm(fn.bytes.subarray(at), fn.imageOffset + at)) {
      out.push(arm64Instruction(fn, insn, functions, options));
      at += insn.size;
    }
    if (at + 4 <= fn.bytes.length) {
      const word = new DataView(fn.bytes.buffer, fn.bytes.byteOffset + at, 4).getUint32(0, true);
      out.push({ address: fn.address + BigInt(at), offset: fn.imageOffset + at, bytes: fn.bytes.subarray(at, at + 4), text: `.inst\t0x${word.toString(16).padStart(8, '0')}` });
      at += 4;
    }
  }
  return out;
}

/** A whole arm64 JIT image, as `disassembleJitImage` does for x86-64. */
export function disassembleArm64Image(decoder: Arm64Decoder, image: Uint8Array, ksyms: readonly bigint[], funcLens: readonly number[], options: Pick<Arm64Options, 'symbolAt'> = {}): JitListing {
  const names = ksyms.map((a) => options.symbolAt?.(a) ?? '');
  const functions = splitJitImage(image, ksyms, funcLens, names);
  return { functions: functions.map((fn) => ({ ...fn, instructions: disassembleArm64(decoder, fn, { ...options, functions }) })) };
}
