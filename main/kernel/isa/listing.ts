// The structured listing: one entry per instruction with everything the views need (text,
// raw bytes, targets, source line, map, function header). Rendered as text, JSON and DOT
// elsewhere.
//
// Built as a struct of typed arrays (where each instruction starts, its control flow and
// target, its line_info and func_info record, whether it has a problem): building touches
// every instruction once but keeps no object per instruction, so a 1 M-instruction program
// (the verifier's ceiling) builds in a fraction of a second. Entries and their text are made
// on demand, O(1) each, so a view paging through rows pays only for the rows it shows.

import { SlotDecoder, targetProblem } from './decode.js';
import { formatInstruction, type DisasmCallbacks } from './format.js';
import type { Instruction } from './instruction.js';
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

/** What renderers need of a listing: its rows, each made on demand. */
export interface ListingRows {
  readonly origin: CodeOrigin;
  /** Instruction slots in the program (ld_imm64 counts twice). */
  readonly slotCount: number;
  /** Number of entries (instructions). */
  readonly length: number;
  /** The entry at a position (0..length-1). */
  entry(position: number): ListingEntry;
  /** Its instruction text, without making the whole entry. */
  text(position: number): string;
  /** Its instruction index (slot). */
  index(position: number): number;
  funcHeader(position: number): string | undefined;
  source(position: number): SourceLine | undefined;
}

/**
 * Matches line_info records to instructions the way bpftool does (libbpf's
 * bpf_prog_linfo__lfind with a skip count): at each printed instruction, the last record at or
 * before it — searched from the first record not yet printed — is shown if it starts exactly there.
 */
class LineInfoCursor {
  private skip = 0;

  constructor(private readonly records: readonly LineInfoRecord[]) {}

