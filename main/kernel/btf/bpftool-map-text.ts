// `bpftool map dump` in plain text (bpftool v7.1 map.c), written as bytes from pages of
// entries. A map with BTF goes through bpftool's pretty json_writer: `[`, then each entry's
// do_dump_btf frame around the compiled writers in text style, then `]`. A map without it
// prints print_entry_plain's hex blocks and "Found N elements". Slots whose lookup fails
// print print_entry_error_msg's lines in either case. `bpftool map lookup` and `map peek` print
// one entry the same ways (print_key_value): at the top level of its own writer, no brackets.

import type { Btf } from './btf.js';
import { isPerCpuMap } from '../maps/map-kind.js';
import { formattedValueType, lookupErrorText, type MapEntryPage, type MapShape, type PageLayout } from './bpftool-map-json.js';
import type { ByteSink } from './byte-sink.js';
import { viewOf } from './decimal-bytes.js';
import { buildEntryFrame, compileEntryFrame, type EntryWriteFn } from './entry-frame.js';
import { JsonwReplay, ValueWriters } from './value-writer.js';

const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, b) => encoder.encode(b.toString(16).padStart(2, '0')));
const NEWLINE = 0x0a;
const SPACE = 0x20;
const COMMA = 0x2c;

/** fprint_hex: bytes joined by a space, two spaces every 8, a newline every 16; returns the end. */
function writeHexBlock(out: Uint8Array, at: number, s: Uint8Array, o: number, n: number): number {
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      if (i % 16 === 0) out[at++] = NEWLINE;
      else {
        out[at++] = SPACE;
        if (i % 8 === 0) out[at++] = SPACE;
      }
    }
    const h = HEX[s[o + i]!]!;
    out[at] = h[0]!;
    out[at + 1] = h[1]!;
    at += 2;
  }
  return at;
}

function putText(out: Uint8Array, at: number, text: string): number {
  return at + encoder.encodeInto(text, out.subarray(at)).written;
}

export interface TextMapShape extends MapShape {
  /** The map's BTF object id: bpftool takes its JSON writer for any map that has one. */
  btfId: number;
}

/** What the dumper prints: a whole map (`map dump`) or one entry (`map lookup`, `map peek`). */
export type BpftoolTextForm = 'dump' | 'lookup';

/** bpftool's text for a lookup or peek that found nothing (do_lookup on ENOENT): stdout, exit status 254. */
export function bpftoolLookupMissText(key: Uint8Array): string {
  const out = new Uint8Array(key.length * 4 + 16);
  const at = writeHexBlock(out, 0, key, 0, key.length);
  return `key:\n${new TextDecoder().decode(out.subarray(0, at))}\n\nNot found\n`;
}

export class BpftoolTextDumper {
  private readonly writers: ValueWriters | undefined;
  private readonly perCpu: boolean;
  /** bpftool's maps_have_btf: the output is a pretty JSON array. */
  private readonly bracketed: boolean;
  private frame: { write: EntryWriteFn; maxBytes: number } | undefined;
  private framedCpus = -1;
  /** json_writer's separator: a BTF entry has been written. */
  private sep = false;
  /** Entries printed (bpftool's num_elems: lookups that failed are not counted). */
  count = 0;

  constructor(private readonly map: TextMapShape, btf: Btf | undefined, private readonly form: BpftoolTextForm = 'dump') {
    this.perCpu = isPerCpuMap(map.type);
    this.bracketed = form === 'dump' && map.btfId !== 0;
    this.writers = btf && formattedValueType(map) ? new ValueWriters(btf) : undefined;
  }

  /** What comes before the first entry. */
  header(): string {
    return this.bracketed ? '[' : '';
  }

  /** What comes after the last. */
  footer(): string {
    // A lookup's entry ends its own writer (jsonw_destroy's newline) or its hex block's line.
    if (this.form === 'lookup') return this.writers ? '\n' : '';
    if (this.bracketed) return this.sep ? '\n]\n' : ']\n';
    return `Found ${this.count} element${this.count === 1 ? '' : 's'}\n`;
  }

