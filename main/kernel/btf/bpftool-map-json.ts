// One entry of `bpftool map dump -j` (bpftool v7.1 map.c print_entry_json / do_dump_btf):
// raw hex key and value(s), plus the BTF-formatted "formatted" object when the map has a
// value type. Entries are written as bytes from a page of contiguous keys and values: the
// raw part is a per-map template whose hex digits are filled in, the formatted part is the
// entry frame (entry-frame.ts) around the compiled writers of the key and value types.

import { strerror } from '../errno.js';
import { isPerCpuMap } from '../maps/map-kind.js';
import type { Btf } from './btf.js';
import { ByteSink } from './byte-sink.js';
import { viewOf } from './decimal-bytes.js';
import { buildEntryFrame, compileEntryFrame, type EntryWriteFn } from './entry-frame.js';
import { JsonwReplay, ValueWriters } from './value-writer.js';

export interface MapShape {
  /** enum bpf_map_type number. */
  type: number;
  keySize: number;
  valueSize: number;
  btfKeyTypeId: number;
  btfValueTypeId: number;
  /** Set for struct_ops maps: the value type lives in vmlinux BTF (pass that BTF). */
  btfVmlinuxValueTypeId?: number;
}

/** Entries as a map read gives them: `count` keys back to back, values `stride` bytes apart. */
export interface MapEntryPage {
  keys: Uint8Array;
  values: Uint8Array;
  count: number;
  /** Per entry, 0 or the errno the kernel refused its lookup with (absent: every lookup succeeded). */
  errors?: Int32Array;
}

/** Where the values of one entry lie in a page. */
export interface PageLayout {
  /** Bytes from one entry's values to the next's. */
  stride: number;
  /** Values per entry: possible CPUs for per-CPU maps, else 1; the CPUs' slots split the stride evenly. */
  cpus: number;
}

const PROG_ARRAY = 3;
const ARRAY_OF_MAPS = 12;
const HASH_OF_MAPS = 13;
const REUSEPORT_SOCKARRAY = 20;
const ENOENT = 2;
const ENOSPC = 28;

/** What bpftool prints for a slot whose lookup failed (print_entry_error). */
export interface LookupErrorText {
  /** The `"error"` of the JSON entry: strerror. */
  json: string;
  /** The text dump's value: `<no entry>` for ENOENT, `<cannot read>` for a reuseport array's ENOSPC, else strerror. */
  text: string;
}

/**
 * bpftool's words for a lookup of a `type` map that failed with `errno`; undefined where it
 * prints nothing (an empty prog_array or map-in-map slot).
 */
export function lookupErrorText(type: number, errno: number): LookupErrorText | undefined {
  if (errno === ENOENT && (type === PROG_ARRAY || type === ARRAY_OF_MAPS || type === HASH_OF_MAPS)) return undefined;
  const json = strerror(errno);
  if (errno === ENOENT) return { json, text: '<no entry>' };
  if (errno === ENOSPC && type === REUSEPORT_SOCKARRAY) return { json, text: '<cannot read>' };
  return { json, text: json };
}

/** The value type bpftool formats with (struct_ops maps: a vmlinux type). */
export function formattedValueType(map: MapShape): number {
  return map.btfVmlinuxValueTypeId || map.btfValueTypeId;
}

const encoder = new TextEncoder();
const HEX_DIGITS = encoder.encode('0123456789abcdef');
const HEX_HIGH = Uint8Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b >> 4]!);
const HEX_LOW = Uint8Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b & 15]!);
/** A byte's two hex digits as one little-endian 16-bit word: one store writes both. */
const HEX_PAIR = Uint16Array.from({ length: 256 }, (_, b) => HEX_HIGH[b]! | (HEX_LOW[b]! << 8));
/** `"0xNN",`: each hex item's width in the raw arrays. */
const HEX_ITEM_BYTES = 7;
const COMMA = 0x2c;

/** `["0x01","0x02",…]`, bpftool's rendering of raw bytes (print_hex_data_json). */
export function bpftoolHexArray(bytes: Uint8Array, offset = 0, length = bytes.length - offset): string {
  let out = '[';
  const end = Math.min(bytes.length, offset + length);
  for (let i = offset; i < end; i++) out += `${i > offset ? ',' : ''}"0x${String.fromCharCode(HEX_HIGH[bytes[i]!]!, HEX_LOW[bytes[i]!]!)}"`;
  return out + ']';
}

/**
 * The two hex digits of each of `length` source bytes from `from`, into the items of a raw
 * array whose first digits are at `p`, HEX_ITEM_BYTES apart: the source read four bytes a load.
 */
