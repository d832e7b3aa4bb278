// What the graph view draws, from the host graph: clusters (one per holding tool), collapsed or
// open, filters by owner, kind and name, and edges merged between what is visible, weighted by
// the live activity of the programs at either end. Pure, so it can be tested and timed alone.
import type { GraphEdge, GraphNode, HostGraph, NodeKind } from '../../../../main/api/graph-records.js';

/** Objects held by no process (kept by what they are attached to, or pinned in bpffs). */
export const UNOWNED = 'unowned';
/** Members drawn of one open cluster; the rest are counted in a "more" node. */
export const MAX_OPEN_MEMBERS = 500;
/** Clusters with more members than this start collapsed on a busy host. */
const COLLAPSE_ABOVE = 8;
/** A host with more nodes than this starts with its big clusters collapsed. */
const BUSY_HOST_NODES = 250;

export interface GraphFilters {
  /** Only this cluster (a proc node id, or UNOWNED), with what it touches. */
  owner?: string;
  kinds: ReadonlySet<NodeKind>;
  /** Nodes whose name or id contains this (case-insensitive), with their neighbours. */
  text?: string;
}

export type ViewNodeKind = NodeKind | 'cluster' | 'more';

export interface ViewNode {
  id: string;
  kind: ViewNodeKind;
  label: string;
  /** Second line: type, or a collapsed cluster's counts. */
  detail: string;
  /** The graph node, for opening it (absent for clusters and "more"). */
  node?: GraphNode;
  /** The cluster drawn around it (open clusters only). */
  cluster?: string;
  shared?: boolean;
  /** The programs whose runs make this node busy (itself, or a collapsed cluster's). */
  programs: number[];
  /** 0 attach, 1 link, 2 program or summary, 3 map: its column in the lanes. */
  column: number;
  width: number;
  height: number;
}

export interface ViewEdge {
  from: string;
  to: string;
  access: GraphEdge['access'];
  inner?: boolean;
  /** Graph edges merged into this one (collapsed clusters). */
  count: number;
  /** The programs whose runs drive this edge. */
  programs: number[];
}

export interface ViewCluster {
  id: string;
  label: string;
  members: number;
  collapsed: boolean;
}

export interface GraphView {
  nodes: ViewNode[];
  edges: ViewEdge[];
  clusters: ViewCluster[];
}

const CHAR_WIDTH = 7;
const FOLDED_ORDER: readonly NodeKind[] = ['prog', 'map', 'link', 'attach'];
const NODE_HEIGHT = 38;

function nodeSize(label: string, detail: string): { width: number; height: number } {
  return { width: Math.min(260, Math.max(96, Math.max(label.length, detail.length) * CHAR_WIDTH + 24)), height: NODE_HEIGHT };
}

/** The cluster each node belongs to: its own, its proc's, the one all its neighbours share, or none (shared). */
export function clusterOf(graph: HostGraph): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const n of graph.nodes) {
    if (n.kind === 'proc') out.set(n.id, n.id);
    else if (n.cluster) out.set(n.id, n.cluster);
    else if (n.kind !== 'attach' && !n.shared) out.set(n.id, UNOWNED);
    else out.set(n.id, undefined);
  }
  // Attach points go with the one cluster whose objects they run.
  const runs = new Map<string, Set<string | undefined>>();
  for (const e of graph.edges) {
    if (!e.from.startsWith('attach:')) continue;
    let set = runs.get(e.from);
    if (!set) runs.set(e.from, (set = new Set()));
    set.add(out.get(e.to));
  }
  for (const [id, set] of runs) if (set.size === 1) out.set(id, [...set][0]);
  return out;
}

/** Which clusters start collapsed: the big ones, on a busy host. */
export function initialCollapsed(graph: HostGraph): Set<string> {
  const clusters = clusterOf(graph);
  const sizes = new Map<string, number>();
  for (const c of clusters.values()) if (c !== undefined) sizes.set(c, (sizes.get(c) ?? 0) + 1);
  if (graph.nodes.length <= BUSY_HOST_NODES) return new Set();
  return new Set([...sizes].filter(([, size]) => size > COLLAPSE_ABOVE).map(([id]) => id));
}

function matchesText(n: GraphNode, text: string): boolean {
  return n.name.toLowerCase().includes(text) || n.id.toLowerCase().includes(text) || (n.type ?? '').toLowerCase().includes(text);
}

