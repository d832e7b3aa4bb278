// The snapshot file without a kernel: tar encoding (read back by GNU tar too), the manifest
// checks, clear errors for damaged, truncated and future-version files, recorded map paging,
// and the pairing rules of the diff.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSnapshot, SnapshotHost } from '../../../main/hosts/snapshot-host.js';
import { MapSnapshot } from '../../../main/kernel/maps/snapshot.js';
import { diffStates, renderDiffText, type EntryRenderer, type HostState } from '../../../main/kernel/snapshot/diff.js';
import {
  MANIFEST_PATH, mapContentPath, rawPath, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type SnapshotManifest,
} from '../../../main/kernel/snapshot/format.js';
import { decodeTar, encodeTar, type TarEntry } from '../../../main/kernel/snapshot/tar.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfscope-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (s: string) => new TextEncoder().encode(s);

function manifest(overrides: Partial<SnapshotManifest> = {}): SnapshotManifest {
  return {
    format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, createdAt: '2026-01-01T00:00:00.000Z',
    host: { label: 'local', settings: {} }, clocks: { realtimeNs: '2000', boottimeNs: '1000' },
    options: { maps: 'all', maxEntries: 10, withVmlinux: false },
    ids: { prog: [], map: [7], link: [], btf: [] },
    mapContents: { 7: { count: 5, keySize: 4, stride: 8, complete: true, state: 'done' } },
    files: [], ...overrides,
  };
}

function archive(m: object, extra: TarEntry[] = []): Uint8Array {
  const keys = new Uint8Array(20);
  const values = new Uint8Array(40);
  for (let i = 0; i < 5; i++) { keys[i * 4] = i; values[i * 8] = 10 * i; }
  const entries: TarEntry[] = [
    { path: MANIFEST_PATH, data: text(JSON.stringify(m)) },
    { path: rawPath('map', 7, 'info'), data: new Uint8Array(80) },
    { path: mapContentPath(7, 'keys'), data: keys },
    { path: mapContentPath(7, 'values'), data: values },
    ...extra,
  ];
  return gzipSync(Buffer.concat(encodeTar(entries, 0)));
}

describe('tar', () => {
  it('round-trips, long paths included, and GNU tar reads what we write', () => {
    const long = `${'d'.repeat(120)}/file.bin`;
    const entries = [{ path: 'a.txt', data: text('hello') }, { path: long, data: new Uint8Array(1000).fill(7) }, { path: 'empty', data: new Uint8Array(0) }];
    const bytes = Buffer.concat(encodeTar(entries, 1_700_000_000));
    const back = decodeTar(bytes);
    expect([...back.keys()]).toEqual(['a.txt', long, 'empty']);
    expect(new Uint8Array(back.get(long)!)).toEqual(entries[1].data);
    const file = join(dir, 't.tar');
    writeFileSync(file, bytes);
    expect(execFileSync('tar', ['tf', file], { encoding: 'utf8' }).trim().split('\n')).toEqual(['a.txt', long, 'empty']);
    expect(execFileSync('tar', ['xOf', file, 'a.txt'], { encoding: 'utf8' })).toBe('hello');
  });

  it('refuses bad checksums and truncated archives', () => {
    const bytes = Buffer.concat(encodeTar([{ path: 'a', data: new Uint8Array(600) }], 0));
    const bad = Uint8Array.from(bytes);
    bad[10] ^= 1;
    expect(() => decodeTar(bad)).toThrow('tar: entry at byte 0: bad header checksum');
    expect(() => decodeTar(bytes.subarray(0, 700))).toThrow('tar: a: 600 bytes past end of archive');
    expect(() => decodeTar(bytes.subarray(0, 1536))).toThrow('archive ends without its end blocks');
  });
});

