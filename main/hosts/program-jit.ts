// A loaded program's JIT image as native instructions, decoded for the architecture of the
// host that JIT-ed it (not the one running bpfscope: a remote host may be arm64).
import { HostError } from './host-error.js';
import type { HostSession } from './host-session.js';
import type { ProgramCode } from './program-code.js';
import { createRequire } from 'node:module';
import type { Arm64Decoder, CapstoneInsn } from '../kernel/isa/jit-arm64.js';
import type { JitListing } from '../kernel/isa/jit-image.js';

/** `uname -m` of the host, from /proc/sys/kernel/arch (snapshots record it too). */
async function hostArch(session: HostSession): Promise<string> {
  try {
    return new TextDecoder().decode(await session.host.readFile('/proc/sys/kernel/arch', 64)).trim();
  } catch {
    return 'unknown';
  }
}

export async function programJit(session: HostSession, code: ProgramCode): Promise<JitListing> {
  if (code.jited.byteLength === 0) {
    throw new HostError({
      code: 'ENOJIT',
      message: `prog ${code.info.id}: no JIT image to show`,
      hint: 'the program is not JIT-ed, or kernel.kptr_restrict / bpf_jit_harden hides the image (see bpfscope doctor)',
      id: code.info.id,
    });
  }
  // The image may call any kernel address: the whole index, not a scan for the listing's calls.
  const [arch, kallsyms] = await Promise.all([hostArch(session), session.kallsyms().catch(() => undefined)]);
  const symbolAt = (address: bigint): string | undefined => kallsyms?.symbolAt(address);
  if (arch === 'x86_64') {
    // iced-x86 loads its WebAssembly at import: only when asked for.
    const { disassembleJitImage } = await import('../kernel/isa/jit-x86.js');
    return disassembleJitImage(code.jited, code.jitedKsyms, code.jitedFuncLens, { symbolAt });
  }
  if (arch === 'aarch64') {
    const { disassembleArm64Image } = await import('../kernel/isa/jit-arm64.js');
    return disassembleArm64Image(await loadArm64Decoder(), code.jited, code.jitedKsyms, code.jitedFuncLens, { symbolAt });
  }
  throw new HostError({
    code: 'ENOTSUP',
    message: `prog ${code.info.id}: JIT images of ${session.label} (${arch}) cannot be disassembled; bpfscope decodes x86_64 and aarch64`,
    id: code.info.id,
  });
}

interface CapstoneModule {
  Capstone: new (arch: number, mode: number) => { disasm(bytes: number[], address: number): CapstoneInsn[]; close(): void };
  ARCH_ARM64: number;
  MODE_ARM: number;
}

let capstone: Promise<CapstoneModule> | undefined;

/** Capstone (about 3 MB of WebAssembly), loaded once, on the first arm64 image. */
export async function loadArm64Decoder(): Promise<Arm64Decoder> {
  capstone ??= (createRequire(import.meta.url)('@alexaltea/capstone-js') as () => Promise<CapstoneModule>)();
  const cs = await capstone;
  return {
    disasm(bytes, address) {
      const handle = new cs.Capstone(cs.ARCH_ARM64, cs.MODE_ARM);
      try {
        return handle.disasm(Array.from(bytes), address);
      } finally {
        handle.close();
      }
    },
  };
}
