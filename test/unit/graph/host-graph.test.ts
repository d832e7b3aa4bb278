// The host graph and program summaries from decoded facts: every kind of edge, clusters by
// holder, shared maps, inner maps of map-in-maps, DOT, and the summary sentence.
import { describe, expect, it } from 'vitest';
import type { AttachPoint } from '../../../main/kernel/attach/index.js';
import type { MapAccessReport } from '../../../main/kernel/access/index.js';
import { renderGraphDot } from '../../../main/kernel/graph/dot.js';
import { buildHostGraph, type GraphInput } from '../../../main/kernel/graph/host-graph.js';
import { shortNumber } from '../../../main/kernel/graph/glance.js';
import { busyWords, summarizeProgram } from '../../../main/kernel/graph/program-summary.js';

const report = (maps: MapAccessReport['maps']): MapAccessReport => ({ maps, untracked: [], complete: true, steps: 1 });

const INPUT: GraphInput = {
  processes: [{ pid: 100, comm: 'runqlat', held: 5 }, { pid: 200, comm: 'cilium-agent', place: 'cilium.service', held: 4 }, { pid: 50, comm: 'bpftool', held: 1 }],
  programs: [
    { id: 1, type: 'tracepoint', name: 'handle_switch', pids: [50, 100] },
    { id: 2, type: 'sched_cls', name: 'from_netdev', pids: [200] },
    { id: 3, type: 'sched_cls', name: 'tail_one', pids: [200] },
    { id: 4, type: 'tracing', name: 'watch_prog', pids: [100] },
    { id: 5, type: 'struct_ops', name: 'cc_ssthresh', pids: [] },
  ],
  maps: [
    { id: 10, type: 'hash', name: 'start', pids: [100] },
    { id: 11, type: 'hash', name: 'shared', pids: [] },
    { id: 12, type: 'prog_array', name: 'calls', pids: [200] },
    { id: 13, type: 'array_of_maps', name: 'outer', pids: [200] },
    { id: 14, type: 'array', name: 'inner', pids: [] },
    { id: 15, type: 'struct_ops', name: 'cc', pids: [] },
  ],
  links: [
    { id: 20, type: 'perf_event', name: 'perf_event link 20', pids: [100], progId: 1 },
    { id: 21, type: 'tracing', name: 'tracing link 21', pids: [100], progId: 4, targetProgId: 2 },
    { id: 22, type: 'struct_ops', name: 'struct_ops link 22', pids: [], mapId: 15 },
  ],
  attachPoints: new Map<number, AttachPoint[]>([
    [1, [{ progId: 1, mechanism: 'link', kind: 'tracepoint', target: 'sched_switch', linkId: 20 }]],
    [2, [{ progId: 2, mechanism: 'netlink', kind: 'tc', target: 'eth0 (ifindex 2, netns host) clsact/ingress prio 1 handle 0x1, direct-action' }]],
    [3, [{ progId: 3, mechanism: 'prog_array', kind: 'tail_call', target: 'calls (map 12) index 0' }]],
    [4, [{ progId: 4, mechanism: 'link', kind: 'trace_fentry', target: 'btf 1:99', linkId: 21 }]],
    [5, [{ progId: 5, mechanism: 'struct_ops_map', kind: 'struct_ops', target: 'cc (map 15)' }]],
  ]),
  access: new Map([
    [1, report([{ mapId: 10, access: ['read', 'write'], sites: {} }, { mapId: 11, access: ['write'], sites: {} }])],
    [2, report([{ mapId: 11, access: ['read'], sites: {} }, { mapId: 12, access: ['jump'], sites: {} }, { mapId: 13, access: ['read'], sites: {} }, { mapId: 13, inner: true, access: ['write'], sites: {} }])],
  ]),
  innerMaps: new Map([[13, [14]]]),
};

