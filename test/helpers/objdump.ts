// GNU objdump as the reference for JIT images: `objdump -D -b binary -m ARCH` of the image bytes,
// and the comparison of bpfscope's JIT listing with it, instruction by instruction.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { JitListing } from '../../main/kernel/isa/jit-image.js';

export interface ObjdumpInsn {
  readonly offset: number;
  /** Hex bytes separated by spaces (continuation lines joined). */
  readonly bytes: string;
  /** Mnemonic and operands, objdump's `//` (arm64) and `;` comments left out. */
  readonly text: string;
}

/** What `objdump -D -b binary -m machine` makes of `bytes` (x86-64: 'i386:x86-64', arm64: 'aarch64'). */
export function objdumpBinary(bytes: Uint8Array, machine: string, tool = 'objdump'): ObjdumpInsn[] {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-objdump-'));
  try {
    const file = join(dir, 'image.bin');
    writeFileSync(file, bytes);
    const out = execFileSync(tool, ['-D', '-b', 'binary', '-m', machine, file], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const insns: Array<{ offset: number; bytes: string; text: string }> = [];
    for (const line of out.split('\n')) {
      const m = /^ +([0-9a-f]+):\t((?:[0-9a-f]{2,8} ?)+)\s*(?:\t(.*))?$/.exec(line);
      if (!m) continue;
      const bytesText = m[2].trim();
      if (m[3] === undefined) insns[insns.length - 1]!.bytes += ` ${bytesText}`;
      else insns.push({ offset: parseInt(m[1], 16), bytes: bytesText, text: m[3].replace(/\s*(?:\/\/|;).*$/, '').trimEnd() });
    }
    return insns;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A function of a JIT listing with its instructions, as bpfscope's decoders give it. */
export type JitFunctionLike = JitListing['functions'][number];

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

/**
 * Our JIT listing against objdump on the whole image: same offsets, bytes and text, except a
 * branch that leaves its function, where objdump's target assumes the image sits at address 0
 * in one piece: ours names the kernel address that target stands for, as an image offset when
 * it is another function of the program, with its symbol. Returns how many instructions were
 * compared.
 */
export function expectJitLikeObjdump(functions: readonly JitFunctionLike[], theirs: readonly ObjdumpInsn[], what: string): number {
  const ours = functions.flatMap((fn) => fn.instructions.map((insn) => ({ fn, insn })));
  expect(ours.map(({ insn }) => insn.offset), `${what}: instruction offsets`).toEqual(theirs.map((t) => t.offset));
  ours.forEach(({ fn, insn }, i) => {
    const ref = theirs[i]!;
    const where = `${what} +0x${insn.offset.toString(16)}`;
    // arm64 objdump shows each instruction as its little-endian word: d503245f for 5f 24 03 d5.
    const refBytes = /^[0-9a-f]{8}$/.test(ref.bytes) ? ref.bytes.match(/../g)!.reverse().join(' ') : ref.bytes;
    expect(hex(insn.bytes), where).toBe(refBytes);
    const inOwnFunction = insn.targetOffset !== undefined && insn.targetOffset >= fn.imageOffset && insn.targetOffset < fn.imageOffset + fn.bytes.length;
    if (insn.target === undefined || inOwnFunction) {
      expect(insn.text, where).toBe(ref.text);
      return;
    }
    const m = /^(.*?)(?:#?0x)?([0-9a-f]+)$/.exec(ref.text)!;
    const imageTarget = BigInt(`0x${m[2]}`);
    expect(insn.target, `${where}: kernel target of objdump's ${ref.text}`).toBe(BigInt.asUintN(64, fn.address + imageTarget - BigInt(fn.imageOffset)));
    const place = insn.targetOffset !== undefined ? insn.targetOffset.toString(16) : insn.target.toString(16);
    const symbol = insn.targetSymbol === undefined ? '' : ` <${insn.targetSymbol}>`;
    expect(insn.text, where).toBe(`${m[1]}0x${place}${symbol}`);
  });
  return ours.length;
}

/**
 * `bpfscope dump prog ID --jited --opcodes` against `objdump -D -b binary` of the same image,
 * line for line (offset, byte columns, text). Where objdump's branch target leaves its
 * function (it assumes the image sits at address 0 in one piece), ours must name the kernel
 * address that target stands for (`ksyms`: each function's address), or its image offset when
 * it is another function of the image, optionally with `<symbol>`. Returns the lines compared.
 */
export function expectJitTextLikeObjdump(ours: string, image: Uint8Array, ksyms: readonly bigint[], funcLens: readonly number[], what: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-objdump-'));
  let reference: string;
  try {
    writeFileSync(join(dir, 'image.bin'), image);
    reference = execFileSync('objdump', ['-D', '-b', 'binary', '-m', 'i386:x86-64', join(dir, 'image.bin')], { encoding: 'utf8', maxBuffer: 256 << 20 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const codeLines = (text: string) => text.split('\n').filter((l) => /^ +[0-9a-f]+:\t/.test(l)).map((l) => l.trimEnd());
  const mine = codeLines(ours);
  const theirs = codeLines(reference);
  expect(mine.length, `${what}: lines`).toBe(theirs.length);
  const starts = funcLens.reduce<number[]>((acc, len, i) => [...acc, (acc[i] ?? 0) + len], [0]);
  const functionAt = (offset: number) => Math.max(0, starts.findIndex((s, i) => offset >= s && offset < (starts[i + 1] ?? Infinity)));
  mine.forEach((line, i) => {
    const ref = theirs[i]!;
    if (line === ref) return;
    const r = /^( +([0-9a-f]+):\t.*\t\S+ +)0x([0-9a-f]+)$/.exec(ref);
    expect(r, `${what}: ${line}\n  objdump: ${ref}`).not.toBeNull();
    const offset = parseInt(r![2]!, 16);
    const f = functionAt(offset);
    const kernel = BigInt.asUintN(64, (ksyms[f] ?? 0n) + BigInt(`0x${r![3]}`) - BigInt(starts[f]!));
    const g = ksyms.findIndex((a, j) => kernel >= a && kernel < a + BigInt(funcLens[j] ?? 0));
    const place = g >= 0 && g !== f ? (starts[g]! + Number(kernel - ksyms[g]!)).toString(16) : kernel.toString(16);
    expect(line, `${what}: objdump ${ref}`).toMatch(new RegExp(`^${r![1]!.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&')}0x${place}(?: <[^>]+>)?$`));
  });
  return mine.length;
}

const PROG_INFO = fileURLToPath(new URL('../fixtures/isa/prog_info.py', import.meta.url));

/**
 * A loaded program's JIT image, jited_ksyms and func lens, read by the tests' own python ctypes
 * bpf() call (bpftool here has no libbfd and will not dump JIT images, not even to a file).
 */
export function jitImageOf(id: number): { image: Uint8Array; ksyms: bigint[]; funcLens: number[] } {
  const jit = JSON.parse(execFileSync('python3', [PROG_INFO, String(id)], { encoding: 'utf8', maxBuffer: 256 << 20 })) as { jited: string; jitedKsyms: string[]; jitedFuncLens: number[] };
  return { image: Uint8Array.from(Buffer.from(jit.jited, 'hex')), ksyms: jit.jitedKsyms.map((a) => BigInt(`0x${a}`)), funcLens: jit.jitedFuncLens };
}
