// A compiled object opened as a host (`--host objfile:FILE.o`) against the independent tools:
// its listings against `llvm-objdump -d`, instruction by instruction, and its BTF against
// `bpftool btf dump file`. Shared by the object-file tests and the corpus.
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { bpfscope } from './cli.js';

/** One instruction of `dump prog --json`, the keys these comparisons read. */
export interface InsnJson { index: number; bytes: string; disasm: string; proto?: string }

/** `llvm-objdump -d`: each function's instructions as hex byte strings, by function name. */
export function llvmObjdumpFunctions(path: string): Map<string, string[]> {
  const text = execFileSync('llvm-objdump', ['-d', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const functions = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const label = /^[0-9a-f]+ <([^>]+)>:$/.exec(line);
    if (label) functions.set(label[1]!, (current = []));
    const insn = /^\s+\d+:\t((?:[0-9a-f]{2} ){7,15}[0-9a-f]{2})\t/.exec(line);
    if (insn && current) current.push(insn[1]!);
  }
  return functions;
}

/**
 * Our instruction agrees with the object's: the same bytes, except what loading relocates — a
 * map or data load's source register and immediates, a call's source register (subprogram or
 * kfunc), offset and immediate.
 */
export function expectSameInstruction(ours: InsnJson, object: string, where: string): void {
  const a = ours.bytes.split(' ');
  const b = object.split(' ');
  expect(a.length, where).toBe(b.length);
  expect(a[0], `${where}: opcode`).toBe(b[0]);
  const relocated = /map\[id:\d+\]/.test(ours.disasm) || (b[0] === '85' && b[1]!.startsWith('1'));
  if (relocated) expect(Number.parseInt(a[1]!, 16) & 0x0f, `${where}: dst`).toBe(Number.parseInt(b[1]!, 16) & 0x0f);
  else expect(ours.bytes, where).toBe(object);
}

/**
 * `dump prog ID --json` of an object file host: the entry function first, then each appended
 * subprogram where its header starts, each instruction as llvm-objdump has it. Returns how many
 * instructions were compared.
 */
export function expectListingLikeLlvmObjdump(listing: readonly InsnJson[], functions: ReadonlyMap<string, string[]>, what: string): number {
  const starts = listing.filter((e) => e.proto !== undefined);
  expect(starts[0]?.index, what).toBe(0);
  let compared = 0;
  for (const start of starts) {
    const fn = /^[^(]*?\b(\w+)\(/.exec(start.proto!)?.[1];
    const object = functions.get(fn!);
    expect(object, `${what}: function ${fn} in llvm-objdump`).toBeDefined();
    const from = listing.indexOf(start);
    for (let i = 0; i < object!.length; i++) expectSameInstruction(listing[from + i]!, object![i]!, `${what}/${fn} insn ${i}`);
    compared += object!.length;
  }
  return compared;
}

/** `btf 1 --raw --host objfile:PATH` against `bpftool btf dump file PATH`. */
export async function expectObjfileBtfLikeBpftool(path: string, what: string): Promise<void> {
  const btf = await bpfscope(['btf', '1', '--raw', '--host', `objfile:${path}`]);
  expect(btf.code, btf.stderr).toBe(0);
  // bpftool prints the file's DATASECs unfixed (size 0, offsets 0); every other line is the same.
  const fileDump = execFileSync('bpftool', ['btf', 'dump', 'file', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const withoutDatasecs = (s: string) => s.replace(/^\[\d+\] DATASEC [^\n]*\n(\ttype_id=[^\n]*\n)*/gm, '');
  expect(withoutDatasecs(btf.stdout), what).toBe(withoutDatasecs(fileDump));
}
