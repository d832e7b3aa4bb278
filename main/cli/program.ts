// `dump prog ID`: the xlated listing as bpftool prints it, `--json` as bpftool's JSON followed
// by keys of ours, `--cfg` the control-flow graph as DOT, `--jited` the native code.
import { buildCfg, hexBytes, listingJsonText, renderCfgDot, renderListingText, type Listing } from '../kernel/isa/index.js';
import { HostError } from '../hosts/host-error.js';
import type { HostSession } from '../hosts/host-session.js';
import { programCode, type ProgramCode } from '../hosts/program-code.js';
import { programJit } from '../hosts/program-jit.js';
import { UsageError, type CommandContext } from './context.js';
import { objectIdOf, parseObjectRef } from './object-ref.js';

/** objdump's byte column: at most 7 bytes a line, padded to 21 characters, the rest on lines of their own. */
function objdumpLines(offset: number, bytes: Uint8Array, text: string): string[] {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 7) {
    const hex = hexBytes(bytes.subarray(at, at + 7));
    lines.push(at === 0 ? `${(offset).toString(16).padStart(4)}:\t${`${hex} `.padEnd(21)}\t${text}` : `${(offset + at).toString(16).padStart(4)}:\t${hex} `);
  }
  return lines;
}

/** The JIT image as objdump reads its bytes: offsets in the image, in-image branches by offset. */
async function jitedText(session: HostSession, code: ProgramCode, headers: Listing, opcodes: boolean): Promise<string> {
  const jit = await programJit(session, code);
  const funcHeaders: string[] = [];
  for (let p = 0; p < headers.length; p++) {
    const header = headers.funcHeader(p);
    if (header) funcHeaders.push(header);
  }
  const out: string[] = [];
  jit.functions.forEach((fn, i) => {
    if (funcHeaders[i]) out.push(`${funcHeaders[i]}:`);
    if (fn.name) out.push(`${fn.name}:`);
    for (const insn of fn.instructions) {
      if (opcodes) out.push(...objdumpLines(insn.offset, insn.bytes, insn.text));
      else out.push(`${insn.offset.toString(16).padStart(4)}:\t${insn.text}`);
    }
    out.push('');
  });
  return `${out.join('\n')}`;
}

/** A loaded program's code with its listing; EGONE when not loaded, ENOXLATED without instructions. */
export async function loadedProgramCode(session: HostSession, id: number): Promise<ProgramCode> {
  const code = await programCode(session, id);
  if (!code) throw new HostError({ code: 'EGONE', message: `prog ${id}: not loaded on ${session.label}`, id });
  return withInstructions(code);
}

/** The code, or ENOXLATED when the kernel gave no instructions (and why that happens). */
export function withInstructions(code: ProgramCode): ProgramCode {
  if (code.listing.length > 0) return code;
  const { id } = code.info;
  throw new HostError({ code: 'ENOXLATED', message: `prog ${id}: the kernel returned no instructions`, hint: 'kernel.kptr_restrict or missing CAP_SYS_ADMIN hides xlated code (see bpfscope doctor)', id });
}

export async function dumpProgCommand(ctx: CommandContext): Promise<number> {
  const { ref } = parseObjectRef(ctx.args, 1, 'prog');
  const modes = ['json', 'cfg', 'jited'].filter((m) => ctx.flags[m]);
  if (modes.length > 1) throw new UsageError(`choose one of --${modes.join(', --')}`);
  const session = await ctx.session();
  const id = await objectIdOf(session, ref, 'prog');
  const code = await loadedProgramCode(session, id);
  const options = { linum: ctx.flags.linum === true, opcodes: ctx.flags.opcodes === true };
  if (ctx.flags.json) ctx.io.out(`${listingJsonText(code.listing, options)}\n`);
  else if (ctx.flags.cfg) ctx.io.out(renderCfgDot(code.listing, buildCfg(code.listing)));
  else if (ctx.flags.jited) ctx.io.out(await jitedText(session, code, code.listing, options.opcodes));
  else ctx.io.out(renderListingText(code.listing, options));
  return 0;
}
