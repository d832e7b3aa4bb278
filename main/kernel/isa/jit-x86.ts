// Native disassembly of x86-64 JIT images with iced-x86 (Rust compiled to WebAssembly, no
// native build). iced-x86 covers x86 only; no npm package here disassembles arm64 JIT images
// (capstone-wasm would, but is not installed), so arm64 images are shown as raw bytes.
//
// iced-x86 is CommonJS: under ESM its exports arrive on the default import.

import iced from 'iced-x86';
import type { SourceLine } from './listing.js';

const { Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction: IcedInstruction } = iced;

/** One JIT-ed function (subprog): its kernel address and its bytes. */
export interface JitFunction {
  readonly address: bigint;
  readonly bytes: Uint8Array;
  /** Symbol (`bpf_prog_<tag>_<name>`), when the caller knows it. */
  readonly name?: string;
}

/** A native instruction of a JIT image. */
export interface NativeInstruction {
  readonly address: bigint;
  /** Offset from the start of its function. */
  readonly offset: number;
  readonly bytes: Uint8Array;
  readonly text: string;
  /** Direct branch or call target. */
  readonly target?: bigint;
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
}

/**
 * Splits a program's JIT image into its functions using jited_ksyms and jited_func_lens, as
 * the kernel returns them (one image, functions concatenated in subprog order). Lengths beyond
 * the image are clipped, so bad input yields short functions rather than a throw.
 */
export function splitJitImage(image: Uint8Array, ksyms: readonly bigint[], funcLens: readonly number[], names: readonly string[] = []): JitFunction[] {
  if (ksyms.length === 0 || funcLens.length === 0) return [{ address: ksyms[0] ?? 0n, bytes: image, ...(names[0] ? { name: names[0] } : {}) }];
  const functions: JitFunction[] = [];
  let offset = 0;
  for (let i = 0; i < funcLens.length && i < ksyms.length; i++) {
    const end = Math.min(image.length, offset + funcLens[i]);
    functions.push({ address: ksyms[i], bytes: image.subarray(offset, end), ...(names[i] ? { name: names[i] } : {}) });
    offset = end;
  }
  return functions;
}

/** Disassembles one x86-64 function. Undecodable bytes come out as `(bad)` instructions. */
export function disassembleX86(fn: JitFunction, options: X86Options = {}): NativeInstruction[] {
  const decoder = new Decoder(64, fn.bytes, DecoderOptions.None);
  const formatter = new Formatter(options.syntax === 'intel' ? FormatterSyntax.Intel : FormatterSyntax.Gas);
  const insn = new IcedInstruction();
  const out: NativeInstruction[] = [];
  try {
    // Close to objdump's AT&T output: lowercase hex, 0x0(%rax,%rax,1), no decimal small numbers.
    formatter.firstOperandCharIndex = 7;
    formatter.uppercaseHex = false;
    formatter.showZeroDisplacements = true;
    formatter.alwaysShowScale = true;
    formatter.smallHexNumbersInDecimal = false;
    formatter.branchLeadingZeros = false;
    decoder.ip = fn.address;
    // Each pass consumes at least one byte, so the loop ends within fn.bytes.length passes.
    while (decoder.canDecode) {
      const offset = decoder.position;
      decoder.decodeOut(insn);
      const length = Math.max(1, insn.length);
      const address = fn.address + BigInt(offset);
      const branch = insn.isCallNear || insn.isJmpNear || insn.isJccShortOrNear;
      const target = branch ? insn.nearBranchTarget : undefined;
      const targetSymbol = target === undefined ? undefined : options.symbolAt?.(target);
      const source = options.lines?.get(address);
      out.push({
        address,
        offset,
        bytes: fn.bytes.subarray(offset, offset + length),
        text: insn.isInvalid ? '(bad)' : formatter.format(insn),
        ...(target === undefined ? {} : { target }),
        ...(targetSymbol === undefined ? {} : { targetSymbol }),
        ...(source === undefined ? {} : { source }),
      });
      if (decoder.position <= offset) decoder.position = offset + 1;
    }
  } finally {
    insn.free();
    formatter.free();
    decoder.free();
  }
  return out;
}
