// A program's JIT image as the kernel returns it (functions concatenated, in subprog order,
// with their kernel addresses in jited_ksyms and lengths in jited_func_lens), and the native
// instructions decoders make of it, addressed as `objdump -D -b binary` addresses the image:
// by offset from its first byte. Shared by the x86-64 and arm64 decoders.
import type { SourceLine } from './listing.js';

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

/** A program's JIT image, function by function, each with its instructions. */
export interface JitListing {
  readonly functions: ReadonlyArray<JitFunction & { readonly instructions: readonly NativeInstruction[] }>;
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

export const U64 = (n: bigint): bigint => BigInt.asUintN(64, n);

/** The image offset of a kernel address inside one of the functions. */
export function imageOffsetOf(address: bigint, functions: readonly JitFunction[]): number | undefined {
  for (const fn of functions) {
    const at = address - fn.address;
    if (at >= 0n && at < BigInt(fn.bytes.length)) return fn.imageOffset + Number(at);
  }
  return undefined;
}


/** Where a branch goes, and how the listing writes it. */
export interface BranchPlace {
  /** The target's image offset, when it lies in one of the program's functions. */
  readonly targetOffset?: number;
  /** `0x<image offset>` in the image, else `0x<kernel address>`; `<symbol>` added when it leaves `fn`. */
  readonly text: string;
}

/** Places a branch of `fn` to kernel address `target` among the image's functions. */
export function placeBranch(fn: JitFunction, target: bigint, functions: readonly JitFunction[], symbol: string | undefined): BranchPlace {
  const targetOffset = imageOffsetOf(target, functions);
  const where = targetOffset !== undefined ? `0x${targetOffset.toString(16)}` : `0x${target.toString(16)}`;
  const leaves = targetOffset === undefined || targetOffset < fn.imageOffset || targetOffset >= fn.imageOffset + fn.bytes.length;
  const text = symbol !== undefined && leaves ? `${where} <${symbol}>` : where;
  return targetOffset === undefined ? { text } : { targetOffset, text };
}