  /** The record shown at `index`, or -1. */
  at(index: number): number {
    const records = this.records;
    if (this.skip >= records.length || index < records[this.skip].insnOff) return -1;
    let found = this.skip;
    while (found + 1 < records.length && records[found + 1].insnOff <= index) found++;
    if (records[found].insnOff !== index) return -1;
    this.skip++;
    return found;
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

/** How control leaves an instruction, as the CFG needs it (`Listing.flow`). */
export const Flow = {
  /** On to the next instruction. */
  Next: 0,
  /** Conditional jump or may_goto: falls through or goes to the target. */
  Branch: 1,
  /** Unconditional jump to the target. */
  Goto: 2,
  Exit: 3,
  /** bpf-to-bpf call of the function at the target, then on. */
  Call: 4,
  /** ld_imm64 of a function's address (a callback): the target starts a function. */
  FuncRef: 5,
} as const;
export type Flow = (typeof Flow)[keyof typeof Flow];

/** `flags` bit: the entry has a problem (decode or target). */
const PROBLEM = 0x80;
const FLOW_MASK = 0x07;

function flowOf(insn: Instruction): Flow {
  switch (insn.kind) {
    case 'jump':
    case 'may_goto':
      return Flow.Branch;
    case 'goto':
      return Flow.Goto;
    case 'exit':
      return Flow.Exit;
    case 'call':
      return insn.callee === 'subprog' && insn.target !== undefined ? Flow.Call : Flow.Next;
    case 'ld_imm64':
      return insn.pseudo === 'func' && insn.target !== undefined ? Flow.FuncRef : Flow.Next;
    default:
      return Flow.Next;
  }
}

function targetOfFlow(insn: Instruction): number {
  return 'target' in insn && insn.target !== undefined ? insn.target : 0;
}

/** One entry, made on demand. */
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

/** The listing of a program; see the top of this file for its layout. */
export class Listing implements ListingRows {
  readonly origin: CodeOrigin;
  readonly slotCount: number;
  readonly length: number;
  private readonly decoder: SlotDecoder;
  private readonly callbacks: DisasmCallbacks;
  /** Per position: first slot, flow and problem bit, target, line_info and func_info record (-1: none). */
  private readonly slots: Int32Array;
  private readonly flags: Uint8Array;
  private readonly targets: Int32Array;
  private readonly lineRecords: Int32Array;
  private readonly funcRecords: Int32Array;
  /** Per slot: the position of the instruction starting there, or -1. */
  private readonly positions: Int32Array;
  /** Problems are rare: by position. */
  private readonly problems = new Map<number, string>();
  private readonly lineInfo: readonly LineInfoRecord[];
  private readonly funcInfo: readonly FuncInfoRecord[];

  constructor(private readonly input: ListingInput, private readonly resolvers: ListingResolvers = {}) {
    this.origin = input.origin ?? 'xlated';
    const jitedCalls = this.origin === 'xlated' && (resolvers.jitedKsyms ?? []).length > 0;
    this.lineInfo = input.lineInfo ?? [];
    this.funcInfo = input.funcInfo ?? [];
    const subprogStarts = jitedCalls && this.funcInfo.length > 0 ? this.funcInfo.map((f) => f.insnOff) : undefined;
    this.decoder = new SlotDecoder(input.insns, { xlated: this.origin === 'xlated', jitedCalls, ...(subprogStarts ? { subprogStarts } : {}) });
    this.callbacks = listingCallbacks(this.origin, resolvers);
    const slotCount = this.decoder.slotCount;
    this.slotCount = slotCount;
    const capacity = slotCount + 1;
    this.slots = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.targets = new Int32Array(capacity);
    this.lineRecords = new Int32Array(capacity);
    this.funcRecords = new Int32Array(capacity);
    this.positions = new Int32Array(capacity).fill(-1);
    this.length = this.decodeAll();
    this.checkTargets();
  }

  /** One pass over the instructions; each decoded object is dropped at once. Returns the entry count. */
  private decodeAll(): number {
    const { decoder, slotCount, funcInfo } = this;
    const lines = new LineInfoCursor(this.lineInfo);
    let nextFunc = 0;
    let position = 0;
    const end = decoder.truncated ? slotCount + 1 : slotCount;
    for (let index = 0; index < end; position++) {
      const insn = decoder.at(index);
      this.slots[position] = index;
      this.positions[index] = position;
      let flags: number = flowOf(insn);
      if (flags !== Flow.Next && flags !== Flow.Exit) this.targets[position] = targetOfFlow(insn);
      if (insn.problem !== undefined) {
        this.problems.set(position, insn.problem);
        flags |= PROBLEM;
      }
      this.flags[position] = flags;
      // bpftool advances through func_info only on an exact match, so records must be sorted.
      let func = -1;
      if (nextFunc < funcInfo.length && funcInfo[nextFunc].insnOff === index) {
        if (funcInfo[nextFunc].text !== '') func = nextFunc;
        nextFunc++;
      }
      this.funcRecords[position] = func;
      this.lineRecords[position] = lines.at(index);
      index += insn.slots;
    }
    return position;
  }

  /** Flags branches, calls and func references whose target is outside the program or inside an ld_imm64. */
  private checkTargets(): void {
    const starts = new Uint8Array(this.slotCount);
    for (let p = 0; p < this.length; p++) if (this.slots[p] < this.slotCount) starts[this.slots[p]] = 1;
    for (let p = 0; p < this.length; p++) {
      const flags = this.flags[p];
      const flow = flags & FLOW_MASK;
      if (flow === Flow.Next || flow === Flow.Exit || (flags & PROBLEM) !== 0) continue;
      const problem = targetProblem(this.targets[p], this.slotCount, starts);
      if (problem === undefined) continue;
      this.problems.set(p, problem);
      this.flags[p] = flags | PROBLEM;
    }
  }

  private instruction(position: number): Instruction {
    const insn = this.decoder.at(this.slots[position]);
    const problem = this.problems.get(position);
    if (problem !== undefined) insn.problem = problem;
    return insn;
  }

  index(position: number): number {
    return this.slots[position];
  }

  /** The position of the instruction starting at slot `index`, or -1. */
  positionOf(index: number): number {
    return index >= 0 && index < this.positions.length ? this.positions[index] : -1;
  }

  flow(position: number): Flow {
    return (this.flags[position] & FLOW_MASK) as Flow;
  }

  /** Where a branch, call or func reference goes (meaningless for other flows). */
  target(position: number): number {
    return this.targets[position];
  }

  hasProblem(position: number): boolean {
    return (this.flags[position] & PROBLEM) !== 0;
  }

  funcHeader(position: number): string | undefined {
    const record = this.funcRecords[position];
    return record < 0 ? undefined : this.funcInfo[record].text;
  }

  source(position: number): SourceLine | undefined {
    const record = this.lineRecords[position];
    if (record < 0) return undefined;
    const line = this.lineInfo[record];
    return { fileName: line.fileName, text: trimStart(line.lineText), line: line.line, col: line.col };
  }

  text(position: number): string {
    return formatInstruction(this.instruction(position), this.callbacks);
  }

  entry(position: number): ListingEntry {
    const insn = this.instruction(position);
    const { origin, resolvers } = this;
    const entry = new Entry(this.input.insns, insn.index, CLASS_NAMES[insn.code & CLASS_MASK], formatInstruction(insn, this.callbacks), insn);
    entry.funcHeader = this.funcHeader(position);
    entry.source = this.source(position);
    if (insn.kind === 'jump' || insn.kind === 'goto' || insn.kind === 'may_goto') entry.jumpTarget = insn.target;
    else if (insn.kind === 'call') entry.call = callTargetOf(insn, origin, resolvers);
    else if (insn.kind === 'ld_imm64') entry.map = mapReferenceOf(insn, origin, resolvers);
    entry.problem = insn.problem;
    return entry;
  }

  /** Entries `from`..`to` (exclusive), made now: for pages of rows and small programs. */
  rows(from = 0, to = this.length): ListingEntry[] {
    const out: ListingEntry[] = [];
    for (let p = Math.max(0, from); p < Math.min(to, this.length); p++) out.push(this.entry(p));
    return out;
  }
}

/** Builds the listing of a program. Never throws on bad bytes: they become entries with `problem`. */
export function buildListing(input: ListingInput, resolvers: ListingResolvers = {}): Listing {
  return new Listing(input, resolvers);
}
