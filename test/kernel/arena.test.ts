// Arena maps. The fixture creates a real arena, maps it and writes on two of its pages; this
// kernel refuses arena creation (EPERM), which the loader reports and this test checks. Where the
// kernel accepts it, the CLI reads the real arena. Either way the read itself runs on real
// memory: a recorded arena record (written from the 6.18 uapi layout, test/helpers/recorded-
// kernel.ts) whose user address is a real BPF map mapping of the loader, the maps fixture's
// .data array (BPF_F_MMAPABLE, mapped by libbpf), so the pages bpfscope reads through that
// process are checked against bpftool's dump of the same map.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arenaReadText } from '../../main/cli/arena.js';
import { arenaReadJson, readArena } from '../../main/hosts/arena.js';
import { HostSession } from '../../main/hosts/host-session.js';
import type { Host } from '../../main/hosts/host.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { writeSnapshot } from '../../main/hosts/snapshot-writer.js';
import { arenaOf as arenaApi } from '../../main/server/inspect-service.js';
import { bpfscope, bpftoolJson } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { arenaHost, bpfMappingOf, mapInfo, RECORDED_ARENA, recordedHost } from '../helpers/recorded-kernel.js';

const skip = ensureKernelEnv();
const ARENA = 33;
const MMAPABLE = 1 << 10;
const PAGE = 4096;

let fixtures: LoadedFixtures;
const local = new LocalHost();

/** The .data value as bpftool dumps it. */
async function dataBytes(id: number): Promise<Uint8Array> {
  const [entry] = await bpftoolJson<Array<{ value: string[] }>>(['map', 'dump', 'id', String(id)]);
  return Uint8Array.from(entry!.value.map((h) => Number.parseInt(h, 16)));
}

