// `dump prog ID`: the xlated listing as bpftool prints it, `--json` as bpftool's JSON followed
// by keys of ours, `--cfg` the control-flow graph as DOT, `--jited` the native code.
import { buildCfg, listingJsonText, renderCfgDot, renderListingText, type Listing } from '../kernel/isa/index.js';
import { HostError } from '../hosts/host-error.js';
import { programCode, type ProgramCode } from '../hosts/program-code.js';
import { parseObjectId, UsageError, type CommandContext } from './context.js';

async function jitedText(code: ProgramCode, headers: Listing): Promise<string> {
  if (code.jited.byteLength === 0) {
    throw new HostError({
      code: 'ENOJIT',
      message: `prog ${code.info.id}: no JIT image to show`,
      hint: 'the program is not JIT-ed, or kernel.kptr_restrict / bpf_jit_harden hides the image (see bpfscope doctor)',
    });
  }
  // iced-x86 loads its WebAssembly at import: only when asked for.
  const { disassembleX86, splitJitImage } = await import('../kernel/isa/jit-x86.js');
  if (process.arch !== 'x64') throw new HostError({ code: 'ENOTSUP', message: `JIT disassembly is only available for x86-64 (this is ${process.arch})` });
  const names = code.jitedKsyms.map((a) => code.kallsyms?.symbolAt(a) ?? '');
  const funcHeaders: string[] = [];
  for (let p = 0; p < headers.length; p++) {
    const header = headers.funcHeader(p);
    if (header) funcHeaders.push(header);
  }
  const out: string[] = [];
  splitJitImage(code.jited, code.jitedKsyms, code.jitedFuncLens, names).forEach((fn, i) => {
    if (funcHeaders[i]) out.push(`${funcHeaders[i]}:`);
    if (fn.name) out.push(`${fn.name}:`);
    for (const insn of disassembleX86(fn, { symbolAt: (a) => code.kallsyms?.symbolAt(a) })) {
      out.push(`${insn.offset.toString(16).padStart(4)}:\t${insn.text}`);
    }
    out.push('');
  });
  return `${out.join('\n')}`;
}

export async function dumpProgCommand(ctx: CommandContext): Promise<number> {
  const id = parseObjectId(ctx.args[1], 'prog');
  const modes = ['json', 'cfg', 'jited'].filter((m) => ctx.flags[m]);
  if (modes.length > 1) throw new UsageError(`choose one of --${modes.join(', --')}`);
  const session = await ctx.session();
  const code = await programCode(session, id);
  if (!code) throw new HostError({ code: 'EGONE', message: `prog ${id}: not loaded on ${session.label}`, id });
  if (code.listing.length === 0) {
    throw new HostError({ code: 'ENOXLATED', message: `prog ${id}: the kernel returned no instructions`, hint: 'kernel.kptr_restrict or missing CAP_SYS_ADMIN hides xlated code (see bpfscope doctor)', id });
  }
  const options = { linum: ctx.flags.linum === true, opcodes: ctx.flags.opcodes === true };
  if (ctx.flags.json) ctx.io.out(`${listingJsonText(code.listing, options)}\n`);
  else if (ctx.flags.cfg) ctx.io.out(renderCfgDot(code.listing, buildCfg(code.listing)));
  else if (ctx.flags.jited) ctx.io.out(await jitedText(code, code.listing));
  else ctx.io.out(renderListingText(code.listing, options));
  return 0;
}
