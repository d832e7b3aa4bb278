// The xdp-tools corpus: xdp-filter, loaded by its own loader (libxdp) on a veth in native mode,
// with rules in its maps (ports, IPv4 and IPv6 addresses, a MAC address): an XDP program
// attached through netlink and the per-CPU array and per-CPU hashes (4-, 16- and 6-byte keys)
// it counts its hits in, typed by its BTF and pinned in bpffs by libxdp. Compared object by
// object with bpftool, the JIT image with GNU objdump, the BTF as C with clang. Which objects
// to compare comes from bpftool (the device's XDP program and the programs libxdp named),
// never from bpfscope.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObj } from '../helpers/bpftool-compare.js';
import { bpftoolJson, parseJsonExact } from '../helpers/cli.js';
import {
  eachLimited, expectJitLikeObjdump, expectListedLikeBpftoolAll, expectMapDumpsLikeBpftool, expectMapShownLikeBpftool,
  expectProgDumpsLikeBpftool, expectProgramsBtfLikeBpftool, expectProgShownLikeBpftool, ok,
} from '../helpers/corpus-checks.js';
import { startXdpFilter, type XdpAttachment, type XdpFilter } from '../helpers/corpus.js';
import { ensureKernelEnvWith } from '../helpers/kernel-env.js';

const skip = ensureKernelEnvWith(['objdump', 'clang', 'ip', 'xdp-filter']);

let dir: string;
let filter: XdpFilter;
const counted = new Map<string, number>();

function count(what: string, n = 1): void {
  counted.set(what, (counted.get(what) ?? 0) + n);
}

describe.skipIf(skip)('corpus: xdp-filter loaded by libxdp on a veth, compared with bpftool', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-xdp-corpus-'));
    filter = startXdpFilter();
  }, 60_000);
  afterAll(() => {
    filter?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (counted.size > 0) console.log(`xdp corpus comparisons: ${[...counted].map(([what, n]) => `${what} ${n}`).join(', ')}`);
  });

  it('xdp-filter loaded an XDP program in driver mode and the per-CPU maps it filters by', async () => {
    expect(filter.xdp.mode).toBe('driver');
    const maps = (await bpftoolJson<Array<JsonObj & { type: string; bytes_key: number }>>(['map', 'show'])).filter((m) => filter.mapIds.includes(m.id));
    expect(new Set(maps.map((m) => m.type))).toEqual(new Set(['percpu_array', 'percpu_hash']));
    expect(new Set(maps.filter((m) => m.type === 'percpu_hash').map((m) => m.bytes_key))).toEqual(new Set([4, 16, 6]));
  });

  it('show prog and show map: bpftool\'s keys and values, text and JSON', async () => {
    for (const id of filter.progIds) await expectProgShownLikeBpftool(id, count);
    await eachLimited(filter.mapIds, 2, (id) => expectMapShownLikeBpftool(id, count));
  });

  it('ls progs and maps: xdp-filter\'s objects listed as bpftool lists them', async () => {
    await expectListedLikeBpftoolAll('prog', filter.progIds, count);
    await expectListedLikeBpftoolAll('map', filter.mapIds, count);
  });

  it('the program attached where bpftool net says: the device, its ifindex and driver mode, in show prog and ls net', async () => {
    const { attach_points: points } = parseJsonExact<JsonObj & { attach_points: Array<Record<string, unknown>> }>(await ok(['show', 'prog', String(filter.xdp.id), '--json']));
    expect(points).toEqual([{ mechanism: 'netlink', kind: 'xdp', target: `${filter.ifname} (ifindex ${filter.xdp.ifindex}, netns host, driver)` }]);
    expect(await ok(['show', 'prog', String(filter.xdp.id)])).toContain(`\tattached: xdp ${filter.ifname} (ifindex ${filter.xdp.ifindex}, netns host, driver) (netlink)\n`);
    const [host] = parseJsonExact<Array<{ xdp: XdpAttachment[]; netns: { name: string } }>>(await ok(['ls', 'net', '--json']));
    expect(host!.netns.name).toBe('host');
    expect(host!.xdp.filter((e) => e.devname === filter.ifname)).toEqual([filter.xdp]);
    expect(await ok(['ls', 'net'])).toContain(`\n${filter.ifname}(${filter.xdp.ifindex}) driver id ${filter.xdp.id}\n`);
    count('attach points', 4);
  });

  it('dump prog (plain, linum, opcodes; text and JSON) as bpftool prog dump xlated, the JIT image as objdump reads it', async () => {
    for (const id of filter.progIds) {
      expect(await expectProgDumpsLikeBpftool(id, `prog ${id}`, count), `prog ${id}: source lines`).toBeGreaterThan(0);
      await expectJitLikeObjdump(id, `prog ${id}`, count);
    }
  });

  it('dump map: bpftool map dump, JSON (BTF-formatted) and text, for every map, each rule an entry', { timeout: 300_000 }, async () => {
    await expectMapDumpsLikeBpftool(filter.mapIds, count);
    // The maps compared were not empty: each rule is an entry of ours, its key in network order.
    const byName = new Map((await bpftoolJson<Array<JsonObj & { name: string }>>(['map', 'show'])).filter((m) => filter.mapIds.includes(m.id)).map((m) => [m.name, m.id]));
    const keysOf = async (name: string) => parseJsonExact<Array<{ key: string[] }>>(await ok(['dump', 'map', String(byName.get(name)), '--json'])).map((e) => e.key.join(' '));
    const ports = await keysOf('filter_ports');
    for (const port of ['0x00 0x50 0x00 0x00', '0x01 0xbb 0x00 0x00']) expect(ports).toContain(port);
    expect(await keysOf('filter_ipv4')).toEqual(['0x0a 0x01 0x02 0x03']);
    expect(await keysOf('filter_ipv6')).toEqual([['0xfe', '0x80', ...Array<string>(13).fill('0x00'), '0x01'].join(' ')]);
    expect(await keysOf('filter_ethernet')).toEqual(['0xaa 0xbb 0xcc 0xdd 0xee 0xff']);
  });

  it('the BTF as bpftool btf dump, raw and C, and the C compiles', async () => {
    expect(await expectProgramsBtfLikeBpftool(filter.progIds, dir, count)).toBeGreaterThanOrEqual(1);
  });
});
