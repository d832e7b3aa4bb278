// A snapshot checks itself against its own sizes and checksums, and what it can vouch for
// without them: damaged entries are ESNAPSHOT errors naming the entry when it is read, the
// rest stays usable, and a snapshot without checksums says what could not be checked.
// (A truncated values.bin used to print NUL-filled JSON, a truncated info.bin passed silently,
// a damaged owners.json or attach/calls.json failed with 'fds is not iterable'.)
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, SnapshotHost } from '../../../main/hosts/snapshot-host.js';
import { NO_CHECKSUMS_NOTE } from '../../../main/hosts/snapshot-verify.js';
import {
  MANIFEST_PATH, mapContentPath, OWNERS_PATH, rawPath, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type SnapshotManifest,
} from '../../../main/kernel/snapshot/format.js';
import { encodeTar, type TarEntry } from '../../../main/kernel/snapshot/tar.js';
import { CALLS_PATH, encodeCallLog } from '../../../main/hosts/snapshot-calls.js';

const text = (s: string) => new TextEncoder().encode(s);

function info(size: number, id: number, idOffset = 4): Uint8Array {
  const bytes = new Uint8Array(size);
  new DataView(bytes.buffer).setUint32(idOffset, id, true);
  return bytes;
}

/** Entries of a small snapshot: two programs, two maps (one with 5 recorded entries), owners, calls. */
function entries(): TarEntry[] {
  const keys = new Uint8Array(20);
  const values = new Uint8Array(40);
  for (let i = 0; i < 5; i++) { keys[i * 4] = i; values[i * 8] = 10 * i; }
  return [
    { path: rawPath('prog', 3, 'info'), data: info(232, 3) },
    { path: rawPath('prog', 4, 'info'), data: info(232, 4) },
    { path: rawPath('prog', 5, 'info'), data: info(232, 5) },
    { path: rawPath('map', 7, 'info'), data: info(104, 7) },
    { path: rawPath('map', 8, 'info'), data: info(104, 8) },
    { path: mapContentPath(7, 'keys'), data: keys },
    { path: mapContentPath(7, 'values'), data: values },
    { path: OWNERS_PATH, data: text(JSON.stringify([{ pid: 1, fd: 3, comm: 'init', target: 'anon_inode:bpf-prog', fdinfo: 'prog_id:\t3\n' }])) },
    { path: CALLS_PATH, data: text(encodeCallLog({ 'netnsList[]': { result: [{ path: '/proc/1/ns/net', inode: 4026531840, pid: 1 }] }, 'rtnlDump[null,"links",0,0]': { result: new Uint8Array([1, 2]) } })) },
  ];
}

function manifest(files: TarEntry[], withChecksums: boolean): SnapshotManifest {
  const m: SnapshotManifest = {
    format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, createdAt: '2026-01-01T00:00:00.000Z',
    host: { label: 'box', settings: {} }, clocks: { realtimeNs: '2000', boottimeNs: '1000' },
    options: { maps: 'all', maxEntries: 10, withVmlinux: false },
    ids: { prog: [3, 4, 5], map: [7, 8], link: [], btf: [] },
    mapContents: { 7: { count: 5, keySize: 4, stride: 8, complete: true, state: 'done' } },
    files: [],
  };
  if (withChecksums) {
    m.checksums = Object.fromEntries(files.map((e) => [e.path, { size: e.data.length, sha256: createHash('sha256').update(e.data).digest('hex') }]));
  }
  return m;
}

/** A snapshot whose entries are changed by `damage` after the manifest (and its checksums) were made. */
async function open(withChecksums: boolean, damage: (files: TarEntry[]) => TarEntry[] = (f) => f): Promise<SnapshotHost> {
  const files = entries();
  const m = manifest(files, withChecksums);
  const bytes = gzipSync(Buffer.concat(encodeTar([{ path: MANIFEST_PATH, data: text(JSON.stringify(m)) }, ...damage(files)], 0)));
  const { manifest: parsed, files: decoded } = await decodeSnapshot(bytes, 'x.bpfsnap');
  return new SnapshotHost(parsed, decoded, 'x.bpfsnap');
}

const replace = (path: string, data: Uint8Array) => (files: TarEntry[]) => files.map((e) => (e.path === path ? { path, data } : e));
const without = (path: string) => (files: TarEntry[]) => files.filter((e) => e.path !== path);