function hexDigitsInto(view: DataView, p: number, source: DataView, from: number, length: number): void {
  let i = 0;
  for (; i + 4 <= length; i += 4, p += 4 * HEX_ITEM_BYTES) {
    const w = source.getUint32(from + i, true);
    view.setUint16(p, HEX_PAIR[w & 0xff]!, true);
    view.setUint16(p + HEX_ITEM_BYTES, HEX_PAIR[(w >>> 8) & 0xff]!, true);
    view.setUint16(p + 2 * HEX_ITEM_BYTES, HEX_PAIR[(w >>> 16) & 0xff]!, true);
    view.setUint16(p + 3 * HEX_ITEM_BYTES, HEX_PAIR[w >>> 24]!, true);
  }
  for (; i < length; i++, p += HEX_ITEM_BYTES) view.setUint16(p, HEX_PAIR[source.getUint8(from + i)]!, true);
}

/**
 * The fixed bytes of an entry's raw part for one CPU count, from `{"key":[` to the end of
 * the value array(s), with the positions where each array's first hex digit goes.
 */
interface RawTemplate {
  bytes: Uint8Array;
  keyDigits: number;
  /** One per CPU. */
  valueDigits: number[];
}

function rawTemplate(keySize: number, valueSize: number, cpus: number, perCpu: boolean): RawTemplate {
  const items = (n: number) => Array.from({ length: n }, () => '"0x__"').join(',');
  let text = '{"key":[';
  const keyDigits = text.length + 3;
  text += items(keySize) + ']';
  const valueDigits: number[] = [];
  if (!perCpu) {
    text += ',"value":[';
    valueDigits.push(text.length + 3);
    text += items(valueSize) + ']';
  } else {
    text += ',"values":[';
    for (let cpu = 0; cpu < cpus; cpu++) {
      text += `${cpu ? ',' : ''}{"cpu":${cpu},"value":[`;
      valueDigits.push(text.length + 3);
      text += items(valueSize) + ']}';
    }
    text += ']';
  }
  return { bytes: encoder.encode(text), keyDigits, valueDigits };
}

/** The formatted part: `,"formatted":` and the entry frame, then the tail closing the entry. */
interface Formatted {
  write: EntryWriteFn;
  maxBytes: number;
}

/** Formats entries of one map; builds its writers once, on the first page. */
export class BpftoolMapDumper {
  private readonly writers: ValueWriters | undefined;
  private readonly perCpu: boolean;
  /** The templates of the last CPU count written (a map's count does not change). */
  private raw: RawTemplate | undefined;
  private formatted: Formatted | undefined;
  private framedCpus = -1;
  private maxEntryBytes = 0;
  private readonly scratch = new ByteSink(1024);

  /** `btf`: the map's BTF, or vmlinux BTF when btfVmlinuxValueTypeId is set; undefined for none. */
  constructor(private readonly map: MapShape, btf: Btf | undefined) {
    this.perCpu = isPerCpuMap(map.type);
    // bpftool only loads BTF (and prints "formatted") when there is a value type.
    this.writers = btf && formattedValueType(map) ? new ValueWriters(btf) : undefined;
  }

  private layoutFor(cpus: number): void {
    if (cpus === this.framedCpus) return;
    const { keySize, valueSize, btfKeyTypeId } = this.map;
    this.raw = rawTemplate(keySize, valueSize, cpus, this.perCpu);
    this.formatted = undefined;
    if (this.writers) {
      const r = new JsonwReplay(0, false);
      r.sep = true;
      r.name('formatted');
      const frame = buildEntryFrame(r, this.writers, { keyTypeId: btfKeyTypeId, valueTypeId: formattedValueType(this.map), keySize, valueSize }, cpus, this.perCpu);
      r.text('}');
      const tail = r.take();
      this.formatted = { write: compileEntryFrame(frame, tail), maxBytes: frame.maxBytes + tail.length };
    }
    this.framedCpus = cpus;
    this.maxEntryBytes = 1 + this.raw.bytes.length + 1 + (this.formatted ? this.formatted.maxBytes : 0);
  }

