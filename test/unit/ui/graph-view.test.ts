// The graph view's model and lane layout: clusters and what belongs to them, collapsing on a
// busy host, filters (owner, kind, name), links bridged when hidden, whole neighbourhoods of an
// open cluster too big to draw, and lanes whose nodes never overlap.
import { describe, expect, it } from 'vitest';
import type { HostGraph } from '../../../main/api/graph-records.js';
import { laneColumns, layoutGraph } from '../../../renderer/src/lib/graph/graph-layout.js';
import { activity, buildGraphView, clusterOf, initialCollapsed, MAX_OPEN_MEMBERS, placeEdgeLabels, UNOWNED } from '../../../renderer/src/lib/graph/graph-model.js';

const ALL = new Set(['attach', 'link', 'prog', 'map'] as const);

const GRAPH: HostGraph = {
  nodes: [
    { id: 'proc:10', kind: 'proc', name: 'runqlat (pid 10)' },
    { id: 'proc:20', kind: 'proc', name: 'agent (pid 20)' },
    { id: 'attach:tracepoint:sched_switch', kind: 'attach', name: 'tracepoint sched_switch', type: 'tracepoint' },
    { id: 'attach:xdp:eth0', kind: 'attach', name: 'xdp eth0', type: 'xdp' },
    { id: 'link:5', kind: 'link', name: 'perf_event link 5', type: 'perf_event', cluster: 'proc:10' },
    { id: 'prog:1', kind: 'prog', name: 'on_switch', type: 'tracepoint', cluster: 'proc:10' },
    { id: 'prog:2', kind: 'prog', name: 'xdp_main', type: 'xdp', cluster: 'proc:20' },
    { id: 'prog:3', kind: 'prog', name: 'pinned_one', type: 'socket_filter' },
    { id: 'map:7', kind: 'map', name: 'starts', type: 'hash', cluster: 'proc:10' },
    { id: 'map:8', kind: 'map', name: 'shared_cfg', type: 'array', shared: true },
  ],
  edges: [
    { from: 'attach:tracepoint:sched_switch', to: 'link:5', access: ['runs'] },
    { from: 'link:5', to: 'prog:1', access: ['runs'] },
    { from: 'attach:xdp:eth0', to: 'prog:2', access: ['runs'] },
    { from: 'prog:1', to: 'map:7', access: ['read', 'write'] },
    { from: 'prog:1', to: 'map:8', access: ['read'] },
    { from: 'prog:2', to: 'map:8', access: ['write'] },
    { from: 'proc:10', to: 'prog:1', access: ['holds'] },
    { from: 'proc:10', to: 'map:7', access: ['holds'] },
  ],
};

