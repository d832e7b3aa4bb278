// Map entries written as bytes from a page (compiled writers, the raw-part template) equal
// bpftool's entry built the plain way: hex arrays plus the general value-tree formatter, for
// every shape the compiled writers take (ints of each size and sign, enums of each size,
// pointers, structs, unions, nested arrays) as keys and values, per-CPU values in aligned
// slots, maps without BTF or without a key type, and a map mixing in a general-path type.
import { describe, expect, it } from 'vitest';
import {
  BpftoolMapDumper,
  ByteSink,
  bpftoolHexArray,
  bpftoolJson,
  isPerCpuMap,
  parseBtf,
  ValueFormatter,
  type Btf,
  type MapShape,
} from '../../../main/kernel/btf/index.js';
import { compileFixtureBtf, readBytes, rng } from './helpers.js';

const HASH = 1;
const ARRAY = 2;
const PERCPU_HASH = 5;
const CPUS = 3;

const btf = parseBtf(readBytes(compileFixtureBtf('fast-shapes')));

/** The type id of global variable `name` in the fixture. */
function varType(name: string): number {
  const [v] = btf.findByName(name, 'var');
  if (!v || v.kind !== 'var') throw new Error(`no var ${name}`);
  return v.type;
}

/** bpftool's entry the plain way (print_entry_json, then do_dump_btf through the value tree). */
function plainEntry(map: MapShape, typed: Btf | undefined, key: Uint8Array, values: Uint8Array[]): string {
  const perCpu = isPerCpuMap(map.type);
  let out = '{"key":' + bpftoolHexArray(key);
  out += perCpu
    ? ',"values":[' + values.map((v, cpu) => `{"cpu":${cpu},"value":${bpftoolHexArray(v)}}`).join(',') + ']'
    : ',"value":' + bpftoolHexArray(values[0]!);
  if (typed && map.btfValueTypeId) {
    const f = new ValueFormatter(typed);
    const text = (id: number, bytes: Uint8Array): string => {
      const json = bpftoolJson(f.format(id, bytes), bytes);
      expect(json.ok).toBe(true);
      return json.text;
    };
    out += ',"formatted":{' + (map.btfKeyTypeId ? `"key":${text(map.btfKeyTypeId, key)},` : '');
    out += perCpu
      ? '"values":[' + values.map((v, cpu) => `{"cpu":${cpu},"value":${text(map.btfValueTypeId, v)}}`).join(',') + ']'
      : '"value":' + text(map.btfValueTypeId, values[0]!);
    out += '}';
  }
  return out + '}';
}

/** Mostly small numbers (so enum names match), sometimes anything. */
function randomBytes(next: () => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, b) => (next() < 0.6 ? (b % 4 === 0 ? Math.floor(next() * 6) : 0) : Math.floor(next() * 256)));
}

/**
 * `count` random entries as a map read lays them out (per-CPU: one 8-byte-aligned slot per
 * CPU, junk in the padding), written by pageInto and by plainEntry.
 */
