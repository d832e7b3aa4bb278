// Golden comparison with `llvm-objdump -d` (LLVM 14) on the clang-compiled fixtures. Its syntax
// differs from the kernel's, so our decoded instructions are first printed in LLVM's syntax by
// the small normaliser below; any decoding difference (register, width, offset, immediate,
// operation) shows up as a text difference.

import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildListing, decodeInstructions, type Instruction } from '../../../main/kernel/isa/index.js';
import { compileFixture } from './loaded-programs.js';

const LLVM_ALU: Record<string, string> = {
  add: '+=', sub: '-=', mul: '*=', div: '/=', or: '|=', and: '&=', lsh: '<<=', rsh: '>>=', mod: '%=', xor: '^=', mov: '=', arsh: 's>>=',
};
const LLVM_JUMP: Record<string, string> = {
  eq: '==', gt: '>', ge: '>=', set: '&', ne: '!=', sgt: 's>', sge: 's>=', lt: '<', le: '<=', slt: 's<', sle: 's<=',
};

function mem(size: number, base: number, off: number): string {
  return `(u${size * 8} *)(r${base} ${off < 0 ? '-' : '+'} ${Math.abs(off)})`;
}

function rel(offset: number): string {
  return offset < 0 ? String(offset) : `+${offset}`;
}

/** Our instruction in LLVM 14's BPF assembly syntax (for what clang 14 emits). */
function llvmText(insn: Instruction): string {
  switch (insn.kind) {
    case 'alu': {
      const w = insn.width === 32 ? 'w' : 'r';
      const rhs = insn.operand.kind === 'reg' ? `${w}${insn.operand.reg}` : String(insn.operand.value);
      return `${w}${insn.dst} ${LLVM_ALU[insn.op]} ${rhs}`;
    }
    case 'neg':
      return `${insn.width === 32 ? 'w' : 'r'}${insn.dst} = -${insn.width === 32 ? 'w' : 'r'}${insn.dst}`;
    case 'endian':
      return `r${insn.dst} = ${insn.order}${insn.bits} r${insn.dst}`;
    case 'load':
      return `r${insn.dst} = *${mem(insn.size, insn.base, insn.off)}`;
    case 'store':
      return `*${mem(insn.size, insn.base, insn.off)} = ${insn.value.kind === 'reg' ? `r${insn.value.reg}` : insn.value.value}`;
    case 'atomic': {
      if (insn.size === 4) return '<unknown>'; // LLVM 14 prints no 32-bit atomics in this mode
      const at = `r${insn.base} ${insn.off < 0 ? '-' : '+'} ${Math.abs(insn.off)}`;
      if (insn.op === 'xchg') return `r${insn.src} = xchg_64(${at}, r${insn.src})`;
      if (insn.op === 'cmpxchg') return `r0 = cmpxchg_64(${at}, r0, r${insn.src})`;
      if (insn.fetch) return `r${insn.src} = atomic_fetch_${insn.op}(${mem(8, insn.base, insn.off)}, r${insn.src})`;
      return `lock *${mem(8, insn.base, insn.off)} ${LLVM_ALU[insn.op]} r${insn.src}`;
    }
    case 'ld_imm64':
      return `r${insn.dst} = ${BigInt.asIntN(64, insn.value)} ll`;
    case 'ld_abs':
      return `r0 = *(u${insn.size * 8} *)skb[${insn.imm}]`;
    case 'ld_ind':
      return `r0 = *(u${insn.size * 8} *)skb[r${insn.src} + ${insn.imm}]`;
    case 'call':
      return `call ${insn.imm}`;
    case 'exit':
      return 'exit';
    case 'goto':
      return `goto ${rel(insn.offset)}`;
    case 'jump': {
      const w = insn.width === 32 ? 'w' : 'r';
      const rhs = insn.operand.kind === 'reg' ? `${w}${insn.operand.reg}` : String(insn.operand.value);
      return `if ${w}${insn.dst} ${LLVM_JUMP[insn.condition]} ${rhs} goto ${rel(insn.offset)}`;
    }
    default:
      return `not emitted by clang 14: ${insn.kind}`;
  }
}

interface ObjdumpInsn {
  readonly index: number;
  readonly text: string;
}

function llvmObjdump(object: string): Map<string, ObjdumpInsn[]> {
  const out = execFileSync('llvm-objdump', ['-d', object], { encoding: 'utf8' });
  const sections = new Map<string, ObjdumpInsn[]>();
  let current: ObjdumpInsn[] = [];
  for (const line of out.split('\n')) {
    const section = /^Disassembly of section (.+):$/.exec(line);
    if (section) sections.set(section[1], (current = []));
    const insn = /^ +(\d+):\t[0-9a-f ]+\t(.*)$/.exec(line);
    if (insn) current.push({ index: Number(insn[1]), text: insn[2].replace(/ <[^<>]+>$/, '') });
  }
  return sections;
}

function sectionBytes(object: string, section: string): Uint8Array {
  const file = join(tmpdir(), `isa-section-${process.pid}.bin`);
  execFileSync('llvm-objcopy', ['-O', 'binary', `--only-section=${section}`, object, file]);
  try {
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(file, { force: true });
  }
}

describe('golden: llvm-objdump -d on clang-compiled fixtures', () => {
  let object: string;
  let sections: Map<string, ObjdumpInsn[]>;
  beforeAll(() => {
    object = compileFixture('programs');
    sections = llvmObjdump(object);
  });

  it('finds the fixture’s code sections', () => {
    expect([...sections.keys()].sort()).toEqual(['.text', 'socket', 'tracepoint/syscalls/sys_enter_getpid', 'xdp']);
  });

  it('decodes every instruction of every section as llvm-objdump does', () => {
    let compared = 0;
    for (const [name, theirs] of sections) {
      const bytes = sectionBytes(object, name);
      const ours = new Map(decodeInstructions(bytes).map((insn) => [insn.index, insn]));
      expect(ours.size).toBe(theirs.length);
      for (const line of theirs) {
        const insn = ours.get(line.index);
        expect(insn, `${name} ${line.index}`).toBeDefined();
        expect(`${name} ${line.index}: ${llvmText(insn!)}`).toBe(`${name} ${line.index}: ${line.text}`);
        compared++;
      }
      // The kernel-style listing of object code: no invalid entries, helper names from the table.
      const listing = buildListing({ insns: bytes, origin: 'object' });
      expect(listing.rows().filter((e) => e.problem !== undefined)).toEqual([]);
      for (const entry of listing.rows()) {
        if (entry.call?.callee === 'helper') expect(entry.text).toMatch(/^\(85\) call bpf_\w+#\d+$/);
      }
    }
    expect(compared).toBeGreaterThan(200);
  });
});