describe('graph view model', () => {
  it('puts each node in its cluster: attach points with the one tool they run, shared maps in none', () => {
    const c = clusterOf(GRAPH);
    expect(c.get('attach:tracepoint:sched_switch')).toBe('proc:10');
    expect(c.get('attach:xdp:eth0')).toBe('proc:20');
    expect(c.get('map:8')).toBeUndefined();
    expect(c.get('prog:3')).toBe(UNOWNED);
  });

  it('draws open clusters as lanes, without processes or holds edges', () => {
    const view = buildGraphView(GRAPH, { kinds: ALL }, new Set());
    expect(view.nodes.map((n) => n.id).sort()).toEqual(['attach:tracepoint:sched_switch', 'attach:xdp:eth0', 'link:5', 'map:7', 'map:8', 'prog:1', 'prog:2', 'prog:3']);
    expect(view.edges.some((e) => e.access.includes('holds'))).toBe(false);
    expect(view.nodes.find((n) => n.id === 'map:8')).toMatchObject({ shared: true, column: 3 });
    expect(view.nodes.find((n) => n.id === 'prog:1')).toMatchObject({ cluster: 'proc:10', column: 2, programs: [1] });
  });

  it('folds a collapsed cluster into one node, its edges merged and its programs\' activity summed', () => {
    const view = buildGraphView(GRAPH, { kinds: ALL }, new Set(['proc:10']));
    const cluster = view.nodes.find((n) => n.id === 'cluster:proc:10')!;
    expect(cluster).toMatchObject({ kind: 'cluster', label: 'runqlat (pid 10)', detail: '1 prog · 1 map · 1 link · 1 attach point' });
    expect(view.edges.find((e) => e.from === 'cluster:proc:10' && e.to === 'map:8')).toMatchObject({ access: ['read'], programs: [1] });
    expect(activity(cluster.programs, new Map([[1, 12.5]]))).toBe(12.5);
  });

  it('filters by owner (with what it touches), by kind (links bridged), and by name (clusters opened)', () => {
    const owned = buildGraphView(GRAPH, { kinds: ALL, owner: 'proc:20' }, new Set());
    expect(owned.nodes.map((n) => n.id).sort()).toEqual(['attach:xdp:eth0', 'map:8', 'prog:2']);
    const noLinks = buildGraphView(GRAPH, { kinds: new Set(['attach', 'prog', 'map']) }, new Set());
    expect(noLinks.edges.find((e) => e.from === 'attach:tracepoint:sched_switch')).toMatchObject({ to: 'prog:1', access: ['runs'] });
    const named = buildGraphView(GRAPH, { kinds: ALL, text: 'STARTS' }, new Set(['proc:10']));
    expect(named.nodes.map((n) => n.id).sort()).toEqual(['map:7', 'prog:1']);
  });

  it('starts a busy host with its big clusters collapsed', () => {
    const big: HostGraph = { nodes: [...GRAPH.nodes], edges: [...GRAPH.edges] };
    for (let i = 0; i < 300; i++) big.nodes.push({ id: `prog:${100 + i}`, kind: 'prog', name: `p${i}`, type: 'socket_filter' });
    expect([...initialCollapsed(big)]).toEqual([UNOWNED]);
    expect(initialCollapsed(GRAPH).size).toBe(0);
  });

  it('draws whole neighbourhoods of an open cluster too big to draw, and counts the rest without edges', () => {
    const big: HostGraph = { nodes: [], edges: [] };
    for (let i = 0; i < 400; i++) {
      big.nodes.push({ id: `prog:${i}`, kind: 'prog', name: `p${i}`, type: 'socket_filter' }, { id: `map:${i}`, kind: 'map', name: `m${i}`, type: 'array' });
      big.edges.push({ from: `prog:${i}`, to: `map:${i}`, access: ['read'] });
    }
    const view = buildGraphView(big, { kinds: ALL }, new Set());
    const shown = view.nodes.filter((n) => n.kind !== 'more');
    expect(shown).toHaveLength(MAX_OPEN_MEMBERS);
    // Every program drawn has its map drawn beside it.
    for (const n of shown.filter((x) => x.kind === 'prog')) expect(shown.some((m) => m.id === `map:${n.id.slice(5)}`), n.id).toBe(true);
    expect(view.nodes.find((n) => n.kind === 'more')?.label).toBe(`${800 - MAX_OPEN_MEMBERS} more`);
    expect(view.edges.every((e) => !e.to.startsWith('more:') && !e.from.startsWith('more:'))).toBe(true);
  });
});

