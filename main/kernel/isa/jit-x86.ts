// Native disassembly of x86-64 JIT images with iced-x86 (Rust compiled to WebAssembly, no
// native build), written as GNU objdump writes AT&T syntax. arm64 images: jit-arm64.ts.
//
// iced-x86 is CommonJS: under ESM its exports arrive on the default import.

import iced from 'iced-x86';
import type { SourceLine } from './listing.js';
import { placeBranch, splitJitImage, U64, type JitFunction, type JitListing, type NativeInstruction } from './jit-image.js';

export type { JitFunction, JitListing, NativeInstruction } from './jit-image.js';
export { splitJitImage } from './jit-image.js';

const { Code, Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction: IcedInstruction, Register } = iced;

/** Shifts and rotates by one (opcodes D0/D1): objdump leaves the implied 1 out (`sar %rsi`), iced writes `$0x1,`. */
const SHIFT_BY_ONE = new Set(
  Object.entries(Code).filter(([name]) => /^(Rol|Ror|Rcl|Rcr|Shl|Shr|Sal|Sar)_rm(8|16|32|64)_1$/.test(name)).map(([, value]) => value as number),
);

export interface X86Options {
  /** Assembler syntax; default `att` as bpftool and objdump print it. */
  readonly syntax?: 'att' | 'intel';
  /** Resolves call and jump targets to kernel symbols. */
  symbolAt?(address: bigint): string | undefined;
  /** Source lines by native address (jited_line_info paired with line_info). */
  readonly lines?: ReadonlyMap<bigint, SourceLine>;
  /** Every function of the image (default: this one alone), so calls between subprogs get image offsets. */
  readonly functions?: readonly JitFunction[];
}

/** Disassembles one x86-64 function. Undecodable bytes come out as `(bad)` instructions. */
export function disassembleX86(fn: JitFunction, options: X86Options = {}): NativeInstruction[] {
  const decoder = new Decoder(64, fn.bytes, DecoderOptions.None);
  const syntax = options.syntax === 'intel' ? FormatterSyntax.Intel : FormatterSyntax.Gas;
  // objdump writes the scale of an indexed operand, 0x0(%rax,%rax,1), and none without an
  // index, -0x4(%rbp): iced's alwaysShowScale would print -0x4(%rbp,), so two formatters.
  const indexed = new Formatter(syntax);
  const plain = new Formatter(syntax);
  const insn = new IcedInstruction();
  const functions = options.functions ?? [fn];
  const out: NativeInstruction[] = [];
  try {
    for (const formatter of [indexed, plain]) {
      // Close to objdump's AT&T output: lowercase hex, 0x0(%rax,%rax,1), no decimal small numbers.
      formatter.firstOperandCharIndex = 7;
      formatter.uppercaseHex = false;
      formatter.showZeroDisplacements = true;
      formatter.smallHexNumbersInDecimal = false;
      formatter.branchLeadingZeros = false;
    }
    indexed.alwaysShowScale = true;
    // Addressed as the image is: a branch within the function prints the offset it reaches.
    decoder.ip = BigInt(fn.imageOffset);
    // Each pass consumes at least one byte, so the loop ends within fn.bytes.length passes.
    while (decoder.canDecode) {
      const offset = decoder.position;
      decoder.decodeOut(insn);
      const length = Math.max(1, insn.length);
      const address = fn.address + BigInt(offset);
      const branch = insn.isCallNear || insn.isJmpNear || insn.isJccShortOrNear;
      const target = branch ? U64(fn.address + insn.nearBranchTarget - BigInt(fn.imageOffset)) : undefined;
      const targetSymbol = target === undefined ? undefined : options.symbolAt?.(target);
      const place = target === undefined ? undefined : placeBranch(fn, target, functions, targetSymbol);
      const targetOffset = place?.targetOffset;
      const source = options.lines?.get(address);
      let text = insn.isInvalid ? '(bad)' : (insn.memoryIndex === Register.None ? plain : indexed).format(insn);
      // objdump prints imul's three-operand form whole (imul $0x1f,%rsi,%rsi); iced drops a
      // source register that repeats the destination.
      if (insn.opCount === 3 && text.startsWith('imul') && text.split(',').length === 2) text += `,${text.slice(text.lastIndexOf(',') + 1)}`;
      if (SHIFT_BY_ONE.has(insn.code)) text = text.replace('$0x1,', '');
      if (place !== undefined && !insn.isInvalid) text = text.replace(/0x[0-9a-f]+$/, place.text);
      out.push({
        address,
        offset: fn.imageOffset + offset,
        bytes: fn.bytes.subarray(offset, offset + length),
        text,
        ...(target === undefined ? {} : { target }),
        ...(targetOffset === undefined ? {} : { targetOffset }),
        ...(targetSymbol === undefined ? {} : { targetSymbol }),
        ...(source === undefined ? {} : { source }),
      });
      if (decoder.position <= offset) decoder.position = offset + 1;
    }
  } finally {
    insn.free();
    indexed.free();
    plain.free();
    decoder.free();
  }
  return out;
}

/**
 * Disassembles a whole x86-64 JIT image: split by jited_ksyms and jited_func_lens, each
 * function named by `symbolAt` (its `bpf_prog_<tag>_<name>` symbol), offsets and in-image
 * branch targets counted from the image's first byte, as objdump reads the image bytes.
 */
export function disassembleJitImage(image: Uint8Array, ksyms: readonly bigint[], funcLens: readonly number[], options: Pick<X86Options, 'symbolAt' | 'syntax'> = {}): JitListing {
  const names = ksyms.map((a) => options.symbolAt?.(a) ?? '');
  const functions = splitJitImage(image, ksyms, funcLens, names);
  return { functions: functions.map((fn) => ({ ...fn, instructions: disassembleX86(fn, { ...options, functions }) })) };
}
