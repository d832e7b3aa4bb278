// The UI value tree: names, types, byte and bit ranges, display strings.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBtf } from '../../../main/kernel/btf/btf.js';
import { ValueFormatter } from '../../../main/kernel/btf/value.js';
import { fixtureDir, readBytes } from './helpers.js';

const btf = parseBtf(readBytes(join(fixtureDir, 'maps.loaded.btf')));
const bits = btf.findByName('bits', 'struct')[0]!.id;

describe('value tree', () => {
  it('describes bitfields by byte and bit range', () => {
    // a=5, b=17, neg=-3, w=0xabcdef1234, tail=0x99 (same bytes bpftool printed in maps.bpftool.json)
    const v = Uint8Array.of(0x8d, 0x7d, 0x1a, 0x89, 0xf7, 0xe6, 0x55, 0x99);
    const tree = new ValueFormatter(btf).format(bits, v);
    expect(tree.typeName).toBe('struct bits');
    expect(tree.children!.map((c) => [c.name, c.offset, c.bitOffset, c.bitSize, c.size, c.display])).toEqual([
      // Displays are what `dump map` prints in text mode: bitfields as bpftool's unsigned hex.
      ['a', 0, 0, 3, 1, '0x5'],
      ['b', 0, 3, 5, 1, '0x11'],
      ['neg', 1, 0, 7, 1, '0x7d'],
      ['w', 1, 7, 40, 6, '0xabcdef1234'],
      ['tail', 7, 0, 8, 1, '153'],
    ]);
    expect(tree.children![2]!.typeName).toBe('int');
  });

  it('names array elements and prints char arrays as strings', () => {
    const all = btf.findByName('all', 'struct')[0]!.id;
    const v = new Uint8Array(160);
    v.set(new TextEncoder().encode('hello'), 33);
    const tree = new ValueFormatter(btf).format(all, v);
    const name = tree.children!.find((c) => c.name === 'name')!;
    expect([name.repr, name.value, name.display, name.typeName]).toEqual(['string', 'hello', '"hello"', 'char[12]']);
    const grid = tree.children!.find((c) => c.name === 'grid')!;
    expect(grid.typeName).toBe('int[2][2]');
    expect(grid.children!.map((c) => c.name)).toEqual(['[0]', '[1]']);
    expect(grid.children![1]!.children![1]!.offset).toBe(128 + 12);
  });
});
