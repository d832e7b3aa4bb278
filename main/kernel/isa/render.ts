// Renderings of a listing: bpftool's plain text and the JSON the UI consumes.

import type { ListingEntry, ListingRows, MapReference, SourceLine } from './listing.js';
import { PagedJoin } from './paged-join.js';
import type { CallTarget } from './resolve.js';

export interface TextOptions {
  /** bpftool's `linum`: append `[file:… line_num:… line_col:…]` to source lines. */
  readonly linum?: boolean;
  /** bpftool's `opcodes`: print the raw bytes under each instruction. */
  readonly opcodes?: boolean;
}

/** Hex bytes separated by spaces, as bpftool's fprint_hex prints them. */
export function hexBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += (i === 0 ? '' : ' ') + (b < 16 ? '0' : '') + b.toString(16);
  }
  return out;
}

/** printf's `% 4d`: a space where the sign would be, then padded to four columns. */
function indexColumn(index: number): string {
  return ` ${index}`.padStart(4);
}

/** Appends the lines bpftool prints for the row at `position` (header, source line, instruction, opcodes). */
function pushRowLines(rows: ListingRows, position: number, options: TextOptions, out: PagedJoin): void {
  const header = rows.funcHeader(position);
  if (header !== undefined) out.push(`${header}:`);
  const source = rows.source(position);
  if (source !== undefined) {
    out.push(options.linum
      ? `; ${source.text} [file:${source.fileName} line_num:${source.line} line_col:${source.col}]`
      : `; ${source.text}`);
  }
  out.push(`${indexColumn(rows.index(position))}: ${rows.text(position)}`);
  if (options.opcodes) {
    const { bytes } = rows.entry(position);
    const first = hexBytes(bytes.subarray(0, 8));
    out.push(bytes.length > 8 ? `       ${first} ${hexBytes(bytes.subarray(8))}` : `       ${first}`);
  }
}

/** The listing as `bpftool prog dump xlated` prints it (with a final newline). */
export function renderListingText(rows: ListingRows, options: TextOptions = {}): string {
  const out = new PagedJoin('\n');
  for (let p = 0; p < rows.length; p++) pushRowLines(rows, p, options, out);
  return out.empty ? '' : `${out.join()}\n`;
}

export interface JsonCallTarget {
  readonly callee: CallTarget['callee'];
  readonly name?: string;
  /** Hex, without 0x (64-bit addresses do not fit a JSON number). */
  readonly address?: string;
  readonly target?: number;
}