  /**
   * Writes the page's entries from index `from` into `sink`, comma-separated, with a comma
   * before the first when `leadingComma` (the entries continue an array), stopping once the
   * sink holds `budget` bytes; returns the index of the first entry not written. A slot whose
   * lookup failed is bpftool's error entry, or nothing where bpftool prints none.
   */
  pageInto(sink: ByteSink, page: MapEntryPage, layout: PageLayout, leadingComma: boolean, from = 0, budget = Infinity): number {
    const { cpus, stride } = layout;
    this.layoutFor(cpus);
    const keySize = this.map.keySize;
    const slot = this.perCpu ? stride / cpus : 0;
    const { keys, values, count, errors } = page;
    const keyView = viewOf(keys);
    const valueView = viewOf(values);
    const formatted = this.formatted;
    let comma = leadingComma;
    let i = from;
    for (; i < count && sink.size < budget; i++) {
      if (errors && errors[i] !== 0) {
        const text = this.errorEntry(keys.subarray(i * keySize, (i + 1) * keySize), errors[i]!);
        if (text === undefined) continue;
        if (comma) sink.text(',');
        sink.text(text);
        comma = true;
        continue;
      }
      const out = sink.room(this.maxEntryBytes);
      let at = sink.size;
      if (comma) out[at++] = COMMA;
      comma = true;
      at = this.writeRaw(out, sink.view, at, keyView, i * keySize, valueView, i * stride, slot);
      if (formatted) {
        at = formatted.write(out, sink.view, at, keys, keyView, i * keySize, values, valueView, i * stride, slot);
      } else {
        out[at++] = 0x7d;
      }
      sink.commit(at);
    }
    return i;
  }

  /** The raw part: the template with each byte's two hex digits filled in (through `view`, out's bytes). */
  private writeRaw(out: Uint8Array, view: DataView, at: number, keyView: DataView, keyAt: number, valueView: DataView, valueAt: number, slot: number): number {
    const raw = this.raw!;
    const template = raw.bytes;
    out.set(template, at);
    const { keySize, valueSize } = this.map;
    hexDigitsInto(view, at + raw.keyDigits, keyView, keyAt, keySize);
    const digits = raw.valueDigits;
    for (let cpu = 0; cpu < digits.length; cpu++) hexDigitsInto(view, at + digits[cpu]!, valueView, valueAt + cpu * slot, valueSize);
    return at + template.length;
  }

  /** The JSON entry of a slot whose lookup failed with `errno`; undefined where bpftool prints none. */
  errorEntry(key: Uint8Array, errno: number): string | undefined {
    const error = lookupErrorText(this.map.type, errno);
    return error && `{"key":${bpftoolHexArray(key, 0, this.map.keySize)},"value":{"error":"${error.json}"}}`;
  }

  /** The entry's JSON text; `values` holds one buffer per possible CPU for per-CPU maps. */
  entry(key: Uint8Array, values: readonly Uint8Array[]): string {
    const { keySize, valueSize } = this.map;
    const cpus = this.perCpu ? values.length : 1;
    const keys = new Uint8Array(keySize);
    keys.set(key.subarray(0, keySize));
    const packed = new Uint8Array(valueSize * cpus);
    for (let cpu = 0; cpu < cpus; cpu++) {
      const v = values[cpu];
      if (v) packed.set(v.subarray(0, valueSize), cpu * valueSize);
    }
    this.pageInto(this.scratch, { keys, values: packed, count: 1 }, { stride: valueSize * cpus, cpus }, false);
    return this.scratch.drainText();
  }
}

/** One entry as bpftool prints it (creates a dumper; use BpftoolMapDumper for many entries). */
export function bpftoolMapEntry(map: MapShape, btf: Btf | undefined, key: Uint8Array, values: readonly Uint8Array[]): string {
  return new BpftoolMapDumper(map, btf).entry(key, values);
}

/** A whole `bpftool map dump -j` output from its entries. */
export function bpftoolMapDump(entries: readonly string[]): string {
  return '[' + entries.join(',') + ']';
}

/** What bpftool writes, unquoted, where it meets a type it does not print (a float) and stops. */
const UNSUPPORTED = '(unsupported-kind';

/**
 * An entry of bpftool's JSON made JSON for formats of our own (watch lines, MCP answers): where
 * bpftool stops at a type it does not print, its bare `(unsupported-kind` becomes `null`. Only
 * the token outside strings is replaced: a char array may hold the same letters.
 */
export function bpftoolEntryAsJson(entry: string): string {
  if (!entry.includes(UNSUPPORTED)) return entry;
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < entry.length; i++) {
    const c = entry.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x28 && entry.startsWith(UNSUPPORTED, i)) {
      out += `${entry.slice(from, i)}null`;
      from = i + UNSUPPORTED.length;
      i = from - 1;
    }
  }
  return out + entry.slice(from);
}