async function readAll(host: SnapshotHost): Promise<unknown> {
  const reader = await host.openMap(7);
  return Promise.all([
    host.progInfo(3, true), host.mapInfo(8), host.owners(), host.netnsList(),
    reader!.read('batch', null, 4, 8, 10),
  ]);
}

describe.each([true, false])('snapshot self-checks (checksums: %s)', (withChecksums) => {
  it('an intact snapshot reads whole; without checksums it says what could not be checked', async () => {
    const host = await open(withChecksums);
    await expect(readAll(host)).resolves.toBeDefined();
    expect(host.caveat).toBe(withChecksums ? undefined : NO_CHECKSUMS_NOTE);
  });

  it('a truncated values.bin is refused naming it; the rest of the snapshot still reads', async () => {
    const host = await open(withChecksums, replace(mapContentPath(7, 'values'), new Uint8Array(13)));
    const message = withChecksums
      ? 'snapshot:x.bpfsnap: map/7/values.bin: 13 bytes, the manifest records 40 (truncated or altered)'
      : 'snapshot:x.bpfsnap: map/7/values.bin: 13 bytes, but 5 entries of 8 bytes need 40 (truncated or altered)';
    await expect(host.openMap(7)).rejects.toMatchObject({ code: 'ESNAPSHOT', message });
    expect(await host.mapInfo(7)).toMatchObject({ id: 7 });
    expect(await host.owners()).toHaveLength(1);
  });

  it('a truncated info.bin is refused naming it', async () => {
    const host = await open(withChecksums, replace(rawPath('prog', 4, 'info'), info(120, 4)));
    const message = withChecksums
      ? 'prog/4/info.bin: 120 bytes, the manifest records 232 (truncated or altered)'
      : 'prog/4/info.bin: 120 bytes where 2 other prog info records have 232 (truncated or altered)';
    await expect(host.progInfo(4, false)).rejects.toMatchObject({ code: 'ESNAPSHOT', message: `snapshot:x.bpfsnap: ${message}` });
    expect(await host.progInfo(3, false)).toMatchObject({ id: 3 });
  });

  it('an info record of another object, or one too short to name it, is refused', async () => {
    const other = await open(withChecksums, replace(rawPath('map', 8, 'info'), info(104, 9)));
    await expect(other.mapInfo(8)).rejects.toThrow('map/8/info.bin: holds the record of map 9, not 8');
    const stub = await open(withChecksums, replace(rawPath('prog', 5, 'info'), new Uint8Array(6)));
    await expect(stub.progInfo(5, false)).rejects.toThrow(/prog\/5\/info\.bin: 6 bytes/);
    const gone = await open(withChecksums, without(rawPath('prog', 5, 'info')));
    await expect(gone.progInfo(5, false)).rejects.toThrow(withChecksums ? /prog\/5\/info\.bin: missing, though the manifest lists it/ : /prog\/5\/info\.bin: missing/);
  });

  it.each([
    ['not JSON', text('[{"pid": 1,'), /owners\.json: (not JSON|\d+ bytes)/],
    ['not a list', text('{"fds": 3}'), /owners\.json: (not a list of owners|\d+ bytes)/],
    ['a record without its fields', text('[{"pid": 1}]'), /owners\.json: (owner 0: fd is not a number|\d+ bytes)/],
  ])('owners.json %s: refused naming it (was: fds is not iterable)', async (_name, data, message) => {
    const host = await open(withChecksums, replace(OWNERS_PATH, data));
    await expect(host.owners()).rejects.toMatchObject({ code: 'ESNAPSHOT', message: expect.stringMatching(message) });
    expect(await host.netnsList()).toHaveLength(1);
  });

  it.each([
    ['not JSON', text('{"netnsList[]": '), /attach\/calls\.json: (not JSON|\d+ bytes)/],
    ['a result of the wrong shape', text(JSON.stringify({ 'netnsList[]': { result: [{ path: 1 }] } })), /attach\/calls\.json: (netnsList\[\]: result\[0\]\.path is not a string|\d+ bytes)/],
    ['bytes that are not bytes', text(JSON.stringify({ 'rtnlDump[null,"links",0,0]': { result: 'AQI=' } })), /attach\/calls\.json: (rtnlDump.*: result is not bytes|\d+ bytes)/],
    ['an unknown query', text(JSON.stringify({ 'reboot[]': { result: 1 } })), /attach\/calls\.json: (reboot\[\]: not a recorded host call|\d+ bytes)/],
  ])('attach/calls.json %s: refused naming it', async (_name, data, message) => {
    const host = await open(withChecksums, replace(CALLS_PATH, data));
    await expect(host.netnsList()).rejects.toMatchObject({ code: 'ESNAPSHOT', message: expect.stringMatching(message) });
    expect(await host.owners()).toHaveLength(1);
  });
});