/** One listing entry as JSON: what the UI's bytecode view consumes. */
export interface JsonListingEntry {
  readonly index: number;
  readonly bytes: string;
  readonly class: string;
  readonly kind: string;
  readonly text: string;
  readonly funcHeader?: string;
  readonly source?: { readonly file: string; readonly line: number; readonly col: number; readonly text: string };
  readonly jumpTarget?: number;
  readonly call?: JsonCallTarget;
  readonly map?: MapReference;
  readonly problem?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function callJson(call: CallTarget): JsonCallTarget {
  const json: Mutable<JsonCallTarget> = { callee: call.callee };
  if (call.name !== undefined) json.name = call.name;
  if (call.address !== undefined) json.address = call.address.toString(16);
  if (call.target !== undefined) json.target = call.target;
  return json;
}

function entryJson(entry: ListingEntry): JsonListingEntry {
  const json: Mutable<JsonListingEntry> = {
    index: entry.index,
    bytes: hexBytes(entry.bytes),
    class: entry.opcodeClass,
    kind: entry.instruction.kind,
    text: entry.text,
  };
  if (entry.funcHeader !== undefined) json.funcHeader = entry.funcHeader;
  const { source } = entry;
  if (source !== undefined) json.source = { file: source.fileName, line: source.line, col: source.col, text: source.text };
  if (entry.jumpTarget !== undefined) json.jumpTarget = entry.jumpTarget;
  if (entry.call !== undefined) json.call = callJson(entry.call);
  if (entry.map !== undefined) json.map = entry.map;
  if (entry.problem !== undefined) json.problem = entry.problem;
  return json;
}

/** Rows `from`..`to` (exclusive) of the structured listing as plain JSON-safe objects; all by default. */
export function listingToJson(rows: ListingRows, from = 0, to = rows.length): JsonListingEntry[] {
  const out: JsonListingEntry[] = [];
  for (let p = Math.max(0, from); p < Math.min(to, rows.length); p++) out.push(entryJson(rows.entry(p)));
  return out;
}

/** bpftool's `opcodes` object: the instruction's fields as hex strings, ld_imm64's imm with the second slot. */
export interface BpftoolOpcodesJson {
  readonly code: string;
  readonly src_reg: string;
  readonly dst_reg: string;
  readonly off: readonly string[];
  readonly imm: readonly string[];
}

/**
 * One instruction of `dump prog --json`: the keys and values of `bpftool prog dump xlated -j`
 * (with `linum`, `opcodes`) in bpftool's order, then ours.
 */
export interface BpftoolListingJson {
  readonly proto?: string;
  readonly src?: string;
  readonly file?: string;
  readonly line_num?: number;
  readonly line_col?: number;
  readonly disasm: string;
  readonly opcodes?: BpftoolOpcodesJson;
  readonly index: number;
  readonly class: string;
  readonly kind: string;
  readonly bytes: string;
  readonly jump_target?: number;
  readonly call?: JsonCallTarget;
  readonly map?: { readonly by: MapReference['by']; readonly value: number; readonly value_offset?: number; readonly map?: MapReference['map'] };
  readonly problem?: string;
  /** The kernel-internal encoding this instruction was dumped in (e.g. `zext`). */
  readonly internal?: string;
}

/** print_hex_data_json: each byte as `0x%02hhx`. */
function hexByteList(bytes: Uint8Array): string[] {
  return Array.from(bytes, (b) => `0x${b < 16 ? '0' : ''}${b.toString(16)}`);
}

/** xlated_dumper.c's opcodes object; ld_imm64 prints its imm and the whole second slot (12 bytes). */
function opcodesJson(bytes: Uint8Array): BpftoolOpcodesJson {
  return {
    code: `0x${bytes[0] < 16 ? '0' : ''}${bytes[0].toString(16)}`,
    src_reg: `0x${(bytes[1] >> 4).toString(16)}`,
    dst_reg: `0x${(bytes[1] & 0x0f).toString(16)}`,
    off: hexByteList(bytes.subarray(2, 4)),
    imm: hexByteList(bytes.subarray(4)),
  };
}

/** btf_dump_linfo_json: `src`, and with linum `file`, `line_num`, `line_col` (a zero line or column left out). */
function sourceJson(source: SourceLine | undefined, options: TextOptions): Pick<BpftoolListingJson, 'src' | 'file' | 'line_num' | 'line_col'> {
  if (source === undefined) return {};
  if (!options.linum) return { src: source.text };
  return {
    src: source.text,
    file: source.fileName,
    ...(source.line !== 0 ? { line_num: source.line } : {}),
    ...(source.col !== 0 ? { line_col: source.col } : {}),
  };
}

function bpftoolEntryJson(entry: ListingEntry, options: TextOptions): BpftoolListingJson {
  const map = entry.map;
  return {
    ...(entry.funcHeader !== undefined ? { proto: entry.funcHeader } : {}),
    ...sourceJson(entry.source, options),
    disasm: entry.text,
    ...(options.opcodes ? { opcodes: opcodesJson(entry.bytes) } : {}),
    index: entry.index,
    class: entry.opcodeClass,
    kind: entry.instruction.kind,
    bytes: hexBytes(entry.bytes),
    ...(entry.jumpTarget !== undefined ? { jump_target: entry.jumpTarget } : {}),
    ...(entry.call !== undefined ? { call: callJson(entry.call) } : {}),
    ...(map !== undefined ? {
      map: { by: map.by, value: map.value, ...(map.valueOffset !== undefined ? { value_offset: map.valueOffset } : {}), ...(map.map !== undefined ? { map: map.map } : {}) },
    } : {}),
    ...(entry.problem !== undefined ? { problem: entry.problem } : {}),
    ...(entry.instruction.internal !== undefined ? { internal: entry.instruction.internal } : {}),
  };
}

/** Rows `from`..`to` (exclusive) as `dump prog --json` prints them; all by default. */
export function listingToBpftoolJson(rows: ListingRows, options: TextOptions = {}, from = 0, to = rows.length): BpftoolListingJson[] {
  const out: BpftoolListingJson[] = [];
  for (let p = Math.max(0, from); p < Math.min(to, rows.length); p++) out.push(bpftoolEntryJson(rows.entry(p), options));
  return out;
}

const JSON_PAGE_ROWS = 1024;

/**
 * `dump prog --json`: `JSON.stringify(listingToBpftoolJson(rows, options))` without holding
 * every row's object at once.
 */
export function listingJsonText(rows: ListingRows, options: TextOptions = {}): string {
  const pages: string[] = [];
  for (let from = 0; from < rows.length; from += JSON_PAGE_ROWS) {
    // One stringify per page: its brackets dropped, pages joined like the rows within them.
    pages.push(JSON.stringify(listingToBpftoolJson(rows, options, from, from + JSON_PAGE_ROWS)).slice(1, -1));
  }
  return `[${pages.join(',')}]`;
}
