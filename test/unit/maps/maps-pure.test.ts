import { describe, expect, it } from 'vitest';
import { BpftoolMapDumper, BpftoolTextDumper, ByteSink } from '../../../main/kernel/btf/index.js';
import { parseMapKey } from '../../../main/kernel/maps/key-parse.js';
import { parsePossibleCpus, valueStride, MapType, mapAccess } from '../../../main/kernel/maps/map-kind.js';
import { diffSnapshots, MapSnapshot } from '../../../main/kernel/maps/snapshot.js';
import { decodeIds, decodeRingPositions, decodeStackFrames, symbolizeFrames } from '../../../main/kernel/maps/special.js';
import { HistoryRing } from '../../../main/live/history.js';

function page(entries: Array<[number, number]>, keySize = 4, valueSize = 4) {
  const keys = new Uint8Array(entries.length * keySize);
  const values = new Uint8Array(entries.length * valueSize);
  const kv = new DataView(keys.buffer);
  const vv = new DataView(values.buffer);
  entries.forEach(([k, v], i) => {
    kv.setUint32(i * keySize, k, true);
    vv.setUint32(i * valueSize, v, true);
  });
  return { keys, values, count: entries.length };
}

describe('map kinds and layout', () => {
  it('parses possible-CPU lists', () => {
    expect(parsePossibleCpus('0-1\n')).toBe(2);
    expect(parsePossibleCpus('0,2-5')).toBe(6);
    expect(parsePossibleCpus('0')).toBe(1);
    expect(() => parsePossibleCpus('')).toThrow(/bad range/);
    expect(() => parsePossibleCpus('3-1')).toThrow(/bad range/);
    expect(() => parsePossibleCpus('0-99999')).toThrow(/out of range/);
  });
  it('lays per-CPU values out in 8-byte slots per possible CPU', () => {
    expect(valueStride(MapType.percpuHash, 4, 3)).toBe(24);
    expect(valueStride(MapType.percpuArray, 16, 2)).toBe(32);
    expect(valueStride(MapType.hash, 4, 3)).toBe(4);
  });
  it('says which maps are not readable and why', () => {
    expect(mapAccess(MapType.perfEventArray)).toMatchObject({ kind: 'unreadable' });
    expect(mapAccess(MapType.taskStorage)).toMatchObject({ kind: 'unreadable' });
    expect(mapAccess(MapType.progArray).kind).toBe('prog-ids');
    expect(mapAccess(MapType.hash).kind).toBe('entries');
  });
});

describe('key parsing', () => {
  it('reads integers little-endian and byte lists like bpftool', () => {
    expect([...parseMapKey('258', 4)]).toEqual([2, 1, 0, 0]);
    expect([...parseMapKey('0x10', 2)]).toEqual([16, 0]);
    expect([...parseMapKey('-1', 2)]).toEqual([255, 255]);
    expect([...parseMapKey('1 2 3', 3)]).toEqual([1, 2, 3]);
    expect([...parseMapKey('hex 0a ff 00', 3)]).toEqual([10, 255, 0]);
    expect([...parseMapKey('hex 0aff00', 3)]).toEqual([10, 255, 0]);
    expect(() => parseMapKey('zz', 4)).toThrow("key: 'zz' is not a key of this map; give an integer (7), its 4 bytes (7 0 0 0), hex (hex 07 00 00 00) or a string in double quotes (\"bash\")");
    expect(() => parseMapKey('1,2', 4)).toThrow("key: 2 bytes given, the map's keys are 4 bytes;");
    expect(() => parseMapKey('70000', 2)).toThrow(/does not fit/);
    expect(() => parseMapKey('1 2', 3)).toThrow(/2 bytes/);
    expect(() => parseMapKey('1 2 300', 3)).toThrow(/bad byte/);
  });

  it('reads a string in double quotes as a char array key, NUL-padded (bpftrace keys by comm)', () => {
    expect([...parseMapKey('"bash"', 6)]).toEqual([0x62, 0x61, 0x73, 0x68, 0, 0]);
    expect([...parseMapKey(' "a b\\u00e9" ', 5)]).toEqual([0x61, 0x20, 0x62, 0xc3, 0xa9]);
    expect([...parseMapKey('"\\"\\\\"', 2)]).toEqual([0x22, 0x5c]);
    expect(() => parseMapKey('"toolong"', 4)).toThrow('key: "toolong" is 7 bytes, the map\'s keys are 4');
    expect(() => parseMapKey('"bad\\x"', 8)).toThrow(/not a string/);
  });
});