describe('opening snapshot files', () => {
  it('reads a well-formed file and pages a recorded map', async () => {
    const { manifest: m, files } = await decodeSnapshot(archive(manifest()), 'ok.bpfsnap');
    const host = new SnapshotHost(m, files, 'ok.bpfsnap');
    expect(host.label).toBe('snapshot:ok.bpfsnap');
    expect(await host.listIds('map')).toEqual([7]);
    expect(await host.clocks()).toEqual({ realtimeNs: 2000n, boottimeNs: 1000n });
    const reader = (await host.openMap(7))!;
    const first = await reader.read('batch', null, 4, 8, 3);
    expect([first.count, first.done, [...first.keys].filter((_, i) => i % 4 === 0)]).toEqual([3, false, [0, 1, 2]]);
    const rest = await reader.read('batch', first.cursor, 4, 8, 3);
    expect([rest.count, rest.done, rest.values[8]]).toEqual([2, true, 40]);
    const next = await reader.read('next', first.keys.subarray(4, 8), 4, 8, 10);
    expect(next.count).toBe(3);
    expect(await host.openMap(99)).toBeNull();
    await expect(host.enableStats()).rejects.toMatchObject({ code: 'ESNAPSHOT' });
    await expect(host.readFile('/proc/kallsyms', 10)).rejects.toThrow('/proc/kallsyms was not recorded in the snapshot');
  });

  it.each([
    ['not gzip', () => text('hello world'), 'x: not a bpfscope snapshot (not gzip data)'],
    ['truncated', () => archive(manifest()).subarray(0, 100), /x: truncated or corrupted \(gzip: unexpected end of file\)/],
    ['corrupted', () => { const b = archive(manifest()); b[b.length - 6] ^= 0xff; return b; }, /x: truncated or corrupted \(gzip: /],
    ['no manifest', () => gzipSync(Buffer.concat(encodeTar([{ path: 'x', data: text('') }], 0))), 'x: no manifest.json: not a bpfscope snapshot'],
    ['another format', () => archive({ format: 'other' }), 'x: manifest: not a bpfscope snapshot'],
    ['future version', () => archive(manifest({ version: SNAPSHOT_VERSION + 1 })),
      `x: manifest: snapshot format version ${SNAPSHOT_VERSION + 1} is newer than this bpfscope reads (${SNAPSHOT_VERSION}): upgrade bpfscope`],
    ['bad ids', () => archive({ ...manifest(), ids: { prog: [-1], map: [], link: [], btf: [] } }), 'x: manifest: ids.prog missing or not a list of ids'],
  ])('%s: a clear error', async (_name, bytes, message) => {
    const error = await decodeSnapshot(bytes(), 'x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ESNAPSHOT' });
    expect(() => { throw error; }).toThrow(message);
  });

  it('committed samples fail with the same clear errors', async () => {
    const samples = join(import.meta.dirname, '..', '..', 'fixtures', 'snapshots');
    await expect(SnapshotHost.open(join(samples, 'future-version.bpfsnap'))).rejects.toThrow(/format version 99 is newer/);
    await expect(SnapshotHost.open(join(samples, 'truncated.bpfsnap'))).rejects.toThrow(/truncated or corrupted/);
    expect(readFileSync(join(samples, 'future-version.bpfsnap')).length).toBeLessThan(4096);
  });
});

describe('diff pairing', () => {
  const hex: EntryRenderer = {
    key: (_s, _id, b) => Buffer.from(b).toString('hex'),
    value: (_s, _id, b) => Buffer.from(b).toString('hex'),
  };
  const contents = (entries: Array<[number, number]>) => {
    const s = new MapSnapshot(1, 1);
    s.add({ keys: Uint8Array.from(entries.map(([k]) => k)), values: Uint8Array.from(entries.map(([, v]) => v)), count: entries.length });
    return s;
  };
  const state = (label: string, progs: Array<[number, string, string]>, map: Array<[number, number]>): HostState => ({
    label,
    programs: progs.map(([id, name, tag]) => ({ id, name, type: 'xdp', tag })),
    maps: [{ id: 3, name: 'm', type: 'hash', keySize: 1, valueSize: 1, maxEntries: 8 }],
    contents: new Map([[3, contents(map)]]),
  });

  it('pairs by id then by name: changed, reloaded, added, removed, entries per key', () => {
    const a = state('A', [[1, 'same', 't1'], [2, 'edited', 't2'], [3, 'reload', 't3'], [4, 'gone', 't4']], [[1, 10], [2, 20], [3, 30]]);
    const b = state('B', [[1, 'same', 't1'], [12, 'edited', 'tX'], [13, 'reload', 't3'], [15, 'new', 't5']], [[1, 10], [2, 21], [4, 40]]);
    const d = diffStates(a, b, hex);
    expect(d.programs.added.map((p) => p.name)).toEqual(['new']);
    expect(d.programs.removed.map((p) => p.name)).toEqual(['gone']);
    expect(d.programs.changed.map((c) => `${c.name}:${c.change}`)).toEqual(['edited:changed', 'reload:reloaded']);
    expect(d.contents).toEqual([{
      name: 'm', before: 3, after: 3, added: 1, removed: 1, changed: 1, truncated: false,
      entries: [{ key: '04', after: '28' }, { key: '02', before: '14', after: '15' }, { key: '03', before: '1e' }],
    }]);
    expect(renderDiffText(d)).toContain('~ map m: 3 → 3 entries (+1 -1 ~1)\n    + 04: 28\n    ~ 02: 14 → 15\n    - 03: 1e');
    expect(renderDiffText(diffStates(a, a, hex))).toBe('--- A\n+++ A\nno differences\n');
  });

  it('a side read only in part lists changed values, not keys it never read as added or removed', () => {
    const a = { ...state('A', [], [[1, 10], [2, 20], [3, 30]]), partial: new Set([3]) };
    const b = state('B', [], [[1, 10], [2, 21], [4, 40]]);
    const d = diffStates(a, b, hex);
    expect(d.contents).toEqual([{
      name: 'm', before: 3, after: 3, added: 0, removed: 0, changed: 1, truncated: false, partial: true,
      entries: [{ key: '02', before: '14', after: '15' }],
    }]);
    expect(renderDiffText(d)).toContain('(+0 -0 ~1) (partial read: changed values only)');
    expect(diffStates({ ...a, contents: new Map([[3, contents([[1, 10]])]]) }, b, hex).contents).toEqual([]);
  });
});
