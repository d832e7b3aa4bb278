// arm64 JIT listings: bytes of an arm64 BPF JIT-style image (test/fixtures/isa/jit-arm64.S,
// assembled here by binutils for aarch64) read by bpfscope and by
// `aarch64-linux-gnu-objdump -D -b binary -m aarch64`, instruction by instruction.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadArm64Decoder } from '../../../main/hosts/program-jit.js';
import { disassembleArm64, disassembleArm64Image } from '../../../main/kernel/isa/jit-arm64.js';
import { expectJitLikeObjdump, objdumpBinary } from '../../helpers/objdump.js';

const SOURCE = fileURLToPath(new URL('../../fixtures/isa/jit-arm64.S', import.meta.url));
const TOOLS = ['aarch64-linux-gnu-as', 'aarch64-linux-gnu-objcopy', 'aarch64-linux-gnu-objdump'];

function missingTool(): string | undefined {
  const missing = TOOLS.find((tool) => {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing && process.env.CI === 'true') throw new Error(`${missing} is needed (apt-get install binutils-aarch64-linux-gnu)`);
  return missing;
}

/** The fixture's .text as raw bytes: what the kernel returns as jited_prog_insns. */
function assemble(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-arm64-'));
  try {
    execFileSync('aarch64-linux-gnu-as', ['-march=armv8.5-a+lse', SOURCE, '-o', join(dir, 'jit.o')]);
    execFileSync('aarch64-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'jit.o'), join(dir, 'jit.bin')]);
    return new Uint8Array(readFileSync(join(dir, 'jit.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const missing = missingTool();

describe.skipIf(missing !== undefined)(`arm64 JIT image vs objdump (${missing ? `${missing} missing` : 'binutils'})`, () => {
  it('reads as objdump -D -b binary -m aarch64 reads the bytes, the call out of the image named', async () => {
    const image = assemble();
    const address = 0xffff800080a10000n;
    const helper = address + 0x100000n + BigInt(image.length - 12);
    const decoder = await loadArm64Decoder();
    const listing = disassembleArm64Image(decoder, image, [address], [image.length], { symbolAt: (a) => (a === helper ? 'bpf_helper' : a === address ? 'bpf_prog_0123456789abcdef_fixture' : undefined) });
    const compared = expectJitLikeObjdump(listing.functions, objdumpBinary(image, 'aarch64', 'aarch64-linux-gnu-objdump'), 'jit-arm64.S');
    expect(compared).toBe(image.length / 4);
    const insns = listing.functions[0]!.instructions;
    expect(insns.find((i) => i.text.startsWith('bl\t'))).toMatchObject({ target: helper, targetSymbol: 'bpf_helper', text: `bl\t0x${helper.toString(16)} <bpf_helper>` });
    expect(insns.find((i) => i.text.startsWith('b.eq'))).toMatchObject({ targetOffset: expect.any(Number) });
    expect(insns.some((i) => i.text === '.inst\t0xffffffff')).toBe(true);
  });

  it('places a call of another function of the image by its image offset', async () => {
    // Two functions, the second at image offset 8: bl to the first (offset 0), then ret.
    const second = { address: 0xffff800080b00000n, imageOffset: 8, bytes: Uint8Array.from([0x00, 0xc0, 0xff, 0x97, 0xc0, 0x03, 0x5f, 0xd6]) };
    const first = { address: second.address - 0x10000n, imageOffset: 0, bytes: new Uint8Array(8) };
    const insns = disassembleArm64(await loadArm64Decoder(), second, { functions: [first, second], symbolAt: (a) => (a === first.address ? 'main' : undefined) });
    expect(insns.map((i) => `${i.offset.toString(16)}: ${i.text}`)).toEqual(['8: bl\t0x0 <main>', 'c: ret']);
  });
});
