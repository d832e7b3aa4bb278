// Renderings of a listing: bpftool's plain text and the JSON the UI consumes.

import type { Listing, ListingEntry, MapReference } from './listing.js';
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

/** The lines bpftool prints for one entry (header, source line, instruction, opcodes). */
export function entryTextLines(entry: ListingEntry, options: TextOptions = {}): string[] {
  const lines: string[] = [];
  if (entry.funcHeader !== undefined) lines.push(`${entry.funcHeader}:`);
  if (entry.source !== undefined) {
    const { source } = entry;
    lines.push(options.linum
      ? `; ${source.text} [file:${source.fileName} line_num:${source.line} line_col:${source.col}]`
      : `; ${source.text}`);
  }
  lines.push(`${indexColumn(entry.index)}: ${entry.text}`);
  if (options.opcodes) {
    const first = hexBytes(entry.bytes.subarray(0, 8));
    lines.push(entry.bytes.length > 8 ? `       ${first} ${hexBytes(entry.bytes.subarray(8))}` : `       ${first}`);
  }
  return lines;
}

/** The listing as `bpftool prog dump xlated` prints it (with a final newline). */
export function renderListingText(listing: Listing, options: TextOptions = {}): string {
  const out: string[] = [];
  for (const entry of listing.entries) for (const line of entryTextLines(entry, options)) out.push(line);
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
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

/** The structured listing as plain JSON-safe objects. */
export function listingToJson(listing: Listing): JsonListingEntry[] {
  return listing.entries.map(entryJson);
}
