// Renderings of a listing: bpftool's plain text and the JSON the UI consumes.

import type { ListingEntry, ListingRows, MapReference } from './listing.js';
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

const JSON_PAGE_ROWS = 1024;

/**
 * The structured listing as JSON text, as `JSON.stringify(listingToJson(rows))` writes it but
 * without holding every row's object at once.
 */
export function listingJsonText(rows: ListingRows): string {
  const pages: string[] = [];
  for (let from = 0; from < rows.length; from += JSON_PAGE_ROWS) {
    // One stringify per page: its brackets dropped, pages joined like the rows within them.
    pages.push(JSON.stringify(listingToJson(rows, from, from + JSON_PAGE_ROWS)).slice(1, -1));
  }
  return `[${pages.join(',')}]`;
}
