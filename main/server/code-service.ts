// A program's code for the detail view: the structured listing (source lines,
// function headers, jumps, map references), its control-flow graph, and the
// JIT image disassembled (x86-64), or why there is none.
import { ApiError, toErrorData } from '../api/errors.js';
import type { ProgramCodeView } from '../api/view-records.js';
import { buildCfg, listingToJson } from '../kernel/isa/index.js';
import type { HostSession } from '../hosts/host-session.js';
import { programCode, type ProgramCode } from '../hosts/program-code.js';
import { wire } from './inspect-service.js';

async function jitFunctions(code: ProgramCode): Promise<ProgramCodeView['jit']> {
  if (code.jited.byteLength === 0) return [];
  if (process.arch !== 'x64') throw new ApiError({ code: 'ENOTSUP', message: `JIT disassembly is only available for x86-64 (this is ${process.arch})` });
  // iced-x86 loads its WebAssembly at import: only when asked for.
  const { disassembleX86, splitJitImage } = await import('../kernel/isa/jit-x86.js');
  const names = code.jitedKsyms.map((a) => code.kallsyms?.symbolAt(a) ?? '');
  return splitJitImage(code.jited, code.jitedKsyms, code.jitedFuncLens, names).map((fn) => ({
    name: fn.name ?? '',
    lines: disassembleX86(fn, { symbolAt: (a) => code.kallsyms?.symbolAt(a) }).map((insn) => ({ offset: insn.offset, text: insn.text })),
  }));
}

export async function programCodeView(session: HostSession, id: number): Promise<ProgramCodeView> {
  const code = await programCode(session, id);
  if (!code) throw new ApiError({ code: 'EGONE', message: `prog ${id}: not loaded on ${session.label}`, id });
  const cfg = buildCfg(code.listing);
  const view: ProgramCodeView = {
    listing: wire(listingToJson(code.listing)) as ProgramCodeView['listing'],
    cfg: wire(cfg) as ProgramCodeView['cfg'],
    jit: [],
  };
  try {
    view.jit = await jitFunctions(code);
  } catch (error) {
    view.jitError = toErrorData(error);
  }
  return view;
}
