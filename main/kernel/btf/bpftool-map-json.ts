// One entry of `bpftool map dump -j` (bpftool v7.1 map.c print_entry_json / do_dump_btf):
// raw hex key and value(s), plus the BTF-formatted "formatted" object when the map has BTF.
// Entries are written as bytes from a page of contiguous keys and values: the raw part is
// a per-map template whose hex digits are filled in, the formatted part comes from the
// compiled writers where the types allow and from the general formatter otherwise.

import type { Btf } from './btf.js';
import { bpftoolJson } from './bpftool-json.js';
import { compileBpftoolWriter, putBytes, type FastWriter } from './bpftool-fast-json.js';
import { ByteSink } from './byte-sink.js';
import { ValueFormatter } from './value.js';

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
}

/** Where the values of one entry lie in a page. */
export interface PageLayout {
  /** Bytes from one entry's values to the next's. */
  stride: number;
  /** Values per entry: possible CPUs for per-CPU maps, else 1; the CPUs' slots split the stride evenly. */
  cpus: number;
}

const PERCPU_HASH = 5;
const PERCPU_ARRAY = 6;
const LRU_PERCPU_HASH = 10;
const PERCPU_CGROUP_STORAGE = 21;

export function isPerCpuMap(type: number): boolean {
  return type === PERCPU_HASH || type === PERCPU_ARRAY || type === LRU_PERCPU_HASH || type === PERCPU_CGROUP_STORAGE;
}

const encoder = new TextEncoder();
const HEX_DIGITS = encoder.encode('0123456789abcdef');
const HEX_HIGH = Uint8Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b >> 4]!);
const HEX_LOW = Uint8Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b & 15]!);
/** `"0xNN",`: each hex item's width in the raw arrays. */
const HEX_ITEM_BYTES = 7;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;

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

/** The constant bytes around the compiled writers' output in the formatted part. */
interface FormattedFrame {
  /** `,"formatted":{"key":` (or without the key when the map has no key type). */
  head: Uint8Array;
  /** Before each CPU's value (one item when not per-CPU). */
  beforeValue: Uint8Array[];
  /** After each per-CPU value (`}`), empty otherwise. */
  afterValue: Uint8Array;
  /** Closes the formatted object and the entry. */
  tail: Uint8Array;
}

