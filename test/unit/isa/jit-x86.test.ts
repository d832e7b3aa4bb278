// x86-64 JIT disassembly with iced-x86, compared with GNU objdump on the real JIT images of
// the loaded fixtures (bpftool here has no libbfd, so it cannot show them itself).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disassembleJitImage, disassembleX86, splitJitImage, type NativeInstruction } from '../../../main/kernel/isa/jit-x86.js';
import { expectJitLikeObjdump, objdumpBinary } from '../../helpers/objdump.js';
import { KallsymsIndex } from '../../../main/kernel/proc/kallsyms.js';
import { compileFixture, kallsymsText, loadBlocker, loadObject, programOracle, type LoadedObject } from './loaded-programs.js';

describe('x86-64 disassembly of hand-picked bytes', () => {
  it('decodes a BPF JIT prologue and a call with its target symbol', () => {
    // nopl 0x0(%rax,%rax,1); xor %eax,%eax; push %rbp; mov %rsp,%rbp; call +0x10; leave; ret
    const bytes = Uint8Array.from([0x0f, 0x1f, 0x44, 0x00, 0x00, 0x31, 0xc0, 0x55, 0x48, 0x89, 0xe5, 0xe8, 0x10, 0x00, 0x00, 0x00, 0xc9, 0xc3]);
    const insns = disassembleX86({ address: 0xffffffffc0000000n, bytes, imageOffset: 0 }, { symbolAt: (a) => (a === 0xffffffffc0000020n ? 'helper_x' : undefined) });
    expect(insns.map((i) => i.text)).toEqual([
      'nopl   0x0(%rax,%rax,1)', 'xor    %eax,%eax', 'push   %rbp', 'mov    %rsp,%rbp', 'call   0xffffffffc0000020 <helper_x>', 'leave', 'ret',
    ]);
    expect(insns[4]).toMatchObject({ offset: 11, target: 0xffffffffc0000020n, targetSymbol: 'helper_x' });
    expect(insns[4]!.targetOffset).toBeUndefined();
  });

  it('prints base-only memory operands as objdump does, and jumps inside the image by image offset', () => {
    // Second function of an image, at offset 0x40: mov %eax,-0x4(%rbp); mov 0x0(%rsi),%esi; ja +5;
    // call +0 (the next instruction); a call of the first function, at image offset 0.
    const bytes = Uint8Array.from([0x89, 0x45, 0xfc, 0x8b, 0x76, 0x00, 0x77, 0x05, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xe8, 0xee, 0xef, 0xff, 0xff]);
    const first = { address: 0xffffffffa0000000n, bytes: new Uint8Array(0x40), imageOffset: 0, name: 'main' };
    const second = { address: 0xffffffffa0001000n, bytes, imageOffset: 0x40 };
    const insns = disassembleX86(second, { functions: [first, second], symbolAt: (a) => (a === first.address ? 'bpf_prog_1_main' : undefined) });
    expect(insns.map((i) => `${i.offset.toString(16)}: ${i.text}`)).toEqual([
      '40: mov    %eax,-0x4(%rbp)', '43: mov    0x0(%rsi),%esi', '46: ja     0x4d', '48: call   0x4d', '4d: call   0x0 <bpf_prog_1_main>',
    ]);
    expect(insns[2]).toMatchObject({ target: 0xffffffffa000100dn, targetOffset: 0x4d });
    expect(insns[4]).toMatchObject({ target: first.address, targetOffset: 0 });
  });

  it('never throws on garbage and consumes every byte', () => {
    const bytes = Uint8Array.from([0x0f, 0xff, 0xff, 0x62, 0xc4]);
    const insns = disassembleX86({ address: 0n, bytes, imageOffset: 0 });
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

  it('splits every image by func lens and reads as objdump reads the image bytes', () => {
    const kallsyms = KallsymsIndex.parse(kallsymsText());
    const calls: NativeInstruction[] = [];
    for (const prog of loaded.programs.values()) {
      const { jit } = programOracle(prog.id);
      const image = Uint8Array.from(Buffer.from(jit.jited, 'hex'));
      const ksyms = jit.jitedKsyms.map((a) => BigInt(`0x${a}`));
      const functions = splitJitImage(image, ksyms, jit.jitedFuncLens);
      expect(functions.reduce((n, f) => n + f.bytes.length, 0)).toBe(image.length);
      const listing = disassembleJitImage(image, ksyms, jit.jitedFuncLens, { symbolAt: (a) => kallsyms.symbolAt(a) });
      for (const fn of listing.functions) expect(fn.name).toMatch(/^bpf_prog_[0-9a-f]{16}_/);
      expectJitLikeObjdump(listing.functions, objdumpBinary(image, 'i386:x86-64'), `prog ${prog.id}`);
      calls.push(...listing.functions.flatMap((fn) => fn.instructions.filter((i) => i.text.startsWith('call'))));
    }
    // Helper and subprog calls land on kernel functions that kallsyms names.
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.filter((c) => c.targetSymbol === undefined)).toEqual([]);
  });
});
