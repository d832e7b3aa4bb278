// The fixture loader against the peer: every object it reports exists in the kernel with
// the reported type (per bpftool), triggers run programs an exact number of times, and
// stop() leaves nothing behind.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureValueFor, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skipReason = ensureKernelEnv();

interface BpftoolObject {
  id: number;
  type: string | number;
  name?: string;
  prog_id?: number;
}

function bpftoolJson<T>(...args: string[]): T {
  return JSON.parse(execFileSync('bpftool', [...args, '-j'], { encoding: 'utf8', maxBuffer: 64 << 20 })) as T;
}

function byId(kind: 'prog' | 'map' | 'link'): Map<number, BpftoolObject> {
  return new Map(bpftoolJson<BpftoolObject[]>(kind, 'show').map((o) => [o.id, o]));
}

interface BpftoolEntry<K, V> {
  formatted: { key: K; value: V };
}

function dumpMap<K, V>(id: number): Array<BpftoolEntry<K, V>['formatted']> {
  return bpftoolJson<Array<BpftoolEntry<K, V>>>('map', 'dump', 'id', String(id)).map((e) => e.formatted);
}

function bssOf(fixtures: LoadedFixtures, object: 'maps' | 'tracing'): Record<string, unknown> {
  const bss = fixtures.report.maps.find((m) => m.object === object && m.libbpf_name.endsWith('.bss'));
  if (!bss) throw new Error(`no .bss map in ${object}`);
  const [entry] = bpftoolJson<Array<{ formatted: { value: { '.bss': Array<Record<string, unknown>> } } }>>(
    'map', 'dump', 'id', String(bss.id));
  return Object.assign({}, ...entry.formatted.value['.bss']) as Record<string, unknown>;
}

