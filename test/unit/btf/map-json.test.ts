// bpftool map dump -j, recorded on this kind of machine from test/fixtures/btf/maps.c loaded
// with `bpftool prog loadall` (BTF fetched from the kernel: maps.loaded.btf), is the oracle.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBtf } from '../../../main/kernel/btf/btf.js';
import { BpftoolMapDumper, type MapShape, bpftoolEntryAsJson, bpftoolMapDump } from '../../../main/kernel/btf/bpftool-map-json.js';
import { fixtureDir, readBytes } from './helpers.js';

interface Recorded { map: MapShape; bpftool: string }
const recorded = JSON.parse(readFileSync(join(fixtureDir, 'maps.bpftool.json'), 'utf8')) as Record<string, Recorded>;
const btf = parseBtf(readBytes(join(fixtureDir, 'maps.loaded.btf')));

function hexArray(s: string): Uint8Array {
  return Uint8Array.from(s.match(/0x[0-9a-f]{2}/g) ?? [], (h) => parseInt(h, 16));
}

/** Split bpftool's output into entries and pull out each entry's raw key and value bytes. */
function rawEntries(text: string): { key: Uint8Array; values: Uint8Array[] }[] {
  const parts = text.trim().slice(1, -1).split(/,(?=\{"key":\["0x)/);
  return parts.filter((p) => p !== '').map((p) => {
    const key = hexArray(/^\{"key":\[([^\]]*)\]/.exec(p)![1]!);
    if (p.includes('],"values":[{"cpu":')) {
      const raw = p.split(',"formatted":')[0]!;
      const values = [...raw.matchAll(/\{"cpu":\d+,"value":\[([^\]]*)\]/g)].map((m) => hexArray(m[1]!));
      return { key, values };
    }
    return { key, values: [hexArray(/^\{"key":\[[^\]]*\],"value":\[([^\]]*)\]/.exec(p)![1]!)] };
  });
}

describe('bpftool map dump -j compatibility', () => {
  for (const [name, rec] of Object.entries(recorded)) {
    it(`${name}: every entry byte for byte`, () => {
      const entries = rawEntries(rec.bpftool);
      expect(entries.length).toBeGreaterThan(0);
      const dumper = new BpftoolMapDumper(rec.map, rec.map.btfValueTypeId ? btf : undefined);
      const ours = bpftoolMapDump(entries.map((e) => dumper.entry(e.key, e.values)));
      expect(ours).toBe(rec.bpftool.trim());
    });
  }

  it('prints no formatted member without BTF', () => {
    const dumper = new BpftoolMapDumper({ type: 1, keySize: 2, valueSize: 1, btfKeyTypeId: 0, btfValueTypeId: 0 }, btf);
    expect(dumper.entry(Uint8Array.of(1, 2), [Uint8Array.of(255)])).toBe('{"key":["0x01","0x02"],"value":["0xff"]}');
  });
});

describe('bpftool entries in JSON formats of our own', () => {
  it('makes bpftool\'s bare (unsupported-kind a null, outside strings only, and leaves other entries alone', () => {
    const stopped = '{"key":["0x00"],"formatted":{"key":0,"value":{"i":1,"f":(unsupported-kind}}}';
    expect(JSON.parse(bpftoolEntryAsJson(stopped))).toEqual({ key: ['0x00'], formatted: { key: 0, value: { i: 1, f: null } } });
    const quoted = '{"formatted":{"value":{"s":"(unsupported-kind \\"(unsupported-kind","f":(unsupported-kind}}}';
    expect(JSON.parse(bpftoolEntryAsJson(quoted))).toEqual({ formatted: { value: { s: '(unsupported-kind "(unsupported-kind', f: null } } });
    const plain = '{"key":["0x01"],"value":["0x02"]}';
    expect(bpftoolEntryAsJson(plain)).toBe(plain);
  });
});