describe('snapshots and diffs', () => {
  it('reports added, changed (with previous) and removed by key bytes', () => {
    const a = new MapSnapshot(4, 4);
    a.add(page([[1, 10], [2, 20]]));
    a.add(page([[3, 30]]));
    const b = new MapSnapshot(4, 4);
    b.add(page([[2, 21], [3, 30], [4, 40]]));
    const d = diffSnapshots(a, b);
    const key = (s: MapSnapshot, ref: number) => new DataView(s.key(ref).buffer, s.key(ref).byteOffset).getUint32(0, true);
    const val = (s: MapSnapshot, ref: number) => new DataView(s.value(ref).buffer, s.value(ref).byteOffset).getUint32(0, true);
    expect(d.added.map((r) => key(b, r))).toEqual([4]);
    expect(d.changed.map(([n, o]) => [key(b, n), val(b, n), val(a, o)])).toEqual([[2, 21, 20]]);
    expect(d.removed.map((r) => key(a, r))).toEqual([1]);
  });
  it('indexes long keys by their bytes and keeps the latest duplicate', () => {
    const s = new MapSnapshot(12, 4);
    const keys = new Uint8Array(24);
    keys[0] = 1;
    keys[12] = 1;
    s.add({ keys, values: new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0]), count: 2 });
    expect(s.size).toBe(1);
    expect(s.value(s.find(keys.subarray(0, 12))!)[0]).toBe(2);
  });
});

describe('special values', () => {
  it('decodes ids, stack frames and ring positions', () => {
    expect(decodeIds(new Uint8Array([7, 0, 0, 0, 9, 1, 0, 0]), 2, 4)).toEqual([7, 265]);
    const stack = new Uint8Array(32);
    new DataView(stack.buffer).setBigUint64(0, 0xffffffff81000010n, true);
    new DataView(stack.buffer).setBigUint64(8, 0xffffffff81000100n, true);
    const frames = decodeStackFrames(stack);
    expect(frames).toEqual([0xffffffff81000010n, 0xffffffff81000100n]);
    const syms = { containing: (a: bigint) => (a >= 0xffffffff81000000n ? { address: 0xffffffff81000000n, name: 'f' } : undefined) };
    expect(symbolizeFrames(frames, syms).map((f) => f.symbol)).toEqual(['f+0x10', 'f+0x100']);
    const cons = new Uint8Array(8);
    const prod = new Uint8Array(8);
    new DataView(cons.buffer).setBigUint64(0, 100n, true);
    new DataView(prod.buffer).setBigUint64(0, 1124n, true);
    expect(decodeRingPositions(cons, prod, 4096)).toEqual({ size: 4096, producer: 1124n, consumer: 100n, pending: 1024n, fill: 0.25 });
  });
});

describe('bpftool text renderings', () => {
  const plain = (type: number, keySize: number, valueSize: number, entries: Array<[number[], number[]]>, cpus = 1): string => {
    const dumper = new BpftoolTextDumper({ type, keySize, valueSize, btfKeyTypeId: 0, btfValueTypeId: 0, btfId: 0 }, undefined);
    const sink = new ByteSink(64);
    const stride = cpus > 1 ? ((valueSize + 7) & ~7) * cpus : valueSize;
    const keys = Uint8Array.from(entries.flatMap(([k]) => k));
    const values = new Uint8Array(entries.length * stride);
    entries.forEach(([, v], i) => values.set(v, i * stride));
    sink.text(dumper.header());
    dumper.pageInto(sink, { keys, values, count: entries.length }, { stride, cpus });
    dumper.pageInto(sink, { keys: Uint8Array.of(9, 0, 0, 0), values: new Uint8Array(stride), count: 1, errors: Int32Array.of(524) }, { stride, cpus });
    sink.text(dumper.footer());
    return sink.drainText();
  };
  it('prints hex like fprint_hex, entries like print_entry_plain, errors like print_entry_error_msg', () => {
    expect(plain(1, 4, 18, [[[0, 0, 0, 0], Array.from({ length: 18 }, (_, i) => i)]])).toBe(
      'key:\n00 00 00 00\nvalue:\n00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f\n10 11\n' +
        'key:\n09 00 00 00\nvalue:\nUnknown error 524\nFound 1 element\n',
    );
    expect(plain(1, 4, 4, [[[0, 0, 0, 0], [8, 7, 0, 0]], [[1, 0, 0, 0], [1, 0, 0, 0]]])).toMatch(
      /^key: 00 00 00 00  value: 08 07 00 00\nkey: 01 00 00 00  value: 01 00 00 00\n[^]*Found 2 elements\n$/,
    );
    expect(plain(5, 4, 1, [[[1, 0, 0, 0], []]], 2).split('\n').slice(0, 4)).toEqual(['key:', '01 00 00 00', 'value (CPU 00): 00', 'value (CPU 01): 00']);
  });
});