describe('lane layout', () => {
  it('lays out the shared lane first, then each cluster, columns left to right, nodes apart', () => {
    const view = buildGraphView(GRAPH, { kinds: ALL }, new Set());
    const lanes = view.clusters.filter((c) => !c.collapsed).map((c) => c.id);
    const layout = layoutGraph({ seq: 1, nodes: view.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height, column: n.column, ...(n.cluster ? { cluster: n.cluster } : {}) })), edges: view.edges, lanes });
    expect(Object.keys(layout.lanes)[0]).toBe('');
    expect(layout.lanes['']!.y).toBe(0);
    for (const lane of lanes) expect(layout.lanes[lane]!.y).toBeGreaterThan(layout.lanes['']!.y);
    const at = (id: string) => layout.nodes[id]!;
    expect(at('attach:tracepoint:sched_switch').x).toBeLessThan(at('link:5').x);
    expect(at('link:5').x).toBeLessThan(at('prog:1').x);
    expect(at('prog:1').x).toBeLessThan(at('map:7').x);
    // Inside the lane box.
    const lane = layout.lanes['proc:10']!;
    for (const id of ['link:5', 'prog:1', 'map:7']) expect(at(id).y).toBeGreaterThan(lane.y);
    expect(at('map:7').y).toBeLessThan(lane.y + lane.height);
  });

  it('never overlaps two nodes of one column', () => {
    const nodes = Array.from({ length: 600 }, (_, i) => ({ id: `n${i}`, width: 150, height: 38, column: i % 4, cluster: `c${i % 3}` }));
    const edges = Array.from({ length: 599 }, (_, i) => ({ from: `n${Math.floor((i + 1) / 3)}`, to: `n${i + 1}` }));
    const layout = layoutGraph({ seq: 2, nodes, edges, lanes: ['c0', 'c1', 'c2'] });
    const byColumn = new Map<string, number[]>();
    for (const n of nodes) {
      const key = `${n.cluster}:${n.column}`;
      byColumn.set(key, [...(byColumn.get(key) ?? []), layout.nodes[n.id]!.y].sort((a, b) => a - b));
    }
    for (const ys of byColumn.values()) for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(38);
  });

  it('stands lanes side by side where a view is wider than one tall stack of them, in order, none over another', () => {
    const nodes = Array.from({ length: 12 * 8 }, (_, i) => ({ id: `n${i}`, width: 150, height: 38, column: i % 4, cluster: `c${Math.floor(i / 8)}` }));
    const lanes = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const view = { width: 1400, height: 800 };
    const stacked = layoutGraph({ seq: 3, nodes, edges: [], lanes });
    const layout = layoutGraph({ seq: 4, nodes, edges: [], lanes, view });
    const scale = (l: { width: number; height: number }) => Math.min(1, view.width / l.width, view.height / l.height);
    expect(layout.width).toBeGreaterThan(stacked.width);
    expect(scale(layout)).toBeGreaterThan(1.25 * scale(stacked));
    const boxes = lanes.map((lane) => layout.lanes[lane]!);
    // Column by column, top to bottom: the lanes' order reads the same.
    for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.x > boxes[i - 1]!.x || (boxes[i]!.x === boxes[i - 1]!.x && boxes[i]!.y > boxes[i - 1]!.y)).toBe(true);
    for (const a of boxes) for (const b of boxes) {
      if (a === b) continue;
      expect(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y).toBe(true);
    }
    for (const n of nodes) {
      const box = layout.lanes[n.cluster]!;
      const at = layout.nodes[n.id]!;
      expect(at.x >= box.x && at.x + n.width <= box.x + box.width && at.y >= box.y && at.y + n.height <= box.y + box.height).toBe(true);
    }
  });

  it('keeps one column of lanes when it fits the view unscaled, or when the view is not known', () => {
    expect(laneColumns([200, 200, 200], 1096, { width: 1200, height: 900 })).toEqual([[0, 1, 2]]);
    expect(laneColumns(Array(12).fill(300), 1096, undefined)).toEqual([Array.from({ length: 12 }, (_, i) => i)]);
    const columns = laneColumns(Array(12).fill(300), 1096, { width: 2400, height: 900 });
    expect(columns.length).toBeGreaterThan(1);
    expect(columns.flat()).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('labels map accesses, not runs edges, and never one label over another', () => {
    const labels = placeEdgeLabels([
      { key: 'a', access: ['runs'], x: 100, y: 100 },
      { key: 'b', access: ['read', 'write'], x: 100, y: 100 },
      { key: 'c', access: ['emit'], x: 120, y: 108 },
      { key: 'd', access: ['jump'], x: 100, y: 120 },
      { key: 'e', access: ['read'], x: 200, y: 100 },
      { key: 'f', access: ['holds'], x: 400, y: 400 },
    ]);
    expect([...labels].sort()).toEqual(['b', 'd', 'e']);
  });
});