describe.skipIf(skip)('arena maps', () => {
  let dataStart: bigint;
  let expected: Uint8Array;

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps', 'arena'] });
    expected = await dataBytes(fixtures.map('maps_bpf.data', 'maps').id);
    dataStart = await bpfMappingOf(local, fixtures.report.pid, expected);
  }, 120_000);
  afterAll(async () => {
    await fixtures?.stop();
  });

  const refusal = (): string | undefined => fixtures.report.unavailable.find((u) => u.object === 'arena')?.reason;

  it('this kernel either creates the fixture arena or refuses it with EPERM, reported as such', async () => {
    const listed = JSON.parse((await bpfscope(['ls', 'maps', '--json'])).stdout) as Array<{ id: number; type: string; name: string }>;
    const arenas = listed.filter((m) => m.name === 'fixture_arena');
    if (refusal()) {
      expect(refusal()).toBe('kernel refuses arena maps (BPF_MAP_CREATE of an arena: EPERM)');
      expect(arenas).toEqual([]);
      return;
    }
    // A kernel that allows arenas: the real one, read through the loader that mapped it.
    expect(arenas.map((a) => a.type)).toEqual(['arena']);
    const dump = await bpfscope(['dump', 'map', String(arenas[0]!.id), '--json']);
    expect(dump.code, dump.stderr).toBe(0);
    const read = JSON.parse(dump.stdout) as { arena: { pages: number }; pages_present: number; pages: Array<{ index: number; bytes: string }> };
    expect(read.arena.pages).toBe(16);
    expect(read.pages.map((p) => p.index)).toEqual([0, 5]);
    expect(Buffer.from(read.pages[0]!.bytes, 'hex').toString('latin1')).toContain('bpfscope arena page 0');
    expect(Buffer.from(read.pages[1]!.bytes, 'hex').toString('latin1')).toContain('bpfscope arena page 5');
  });

  it('reads pages of a BPF map mapping through the process that mapped it (the addon on real memory)', async () => {
    const read = await local.procMapPages(fixtures.report.pid, dataStart, 1);
    expect(read.pageSize).toBe(PAGE);
    expect([...read.present]).toEqual([1]);
    expect(Buffer.from(read.bytes.subarray(0, expected.length))).toEqual(Buffer.from(expected));
    // Only BPF map mappings: the loader's stack is refused, and so is a range running past the mapping.
    const stack = readFileSync(`/proc/${fixtures.report.pid}/maps`, 'utf8').split('\n').find((l) => l.endsWith('[stack]'))!;
    const stackStart = BigInt(`0x${stack.split('-')[0]}`);
    await expect(local.procMapPages(fixtures.report.pid, stackStart, 1)).rejects.toMatchObject({ code: 'EACCES' });
    await expect(local.procMapPages(fixtures.report.pid, dataStart, 2)).rejects.toMatchObject({ code: 'EACCES' });
    await expect(local.procMapPages(fixtures.report.pid, dataStart + 1n, 1)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(local.procMapPages(fixtures.report.pid, dataStart, 257)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(local.procMapPages(999_999_999, dataStart, 1)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  const arenaHostHere = (): Host => arenaHost(local, fixtures.report.pid, 'bpfscope-fixtu', dataStart);

  it('shows a recorded arena whose pages are the loader’s real mapping: size, address, pages in use, hex/ASCII', async () => {
    const pid = fixtures.report.pid;
    const session = new HostSession(arenaHostHere());
    const read = await readArena(session, RECORDED_ARENA, 16);
    expect(read.holder).toEqual({ pid, comm: 'bpfscope-fixtu' });
    expect(read.note).toBeUndefined();
    expect({ scanned: read.scannedPages, present: read.presentPages, pages: read.pages.map((p) => p.index) }).toEqual({ scanned: 1, present: 1, pages: [0] });
    expect(Buffer.from(read.pages[0]!.bytes.subarray(0, expected.length))).toEqual(Buffer.from(expected));

    // The CLI's text: hexdump -C of the real page, at the arena's user address.
    const text = arenaReadText(read);
    expect(text).toContain(`arena map ${RECORDED_ARENA} (rec_arena): 1 page (4096 bytes) at 0x${dataStart.toString(16)}\n`);
    expect(text).toContain(`read through bpfscope-fixtu (pid ${pid}): 1 of 1 pages present there`);
    // Its page as hexdump -C prints bpftool's value of the map (padded to the page), addresses
    // made offsets.
    const page = new Uint8Array(PAGE);
    page.set(expected);
    const theirs = execFileSync('hexdump', ['-C'], { input: page, encoding: 'utf8' }).split('\n').slice(0, -2);
    const ours = text.split('\n').slice(3, -1).map((l) => l.replace(/^[0-9a-f]{16}/, (a) => (BigInt(`0x${a}`) - dataStart).toString(16).padStart(8, '0')));
    expect(ours).toEqual(theirs);
    expect(arenaReadJson(read, 'hex')).toMatchObject({ pages_present: 1, pages: [{ index: 0, address: `0x${dataStart.toString(16)}`, bytes: Buffer.from(read.pages[0]!.bytes).toString('hex') }] });

    // The dashboard's answer: the same read, each page as hexdump lines.
    const api = await arenaApi(session, RECORDED_ARENA);
    expect(api).toMatchObject({ id: RECORDED_ARENA, arena: { pages: 1, bytes: 4096, user_vm_start: `0x${dataStart.toString(16)}` }, holder: { pid }, pages_present: 1 });
    const lines = (api.pages as Array<{ lines: Array<{ address?: string; hex?: string; ascii?: string; repeated?: number }> }>)[0]!.lines;
    expect(lines.map((l) => (l.repeated ? '*' : `${(BigInt(l.address!) - dataStart).toString(16).padStart(8, '0')}  ${l.hex!.padEnd(48)}  |${l.ascii}|`))).toEqual(theirs);
  });

  it('a snapshot keeps the pages its holder had: dump map of the snapshot prints what the live read printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-arena-'));
    try {
      const file = join(dir, 'arena.bpfsnap');
      const live = await readArena(new HostSession(arenaHostHere()), RECORDED_ARENA, 1024);
      await writeSnapshot(arenaHostHere(), file, { maps: 'none', maxEntries: 0, withVmlinux: false });
      const text = await bpfscope(['--host', `snapshot:${file}`, 'dump', 'map', String(RECORDED_ARENA)]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toBe(arenaReadText(live));
      const json = await bpfscope(['--host', `snapshot:${file}`, 'dump', 'map', String(RECORDED_ARENA), '--json']);
      expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(arenaReadJson(live, 'hex'))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds an arena created without an address by the size of its mapping, and says when the size is not enough', async () => {
    const pid = fixtures.report.pid;
    const mappings = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').filter((l) => l.endsWith('anon_inode:bpf-map')).map((l) => l.split(' ')[0]!.split('-').map((x) => BigInt(`0x${x}`)) as [bigint, bigint]);
    const sizes = mappings.map(([start, end]) => end - start);
    const unique = mappings.find(([start, end]) => sizes.filter((s) => s === end - start).length === 1)!;
    const pages = Number((unique[1] - unique[0]) / BigInt(PAGE));
    const read = await readArena(new HostSession(arenaHost(local, pid, 'bpfscope-fixtu', unique[0], { pages, fixedAddress: false })), RECORDED_ARENA, 1024);
    expect(read.mapped).toEqual({ start: unique[0], by: 'size' });
    expect(read.scannedPages).toBe(pages);
    const direct = await local.procMapPages(pid, unique[0], pages);
    expect(read.presentPages).toBe(direct.present.reduce((n, p) => n + p, 0));
    expect(Buffer.concat(read.pages.map((p) => p.bytes))).toEqual(Buffer.from(direct.bytes));
    expect(arenaReadText(read)).toContain(` at 0x${unique[0].toString(16)} (found by its size: the kernel reports no address for an arena created without one)\n`);
    // One page: the loader maps several BPF maps of that size.
    const several = sizes.filter((s) => s === BigInt(PAGE)).length;
    expect(several).toBeGreaterThan(1);
    const ambiguous = await readArena(new HostSession(arenaHost(local, pid, 'bpfscope-fixtu', dataStart, { pages: 1, fixedAddress: false })), RECORDED_ARENA, 16);
    expect(ambiguous.note).toBe(`pid ${pid} maps ${several} BPF maps of the arena's size (4096 bytes) and the kernel does not say where the arena is (it was created without an address)`);
    expect(ambiguous.pages).toEqual([]);
  });

  it('says why no pages are read: no mapping of an arena created without an address, nobody mapping it, not an arena', async () => {
    const unmapped = recordedHost(local, { maps: new Map([[RECORDED_ARENA, { id: RECORDED_ARENA, info: mapInfo({ id: RECORDED_ARENA, type: ARENA, keySize: 0, valueSize: 0, maxEntries: 4, flags: MMAPABLE, name: 'rec_arena' }), fdinfo: '' }]]) });
    expect((await readArena(new HostSession(unmapped), RECORDED_ARENA, 16)).note).toBe('no process holding the map has it mapped (an arena created without an address gets one at its first mmap)');
    const orphan = recordedHost(local, { maps: new Map([[RECORDED_ARENA, { id: RECORDED_ARENA, info: mapInfo({ id: RECORDED_ARENA, type: ARENA, keySize: 0, valueSize: 0, maxEntries: 4, flags: MMAPABLE, name: 'rec_arena', mapExtra: dataStart }), fdinfo: '' }]]) });
    expect((await readArena(new HostSession(orphan), RECORDED_ARENA, 16)).note).toBe('no process holding the map has it mapped now');
    await expect(readArena(new HostSession(local), fixtures.map('hash_map', 'maps').id, 16)).rejects.toThrow(/is not an arena/);
  });
});
