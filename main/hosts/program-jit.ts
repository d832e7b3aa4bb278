// A loaded program's JIT image as native instructions, decoded for the architecture of the
// host that JIT-ed it (not the one running bpfscope: a remote host may be arm64).
import { HostError } from './host-error.js';
import type { HostSession } from './host-session.js';
import type { ProgramCode } from './program-code.js';
import type { JitListing } from '../kernel/isa/jit-x86.js';

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
  throw new HostError({
    code: 'ENOTSUP',
    message: `prog ${code.info.id}: JIT images of ${session.label} (${arch}) cannot be disassembled; bpfscope decodes x86_64`,
    id: code.info.id,
  });
}
