// Asserts that two Hosts on the same machine give the same bytes: ids, info
// structs, aux arrays, BTF, map pages. Counters that tick between two reads
// (run time and count) are masked; objects that vanish in between are skipped.
import { expect } from 'vitest';
import type { Host, MapReadMode, ObjectKind, RawInfo } from '../../main/hosts/host.js';
import type { FixtureMap } from '../helpers/fixtures.js';

/** bpf_prog_info.run_time_ns, run_cnt, recursion_misses: offsets 192..216. */
const PROG_COUNTERS: readonly [number, number] = [192, 216];

/** Link and BTF info keep the user pointers of the second info pass
 * (tp_name, path, btf, name…): heap addresses of whichever process asked.
 * Words that differ and are user-space addresses on both sides are those. */
function maskPointers(a: Buffer, b: Buffer): void {
  for (let at = 0; at + 8 <= Math.min(a.length, b.length); at += 8) {
    const x = a.readBigUInt64LE(at);
    const y = b.readBigUInt64LE(at);
    const user = (v: bigint) => v >= 0x1000n && v < 1n << 47n;
    if (x !== y && user(x) && user(y)) {
      a.fill(0, at, at + 8);
      b.fill(0, at, at + 8);
    }
  }
}

function maskedFdinfo(text: string): string {
  return text.replace(/^(run_time_ns|run_cnt|recursion_misses):.*$/gm, '$1: *');
}

/** Hex for byte fields (fast to compare, readable in a diff), masked info. */
function comparable(raw: RawInfo, kind: ObjectKind, info: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'info') out[key] = info.toString('hex');
    else if (value instanceof Uint8Array) out[key] = Buffer.from(value).toString('hex');
    else out[key] = key === 'fdinfo' ? maskedFdinfo(String(value)) : value;
  }
  return out;
}

function comparablePair(x: RawInfo, y: RawInfo, kind: ObjectKind): [Record<string, unknown>, Record<string, unknown>] {
  const [ix, iy] = [Buffer.from(x.info), Buffer.from(y.info)];
  if (kind === 'prog') for (const b of [ix, iy]) b.fill(0, PROG_COUNTERS[0], Math.min(PROG_COUNTERS[1], b.length));
  if (kind === 'link' || kind === 'btf') maskPointers(ix, iy);
  return [comparable(x, kind, ix), comparable(y, kind, iy)];
}

async function infoOf(host: Host, kind: ObjectKind, id: number): Promise<RawInfo | null> {
  switch (kind) {
    case 'prog':
      return host.progInfo(id, true);
    case 'map':
      return host.mapInfo(id);
    case 'link':
      return host.linkInfo(id);
    case 'btf':
      return host.btfInfo(id);
  }
}

/** Returns how many objects were compared. */
export async function expectSameObjects(local: Host, other: Host, mustInclude: Partial<Record<ObjectKind, number[]>>): Promise<number> {
  let compared = 0;
  for (const kind of ['prog', 'map', 'link', 'btf'] as const) {
    const [a, b] = await Promise.all([local.listIds(kind), other.listIds(kind)]);
    for (const id of mustInclude[kind] ?? []) {
      expect(a, `${kind} ${id} listed locally`).toContain(id);
      expect(b, `${kind} ${id} listed by ${other.label}`).toContain(id);
    }
    for (const id of a.filter((x) => b.includes(x))) {
      const [x, y] = await Promise.all([infoOf(local, kind, id), infoOf(other, kind, id)]);
      if (!x || !y) continue;
      const [px, py] = comparablePair(x, y, kind);
      expect(py, `${kind} ${id}`).toEqual(px);
      compared++;
    }
  }
  return compared;
}

interface Dump {
  entries: string[];
  error?: string;
}

async function dumpMap(host: Host, map: FixtureMap, mode: MapReadMode, keySize: number, valueStride: number): Promise<Dump> {
  const reader = await host.openMap(map.id);
  if (!reader) return { entries: [], error: 'vanished' };
  const entries: string[] = [];
  try {
    let cursor: Uint8Array | null = null;
    for (let page = 0; page < 10_000; page++) {
      const p = await reader.read(mode, cursor, keySize, valueStride, 7);
      for (let i = 0; i < p.count; i++) {
        const key = Buffer.from(p.keys.subarray(i * keySize, (i + 1) * keySize)).toString('hex');
        const value = Buffer.from(p.values.subarray(i * valueStride, (i + 1) * valueStride)).toString('hex');
        entries.push(`${key}=${value}`);
      }
      if (p.done) break;
      cursor = p.cursor;
    }
    return { entries };
  } catch (e) {
    return { entries, error: (e as { code?: string }).code ?? String(e) };
  } finally {
    await reader.close();
  }
}

/** Dumps each map through both hosts in both modes and expects equal entries. */
export async function expectSameMapDumps(local: Host, other: Host, maps: FixtureMap[], cpus: number): Promise<number> {
  let dumped = 0;
  for (const map of maps) {
    const info = await local.mapInfo(map.id);
    if (!info) continue;
    const view = new DataView(info.info.buffer, info.info.byteOffset, info.info.byteLength);
    const keySize = view.getUint32(8, true);
    const valueSize = view.getUint32(12, true);
    if (keySize === 0) continue;
    const valueStride = String(map.type).startsWith('percpu') ? Math.ceil(valueSize / 8) * 8 * cpus : valueSize;
    for (const mode of ['batch', 'next'] as const) {
      const [a, b] = [await dumpMap(local, map, mode, keySize, valueStride), await dumpMap(other, map, mode, keySize, valueStride)];
      expect(b, `${map.name} (${map.type}) ${mode}`).toEqual(a);
      if (!a.error) dumped++;
    }
  }
  return dumped;
}
