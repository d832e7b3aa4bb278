// Broken BTF and broken values: a clear error or a hex fallback, never a hang or a crash.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValueWriters } from '../../../main/kernel/btf/value-writer.js';
import { parseBtf } from '../../../main/kernel/btf/btf.js';
import { formatC, typeViewC } from '../../../main/kernel/btf/c.js';
import { formatRaw } from '../../../main/kernel/btf/raw.js';
import { ValueFormatter, formatValue } from '../../../main/kernel/btf/value.js';
import { KIND } from '../../../main/kernel/btf/wire.js';
import { BtfBuilder } from './builder.js';
import { compileFixtureBtf, fixtureDir, readBytes, rng } from './helpers.js';

const INT32 = (0x01 << 24) | 32; // signed, 32 bits

function intBtf(b = new BtfBuilder()): BtfBuilder {
  return b.type('int', KIND.INT, 0, 4, [INT32]);
}

/** Errors we raise ourselves; RangeError/TypeError would mean an unchecked access. */
function expectOwnError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    // Let failed assertions from nested checks through instead of counting them as "errors".
    if ((e as Error).name === 'AssertionError') throw e;
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(RangeError);
    expect(e).not.toBeInstanceOf(TypeError);
  }
}

describe('header validation', () => {
  const good = intBtf().build();
  const patched = (off: number, v: number, width: 1 | 2 | 4 = 4) => {
    const b = good.slice();
    const view = new DataView(b.buffer);
    if (width === 4) view.setUint32(off, v, true); else if (width === 2) view.setUint16(off, v, true); else view.setUint8(off, v);
    return b;
  };
  it.each([
    ['short blob', good.subarray(0, 10), /header: 10 bytes/],
    ['bad magic', patched(0, 0x1234, 2), /bad magic 0x1234/],
    ['bad version', patched(2, 2, 1), /unsupported version 2/],
    ['hdr_len past end', patched(4, 1 << 30), /bad hdr_len/],
    ['type section past end', patched(12, 1 << 20), /type section .* past end/],
    ['string section past end', patched(20, 1 << 20), /string section .* past end/],
    ['unaligned type_off', patched(8, 2), /not 4-byte aligned/],
  ])('%s', (_name, bytes, message) => {
    expect(() => parseBtf(bytes)).toThrow(message);
  });

  it('every truncation of a real blob is an error or a valid prefix', () => {
    const bytes = readBytes(compileFixtureBtf('kinds'));
    for (let n = 0; n < bytes.length; n++) expectOwnError(() => formatRaw(parseBtf(bytes.subarray(0, n))));
  });
});