/** The program id of a program node. */
function progIdOf(node: GraphNode | undefined): number[] {
  return node?.kind === 'prog' ? [Number(node.id.slice(5))] : [];
}

const COLUMN: Record<ViewNodeKind, number> = { attach: 0, link: 1, prog: 2, cluster: 2, more: 2, proc: 2, map: 3 };

/** The sum of the runs per second of `programs`. */
export function activity(programs: readonly number[], rates: ReadonlyMap<number, number>): number {
  let sum = 0;
  for (const id of programs) sum += rates.get(id) ?? 0;
  return sum;
}

/**
 * What to draw. Processes are not nodes: each open cluster is drawn as its tool's lane, titled
 * with the process, so `holds` edges inside it are implied and not drawn.
 */
export interface LabelSpot {
  key: string;
  access: readonly string[];
  x: number;
  y: number;
}

/** Room a label takes around its middle (px): about "read,write" at the label's font. */
const LABEL_HALF_WIDTH = 34;
const LABEL_HALF_HEIGHT = 7;

/**
 * Which edges get a word: map accesses only (a grey edge runs, and the legend says so), each
 * where no label placed before it would be overlapped; the rest keep their title and colour.
 */
export function placeEdgeLabels(spots: readonly LabelSpot[]): Set<string> {
  const placed: LabelSpot[] = [];
  const out = new Set<string>();
  for (const spot of spots) {
    if (spot.access.every((a) => a === 'runs' || a === 'holds')) continue;
    if (placed.some((p) => Math.abs(p.x - spot.x) < 2 * LABEL_HALF_WIDTH && Math.abs(p.y - spot.y) < 2 * LABEL_HALF_HEIGHT)) continue;
    placed.push(spot);
    out.add(spot.key);
  }
  return out;
}