function compare(map: MapShape, typed: Btf | undefined, count: number, seed: number): void {
  const next = rng(seed);
  const perCpu = isPerCpuMap(map.type);
  const cpus = perCpu ? CPUS : 1;
  const slot = perCpu ? (map.valueSize + 7) & ~7 : map.valueSize;
  const stride = slot * cpus;
  const keys = new Uint8Array(count * map.keySize);
  const values = Uint8Array.from({ length: count * stride }, () => 0xee);
  const expected: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = randomBytes(next, map.keySize);
    keys.set(key, i * map.keySize);
    const perCpuValues = Array.from({ length: cpus }, (_, cpu) => {
      const v = randomBytes(next, map.valueSize);
      values.set(v, i * stride + cpu * slot);
      return v;
    });
    expected.push(plainEntry(map, typed, key, perCpuValues));
  }
  const dumper = new BpftoolMapDumper(map, typed);
  const sink = new ByteSink(64);
  dumper.pageInto(sink, { keys, values, count: 1 }, { stride, cpus }, false);
  dumper.pageInto(sink, { keys: keys.subarray(map.keySize), values: values.subarray(stride), count: count - 1 }, { stride, cpus }, true);
  expect(sink.drainText()).toBe(expected.join(','));
  // In chunks of a few hundred bytes, each continuing where the last stopped.
  const page = { keys, values, count };
  const chunks: string[] = [];
  for (let from = 0; from < count; ) {
    from = dumper.pageInto(sink, page, { stride, cpus }, chunks.length > 0, from, 300);
    chunks.push(sink.drainText());
  }
  expect(chunks.length).toBeGreaterThan(count > 10 ? 1 : 0);
  expect(chunks.join('')).toBe(expected.join(','));
  // The one-entry string form agrees.
  const first = Array.from({ length: cpus }, (_, cpu) => values.subarray(cpu * slot, cpu * slot + map.valueSize));
  expect(dumper.entry(keys.subarray(0, map.keySize), first)).toBe(expected[0]);
}

const VALUE_SHAPES = ['v_u8', 'v_s8', 'v_u16', 'v_s16', 'v_u32', 'v_s32', 'v_u64', 'v_s64', 'v_e8', 'v_e16', 'v_e32', 'v_e64', 'v_ptr', 'v_ints', 'v_overlay', 'v_nested', 'v_array'];
const KEY_SHAPES = ['v_u8', 'v_s16', 'v_u32', 'v_u64', 'v_e32', 'v_key', 'v_ptr'];

function shape(type: number, key: string, value: string): MapShape {
  return { type, keySize: btf.sizeOf(varType(key)), valueSize: btf.sizeOf(varType(value)), btfKeyTypeId: varType(key), btfValueTypeId: varType(value) };
}

describe('map entries written as bytes', () => {
  it('equal the general formatter for every compiled value shape', () => {
    for (const [i, value] of VALUE_SHAPES.entries()) {
      const map = shape(HASH, 'v_key', value);
      expect(new BpftoolMapDumper(map, btf).compiled, value).toBe(true);
      compare(map, btf, 300, 100 + i);
    }
  });

  it('equal the general formatter for every compiled key shape', () => {
    for (const [i, key] of KEY_SHAPES.entries()) {
      const map = shape(HASH, key, 'v_ints');
      expect(new BpftoolMapDumper(map, btf).compiled, key).toBe(true);
      compare(map, btf, 300, 200 + i);
    }
  });

  it('equal the general formatter for per-CPU values in aligned slots', () => {
    for (const [i, value] of ['v_u8', 'v_s16', 'v_e32', 'v_ints', 'v_nested'].entries()) compare(shape(PERCPU_HASH, 'v_key', value), btf, 200, 300 + i);
  });

  it('print no key in formatted without a key type, and no formatted without BTF', () => {
    compare({ ...shape(ARRAY, 'v_u32', 'v_nested'), btfKeyTypeId: 0 }, btf, 100, 401);
    compare({ ...shape(HASH, 'v_key', 'v_ints'), btfKeyTypeId: 0, btfValueTypeId: 0 }, undefined, 100, 402);
    compare({ type: PERCPU_HASH, keySize: 2, valueSize: 3, btfKeyTypeId: 0, btfValueTypeId: 0 }, undefined, 100, 403);
  });

  it('take the general path for a bitfield value or key, with the same text', () => {
    const bitsValue = shape(PERCPU_HASH, 'v_key', 'v_bits');
    const bitsKey = shape(HASH, 'v_bits', 'v_nested');
    expect(new BpftoolMapDumper(bitsValue, btf).compiled).toBe(false);
    expect(new BpftoolMapDumper(bitsKey, btf).compiled).toBe(false);
    compare(bitsValue, btf, 100, 501);
    compare(bitsKey, btf, 100, 502);
  });
});