describe('bad types', () => {
  it('rejects unknown kinds, and counts larger than the data', () => {
    expect(() => parseBtf(intBtf().type('x', 25, 0, 0).build())).toThrow('type 2: unknown kind 25');
    expect(() => parseBtf(intBtf().type('s', KIND.STRUCT, 65535, 4).build())).toThrow(/type 2: kind data truncated/);
  });

  it('reports names past the string table and ids out of range', () => {
    const b = intBtf();
    b.type('', KIND.TYPEDEF, 0, 1);
    const bytes = b.build();
    new DataView(bytes.buffer).setUint32(24 + 16, 99999, true);
    const btf = parseBtf(bytes);
    expect(() => btf.type(2)).toThrow('typedef (id 2): name offset 99999 past string table');
    expect(() => btf.type(3)).toThrow(/type id 3 out of range/);
  });

  it('breaks typedef cycles and by-value self containment', () => {
    const b = intBtf();
    b.type('a', KIND.TYPEDEF, 0, 3).type('b', KIND.TYPEDEF, 0, 2);
    b.type('self', KIND.STRUCT, 1, 4, [b.str('x'), 4, 0]);
    const btf = parseBtf(b.build());
    expect(() => btf.resolve(2)).toThrow(/cycle/);
    expect(() => btf.sizeOf(2)).toThrow(/cycle/);
    // bpftool's btf__resolve_type gives up at depth 32 and prints nothing for the value.
    const v = formatValue(btf, 2, new Uint8Array(4));
    expect(v.repr).toBe('unsupported');
    expect(v.error).toMatch(/too deep/);
    expect(new ValueWriters(btf).format(2, new Uint8Array(4))).toBe('');
    const self = formatValue(btf, 4, new Uint8Array(4));
    expect(self.repr).toBe('error');
    expect(self.error).toMatch(/contains itself/);
    expectOwnError(() => formatC(btf));
  });

  /** A function whose parameter is `levels` levels of anonymous structs, each member of each the next level. */
  function fanOut(levels: number, members: number): { btf: ReturnType<typeof parseBtf>; func: number } {
    const b = intBtf();
    for (let level = 0; level < levels; level++) {
      const member = level === levels - 1 ? 1 : level + 3;
      b.type('', KIND.STRUCT, members, 4, Array.from({ length: members }, (_, i) => [b.str(`m${i}`), member, 0]).flat());
    }
    const proto = levels + 2;
    b.type('', KIND.FUNC_PROTO, 1, 1, [b.str('arg'), 2]);
    b.type('f', KIND.FUNC, 0, proto);
    return { btf: parseBtf(b.build()), func: proto + 1 };
  }

  it('anonymous structs nested in place print in place; nested 30 wide and 40 deep, a clear error, not 30^40 of text', () => {
    const small = fanOut(3, 2);
    const view = typeViewC(small.btf, small.func);
    expect(view.c.split('\n').slice(view.definitionLine).join('\n')).toMatch(/^int f\(struct \{\n\tstruct \{\n\t\tstruct \{\n\t\t\tint m0;/);
    const hostile = fanOut(40, 30);
    expect(() => typeViewC(hostile.btf, hostile.func)).toThrow(/one declaration is over 64 MiB of text/);
  });

  it('absurd array sizes fall back instead of allocating', () => {
    const b = intBtf();
    b.type('', KIND.ARRAY, 0, 0, [1, 1, 0xffffffff]);
    const btf = parseBtf(b.build());
    expect(() => btf.sizeOf(2)).toThrow(/too large/);
    const v = new ValueFormatter(btf).format(2, new Uint8Array(16));
    expect(v.repr).toBe('error');
    expect(new ValueWriters(btf).writer(2, 16, { text: false, depth: 0 }).error).toMatch(/needs \d+ bytes/);
  });

  it('a value shorter than its type is shown as hex', () => {
    const btf = parseBtf(intBtf().build());
    const v = formatValue(btf, 1, Uint8Array.of(1, 2));
    expect(v.error).toMatch(/truncated/);
    expect(v.display).toBe('01 02');
    expect(new ValueWriters(btf).format(1, Uint8Array.of(1, 2))).toBe('["0x01","0x02"]');
  });
});

describe('seeded fuzz over real blobs', () => {
  const blobs = [readBytes(compileFixtureBtf('kinds')), readBytes(join(fixtureDir, 'maps.loaded.btf'))];

  it('survives 2500 mutated blobs', { timeout: 180_000 }, () => {
    const random = rng(0x5eed);
    let parsed = 0;
    for (let i = 0; i < 2500; i++) {
      const src = blobs[i % blobs.length]!;
      let bytes = src.slice();
      const flips = 1 + Math.floor(random() * 8);
      for (let f = 0; f < flips; f++) {
        const at = Math.floor(random() * bytes.length);
        // Mostly hit type records (past the 24-byte header), sometimes set extreme values.
        bytes[at] = random() < 0.3 ? 0xff : Math.floor(random() * 256);
      }
      if (random() < 0.1) bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
      expectOwnError(() => {
        const btf = parseBtf(bytes);
        parsed++;
        const formatter = new ValueFormatter(btf, { maxNodes: 2_000 });
        // Generating writers costs a compile per type: every 50th blob, both styles.
        const writers = i % 50 === 0 ? new ValueWriters(btf) : undefined;
        const value = new Uint8Array(256).map(() => Math.floor(random() * 256));
        for (let id = 1; id < btf.typeCount; id++) {
          expectOwnError(() => formatRaw(btf, [id]));
          expectOwnError(() => btf.sizeOf(id));
          expectOwnError(() => btf.alignOf(id));
          formatter.format(id, value);
          writers?.format(id, value);
          writers?.format(id, value, { text: true, depth: 1 });
        }
        if (i % 5 === 0) expectOwnError(() => formatC(btf));
      });
    }
    expect(parsed).toBeGreaterThan(300);
  });
});
