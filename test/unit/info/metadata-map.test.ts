// The program metadata variables (`bpf_metadata_*`) a .rodata's BTF declares: a listing reads and
// decodes the map's value only when there are some.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBtf } from '../../../main/kernel/btf/btf.js';
import { KIND } from '../../../main/kernel/btf/wire.js';
import { metadataVars } from '../../../main/kernel/info/metadata-map.js';
import { BtfBuilder } from '../btf/builder.js';
import { fixtureDir, readBytes } from '../btf/helpers.js';

const INT32 = (0x01 << 24) | 32; // signed, 32 bits
const GLOBAL = 1;

/** int (1), then each variable (2…) and a .rodata DATASEC over them, 4 bytes each. */
function rodata(names: string[]): { btf: ReturnType<typeof parseBtf>; datasec: number } {
  const b = new BtfBuilder().type('int', KIND.INT, 0, 4, [INT32]);
  for (const name of names) b.type(name, KIND.VAR, 0, 1, [GLOBAL]);
  b.type('.rodata', KIND.DATASEC, names.length, names.length * 4, names.flatMap((_, i) => [2 + i, i * 4, 4]));
  return { btf: parseBtf(b.build()), datasec: 2 + names.length };
}

describe('metadataVars', () => {
  it('finds the bpf_metadata_ variables among others, in order, named without the prefix, with their place in the value', () => {
    const { btf, datasec } = rodata(['bpf_metadata_owner', 'limit', 'bpf_metadata_revision']);
    expect(metadataVars(btf, datasec)).toEqual([
      { name: 'owner', type: 1, offset: 0, size: 4 },
      { name: 'revision', type: 1, offset: 8, size: 4 },
    ]);
  });

  it('finds none in a .rodata of other variables or a prefix that only starts to match, nor in a type that is no DATASEC', () => {
    const { btf, datasec } = rodata(['limit', 'bpf_metadata']);
    expect(metadataVars(btf, datasec)).toEqual([]);
    expect(metadataVars(btf, 1)).toEqual([]);
  });

  it('finds none in the .rodata clang wrote for the maps fixture (one plain constant)', () => {
    const btf = parseBtf(readBytes(join(fixtureDir, 'maps.loaded.btf')));
    const [section] = btf.findByName('.rodata', 'datasec');
    expect(section).toBeDefined();
    expect(metadataVars(btf, section!.id)).toEqual([]);
  });
});
