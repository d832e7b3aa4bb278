// One entry of `bpftool map dump -j` (bpftool v7.1 map.c print_entry_json / do_dump_btf):
// raw hex key and value(s), plus the BTF-formatted "formatted" object when the map has BTF.

import type { Btf } from './btf.js';
import { bpftoolHexArray, bpftoolJson } from './bpftool-json.js';
import { compileBpftoolWriter, type FastValueWriter } from './bpftool-fast-json.js';
import type { ByteSink } from './byte-sink.js';
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

const PERCPU_HASH = 5;
const PERCPU_ARRAY = 6;
const LRU_PERCPU_HASH = 10;
const PERCPU_CGROUP_STORAGE = 21;

export function isPerCpuMap(type: number): boolean {
  return type === PERCPU_HASH || type === PERCPU_ARRAY || type === LRU_PERCPU_HASH || type === PERCPU_CGROUP_STORAGE;
}

/** Formats entries of one map; keeps the type plans between entries. */
export class BpftoolMapDumper {
  private readonly formatter: ValueFormatter | undefined;
  private readonly valueTypeId: number;
  private readonly fastKey: FastValueWriter | undefined;
  private readonly fastValue: FastValueWriter | undefined;

  /** `btf`: the map's BTF, or vmlinux BTF when btfVmlinuxValueTypeId is set; undefined for none. */
  constructor(private readonly map: MapShape, btf: Btf | undefined) {
    this.valueTypeId = map.btfVmlinuxValueTypeId || map.btfValueTypeId;
    // bpftool only loads BTF (and prints "formatted") when there is a value type.
    this.formatter = btf && this.valueTypeId ? new ValueFormatter(btf) : undefined;
    if (btf && this.formatter) {
      this.fastKey = map.btfKeyTypeId ? compileBpftoolWriter(btf, map.btfKeyTypeId, map.keySize) : undefined;
      this.fastValue = compileBpftoolWriter(btf, this.valueTypeId, map.valueSize);
    }
  }

  /** The formatted text of one key or value: the compiled writer where the type allows. */
  private formatOne(f: ValueFormatter, fast: FastValueWriter | undefined, typeId: number, bytes: Uint8Array): { text: string; ok: boolean } {
    if (fast) return { text: fast(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0), ok: true };
    return bpftoolJson(f.format(typeId, bytes), bytes);
  }

  /** The entry's JSON text; `values` holds one buffer per possible CPU for per-CPU maps. */
  entry(key: Uint8Array, values: readonly Uint8Array[]): string {
    const map = this.map;
    const perCpu = isPerCpuMap(map.type);
    let out = '{"key":' + bpftoolHexArray(key, 0, map.keySize);
    if (!perCpu) {
      out += ',"value":' + bpftoolHexArray(values[0] ?? new Uint8Array(0), 0, map.valueSize);
    } else {
      out += ',"values":[';
      values.forEach((v, cpu) => {
        out += (cpu ? ',' : '') + `{"cpu":${cpu},"value":` + bpftoolHexArray(v, 0, map.valueSize) + '}';
      });
      out += ']';
    }
    if (this.formatter) out += ',"formatted":' + this.formatted(this.formatter, key, values, perCpu);
    return out + '}';
  }

  /** The same entry as `entry`, written as bytes into `sink` (for dumps of any size). */
  entryInto(sink: ByteSink, key: Uint8Array, values: readonly Uint8Array[]): void {
    const map = this.map;
    const perCpu = isPerCpuMap(map.type);
    sink.text('{"key":');
    sink.hexArray(key, 0, map.keySize);
    if (!perCpu) {
      sink.text(',"value":');
      sink.hexArray(values[0] ?? new Uint8Array(0), 0, map.valueSize);
    } else {
      sink.text(',"values":[');
      values.forEach((v, cpu) => {
        sink.text(`${cpu ? ',' : ''}{"cpu":${cpu},"value":`);
        sink.hexArray(v, 0, map.valueSize);
        sink.text('}');
      });
      sink.text(']');
    }
    if (this.formatter) sink.text(',"formatted":' + this.formatted(this.formatter, key, values, perCpu));
    sink.text('}');
  }

  private formatted(f: ValueFormatter, key: Uint8Array, values: readonly Uint8Array[], perCpu: boolean): string {
    let out = '{';
    if (this.map.btfKeyTypeId) {
      const k = this.formatOne(f, this.fastKey, this.map.btfKeyTypeId, key);
      out += '"key":' + k.text;
      if (!k.ok) return out + '}';
      out += ',';
    }
    if (!perCpu) {
      const v = values[0] ?? new Uint8Array(0);
      out += '"value":' + this.formatOne(f, this.fastValue, this.valueTypeId, v).text;
    } else {
      out += '"values":[';
      for (let cpu = 0; cpu < values.length; cpu++) {
        const v = values[cpu]!;
        const r = this.formatOne(f, this.fastValue, this.valueTypeId, v);
        out += (cpu ? ',' : '') + `{"cpu":${cpu},"value":` + r.text + '}';
        if (!r.ok) break;
      }
      out += ']';
    }
    return out + '}';
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
