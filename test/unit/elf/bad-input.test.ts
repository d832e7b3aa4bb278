// Damaged objects: a clear `elf: …`/`object: …` error naming the place, or a valid result —
// never a RangeError, TypeError or hang. A seeded fuzz over the fixture objects.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBtfExt, parseElf } from '../../../main/kernel/elf/index.js';
import { parseBpfObject, programListing } from '../../../main/kernel/objfile/index.js';
import { buildFixtures, FIXTURE_BUILD_DIR } from '../../helpers/fixtures.js';
import { prng as rng } from '../../helpers/prng.js';

function expectOwnError(fn: () => unknown): 'ok' | 'error' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if ((e as Error).name === 'AssertionError') throw e;
    expect(e).toBeInstanceOf(Error);
    expect(e, (e as Error).stack).not.toBeInstanceOf(RangeError);
    expect(e, (e as Error).stack).not.toBeInstanceOf(TypeError);
    return 'error';
  }
}

/** Opens an object and builds every listing: everything a view would do with it. */
function openFully(bytes: Uint8Array): void {
  const obj = parseBpfObject(bytes);
  for (const p of [...obj.programs, ...obj.subprograms]) programListing(obj, p);
}

let maps: Uint8Array;
beforeAll(() => {
  buildFixtures();
  maps = new Uint8Array(readFileSync(join(FIXTURE_BUILD_DIR, 'maps.bpf.o')));
});

function patched(offset: number, bytes: number[]): Uint8Array {
  const copy = maps.slice();
  copy.set(bytes, offset);
  return copy;
}

function u64le(n: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return [...b];
}

describe('header and table damage', () => {
  it.each([
    ['empty file', () => new Uint8Array(0), /elf: elf header: 0 bytes/],
    ['bad magic', () => patched(0, [0x7f, 0x45, 0x4c, 0x00]), /elf: elf header: bad magic/],
    ['32-bit class', () => patched(4, [1]), /only 64-bit/],
    ['big-endian', () => patched(5, [2]), /only little-endian/],
    ['executable, not .o', () => patched(16, [2, 0]), /not a relocatable object/],
    ['section headers past end', () => patched(40, u64le(1 << 30)), /section header 0: bytes .* past end of file/],
    ['name table index out of range', () => patched(62, [200, 0]), /section name table index 200 out of range/],
    ['not BPF', () => patched(18, [62, 0]), /object: machine 62: not a BPF object/],
  ])('%s', (_name, bytes, message) => {
    expect(() => parseBpfObject(bytes())).toThrow(message);
  });

  it('names a section whose data lies past the end', () => {
    const elf = parseElf(maps);
    const shoff = Number(new DataView(maps.buffer, maps.byteOffset).getBigUint64(40, true));
    const btf = elf.sections.find((s) => s.name === '.BTF')!;
    const bytes = patched(shoff + btf.index * 64 + 24, u64le(maps.length));
    expect(() => parseElf(bytes)).toThrow(`elf: section ${btf.index}: bytes ${maps.length}..`);
  });

  it('rejects relocations naming symbols that do not exist', () => {
    const elf = parseElf(maps);
    const rel = elf.sections.find((s) => s.name === '.reltracepoint/syscalls/sys_enter_getpid')!;
    const bytes = maps.slice();
    new DataView(bytes.buffer).setUint32(rel.offset + 12, 99999, true);
    expect(() => parseElf(bytes)).toThrow(/relocations '.reltracepoint\/syscalls\/sys_enter_getpid' .*: entry 0: symbol 99999 out of range/);
  });

  it('every truncation is an error or a valid prefix', () => {
    for (let n = 0; n < maps.length; n += 7) expectOwnError(() => openFully(maps.subarray(0, n)));
  });
});

describe('btf.ext damage', () => {
  const names = (off: number) => (off < 100 ? `sec${off}` : undefined);
  const header = (fields: number[]) => {
    const b = new Uint8Array(32 + 64);
    const v = new DataView(b.buffer);
    v.setUint16(0, 0xeb9f, true);
    b[2] = 1;
    v.setUint32(4, 32, true);
    fields.forEach((f, i) => v.setUint32(8 + i * 4, f, true));
    return { b, v };
  };
  it('checks magic, areas, record sizes and counts', () => {
    const { b } = header([0, 0, 0, 0, 0, 0]);
    expect(parseBtfExt(b, names).funcInfo.size).toBe(0);
    expect(() => parseBtfExt(b.subarray(0, 10), names)).toThrow('btf.ext: header: 10 bytes');
    const bad = b.slice();
    bad[0] = 0;
    expect(() => parseBtfExt(bad, names)).toThrow(/bad magic/);
    expect(() => parseBtfExt(header([0, 1000, 0, 0, 0, 0]).b, names)).toThrow(/func_info: bytes 0..1000 past end/);
    const rec = header([0, 16, 0, 0, 0, 0]);
    rec.v.setUint32(32, 3, true);
    expect(() => parseBtfExt(rec.b, names)).toThrow('btf.ext: func_info: bad record size 3');
    rec.v.setUint32(32, 8, true);
    rec.v.setUint32(36, 5, true);
    rec.v.setUint32(40, 1000, true);
    expect(() => parseBtfExt(rec.b, names)).toThrow("btf.ext: func_info: section 'sec5': 1000 records past end of area");
    rec.v.setUint32(36, 500, true);
    expect(() => parseBtfExt(rec.b, names)).toThrow('section name offset 500 past string table');
  });
});

describe('seeded fuzz over the fixture objects', () => {
  it('mutated objects open fully or fail with our own error', () => {
    const files = readdirSync(FIXTURE_BUILD_DIR).filter((f) => f.endsWith('.bpf.o'));
    const inputs = files.map((f) => new Uint8Array(readFileSync(join(FIXTURE_BUILD_DIR, f))))
      // The big objects are mostly vmlinux-derived BTF: the small ones exercise every structure faster.
      .filter((b) => b.length < 64 << 10);
    const random = rng(11);
    const outcomes = { ok: 0, error: 0 };
    const started = performance.now();
    for (let round = 0; round < 3000; round++) {
      const source = inputs[round % inputs.length];
      const bytes = source.slice();
      const elf = parseElf(source);
      // Aim most mutations at the structure: headers, the section table, symbols, relocations, BTF.ext.
      const targets = elf.sections.filter((s) => s.type === 2 || s.type === 9 || s.name === '.BTF.ext' || s.name === '.maps');
      const view = new DataView(bytes.buffer);
      const shoff = Number(view.getBigUint64(40, true));
      const flips = 1 + Math.floor(random() * 4);
      for (let i = 0; i < flips; i++) {
        const where = random();
        let at: number;
        if (where < 0.15) at = Math.floor(random() * 64);
        else if (where < 0.45) at = shoff + Math.floor(random() * (bytes.length - shoff));
        else if (where < 0.9 && targets.length > 0) {
          const t = targets[Math.floor(random() * targets.length)];
          at = t.offset + Math.floor(random() * t.size);
        } else at = Math.floor(random() * bytes.length);
        bytes[at] = random() < 0.5 ? Math.floor(random() * 256) : bytes[at] ^ (1 << Math.floor(random() * 8));
      }
      const cut = random() < 0.1 ? Math.floor(random() * bytes.length) : bytes.length;
      outcomes[expectOwnError(() => openFully(bytes.subarray(0, cut)))]++;
    }
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.error).toBeGreaterThan(100);
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