describe.skipIf(skipReason !== undefined)(`fixture loader${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let fixtures: LoadedFixtures;

  beforeAll(async () => {
    fixtures = await startFixtures();
  });

  afterAll(async () => {
    await fixtures?.stop().catch(() => undefined);
  });

  it('reports programs that exist with the reported name and type', () => {
    const progs = byId('prog');
    expect(fixtures.report.programs.length).toBeGreaterThanOrEqual(25);
    for (const prog of fixtures.report.programs) {
      const peer = progs.get(prog.id);
      expect(peer, `${prog.object}/${prog.name}`).toBeDefined();
      expect(peer?.name).toBe(prog.name);
      expect(peer?.type).toBe(prog.type);
    }
  });

  it('attaches every program, or says why it cannot here', () => {
    for (const prog of fixtures.report.programs) {
      if (prog.via === 'none') expect(prog.reason, `${prog.object}/${prog.name}`).toMatch(/\S/);
      else expect(prog.reason).toBeUndefined();
    }
    for (const { reason } of fixtures.report.unavailable) expect(reason).toMatch(/\S/);
    const kinds = new Set(fixtures.report.programs.filter((p) => p.via !== 'none').map((p) => p.attach));
    for (const kind of ['tracepoint', 'raw_tracepoint', 'tp_btf', 'uprobe', 'uretprobe', 'uprobe_multi', 'iter',
      'socket_filter', 'tc', 'tcx', 'xdp', 'flow_dissector', 'lwt_xmit', 'netfilter', 'cgroup_skb', 'cgroup_sock',
      'cgroup_sysctl', 'sock_ops', 'sk_skb', 'struct_ops', 'prog_array']) {
      expect(kinds.has(kind), kind).toBe(true);
    }
  });

  it('reports maps that exist with the reported name and type', () => {
    const maps = byId('map');
    for (const map of fixtures.report.maps) {
      const peer = maps.get(map.id);
      expect(peer, `${map.object}/${map.name}`).toBeDefined();
      expect(peer?.name).toBe(map.name);
      expect(peer?.type).toBe(map.type);
    }
    const types = new Set(fixtures.report.maps.map((m) => m.type));
    for (const type of ['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lpm_trie', 'ringbuf',
      'perf_event_array', 'prog_array', 'array_of_maps', 'hash_of_maps', 'stack_trace', 'sockmap', 'struct_ops']) {
      expect(types.has(type), type).toBe(true);
    }
  });

  it('reports links that exist with the reported type and program', () => {
    const links = byId('link');
    for (const link of fixtures.report.links) {
      const peer = links.get(link.id);
      expect(peer, `${link.object}/${link.program}`).toBeDefined();
      expect(peer?.type).toBe(link.type);
      if (link.kind !== 'struct_ops') expect(peer?.prog_id).toBe(link.prog_id);
    }
    for (const prog of fixtures.report.programs.filter((p) => p.via === 'link' && p.attach !== 'struct_ops')) {
      expect(prog.link_id, prog.name).toBeTypeOf('number');
    }
  });

  it('fills user-space maps with the documented contents', () => {
    const entries = dumpMap<number, ReturnType<typeof fixtureValueFor>>(fixtures.map('hash_map').id);
    expect(entries).toHaveLength(100);
    const seven = entries.find((e) => e.key === 7)?.value;
    expect(seven?.index).toBe(7);
    expect(seven?.label).toBe(fixtureValueFor(7).label);
    expect(seven?.origin).toEqual(fixtureValueFor(7).origin);
    expect(dumpMap(fixtures.map('lpm_trie').id)).toHaveLength(4);
  });

  it('counts triggered syscalls exactly for the target process', async () => {
    const before = Number(bssOf(fixtures, 'maps').getpid_calls);
    await fixtures.trigger('getpid', 1000);
    const bss = bssOf(fixtures, 'maps');
    expect(Number(bss.getpid_calls) - before).toBe(1000);
    const counts = dumpMap<number, { calls: number }>(fixtures.map('getpid_counts').id);
    expect(counts.find((c) => c.key === fixtures.report.target_tgid)?.value.calls).toBe(Number(bss.getpid_calls));
    expect(Number(bss.tail_calls)).toBe(Number(bss.getpid_calls));
  });

  it('writes one ring buffer and one perf record per getppid, and records stacks', async () => {
    await fixtures.drain();
    await fixtures.trigger('ringbuf', 7);
    expect(await fixtures.drain()).toEqual({ ring: 7, perf: 7 });
    expect(dumpMap(fixtures.map('stack_counts').id).length).toBeGreaterThan(0);
  });

  it('runs uprobes on the loader binary', async () => {
    await fixtures.trigger('uprobe', 5);
    const bss = bssOf(fixtures, 'tracing');
    expect(Number(bss.uprobe_calls)).toBeGreaterThanOrEqual(5);
    expect(Number(bss.uretprobe_calls)).toBe(Number(bss.uprobe_calls));
    expect(Number(bss.uprobe_multi_calls)).toBe(Number(bss.uprobe_calls));
    expect(Number(bss.uprobe_perf_fd_calls)).toBe(Number(bss.uprobe_calls));
    expect(fixtures.program('uprobe_perf_fd').via).toBe('perf_event');
  });

  it('removes every program, map, link, pin, cgroup, netns and veth on stop', async () => {
    const { report } = fixtures;
    await fixtures.stop();
    // The kernel frees struct_ops maps and their programs after an RCU grace period.
    const leftovers = (): number => {
      const [progs, maps] = [byId('prog'), byId('map')];
      return report.programs.filter((p) => progs.has(p.id)).length + report.maps.filter((m) => maps.has(m.id)).length;
    };
    for (let waited = 0; leftovers() > 0 && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [progs, maps, links] = [byId('prog'), byId('map'), byId('link')];
    for (const prog of report.programs) expect(progs.has(prog.id), `prog ${prog.name}`).toBe(false);
    for (const map of report.maps) expect(maps.has(map.id), `map ${map.name}`).toBe(false);
    for (const link of report.links) expect(links.has(link.id), `link ${link.kind}`).toBe(false);
    expect(existsSync(report.pin_dir)).toBe(false);
    expect(existsSync(report.cgroup)).toBe(false);
    expect(existsSync(`/run/netns/${report.netns}`)).toBe(false);
    expect(existsSync(`/sys/class/net/${report.veth?.host}`)).toBe(false);
  });
});

describe.skipIf(skipReason !== undefined)('fixture loader --big-hash', () => {
  it('creates big_hash with the requested number of entries', async () => {
    const fixtures = await startFixtures({ only: ['big'], bigHash: 5000 });
    try {
      const big = fixtures.map('big_hash', 'big');
      expect(big.max_entries).toBe(5000);
      const entries = dumpMap<number, { a: number; d: number }>(big.id);
      expect(entries).toHaveLength(5000);
      expect(entries.find((e) => e.key === 42)?.value).toMatchObject({ a: 42, d: 168 });
    } finally {
      await fixtures.stop();
    }
  });
});
