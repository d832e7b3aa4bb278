// x86-64 JIT disassembly with iced-x86, compared with GNU objdump on the real JIT images of
// the loaded fixtures (bpftool here has no libbfd, so it cannot show them itself).

import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disassembleX86, splitJitImage, type NativeInstruction } from '../../../main/kernel/isa/jit-x86.js';
import { KallsymsIndex } from '../../../main/kernel/proc/kallsyms.js';
import { compileFixture, kallsymsText, loadBlocker, loadObject, programOracle, type LoadedObject } from './loaded-programs.js';

interface ObjdumpLine {
  readonly offset: number;
  readonly mnemonic: string;
}

/** `objdump -D -b binary -m i386:x86-64` of raw bytes: offsets and mnemonics. */
function objdump(bytes: Uint8Array): ObjdumpLine[] {
  const file = join(tmpdir(), `isa-jit-${process.pid}.bin`);
  writeFileSync(file, bytes);
  try {
    const out = execFileSync('objdump', ['-D', '-b', 'binary', '-m', 'i386:x86-64', file], { encoding: 'utf8' });
    return [...out.matchAll(/^ +([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t(\S+)/gm)].map((m) => ({ offset: parseInt(m[1], 16), mnemonic: m[2] }));
  } finally {
    rmSync(file, { force: true });
  }
}

describe('x86-64 disassembly of hand-picked bytes', () => {
  it('decodes a BPF JIT prologue and a call with its target symbol', () => {
    // nopl 0x0(%rax,%rax,1); xor %eax,%eax; push %rbp; mov %rsp,%rbp; call +0x10; leave; ret
    const bytes = Uint8Array.from([0x0f, 0x1f, 0x44, 0x00, 0x00, 0x31, 0xc0, 0x55, 0x48, 0x89, 0xe5, 0xe8, 0x10, 0x00, 0x00, 0x00, 0xc9, 0xc3]);
    const insns = disassembleX86({ address: 0xffffffffc0000000n, bytes }, { symbolAt: (a) => (a === 0xffffffffc0000020n ? 'helper_x' : undefined) });
    expect(insns.map((i) => i.text)).toEqual([
      'nopl   0x0(%rax,%rax,1)', 'xor    %eax,%eax', 'push   %rbp', 'mov    %rsp,%rbp', 'call   0xffffffffc0000020', 'leave', 'ret',
    ]);
    expect(insns[4]).toMatchObject({ offset: 11, target: 0xffffffffc0000020n, targetSymbol: 'helper_x' });
  });

  it('never throws on garbage and consumes every byte', () => {
    const bytes = Uint8Array.from([0x0f, 0xff, 0xff, 0x62, 0xc4]);
    const insns = disassembleX86({ address: 0n, bytes });
    expect(insns.reduce((n, i) => n + i.bytes.length, 0)).toBe(bytes.length);
    expect(insns.some((i) => i.text === '(bad)')).toBe(true);
  });
});

const blocker = loadBlocker();

describe.skipIf(blocker !== undefined)(`x86-64 JIT images vs objdump (${blocker ?? 'root'})`, () => {
  let loaded: LoadedObject;
  beforeAll(() => {
    loaded = loadObject(compileFixture('programs'), 'jit');
  });
  afterAll(() => loaded?.unload());

  it('splits every image by func lens and agrees with objdump on boundaries and mnemonics', () => {
    const kallsyms = KallsymsIndex.parse(kallsymsText());
    const calls: NativeInstruction[] = [];
    for (const prog of loaded.programs.values()) {
      const { jit } = programOracle(prog.id);
      const image = Uint8Array.from(Buffer.from(jit.jited, 'hex'));
      const ksyms = jit.jitedKsyms.map((a) => BigInt(`0x${a}`));
      const functions = splitJitImage(image, ksyms, jit.jitedFuncLens);
      expect(functions.reduce((n, f) => n + f.bytes.length, 0)).toBe(image.length);
      for (const fn of functions) {
        expect(kallsyms.symbolAt(fn.address)).toMatch(/^bpf_prog_[0-9a-f]{16}_/);
        const ours = disassembleX86(fn, { symbolAt: (a) => kallsyms.symbolAt(a) });
        const theirs = objdump(fn.bytes);
        expect(ours.map((i) => i.offset)).toEqual(theirs.map((l) => l.offset));
        expect(ours.map((i) => i.text.split(/\s+/)[0])).toEqual(theirs.map((l) => l.mnemonic));
        calls.push(...ours.filter((i) => i.text.startsWith('call')));
      }
    }
    // Helper and subprog calls land on kernel functions that kallsyms names.
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.filter((c) => c.targetSymbol === undefined)).toEqual([]);
  });
});
