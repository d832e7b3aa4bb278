// The structured listing: one entry per instruction with everything the views need (text,
// raw bytes, targets, source line, map, function header). Built once; rendered as text, JSON
// and DOT elsewhere.

import { decodeInstructions } from './decode.js';
import { formatInstruction } from './format.js';
import type { Instruction } from './instruction.js';
import { isBranch } from './instruction.js';
import { CLASS_MASK, CLASS_NAMES, INSN_SIZE, type InsnClassName } from './opcode.js';
import type { CallTarget, CodeOrigin, ListingResolvers, MapKey, MapSummary } from './resolve.js';
import { callTargetOf, listingCallbacks, mapKeyOf } from './resolve.js';

/** A BTF func_info record, already resolved: where a function starts and its prototype text. */
export interface FuncInfoRecord {
  readonly insnOff: number;
  /** The prototype as bpftool prints it, e.g. `int count_packets(struct __sk_buff * skb)`. */
  readonly text: string;
}

/** A BTF line_info record, already resolved to strings. */
export interface LineInfoRecord {
  readonly insnOff: number;
  readonly fileName: string;
  /** The source line as stored in BTF (leading blanks are dropped when shown, as bpftool does). */
  readonly lineText: string;
  readonly line: number;
  readonly col: number;
}

export interface ListingInput {
  /** The instructions: xlated bytes of a loaded program, or a section of an object file. */
  readonly insns: Uint8Array;
  /** Default `xlated`. */
  readonly origin?: CodeOrigin;
  /** Sorted by insnOff, as the kernel returns them. */
  readonly funcInfo?: readonly FuncInfoRecord[];
  /** Sorted by insnOff, as the kernel returns them. */
  readonly lineInfo?: readonly LineInfoRecord[];
}

export interface SourceLine {
  readonly fileName: string;
  /** Without leading blanks, as shown after `; `. */
  readonly text: string;
  readonly line: number;
  readonly col: number;
}

export interface MapReference extends MapKey {
  /** What the resolver knows about the map. */
  readonly map?: MapSummary;
  /** Offset into the map value (map_value / map_idx_value). */
  readonly valueOffset?: number;
}

export interface ListingEntry {
  readonly index: number;
  /** 8 bytes, or 16 for ld_imm64 (a view into the input). */
  readonly bytes: Uint8Array;
  readonly opcodeClass: InsnClassName;
  /** The disassembly as bpftool prints it after `   0: `. */
  readonly text: string;
  readonly instruction: Instruction;
  /** Absolute index a jump may go to. */
  readonly jumpTarget?: number;
  readonly call?: CallTarget;
  readonly source?: SourceLine;
  readonly map?: MapReference;
  /** Function header (prototype) printed above this instruction. */
  readonly funcHeader?: string;
  /** Why the kernel would refuse this instruction (invalid or out-of-range target). */
  readonly problem?: string;
}

export interface Listing {
  readonly origin: CodeOrigin;
  readonly entries: readonly ListingEntry[];
  /** Instruction slots in the program (ld_imm64 counts twice). */
  readonly slotCount: number;
}

/**
 * Matches line_info records to instructions the way bpftool does (libbpf's
 * bpf_prog_linfo__lfind with a skip count): at each printed instruction, the last record at or
 * before it — searched from the first record not yet printed — is shown if it starts exactly there.
 */
class LineInfoCursor {
  private skip = 0;

  constructor(private readonly records: readonly LineInfoRecord[]) {}

  at(index: number): LineInfoRecord | undefined {
    const records = this.records;
    if (this.skip >= records.length || index < records[this.skip].insnOff) return undefined;
    let found = this.skip;
    while (found + 1 < records.length && records[found + 1].insnOff <= index) found++;
    if (records[found].insnOff !== index) return undefined;
    this.skip++;
    return records[found];
  }
}

/** bpftool's ltrim: drops leading isspace() characters. */
function trimStart(text: string): string {
  return text.replace(/^[ \t\n\v\f\r]+/, '');
}

function mapReferenceOf(insn: Instruction, origin: CodeOrigin, resolvers: ListingResolvers): MapReference | undefined {
  if (insn.kind !== 'ld_imm64') return undefined;
  const key = mapKeyOf(insn, origin);
  if (key === undefined) return undefined;
  const reference: { -readonly [K in keyof MapReference]: MapReference[K] } = { by: key.by, value: key.value };
  const map = resolvers.map?.(key);
  if (map !== undefined) reference.map = map;
  if (insn.pseudo === 'map_value' || insn.pseudo === 'map_idx_value') reference.valueOffset = insn.immHi >>> 0;
  return reference;
}

/**
 * One entry. A class with every field set in the constructor keeps one object shape for a
 * million entries, and the raw bytes are a view made on demand: both matter to GC at 1 M.
 */
class Entry implements ListingEntry {
  jumpTarget: number | undefined = undefined;
  call: CallTarget | undefined = undefined;
  source: SourceLine | undefined = undefined;
  map: MapReference | undefined = undefined;
  funcHeader: string | undefined = undefined;
  problem: string | undefined = undefined;

  constructor(
    private readonly program: Uint8Array,
    readonly index: number,
    readonly opcodeClass: InsnClassName,
    readonly text: string,
    readonly instruction: Instruction,
  ) {}

  get bytes(): Uint8Array {
    const start = this.index * INSN_SIZE;
    return this.program.subarray(start, Math.min(start + this.instruction.slots * INSN_SIZE, this.program.length));
  }
}

/** Builds the listing of a program. Never throws on bad bytes: they become entries with `problem`. */
export function buildListing(input: ListingInput, resolvers: ListingResolvers = {}): Listing {
  const origin = input.origin ?? 'xlated';
  const jited = origin === 'xlated' && (resolvers.jitedKsyms ?? []).length > 0;
  const instructions = decodeInstructions(input.insns, { jitedCalls: jited });
  const callbacks = listingCallbacks(origin, resolvers);
  const lines = new LineInfoCursor(input.lineInfo ?? []);
  const funcInfo = input.funcInfo ?? [];
  let nextFunc = 0;
  const entries: Entry[] = new Array(instructions.length);

  for (let i = 0; i < instructions.length; i++) {
    const insn = instructions[i];
    const index = insn.index;
    const entry = new Entry(input.insns, index, CLASS_NAMES[insn.code & CLASS_MASK], formatInstruction(insn, callbacks), insn);
    // bpftool advances through func_info only on an exact match, so records must be sorted.
    if (nextFunc < funcInfo.length && funcInfo[nextFunc].insnOff === index) {
      if (funcInfo[nextFunc].text !== '') entry.funcHeader = funcInfo[nextFunc].text;
      nextFunc++;
    }
    const line = lines.at(index);
    if (line !== undefined) entry.source = { fileName: line.fileName, text: trimStart(line.lineText), line: line.line, col: line.col };
    if (isBranch(insn)) entry.jumpTarget = insn.target;
    else if (insn.kind === 'call') entry.call = callTargetOf(insn, origin, resolvers);
    else if (insn.kind === 'ld_imm64') entry.map = mapReferenceOf(insn, origin, resolvers);
    entry.problem = insn.problem;
    entries[i] = entry;
  }
  return { origin, entries, slotCount: Math.floor(input.insns.length / INSN_SIZE) };
}