describe('checksums', () => {
  it('a flipped byte of the same size is found by its SHA-256 when read', async () => {
    const values = entries().find((e) => e.path === mapContentPath(7, 'values'))!.data.slice();
    values[9] ^= 1;
    const host = await open(true, replace(mapContentPath(7, 'values'), values));
    await expect(host.openMap(7)).rejects.toThrow('map/7/values.bin: its SHA-256 differs from the manifest’s (damaged or altered after it was written)');
  });

  it('an entry the checksums do not list is refused when read', async () => {
    const host = await open(true, (files) => [...files, { path: rawPath('prog', 3, 'xlated'), data: new Uint8Array(8) }]);
    await expect(host.progInfo(3, true)).rejects.toThrow('prog/3/xlated.bin: not in the manifest’s checksums (added after the snapshot was written)');
  });

  it('malformed checksums or map contents in the manifest are refused at once', async () => {
    const files = entries();
    const bad = (m: object) => gzipSync(Buffer.concat(encodeTar([{ path: MANIFEST_PATH, data: text(JSON.stringify(m)) }, ...files], 0)));
    const m = manifest(files, true);
    await expect(decodeSnapshot(bad({ ...m, checksums: { x: { size: -1, sha256: 'z' } } }), 'x')).rejects.toThrow('x: manifest: checksums of x: want { size, sha256 }');
    await expect(decodeSnapshot(bad({ ...m, mapContents: { 7: { count: 5, keySize: 4, stride: 8, complete: true, state: 'odd' } } }), 'x')).rejects.toThrow('manifest: mapContents.7: state odd');
    await expect(decodeSnapshot(bad({ ...m, mapContents: { 9: { count: 0, keySize: 4, stride: 8, complete: true, state: 'done' } } }), 'x')).rejects.toThrow('manifest: mapContents.9: no such map in ids.map');
  });
});

describe('slots the kernel refused to read', () => {
  const errnoBytes = (errnos: number[]) => {
    const bytes = new Uint8Array(errnos.length * 4);
    errnos.forEach((errno, i) => new DataView(bytes.buffer).setUint32(i * 4, errno, true));
    return bytes;
  };
  async function openRefused(errors: Uint8Array): Promise<SnapshotHost> {
    const files = [...entries(), { path: mapContentPath(7, 'errors'), data: errors }];
    const m = manifest(files, false);
    m.mapContents[7] = { ...m.mapContents[7]!, refusedSlots: 2 };
    const bytes = gzipSync(Buffer.concat(encodeTar([{ path: MANIFEST_PATH, data: text(JSON.stringify(m)) }, ...files], 0)));
    const { manifest: parsed, files: decoded } = await decodeSnapshot(bytes, 'x.bpfsnap');
    return new SnapshotHost(parsed, decoded, 'x.bpfsnap');
  }

  it('are read back with their errno, page by page; a page without one has no errors', async () => {
    const reader = (await (await openRefused(errnoBytes([0, 95, 0, 2, 0]))).openMap(7))!;
    const first = await reader.read('batch', null, 4, 8, 3);
    expect([...first.errors!]).toEqual([0, 95, 0]);
    const second = await reader.read('batch', first.cursor, 4, 8, 1);
    expect([...second.errors!]).toEqual([2]);
    const last = await reader.read('batch', second.cursor, 4, 8, 1);
    expect(last.errors).toBeUndefined();
    expect(last.done).toBe(true);
  });

  it('a truncated errors.bin is refused naming it', async () => {
    await expect((await openRefused(errnoBytes([0, 95]))).openMap(7)).rejects.toMatchObject({
      code: 'ESNAPSHOT',
      message: "snapshot:x.bpfsnap: map/7/errors.bin: 8 bytes, but 5 entries' errnos need 20 (truncated or altered)",
    });
  });
});