describe('host graph', () => {
  const graph = buildHostGraph(INPUT);
  const edge = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to)?.access;
  const node = (id: string) => graph.nodes.find((n) => n.id === id);

  it('has every object once, and attach points and processes', () => {
    const ids = graph.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['prog:1', 'prog:5', 'map:10', 'map:15', 'link:20', 'link:21', 'proc:100', 'proc:200', 'attach:tracepoint:sched_switch']) expect(ids).toContain(id);
    expect(node('proc:200')?.name).toBe('cilium-agent (pid 200), cilium.service');
  });

  it('draws runs, accesses, tail calls, struct_ops, fentry on a program and holds', () => {
    expect(edge('attach:tracepoint:sched_switch', 'link:20')).toEqual(['runs']);
    expect(edge('link:20', 'prog:1')).toEqual(['runs']);
    expect(edge('attach:tc:eth0 (ifindex 2, netns host) clsact/ingress prio 1 handle 0x1, direct-action', 'prog:2')).toEqual(['runs']);
    expect(edge('prog:1', 'map:10')).toEqual(['read', 'write']);
    expect(edge('prog:2', 'map:12')).toEqual(['jump']);
    expect(edge('map:12', 'prog:3')).toEqual(['runs']);
    expect(edge('map:15', 'prog:5')).toEqual(['runs']);
    expect(edge('link:22', 'map:15')).toEqual(['runs']);
    expect(edge('prog:2', 'link:21')).toEqual(['runs']);
    expect(edge('link:21', 'prog:4')).toEqual(['runs']);
    expect(edge('prog:2', 'map:13')).toEqual(['read']);
    // Through the map-in-map 13: an edge of its own to the map it holds, marked inner.
    expect(graph.edges.find((e) => e.from === 'prog:2' && e.to === 'map:14')).toEqual({ from: 'prog:2', to: 'map:14', access: ['write'], inner: true });
    expect(edge('proc:100', 'map:10')).toEqual(['holds']);
    expect(graph.nodes.some((n) => n.id.startsWith('attach:trace_fentry'))).toBe(false);
  });

  it('clusters by holder and marks a map used by two tools as shared', () => {
    expect(node('prog:1')?.cluster).toBe('proc:100');
    expect(node('map:10')?.cluster).toBe('proc:100');
    expect(node('map:11')?.shared).toBe(true);
    expect(node('map:11')?.cluster).toBeUndefined();
    expect(node('map:15')?.cluster).toBeUndefined();
  });

  it('keeps an inner-map access on the outer map when its contents are unknown', () => {
    const g = buildHostGraph({ ...INPUT, innerMaps: new Map() });
    expect(g.edges.find((e) => e.from === 'prog:2' && e.to === 'map:13' && e.inner)).toEqual({ from: 'prog:2', to: 'map:13', access: ['write'], inner: true });
  });

  it('renders DOT with a cluster per process and labelled edges', () => {
    const dot = renderGraphDot(graph);
    expect(dot).toMatch(/^digraph bpf_host \{/);
    expect(dot).toContain('label="runqlat (pid 100)"');
    expect(dot).toContain('"prog:1" -> "map:10" [label="read,write", color=gray30];');
    expect(dot).toContain('"map:11" [label="shared\\nmap hash", shape=cylinder, penwidth=2.5];');
    expect(dot.trimEnd().endsWith('}')).toBe(true);
  });
});

describe('program summary', () => {
  const names: Record<number, { name: string; type: string }> = { 10: { name: 'start', type: 'hash' }, 11: { name: 'hists', type: 'hash' }, 12: { name: 'events', type: 'ringbuf' } };

  it('says what it runs on, who holds it, what it reads, writes and emits, how busy it is', () => {
    const s = summarizeProgram({
      progType: 'raw_tracepoint',
      attachPoints: [{ progId: 7, mechanism: 'link', kind: 'raw_tracepoint', target: 'sched_switch', linkId: 100 }],
      holders: [{ pid: 7903, comm: 'runqlat', command_line: 'runqlat -p 1' }],
      access: report([{ mapId: 10, access: ['read'], sites: {} }, { mapId: 11, access: ['write'], sites: {} }, { mapId: 12, access: ['emit'], sites: {} }]),
      map: (id) => names[id],
      busy: { stats: true, runs_per_sec: 12_300, avg_run_ns: 810 },
    });
    expect(s.sentence).toBe('Runs on raw tracepoint sched_switch via link 100 · held by runqlat (pid 7903) · reads start · writes hists · emits to events · 12.3 k runs/s, 810 ns avg');
    expect(s.reads).toEqual([{ id: 10, name: 'start', type: 'hash' }]);
    expect(s.runs_on).toEqual([{ kind: 'raw_tracepoint', target: 'sched_switch', mechanism: 'link', link_id: 100 }]);
  });

  it('says plainly what it does not know', () => {
    const s = summarizeProgram({
      progType: 'perf_event', attachPoints: [], holders: [], access: { error: 'prog 9: the kernel returned no instructions' }, map: () => undefined, busy: { stats: false },
    });
    expect(s.sentence).toBe('Runs on perf events the kernel does not name · held by no process (kept by what it is attached to) · maps not analysed · run statistics off');
    expect(s.runs_on_note).toMatch(/does not name/);
    const untracked = summarizeProgram({
      progType: 'kprobe', attachPoints: [], holders: [], map: () => undefined, busy: { stats: true, run_cnt: 4, run_time_ns: 400 },
      access: { maps: [], untracked: [{ insn: 3, reason: 'store through a pointer of unknown origin' }], complete: true, steps: 3 },
    });
    expect(untracked.sentence).toBe('Runs nowhere (loaded, not attached) · held by no process (pinned in bpffs, or kept by a link on it) · 1 flow not followed · 4 runs since statistics were on, 100 ns avg');
  });

  it('writes numbers for a glance', () => {
    expect([shortNumber(3), shortNumber(810.4), shortNumber(12_300), shortNumber(2_500_000), shortNumber(1.25)]).toEqual(['3', '810', '12.3 k', '2.5 M', '1.3']);
    expect(busyWords({ stats: false, run_cnt: 5 })).toBe('run statistics off (5 runs counted while on)');
  });
});
