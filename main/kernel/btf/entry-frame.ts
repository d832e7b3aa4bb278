// The BTF part of one map entry as bpftool's do_dump_btf writes it: `{"key": …, "value": …}`
// or, for per-CPU maps, `"values": [{"cpu": 0, "value": …}, …]`, in JSON or text form. Its
// constant bytes come from replaying json_writer once per map; the key and values come
// from the compiled writers, which bpftool's stopping rules may cut short (a key that stops
// leaves the value out, a value that stops ends the CPU list).

import { putBytes } from './value-leaves.js';
import { constantSource, JsonwReplay, type ValueWriteFn, type ValueWriter, type ValueWriters } from './value-writer.js';

export interface FrameTypes {
  keyTypeId: number;
  valueTypeId: number;
  keySize: number;
  valueSize: number;
}

/** Constant segments with a value written between each two: slots[i] goes after segments[i]. */
export interface EntryFrame {
  segments: Uint8Array[];
  /** -1: the key; n >= 0: the value of CPU n (0 when not per-CPU). */
  slots: number[];
  writers: ValueWriter[];
  maxBytes: number;
}

/**
 * Builds the frame into `r`, whose state is where bpftool is when do_dump_btf starts; what
 * `r` holds before is the frame's first segment, what it holds after is left in `r`.
 */
export function buildEntryFrame(r: JsonwReplay, writers: ValueWriters, types: FrameTypes, cpus: number, perCpu: boolean): EntryFrame {
  const text = r.pretty;
  const segments: Uint8Array[] = [];
  const slots: number[] = [];
  const frameWriters: ValueWriter[] = [];
  const slot = (which: number, id: number, size: number): ValueWriter => {
    segments.push(r.take());
    const w = writers.writer(id, size, { text, depth: text ? r.depth : 0 });
    slots.push(which);
    frameWriters.push(w);
    r.sep = w.sepAfter;
    return w;
  };
  r.begin('{');
  let keyStops = false;
  if (types.keyTypeId) {
    r.name('key');
    keyStops = slot(-1, types.keyTypeId, types.keySize).stops;
  }
  if (!keyStops) {
    if (!perCpu) {
      r.name('value');
      slot(0, types.valueTypeId, types.valueSize);
    } else {
      r.name('values');
      r.begin('[');
      for (let cpu = 0; cpu < cpus; cpu++) {
        r.begin('{');
        r.name('cpu');
        r.printf(String(cpu));
        r.name('value');
        const w = slot(cpu, types.valueTypeId, types.valueSize);
        r.end('}');
        if (w.stops) break;
      }
      r.end(']');
    }
  }
  r.end('}');
  const maxBytes = segments.reduce((n, s) => n + s.length, 0) + frameWriters.reduce((n, w) => n + w.maxBytes, 0);
  return { segments, slots, writers: frameWriters, maxBytes };
}

/**
 * Writes an entry's frame, its values (keys[keyAt…], values[valueAt + cpu * slotBytes…]) and
 * the tail after it into out at `at` (`view`: out's bytes as a DataView; `keyView`,
 * `valueView`: the sources'); returns the end.
 */
export type EntryWriteFn = (
  out: Uint8Array, view: DataView, at: number,
  keys: Uint8Array, keyView: DataView, keyAt: number, values: Uint8Array, valueView: DataView, valueAt: number, slotBytes: number,
) => number;

type EntryFactory = (P: typeof putBytes, C: Uint8Array[], W: ValueWriteFn[]) => EntryWriteFn;

/**
 * The frame and `tail` (what the caller's replay holds after the frame) as one generated
 * function: each segment's bytes stored four at a time, where a loop stored them one by one
 * (a profile of a per-CPU hash dump had the loops' function at 240 ns an entry), and each
 * value's writer called from a call site of its own.
 */
export function compileEntryFrame(frame: EntryFrame, tail: Uint8Array): EntryWriteFn {
  const consts: Uint8Array[] = [];
  let body = '';
  frame.slots.forEach((which, i) => {
    body += constantSource(frame.segments[i]!, consts);
    body += which < 0 ? `at=W${i}(out,at,k,ko,dv,kv);` : `at=W${i}(out,at,v,vo${which ? `+${which}*sb` : ''},dv,vv);`;
  });
  body += constantSource(tail, consts);
  const writers = frame.writers.map((w, i) => `W${i}=W[${i}]`).join(',');
  const factory = new Function('P', 'C', 'W', `"use strict";${writers ? `const ${writers};` : ''}return function(out,dv,at,k,kv,ko,v,vv,vo,sb){${body}return at;};`) as EntryFactory;
  return factory(putBytes, consts, frame.writers.map((w) => w.write));
}
