// `bpfscope ls net|cgroup|perf --json` against bpftool 7.1 on the fixtures, and each
// fixture program's attach_points in `show prog`, whatever mechanism holds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { bpfscope, bpftoolJson, parseJsonExact, runCommand } from '../helpers/cli.js';
import { allAttachPoints, programAttachPoints } from '../../main/hosts/attachments.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { LocalHost } from '../../main/hosts/local-host.js';

type Obj = Record<string, unknown>;
const skip = ensureKernelEnv();
let fixtures: LoadedFixtures;

async function ours<T>(args: string[]): Promise<T> {
  const result = await bpfscope(args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return parseJsonExact<T>(result.stdout);
}

describe.skipIf(skip)('attachments match bpftool', () => {
  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['net', 'cgroup', 'tracing', 'struct_ops', 'maps'] });
  }, 120_000);
  afterAll(async () => {
    await fixtures?.stop();
  });

  it('ls net: the host namespace as bpftool net show, plus the test namespace', async () => {
    const [theirs] = await bpftoolJson<Obj[]>(['net', 'show']);
    const mine = await ours<Obj[]>(['ls', 'net', '--json']);
    const host = mine[0]!;
    expect((host.netns as Obj).name).toBe('host');
    const pick = (list: unknown, keys: string[]) => (list as Obj[]).map((e) => Object.fromEntries(keys.map((k) => [k, e[k]])));
    expect(pick(host.xdp, ['devname', 'ifindex', 'mode', 'id'])).toEqual(theirs!.xdp);
    expect(pick(host.tc, ['devname', 'ifindex', 'kind', 'name', 'id'])).toEqual(theirs!.tc);
    expect(host.flow_dissector).toEqual(theirs!.flow_dissector);
    // What bpftool 7.1 cannot show: tcx, netfilter, other namespaces.
    const veth = fixtures.report.veth!;
    expect(host.tcx).toContainEqual(expect.objectContaining({ ifindex: veth.host_ifindex, kind: 'tcx/egress', prog_id: fixtures.program('tcx_egress').id }));
    expect(host.netfilter).toContainEqual(expect.objectContaining({ prog_id: fixtures.program('nf_local_in').id }));
    const testNs = mine.find((n) => (n.netns as Obj).name === fixtures.report.netns)!;
    expect(testNs.xdp).toEqual([{ devname: veth.peer, ifindex: veth.peer_ifindex, mode: 'driver', id: fixtures.program('xdp_by_netlink').id }]);
    expect(testNs.flow_dissector).toEqual([{ id: fixtures.program('flow_continue').id }]);
    // bpftool inside the namespace agrees on XDP (its flow_dissector JSON there is malformed).
    const inside = await runCommand('ip', ['netns', 'exec', fixtures.report.netns, 'bpftool', '-j', 'net', 'show']);
    expect(inside.stdout).toContain(`"id":${fixtures.program('xdp_by_netlink').id}`);
  });

  it('ls net: LWT programs on routes, as ip route show, matched to the loaded program', async () => {
    // bpftool has no view of routes: ip route is the peer. The kernel names the program, no id.
    const ip = await runCommand('ip', ['-j', 'route', 'show', 'table', 'all']);
    const theirs = (JSON.parse(ip.stdout) as Obj[])
      .filter((r) => r.encap === 'bpf')
      .flatMap((r) => (['in', 'out', 'xmit'] as const).filter((h) => r[h] !== undefined).map((hook) => ({ dst: String(r.dst).includes('/') ? r.dst : `${String(r.dst)}/32`, devname: r.dev, hook, name: r[hook] })));
    const mine = await ours<Obj[]>(['ls', 'net', '--json']);
    const host = (mine[0]!.lwt as Obj[]).filter((l) => !String(l.dst).includes(':'));
    const key = (l: Obj) => `${String(l.dst)} ${String(l.hook)}`;
    expect(host.map((l) => ({ dst: l.dst, devname: l.devname, hook: l.hook, name: l.name })).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(theirs.sort((a, b) => key(a).localeCompare(key(b))));
    const lwt = fixtures.program('lwt_xmit_pass');
    const ours_ = host.find((l) => l.devname === fixtures.report.veth!.host)!;
    expect(ours_).toMatchObject({ hook: 'xmit', name: 'lwt_xmit_pass', table: 254 });
    // Another loader's program of the same name makes the match ambiguous, never wrong.
    expect(ours_.prog_ids).toContain(lwt.id);
    expect(ours_.resolved_by).toBe((ours_.prog_ids as number[]).length === 1 ? 'name' : 'ambiguous');
  });

  it('ls net: tc filters under a classful root qdisc and its classes, as bpftool net show and tc filter show', async () => {
    // The fixtures use clsact only: hang their tc program under htb 1: and class 1:1 with tc.
    const dev = `bfsq${process.pid % 100000}`;
    const pin = `/sys/fs/bpf/${dev}`;
    const prog = fixtures.program('tc_ingress');
    const steps = [
      ['ip', 'link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`],
      ['tc', 'qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb'],
      ['tc', 'class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '1mbit'],
      ['bpftool', 'prog', 'pin', 'id', String(prog.id), pin],
      ['tc', 'filter', 'add', 'dev', dev, 'parent', '1:', 'prio', '5', 'handle', '3', 'bpf', 'object-pinned', pin, 'da'],
      ['tc', 'filter', 'add', 'dev', dev, 'parent', '1:1', 'prio', '6', 'handle', '4', 'bpf', 'object-pinned', pin],
    ];
    try {
      for (const [file, ...args] of steps) {
        const r = await runCommand(file!, args);
        expect(r.code, `${file} ${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
      const [theirs] = await bpftoolJson<Obj[]>(['net', 'show', 'dev', dev]);
      const mine = (await ours<Obj[]>(['ls', 'net', '--json']))[0]!;
      const onDev = (mine.tc as Obj[]).filter((t) => t.devname === dev);
      const pick = (list: Obj[]) => list.map((e) => ({ devname: e.devname, ifindex: e.ifindex, kind: e.kind, name: e.name, id: e.id }));
      expect(pick(onDev)).toEqual(theirs!.tc);
      // What bpftool 7.1 leaves out, from tc: prio, handle and direct-action per parent.
      for (const [parent, prio, handle, da] of [['1:', 5, 3, true], ['1:1', 6, 4, false]] as const) {
        const tc = (await runCommand('tc', ['filter', 'show', 'dev', dev, 'parent', parent])).stdout;
        expect(tc).toContain(`pref ${prio} bpf chain 0 handle 0x${handle} `);
        expect(tc.includes('direct-action')).toBe(da);
        expect(onDev).toContainEqual(expect.objectContaining({ kind: 'htb', id: prog.id, prio, handle, direct_action: da }));
      }
      const shown = await ours<Obj>(['show', 'prog', String(prog.id), '--json']);
      const targets = (shown.attach_points as Obj[]).map((p) => String(p.target)).filter((t) => t.startsWith(`${dev} `));
      expect(targets).toEqual([expect.stringContaining('htb parent 1:1 prio 6 handle 0x4'), expect.stringContaining('htb parent 1:0 prio 5 handle 0x3, direct-action')]);
    } finally {
      await runCommand('ip', ['link', 'del', dev]);
      await runCommand('rm', ['-f', pin]);
    }
  });

  it('show prog: tail-call targets in prog_array maps, slot by slot as bpftool map dump', async () => {
    const arrays = fixtures.report.maps.filter((m) => m.type === 'prog_array');
    expect(arrays.length).toBeGreaterThan(0);
    for (const map of arrays) {
      const dump = await bpftoolJson<Array<{ key: string[]; value: string[] }>>(['map', 'dump', 'id', String(map.id)]);
      const u32le = (bytes: string[]) => bytes.reduce((n, b, i) => n + parseInt(b, 16) * 2 ** (8 * i), 0);
      for (const entry of dump) {
        const [index, progId] = [u32le(entry.key), u32le(entry.value)];
        const shown = await ours<Obj>(['show', 'prog', String(progId), '--json']);
        expect(shown.attach_points).toContainEqual({ mechanism: 'prog_array', kind: 'tail_call', target: `${map.name} (map ${map.id}) index ${index}` });
      }
    }
  });

  it('ls cgroup: bpftool cgroup tree, attached and effective, on the fixture cgroup', async () => {
    const root = fixtures.report.cgroup;
    for (const mode of [[], ['effective']]) {
      const theirs = await bpftoolJson<Obj[]>(['cgroup', 'tree', root, ...mode]);
      const mine = await ours<Obj[]>(['ls', 'cgroup', root, ...mode, '--json']);
      const sort = (list: Obj[]) => list.map((c) => ({ ...c, programs: [...(c.programs as Obj[])].sort((a, b) => Number(a.id) - Number(b.id)) }));
      expect(sort(mine)).toEqual(sort(theirs));
    }
  });

  it('ls perf: bpftool perf list, including the uprobe held by a perf fd alone', async () => {
    const theirs = await bpftoolJson<Obj[]>(['perf', 'list']);
    const mine = await ours<Obj[]>(['ls', 'perf', '--json']);
    const loader = fixtures.report.pid;
    const keyed = (list: Obj[]) => list.filter((e) => e.pid === loader).map(({ comm: _comm, ...rest }) => rest);
    expect(keyed(mine)).toEqual(keyed(theirs));
    expect(keyed(mine)).toContainEqual(expect.objectContaining({ prog_id: fixtures.program('uprobe_perf_fd').id, fd_type: 'uprobe' }));
  });

  it('show prog: every fixture program attached through any mechanism has an attach point of that mechanism', async () => {
    const MECHANISM: Record<string, string> = { link: 'link', netlink: 'netlink', prog_attach: 'prog_attach', perf_event: 'perf_event', struct_ops_map: 'struct_ops_map', prog_array: 'prog_array' };
    for (const prog of fixtures.report.programs) {
      const expected = MECHANISM[prog.via];
      if (!expected) continue;
      const shown = await ours<Obj>(['show', 'prog', String(prog.id), '--json']);
      const points = shown.attach_points as Obj[];
      expect(points.map((p) => p.mechanism), `${prog.name} (${prog.via})`).toContain(expected);
      if (prog.link_id !== undefined) expect(points).toContainEqual(expect.objectContaining({ link_id: prog.link_id }));
    }
  }, 120_000);

  it('show prog: one program\'s attach points, walking only the kinds its type allows, are those the whole host\'s collection gives it', async () => {
    const whole = await allAttachPoints(new HostSession(new LocalHost()));
    let attached = 0;
    for (const prog of fixtures.report.programs) {
      const own = await programAttachPoints(new HostSession(new LocalHost()), prog.id);
      expect(own, `${prog.name} (${prog.via})`).toEqual(whole.get(prog.id) ?? []);
      if (own.length > 0) attached++;
    }
    expect(attached).toBeGreaterThan(10);
  }, 120_000);
});