  private frameFor(cpus: number): { write: EntryWriteFn; maxBytes: number } | undefined {
    if (!this.writers) return undefined;
    if (cpus !== this.framedCpus) {
      const { keySize, valueSize, btfKeyTypeId } = this.map;
      const r = new JsonwReplay(this.form === 'dump' ? 1 : 0, true);
      const frame = buildEntryFrame(r, this.writers, { keyTypeId: btfKeyTypeId, valueTypeId: formattedValueType(this.map), keySize, valueSize }, cpus, this.perCpu);
      const tail = r.take();
      this.frame = { write: compileEntryFrame(frame, tail), maxBytes: frame.maxBytes + tail.length };
      this.framedCpus = cpus;
    }
    return this.frame;
  }

  /** Bytes one entry can take. */
  private maxEntryBytes(cpus: number): number {
    const f = this.frameFor(cpus);
    if (f) return 1 + f.maxBytes;
    const { keySize, valueSize } = this.map;
    // Each byte: two digits and up to two separators; plus the labels.
    return 32 + keySize * 4 + cpus * (24 + valueSize * 4);
  }

  /**
   * Writes the page's entries from `from` until the sink holds `budget` bytes; returns the
   * first not written. A slot whose lookup failed prints bpftool's error lines (or nothing).
   */
  pageInto(sink: ByteSink, page: MapEntryPage, layout: PageLayout, from = 0, budget = Infinity): number {
    const { cpus, stride } = layout;
    const f = this.frameFor(cpus);
    const max = this.maxEntryBytes(cpus);
    const { keySize } = this.map;
    const slot = this.perCpu ? stride / cpus : 0;
    const { keys, values, count, errors } = page;
    const keyView = viewOf(keys);
    const valueView = viewOf(values);
    let i = from;
    for (; i < count && sink.size < budget; i++) {
      if (errors && errors[i] !== 0) {
        const error = lookupErrorText(this.map.type, errors[i]!);
        if (error) this.errorInto(sink, keys.subarray(i * keySize, (i + 1) * keySize), error.text);
        continue;
      }
      const out = sink.room(max);
      let at = sink.size;
      if (f) {
        if (this.sep) out[at++] = COMMA;
        at = f.write(out, sink.view, at, keys, keyView, i * keySize, values, valueView, i * stride, slot);
        this.sep = true;
      } else {
        at = this.writePlain(out, at, keys, i * keySize, values, i * stride, slot, cpus);
      }
      this.count++;
      sink.commit(at);
    }
    return i;
  }

  /** print_entry_plain. */
  private writePlain(out: Uint8Array, at: number, keys: Uint8Array, keyAt: number, values: Uint8Array, valueAt: number, slot: number, cpus: number): number {
    const { keySize, valueSize } = this.map;
    if (!this.perCpu) {
      const breakNames = keySize > 16 || valueSize > 16;
      const singleLine = keySize + valueSize <= 24 && !breakNames;
      if (keySize) {
        at = putText(out, at, breakNames ? 'key:\n' : 'key: ');
        at = writeHexBlock(out, at, keys, keyAt, keySize);
        at = putText(out, at, singleLine ? '  ' : '\n');
      }
      if (valueSize) {
        at = putText(out, at, breakNames ? 'value:\n' : 'value: ');
        at = writeHexBlock(out, at, values, valueAt, valueSize);
      }
      out[at++] = NEWLINE;
      return at;
    }
    if (keySize) {
      at = putText(out, at, 'key:\n');
      at = writeHexBlock(out, at, keys, keyAt, keySize);
      out[at++] = NEWLINE;
    }
    if (valueSize) {
      for (let cpu = 0; cpu < cpus; cpu++) {
        at = putText(out, at, `value (CPU ${String(cpu).padStart(2, '0')}):${valueSize > 16 ? '\n' : ' '}`);
        at = writeHexBlock(out, at, values, valueAt + cpu * slot, valueSize);
        out[at++] = NEWLINE;
      }
    }
    return at;
  }

  /** print_entry_error_msg: a slot whose lookup failed, with bpftool's message for it. */
  private errorInto(sink: ByteSink, key: Uint8Array, message: string): void {
    const keySize = this.map.keySize;
    const breakNames = keySize > 16 || message.length > 16;
    const singleLine = keySize + message.length <= 24 && !breakNames;
    const out = sink.room(32 + keySize * 4 + message.length * 3);
    let at = putText(out, sink.size, breakNames ? 'key:\n' : 'key: ');
    at = writeHexBlock(out, at, key, 0, keySize);
    at = putText(out, at, `${singleLine ? '  ' : '\n'}value:${breakNames ? '\n' : ' '}${message}\n`);
    sink.commit(at);
  }
}