describe('slots whose lookup failed (bpftool print_entry_error)', () => {
  // Four 4-byte slots: 0 refused with `first`, 1 read (value 01 00 00 00), 2 refused with `third`.
  const page = (first: number, third: number) => ({
    keys: Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0),
    values: Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0),
    count: 3,
    errors: Int32Array.of(first, 0, third),
  });
  const shape = (type: number) => ({ type, keySize: 4, valueSize: 4, btfKeyTypeId: 0, btfValueTypeId: 0, btfId: 0 });
  const json = (type: number, first: number, third: number, leadingComma = false): string => {
    const sink = new ByteSink(64);
    new BpftoolMapDumper(shape(type), undefined).pageInto(sink, page(first, third), { stride: 4, cpus: 1 }, leadingComma);
    return sink.drainText();
  };
  const text = (type: number, first: number, third: number): string => {
    const dumper = new BpftoolTextDumper(shape(type), undefined);
    const sink = new ByteSink(64);
    dumper.pageInto(sink, page(first, third), { stride: 4, cpus: 1 });
    sink.text(dumper.footer());
    return sink.drainText();
  };
  const read = '{"key":["0x01","0x00","0x00","0x00"],"value":["0x01","0x00","0x00","0x00"]}';
  const refused = (slot: number, error: string) => `{"key":["0x0${slot}","0x00","0x00","0x00"],"value":{"error":"${error}"}}`;

  it('lists each refused slot with strerror in JSON, and <no entry>, <cannot read> or strerror in text, uncounted', () => {
    expect(json(MapType.devmap, 2, 2)).toBe([refused(0, 'No such file or directory'), read, refused(2, 'No such file or directory')].join(','));
    expect(text(MapType.devmap, 2, 2)).toBe('key: 00 00 00 00  value: <no entry>\nkey: 01 00 00 00  value: 01 00 00 00\nkey: 02 00 00 00  value: <no entry>\nFound 1 element\n');
    expect(json(MapType.reuseportSockarray, 28, 95)).toBe([refused(0, 'No space left on device'), read, refused(2, 'Operation not supported')].join(','));
    expect(text(MapType.reuseportSockarray, 28, 524)).toBe(
      'key: 00 00 00 00  value: <cannot read>\nkey: 01 00 00 00  value: 01 00 00 00\nkey:\n02 00 00 00\nvalue:\nUnknown error 524\nFound 1 element\n',
    );
    expect(text(MapType.sockmap, 28, 28)).toContain('key:\n00 00 00 00\nvalue:\nNo space left on device\n');
  });

  it('leaves out empty prog_array and map-in-map slots, and places commas only between printed entries', () => {
    for (const type of [MapType.progArray, MapType.arrayOfMaps, MapType.hashOfMaps]) {
      expect(json(type, 2, 2)).toBe(read);
      expect(json(type, 2, 2, true)).toBe(',' + read);
      expect(text(type, 2, 2)).toBe('key: 01 00 00 00  value: 01 00 00 00\nFound 1 element\n');
      expect(json(type, 1, 2)).toBe([refused(0, 'Operation not permitted'), read].join(','));
    }
  });
});

describe('history ring', () => {
  it('keeps the newest samples and computes rates', () => {
    const ring = new HistoryRing(3);
    expect(ring.ratePerSecond()).toBeUndefined();
    for (let i = 0; i < 5; i++) ring.push(i * 500, i * 10);
    expect(ring.size).toBe(3);
    expect(ring.series()).toEqual({ timesMs: [1000, 1500, 2000], values: [20, 30, 40] });
    expect(ring.ratePerSecond()).toBe(20);
    expect(() => new HistoryRing(0)).toThrow(RangeError);
  });
});