export function buildGraphView(graph: HostGraph, filters: GraphFilters, collapsed: ReadonlySet<string>): GraphView {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const clusters = clusterOf(graph);
  const text = filters.text?.trim().toLowerCase();

  // Nodes kept by the filters: kinds, then owner and text (each with its neighbours).
  let kept = new Set(graph.nodes.filter((n) => n.kind !== 'proc' && filters.kinds.has(n.kind)).map((n) => n.id));
  const neighbours = (seeds: Set<string>): Set<string> => {
    const out = new Set(seeds);
    for (const e of graph.edges) {
      if (seeds.has(e.from)) out.add(e.to);
      if (seeds.has(e.to)) out.add(e.from);
    }
    return out;
  };
  if (filters.owner) {
    const own = new Set(graph.nodes.filter((n) => clusters.get(n.id) === filters.owner).map((n) => n.id));
    kept = new Set([...neighbours(own)].filter((id) => kept.has(id)));
  }
  if (text) {
    const hits = new Set(graph.nodes.filter((n) => kept.has(n.id) && matchesText(n, text)).map((n) => n.id));
    kept = new Set([...neighbours(hits)].filter((id) => kept.has(id)));
  }

  // Where each kept node is drawn: itself, its collapsed cluster's node, or a cluster's "more" node.
  const drawnAs = new Map<string, string>();
  const nodes = new Map<string, ViewNode>();
  const members = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) {
    if (!kept.has(n.id)) continue;
    const c = clusters.get(n.id);
    if (c !== undefined) {
      const list = members.get(c);
      if (list) list.push(n);
      else members.set(c, [n]);
    } else {
      const detail = n.type ? `${n.kind} ${n.type}` : n.kind;
      nodes.set(n.id, { id: n.id, kind: n.kind, label: n.name, detail, node: n, ...(n.shared ? { shared: true } : {}), programs: progIdOf(n), column: COLUMN[n.kind], ...nodeSize(n.name, detail) });
      drawnAs.set(n.id, n.id);
    }
  }
  // An open cluster too big to draw whole shows whole neighbourhoods: each program with what it touches.
  const adjacent = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.access.every((a) => a === 'holds')) continue;
    for (const [a, b] of [[e.from, e.to], [e.to, e.from]] as const) {
      const list = adjacent.get(a);
      if (list) list.push(b);
      else adjacent.set(a, [b]);
    }
  }
  const inNeighbourhoods = (list: GraphNode[]): GraphNode[] => {
    if (list.length <= MAX_OPEN_MEMBERS) return list;
    const ids = new Map(list.map((n) => [n.id, n]));
    const out = new Map<string, GraphNode>();
    for (const n of list) {
      if (n.kind !== 'prog' || out.has(n.id)) continue;
      out.set(n.id, n);
      for (const other of adjacent.get(n.id) ?? []) if (ids.has(other) && !out.has(other)) out.set(other, ids.get(other)!);
    }
    for (const n of list) if (!out.has(n.id)) out.set(n.id, n);
    return [...out.values()];
  };
  const viewClusters: ViewCluster[] = [];
  for (const [c, all] of members) {
    const list = inNeighbourhoods(all);
    const label = c === UNOWNED ? 'held by no process' : byId.get(c)?.name ?? c;
    // A name filter leaves few nodes: show them where they are, not folded into their tool.
    const isCollapsed = collapsed.has(c) && !text;
    viewClusters.push({ id: c, label, members: list.length, collapsed: isCollapsed });
    if (isCollapsed) {
      // What a folded tool holds, most telling first: a narrow node cuts the end.
      const counts = new Map<string, number>(FOLDED_ORDER.map((k) => [k, 0]));
      for (const m of list) if (m.kind !== 'proc') counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
      const detail = [...counts].filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k === 'attach' ? 'attach point' : k}${n === 1 ? '' : 's'}`).join(' · ');
      const id = `cluster:${c}`;
      nodes.set(id, { id, kind: 'cluster', label, detail, programs: list.flatMap(progIdOf), column: COLUMN.cluster, ...nodeSize(label, detail) });
      for (const m of list) drawnAs.set(m.id, id);
      continue;
    }
    list.forEach((m, i) => {
      if (i >= MAX_OPEN_MEMBERS) {
        // Not drawn, and neither are its edges: the "more" node counts them.
        const id = `more:${c}`;
        const hidden = list.length - MAX_OPEN_MEMBERS;
        const label = `${hidden} more`;
        nodes.set(id, { id, kind: 'more', label, detail: 'filter by name to see them', cluster: c, programs: [], column: COLUMN.more, ...nodeSize(label, 'filter by name to see them') });
        return;
      }
      const detail = m.type ? `${m.kind} ${m.type}` : m.kind;
      nodes.set(m.id, { id: m.id, kind: m.kind, label: m.name, detail, node: m, cluster: c, programs: progIdOf(m), column: COLUMN[m.kind], ...(m.shared ? { shared: true } : {}), ...nodeSize(m.name, detail) });
      drawnAs.set(m.id, m.id);
    });
  }

  // Edges between drawn nodes, merged; a hidden link is bridged (attach runs the program).
  const edges = new Map<string, ViewEdge>();
  const add = (from: string, to: string, e: GraphEdge, programs: number[]): void => {
    const a = drawnAs.get(from);
    const b = drawnAs.get(to);
    if (!a || !b || a === b || e.access.every((x) => x === 'holds')) return;
    const key = `${a}>${b}${e.inner ? ':inner' : ''}`;
    const known = edges.get(key);
    if (known) {
      for (const access of e.access) if (!known.access.includes(access)) known.access.push(access);
      known.count++;
      for (const p of programs) if (!known.programs.includes(p)) known.programs.push(p);
    } else {
      edges.set(key, { from: a, to: b, access: [...e.access], ...(e.inner ? { inner: true } : {}), count: 1, programs });
    }
  };
  const linkRuns = new Map<string, string[]>();
  if (!filters.kinds.has('link')) {
    for (const e of graph.edges) if (e.from.startsWith('link:') && e.access.includes('runs')) linkRuns.set(e.from, [...(linkRuns.get(e.from) ?? []), e.to]);
  }
  for (const e of graph.edges) {
    if (linkRuns.has(e.to)) {
      for (const prog of linkRuns.get(e.to)!) add(e.from, prog, e, progIdOf(byId.get(prog)));
      continue;
    }
    const from = progIdOf(byId.get(e.from));
    add(e.from, e.to, e, from.length > 0 ? from : progIdOf(byId.get(e.to)));
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()], clusters: viewClusters.sort((a, b) => b.members - a.members) };
}
