// Which program wrote a bpf_printk line: the trace event carries no program id, but each call of
// bpf_trace_printk/bpf_trace_vprintk passes its format string in r1, which clang loads right
// before the call from the program's .rodata (an ld_imm64 of a map value: map id and offset in
// xlated code). A line whose message matches a program's format is that program's; a line two
// programs' formats both match is either's, and is said to be.

import type { CallInstruction, Instruction } from '../isa/index.js';

/** Kernel functions behind the printk helpers, as xlated calls name them. */
export const PRINTK_FUNCTIONS = new Set(['bpf_trace_printk', 'bpf_trace_vprintk']);

export type PrintkSite = { index: number; mapId: number; offset: number } | { index: number; untracked: string };

/** Instructions looked back from a call for the load of r1. */
const LOOKBACK = 32;
const MAX_FORMAT = 1024;

function writesR1(insn: Instruction): boolean {
  // An atomic's dst is the base register it writes through (load_acquire aside): r1 keeps its value.
  return 'dst' in insn && insn.dst === 1 && (insn.kind !== 'atomic' || insn.op === 'load_acquire');
}

/** Each printk call of a program and where its format string is. */
export function printkSites(insns: readonly Instruction[], isPrintk: (call: CallInstruction) => boolean): PrintkSite[] {
  const sites: PrintkSite[] = [];
  insns.forEach((insn, at) => {
    if (insn.kind !== 'call' || !isPrintk(insn)) return;
    for (let back = at - 1; back >= 0 && back >= at - LOOKBACK; back--) {
      const prior = insns[back]!;
      if (prior.kind === 'call' || prior.kind === 'exit' || prior.kind === 'jump' || prior.kind === 'goto') break;
      if (!writesR1(prior)) continue;
      if (prior.kind === 'ld_imm64' && prior.pseudo === 'map_value') sites.push({ index: insn.index, mapId: prior.immLo >>> 0, offset: prior.immHi >>> 0 });
      else sites.push({ index: insn.index, untracked: 'the format string is not loaded from .rodata right before the call' });
      return;
    }
    sites.push({ index: insn.index, untracked: 'no load of the format string found before the call' });
  });
  return sites;
}

/** The NUL-terminated string at offset of a map value. */
export function formatStringAt(value: Uint8Array, offset: number): string | undefined {
  if (offset >= value.length) return undefined;
  const end = value.indexOf(0, offset);
  if (end < 0 || end - offset > MAX_FORMAT) return undefined;
  return new TextDecoder().decode(value.subarray(offset, end));
}

const SPEC = /%%|%[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?(hh|h|ll|l|z|j|t)?([diuxXocs])|%p[a-zA-Z0-9]*/g;

function specPattern(spec: string, conversion: string | undefined): string {
  if (spec === '%%') return '%';
  if (spec.startsWith('%p')) return '\\S*?';
  switch (conversion) {
    case 'd':
    case 'i':
      return ' *[-+ ]?\\d+';
    case 'u':
      return ' *\\d+';
    case 'x':
    case 'X':
      return ' *(?:0[xX])?[0-9a-fA-F]+';
    case 'o':
      return ' *0?[0-7]+';
    case 'c':
      return '[\\s\\S]';
    default:
      return '[\\s\\S]*?';
  }
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regular expression matching what a printk format prints on one trace line. */
export function printkPattern(format: string): RegExp {
  const body = format.replace(/\n+$/, '');
  let source = '';
  let last = 0;
  for (const m of body.matchAll(SPEC)) {
    source += escape(body.slice(last, m.index)) + specPattern(m[0], m[4]);
    last = m.index + m[0].length;
  }
  return new RegExp(`^${source}${escape(body.slice(last))}$`);
}

export interface ProgramFormat {
  progId: number;
  format: string;
}

/** Messages matched to the programs whose formats print them. */
export class PrintkAttribution {
  private readonly patterns: Array<{ progId: number; pattern: RegExp }>;

  constructor(formats: readonly ProgramFormat[]) {
    this.patterns = formats.map((f) => ({ progId: f.progId, pattern: printkPattern(f.format) }));
  }

  get size(): number {
    return this.patterns.length;
  }

  /** Ids of the programs whose formats print this message, each once. */
  programsOf(message: string): number[] {
    const ids = new Set<number>();
    for (const { progId, pattern } of this.patterns) if (!ids.has(progId) && pattern.test(message)) ids.add(progId);
    return [...ids];
  }
}
