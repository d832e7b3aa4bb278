// The parser and raw listing against bpftool's `btf dump … format raw` on clang-built BTF,
// split BTF and the running kernel's vmlinux BTF.

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBtf } from '../../../main/kernel/btf/btf.js';
import { formatC } from '../../../main/kernel/btf/c.js';
import { formatRaw } from '../../../main/kernel/btf/raw.js';
import { KIND } from '../../../main/kernel/btf/wire.js';
import { BtfBuilder } from './builder.js';
import { bpftool, compileFixtureBtf, readBytes, writeBuildFile } from './helpers.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';

describe('raw listing equals bpftool format raw', () => {
  for (const name of ['kinds', 'maps']) {
    it(`${name}.c compiled by clang`, () => {
      const path = compileFixtureBtf(name);
      const ours = formatRaw(parseBtf(readBytes(path)));
      expect(ours.split('\n').length).toBeGreaterThan(50);
      expect(ours).toBe(bpftool(['btf', 'dump', 'file', path, 'format', 'raw']));
    });
  }

  it.runIf(existsSync(VMLINUX))('the whole vmlinux BTF', () => {
    const bytes = readBytes(VMLINUX);
    const t0 = performance.now();
    const btf = parseBtf(bytes);
    const indexMs = performance.now() - t0;
    expect(btf.typeCount).toBeGreaterThan(10_000);
    // The budget is 100 ms (see test/bench/btf.ts); a loaded CI box gets slack.
    expect(indexMs).toBeLessThan(500);
    expect(formatRaw(btf)).toBe(bpftool(['btf', 'dump', 'file', VMLINUX, 'format', 'raw']));
  });

  it('split BTF continues the base ids and string offsets', () => {
    const basePath = compileFixtureBtf('kinds');
    const base = parseBtf(readBytes(basePath));
    const b = new BtfBuilder(base.stringsEnd());
    const first = base.typeCount;
    // struct split_s { int x; struct split_s *next; struct value *v; };
    b.type('split_s', KIND.STRUCT, 3, 24, [b.str('x'), 1, 0, b.str('next'), first + 1, 64, b.str('v'), first + 2, 128]);
    b.type('', KIND.PTR, 0, first);
    b.type('', KIND.PTR, 0, base.findByName('value', 'struct')[0]!.id);
    const bytes = b.build();
    const splitPath = writeBuildFile('split.btf', bytes);
    const split = parseBtf(bytes, base);
    expect(split.firstId).toBe(first);
    expect(split.type(first).name).toBe('split_s');
    expect(split.type(1)).toBe(base.type(1));
    expect(split.sizeOf(first)).toBe(24);
    expect(split.findByName('split_s').map((t) => t.id)).toEqual([first]);
    expect(formatRaw(split)).toBe(bpftool(['-B', basePath, 'btf', 'dump', 'file', splitPath, 'format', 'raw']));
  });
});

describe('where the bytes sit', () => {
  it('parses BTF that arrives as an unaligned view inside a larger buffer (an agent message) as it parses a copy', () => {
    const bytes = readBytes(compileFixtureBtf('kinds'));
    const message = Buffer.alloc(bytes.length + 7, 0xee);
    message.set(bytes, 3);
    const view = message.subarray(3, 3 + bytes.length);
    expect(formatRaw(parseBtf(view))).toBe(formatRaw(parseBtf(bytes)));
  });

  it('prints a blob followed by zeros (as the addon hands vmlinux over) from its own bytes, as it prints a copy', () => {
    const bytes = readBytes(compileFixtureBtf('kinds'));
    const expected = { raw: formatRaw(parseBtf(bytes)), c: formatC(parseBtf(bytes)) };
    // Every length modulo 4, as a blob's end need not be aligned for the record of zeros after it.
    for (const extra of [0, 1, 2, 3]) {
      const blob = new Uint8Array(bytes.length + extra);
      blob.set(bytes);
      // The header's string length covers the padding (NULs: empty strings at the end).
      new DataView(blob.buffer).setUint32(20, new DataView(bytes.buffer, bytes.byteOffset).getUint32(20, true) + extra, true);
      const tailed = new Uint8Array(new ArrayBuffer(blob.length + 16), 0, blob.length);
      tailed.set(blob);
      const inPlace = parseBtf(tailed, undefined, 16);
      expect(inPlace.records().words.buffer).toBe(tailed.buffer);
      expect({ raw: formatRaw(inPlace), c: formatC(inPlace) }).toEqual(expected);
      // A tail too short for the record: copied, and the same.
      const short = parseBtf(tailed, undefined, 11);
      expect(short.records().words.buffer).not.toBe(tailed.buffer);
      expect({ raw: formatRaw(short), c: formatC(short) }).toEqual(expected);
    }
  });
});

describe('lookups, sizes and alignment', () => {
  const btf = parseBtf(readBytes(compileFixtureBtf('kinds')));
  const byName = (n: string) => btf.findByName(n, 'struct')[0]!.id;

  it('finds types by name and kind', () => {
    expect(btf.findByName('u32').map((t) => t.kind)).toEqual(['typedef']);
    expect(btf.findByName('color', 'enum')).toHaveLength(1);
    expect(btf.findByName('no_such_type')).toEqual([]);
  });

  it('sizes through typedefs, qualifiers and arrays', () => {
    expect(btf.sizeOf(byName('value'))).toBe(192);
    expect(btf.sizeOf(btf.findByName('u64')[0]!.id)).toBe(8);
    expect(btf.sizeOf(btf.findByName('g_value')[0]!.id)).toBe(192);
  });

  it('aligns like libbpf: packed structs have alignment 1', () => {
    expect(btf.alignOf(byName('packed_s'))).toBe(1);
    expect(btf.alignOf(byName('value'))).toBe(8);
    expect(btf.alignOf(byName('flags'))).toBe(8);
  });

  it('decodes bitfields, enums and tags', () => {
    const flags = btf.type(byName('flags'));
    expect(flags.kind === 'struct' && flags.members.map((m) => [m.bitOffset, m.bitfieldSize])).toEqual([
      [0, 3], [3, 5], [8, 7], [15, 40], [64, 0],
    ]);
    const color = btf.findByName('color', 'enum')[0]!;
    expect(color.kind === 'enum' && color.values.map((v) => v.value)).toEqual([0n, 5n, 4294967295n]);
    expect(btf.findByName('value_tag')[0]!.kind).toBe('decl_tag');
    expect(btf.findByName('user')[0]!.kind).toBe('type_tag');
  });

  it('decodes ENUM64, signed and unsigned', () => {
    const b = new BtfBuilder();
    b.type('u64e', KIND.ENUM64, 1, 8, [b.str('U_MAX'), 0xffffffff, 0xffffffff]);
    b.type('s64e', KIND.ENUM64, 1, 8, [b.str('S_NEG'), 0xfffffffe, 0xffffffff], true);
    const btf64 = parseBtf(b.build());
    const u = btf64.type(1);
    const s = btf64.type(2);
    expect(u.kind === 'enum64' && u.values[0]!.value).toBe(0xffffffffffffffffn);
    expect(s.kind === 'enum64' && s.values[0]!.value).toBe(-2n);
    expect(formatRaw(btf64)).toBe(
      "[1] ENUM64 'u64e' encoding=UNSIGNED size=8 vlen=1\n\t'U_MAX' val=18446744073709551615ULL\n" +
      "[2] ENUM64 's64e' encoding=SIGNED size=8 vlen=1\n\t'S_NEG' val=-2LL\n");
  });
});
