// Native disassembly of x86-64 JIT images with iced-x86 (Rust compiled to WebAssembly, no
// native build). iced-x86 covers x86 only; no npm package here disassembles arm64 JIT images
// (capstone-wasm would, but is not installed), so arm64 images are shown as raw bytes.
//
// iced-x86 is CommonJS: under ESM its exports arrive on the default import.

import iced from 'iced-x86';
import type { SourceLine } from './listing.js';

const { Code, Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction: IcedInstruction, Register } = iced;

/** Shifts and rotates by one (opcodes D0/D1): objdump leaves the implied 1 out (`sar %rsi`), iced writes `$0x1,`. */
const SHIFT_BY_ONE = new Set(
  Object.entries(Code).filter(([name]) => /^(Rol|Ror|Rcl|Rcr|Shl|Shr|Sal|Sar)_rm(8|16|32|64)_1$/.test(name)).map(([, value]) => value as number),
);

/** One JIT-ed function (subprog): its kernel address, its bytes and where they sit in the image. */
export interface JitFunction {
  readonly address: bigint;
  readonly bytes: Uint8Array;
  /** Offset of its first byte in the program's JIT image (the functions are concatenated there). */
  readonly imageOffset: number;
  /** Symbol (`bpf_prog_<tag>_<name>`), when the caller knows it. */
  readonly name?: string;
}

/**
 * A native instruction of a JIT image, addressed as `objdump -D -b binary` addresses the image
 * bytes: by offset in the image, and branches that stay in the image by the offset they reach.
 */
export interface NativeInstruction {
  /** Kernel address. */
  readonly address: bigint;
  /** Offset in the program's JIT image: objdump's address column. */
  readonly offset: number;
  readonly bytes: Uint8Array;
  /** AT&T text; a branch into the image names its image offset, one out of it the kernel address and symbol. */
  readonly text: string;
  /** Direct branch or call target, a kernel address. */
  readonly target?: bigint;
  /** The target's offset in the image, when it lies in one of the program's functions. */
  readonly targetOffset?: number;
  /** Kernel symbol at the target (helpers, kfuncs, other subprogs). */
  readonly targetSymbol?: string;
  /** Source line starting at this instruction (from jited_line_info). */
  readonly source?: SourceLine;
}

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

/**
 * Splits a program's JIT image into its functions using jited_ksyms and jited_func_lens, as
 * the kernel returns them (one image, functions concatenated in subprog order). Lengths beyond
 * the image are clipped, so bad input yields short functions rather than a throw.
 */
export function splitJitImage(image: Uint8Array, ksyms: readonly bigint[], funcLens: readonly number[], names: readonly string[] = []): JitFunction[] {
  if (ksyms.length === 0 || funcLens.length === 0) return [{ address: ksyms[0] ?? 0n, bytes: image, imageOffset: 0, ...(names[0] ? { name: names[0] } : {}) }];
  const functions: JitFunction[] = [];
  let offset = 0;
  for (let i = 0; i < funcLens.length && i < ksyms.length; i++) {
    const end = Math.min(image.length, offset + funcLens[i]);
    functions.push({ address: ksyms[i], bytes: image.subarray(offset, end), imageOffset: offset, ...(names[i] ? { name: names[i] } : {}) });
    offset = end;
  }
  return functions;
}

const U64 = (n: bigint): bigint => BigInt.asUintN(64, n);

/** The image offset of a kernel address inside one of the functions. */
function imageOffsetOf(address: bigint, functions: readonly JitFunction[]): number | undefined {
  for (const fn of functions) {
    const at = address - fn.address;
    if (at >= 0n && at < BigInt(fn.bytes.length)) return fn.imageOffset + Number(at);
  }
  return undefined;
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
      const targetOffset = target === undefined ? undefined : imageOffsetOf(target, functions);
      const targetSymbol = target === undefined ? undefined : options.symbolAt?.(target);
      const source = options.lines?.get(address);
      let text = insn.isInvalid ? '(bad)' : (insn.memoryIndex === Register.None ? plain : indexed).format(insn);
      // objdump prints imul's three-operand form whole (imul $0x1f,%rsi,%rsi); iced drops a
      // source register that repeats the destination.
      if (insn.opCount === 3 && text.startsWith('imul') && text.split(',').length === 2) text += `,${text.slice(text.lastIndexOf(',') + 1)}`;
      if (SHIFT_BY_ONE.has(insn.code)) text = text.replace('$0x1,', '');
      if (target !== undefined && !insn.isInvalid) {
        const where = targetOffset !== undefined ? `0x${targetOffset.toString(16)}` : `0x${target.toString(16)}`;
        const named = targetSymbol !== undefined && (targetOffset === undefined || targetOffset < fn.imageOffset || targetOffset >= fn.imageOffset + fn.bytes.length);
        text = text.replace(/0x[0-9a-f]+$/, named ? `${where} <${targetSymbol}>` : where);
      }
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

/** A program's JIT image, function by function, each with its instructions. */
export interface JitListing {
  readonly functions: ReadonlyArray<JitFunction & { readonly instructions: readonly NativeInstruction[] }>;
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
