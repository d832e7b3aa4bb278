// Asserts that two Hosts on the same machine give the same bytes: ids, info
// structs, aux arrays, BTF, map pages. Counters that tick between two reads
// (run time and count) are masked; objects that vanish in between are skipped.
import { expect } from 'vitest';
import type { Host, MapReadMode, ObjectKind, RawInfo } from '../../main/hosts/host.js';
import type { FixtureMap } from '../helpers/fixtures.js';
import { cgroup2Mount, listCgroupViews, listNetViews, listPerfEvents } from '../../main/hosts/attachments.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { decodeProgStatsSample } from '../../main/kernel/live/index.js';

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

/**
 * Hex for byte fields (fast to compare, readable in a diff), masked info. A BTF blob's zeroTail
 * says where its bytes lie in memory (the addon's buffer, not an agent's message), not what they are.
 */
function comparable(raw: RawInfo, kind: ObjectKind, info: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'zeroTail') continue;
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
        // A slot whose lookup the kernel refused travels with its errno (next-key reads).
        entries.push(p.errors?.[i] ? `${key}: errno ${p.errors[i]}` : `${key}=${value}`);
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

function hexed(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(hexed);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hexed(v)]));
  return value;
}

/** The attachment queries, raw and decoded into views: both hosts see the same hooks.
 * Returns the number of net, cgroup and perf attachments compared. */
/** fixtureNetns: the name of a namespace under /run/netns. */
export async function expectSameAttachments(local: Host, other: Host, fixtureNetns: string): Promise<number> {
  const q = (h: Host) => h as Required<Host>;
  const root = await cgroup2Mount(local);
  expect(root, 'cgroup v2 mount').toBeTruthy();
  const raw: Array<[string, (h: Required<Host>) => Promise<unknown>]> = [
    // Each side sees its own process first: compare namespaces by inode and named path.
    ['netnsList', async (h) => (await h.netnsList()).map((n) => `${n.inode} ${n.pid ? 'pid' : n.path}`)],
    // Raw rtnetlink dumps carry the asker's port id and live counters: compared decoded below.
    ['rtnlDump in the fixture netns is not empty', async (h) => (await h.rtnlDump(`/run/netns/${fixtureNetns}`, 'links', 0, 0)).byteLength > 0],
    ['netProgQuery on the netns', (h) => h.netProgQuery(null, 0, [17, 36], 0)],
    ['cgroupQuery', (h) => h.cgroupQuery(root!, [0, 1, 2, 3, 6, 8])],
    ['taskFds', (h) => h.taskFds()],
  ];
  for (const [name, ask] of raw) expect(hexed(await ask(q(other))), name).toEqual(hexed(await ask(q(local))));
  const [netA, netB] = [await listNetViews(local), await listNetViews(other)];
  expect(netB).toEqual(netA);
  const [cgA, cgB] = [await listCgroupViews(local), await listCgroupViews(other)];
  expect(cgB).toEqual(cgA);
  const [perfA, perfB] = [await listPerfEvents(new HostSession(local)), await listPerfEvents(new HostSession(other))];
  expect(perfB).toEqual(perfA);
  return netA.length + cgA.length + perfA.attached.length + perfA.holders.length;
}

/** One-pass stats samples, ring buffer positions and mmap copies: the same on both hosts.
 * Returns how many ring buffers and mmapable maps were compared. */
export async function expectSameLiveReads(local: Host, other: Host, maps: FixtureMap[]): Promise<number> {
  const q = (h: Host) => h as Required<Host>;
  const [sa, sb] = [decodeProgStatsSample(await q(local).progInfoAll(100_000)), decodeProgStatsSample(await q(other).progInfoAll(100_000))];
  const programs = (s: typeof sa) => s.records.map((r) => `${r.id} ${r.type} ${r.name} ${r.tag}`);
  expect(programs(sb)).toEqual(programs(sa));
  expect(sa.records.length).toBeGreaterThan(0);
  let compared = 0;
  for (const map of maps.filter((m) => m.type === 'ringbuf')) {
    expect(await q(other).ringbufPositions(map.id), map.name).toEqual(await q(local).ringbufPositions(map.id));
    compared++;
  }
  await expect(q(other).ringbufPositions(0x7ffffff0)).resolves.toBeNull();
  const notRing = maps.find((m) => m.type === 'hash')!;
  await expect(q(other).ringbufPositions(notRing.id)).rejects.toMatchObject({ code: 'EINVAL' });
  for (const map of maps.filter((m) => /\.(data|bss)$/.test(m.libbpf_name))) {
    const info = (await local.mapInfo(map.id))!;
    const valueSize = new DataView(info.info.buffer, info.info.byteOffset).getUint32(12, true);
    const copies: string[] = [];
    for (const host of [local, other]) {
      const reader = (await host.openMap(map.id))!;
      copies.push(Buffer.from(await reader.mmap!(0, valueSize)).toString('hex'));
      await reader.close();
    }
    expect(copies[1], map.libbpf_name).toBe(copies[0]);
    compared++;
  }
  return compared;
}