function formattedFrame(hasKey: boolean, cpus: number, perCpu: boolean): FormattedFrame {
  const head = encoder.encode(`,"formatted":{${hasKey ? '"key":' : ''}`);
  const sep = hasKey ? ',' : '';
  if (!perCpu) return { head, beforeValue: [encoder.encode(`${sep}"value":`)], afterValue: new Uint8Array(0), tail: encoder.encode('}}') };
  const beforeValue = Array.from({ length: cpus }, (_, cpu) => encoder.encode(`${cpu ? ',' : `${sep}"values":[`}{"cpu":${cpu},"value":`));
  return { head, beforeValue, afterValue: encoder.encode('}'), tail: encoder.encode(']}}') };
}

/** Formats entries of one map; keeps the type plans between entries. */
export class BpftoolMapDumper {
  private readonly formatter: ValueFormatter | undefined;
  private readonly valueTypeId: number;
  private readonly perCpu: boolean;
  /** Set when the whole formatted part (if any) comes from compiled writers. */
  private readonly fast: { key: FastWriter | undefined; value: FastWriter } | undefined;
  /** The templates of the last CPU count written (a map's count does not change). */
  private raw: RawTemplate | undefined;
  private frame: FormattedFrame | undefined;
  private framedCpus = -1;
  private maxEntryBytes = 0;
  private readonly scratch = new ByteSink(1024);

  /** `btf`: the map's BTF, or vmlinux BTF when btfVmlinuxValueTypeId is set; undefined for none. */
  constructor(private readonly map: MapShape, btf: Btf | undefined) {
    this.valueTypeId = map.btfVmlinuxValueTypeId || map.btfValueTypeId;
    this.perCpu = isPerCpuMap(map.type);
    // bpftool only loads BTF (and prints "formatted") when there is a value type.
    this.formatter = btf && this.valueTypeId ? new ValueFormatter(btf) : undefined;
    if (btf && this.formatter) {
      const key = map.btfKeyTypeId ? compileBpftoolWriter(btf, map.btfKeyTypeId, map.keySize) : undefined;
      const value = compileBpftoolWriter(btf, this.valueTypeId, map.valueSize);
      if (value && (key || !map.btfKeyTypeId)) this.fast = { key, value };
    }
  }

  /** True when every entry is written by compiled writers alone (no value tree, no string). */
  get compiled(): boolean {
    return !this.formatter || this.fast !== undefined;
  }

  private layoutFor(cpus: number): void {
    if (cpus === this.framedCpus) return;
    const { keySize, valueSize, btfKeyTypeId } = this.map;
    this.raw = rawTemplate(keySize, valueSize, cpus, this.perCpu);
    this.frame = this.formatter ? formattedFrame(btfKeyTypeId !== 0, cpus, this.perCpu) : undefined;
    this.framedCpus = cpus;
    let max = 1 + this.raw.bytes.length + 1;
    if (this.fast && this.frame) {
      const f = this.frame;
      max += f.head.length + (this.fast.key?.maxBytes ?? 0) + f.tail.length;
      max += f.beforeValue.reduce((n, b) => n + b.length + this.fast!.value.maxBytes + f.afterValue.length, 0);
    }
    this.maxEntryBytes = max;
  }

  /**
   * Writes the page's entries from index `from` into `sink`, comma-separated, with a comma
   * before the first when `leadingComma` (the entries continue an array), stopping once the
   * sink holds `budget` bytes; returns the index of the first entry not written.
   */
  pageInto(sink: ByteSink, page: MapEntryPage, layout: PageLayout, leadingComma: boolean, from = 0, budget = Infinity): number {
    const { cpus, stride } = layout;
    this.layoutFor(cpus);
    const keySize = this.map.keySize;
    const slot = this.perCpu ? stride / cpus : 0;
    const { keys, values, count } = page;
    let i = from;
    for (; i < count && sink.size < budget; i++) {
      const out = sink.room(this.maxEntryBytes);
      let at = sink.size;
      if (leadingComma || i > from) out[at++] = COMMA;
      at = this.writeRaw(out, at, keys, i * keySize, values, i * stride, slot);
      if (this.formatter && !this.fast) {
        sink.commit(at);
        this.generalFormatted(sink, keys, i * keySize, values, i * stride, slot);
        continue;
      }
      sink.commit(this.writeFormatted(out, at, keys, i * keySize, values, i * stride, slot));
    }
    return i;
  }

  /** The raw part: the template with each byte's two hex digits filled in. */
  private writeRaw(out: Uint8Array, at: number, keys: Uint8Array, keyAt: number, values: Uint8Array, valueAt: number, slot: number): number {
    const raw = this.raw!;
    const template = raw.bytes;
    out.set(template, at);
    const { keySize, valueSize } = this.map;
    let p = at + raw.keyDigits;
    for (let i = 0; i < keySize; i++, p += HEX_ITEM_BYTES) {
      const b = keys[keyAt + i]!;
      out[p] = HEX_HIGH[b]!;
      out[p + 1] = HEX_LOW[b]!;
    }
    const digits = raw.valueDigits;
    for (let cpu = 0; cpu < digits.length; cpu++) {
      p = at + digits[cpu]!;
      const from = valueAt + cpu * slot;
      for (let i = 0; i < valueSize; i++, p += HEX_ITEM_BYTES) {
        const b = values[from + i]!;
        out[p] = HEX_HIGH[b]!;
        out[p + 1] = HEX_LOW[b]!;
      }
    }
    return at + template.length;
  }

  /** The formatted part and the entry's end, by the compiled writers (or just `}` without BTF). */
  private writeFormatted(out: Uint8Array, at: number, keys: Uint8Array, keyAt: number, values: Uint8Array, valueAt: number, slot: number): number {
    const frame = this.frame;
    const fast = this.fast;
    if (!frame || !fast) {
      out[at] = CLOSE_BRACE;
      return at + 1;
    }
    at = putBytes(out, at, frame.head);
    if (fast.key) at = fast.key.write(out, at, keys, keyAt);
    const before = frame.beforeValue;
    const write = fast.value.write;
    for (let cpu = 0; cpu < before.length; cpu++) {
      at = write(out, putBytes(out, at, before[cpu]!), values, valueAt + cpu * slot);
      at = putBytes(out, at, frame.afterValue);
    }
    return putBytes(out, at, frame.tail);
  }

  /** The formatted part through the value tree, for types the compiled writers refuse. */
  private generalFormatted(sink: ByteSink, keys: Uint8Array, keyAt: number, values: Uint8Array, valueAt: number, slot: number): void {
    const f = this.formatter!;
    const { keySize, valueSize, btfKeyTypeId } = this.map;
    let out = ',"formatted":{';
    const done = () => sink.text(out + '}}');
    if (btfKeyTypeId) {
      const key = keys.subarray(keyAt, keyAt + keySize);
      const k = bpftoolJson(f.format(btfKeyTypeId, key), key);
      out += '"key":' + k.text;
      if (!k.ok) return done();
      out += ',';
    }
    const value = (cpu: number) => values.subarray(valueAt + cpu * slot, valueAt + cpu * slot + valueSize);
    if (!this.perCpu) {
      const v = value(0);
      out += '"value":' + bpftoolJson(f.format(this.valueTypeId, v), v).text;
    } else {
      out += '"values":[';
      for (let cpu = 0; cpu < this.framedCpus; cpu++) {
        const v = value(cpu);
        const r = bpftoolJson(f.format(this.valueTypeId, v), v);
        out += (cpu ? ',' : '') + `{"cpu":${cpu},"value":` + r.text + '}';
        if (!r.ok) break;
      }
      out += ']';
    }
    done();
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
