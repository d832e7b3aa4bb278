// The host graph: attach points, links, programs, maps and the processes holding them, with
// edges that say how each is related. Built from decoded facts (listings, attach points, access
// reports, owners); rendered as JSON (`bpfscope graph --json`), DOT and the dashboard's view.
//
//   attach:…  --runs-->  link:N  --runs-->  prog:N  --read/write/emit/jump-->  map:N
//   attach:…  --runs-->  prog:N                      (netlink, prog_attach, perf events)
//   map:N (prog_array, struct_ops)  --runs-->  prog:N;  link:N (struct_ops)  --runs-->  map:N
//   prog:N (fentry/freplace target) --runs-->  link:N  --runs-->  prog:M
//   proc:PID  --holds-->  prog:N | map:N | link:N
import type { AttachPoint } from '../attach/index.js';
import { ACCESS_KINDS, type AccessKind, type MapAccessReport } from '../access/index.js';

export type NodeKind = 'prog' | 'map' | 'link' | 'proc' | 'attach';
export type EdgeAccess = AccessKind | 'runs' | 'holds';
export const EDGE_ACCESS: readonly EdgeAccess[] = [...ACCESS_KINDS, 'runs', 'holds'];

export interface GraphNode {
  id: string;
  kind: NodeKind;
  name: string;
  /** Program, map or link type; the attach kind for attach points. */
  type?: string;
  /** The process node of the one tool holding this object, or of the tool its program belongs to. */
  cluster?: string;
  /** A map used by programs of more than one cluster, or held by several processes. */
  shared?: true;
}

export interface GraphEdge {
  from: string;
  to: string;
  access: EdgeAccess[];
  /** Accesses to maps held in this map-in-map (which one is decided at run time). */
  inner?: true;
}

export interface HostGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphProcess {
  pid: number;
  comm: string;
  /** BPF objects (programs, maps, links) it holds: the tool that loaded an object holds most. */
  held: number;
  /** A line about where it runs (unit, container, pod), for its node's name. */
  place?: string;
}

export interface GraphObject {
  id: number;
  type: string;
  name: string;
  /** Holder pids. */
  pids: readonly number[];
}

export interface GraphLink extends GraphObject {
  progId?: number;
  /** struct_ops links: the map whose programs they register. */
  mapId?: number;
  /** fentry/fexit/freplace on a program: the program it is attached to. */
  targetProgId?: number;
}

export interface GraphInput {
  programs: readonly GraphObject[];
  maps: readonly GraphObject[];
  links: readonly GraphLink[];
  processes: readonly GraphProcess[];
  attachPoints: ReadonlyMap<number, readonly AttachPoint[]>;
  access: ReadonlyMap<number, MapAccessReport>;
  /** Map-in-map id → the maps it holds now. */
  innerMaps: ReadonlyMap<number, readonly number[]>;
}

export const nodeId = {
  prog: (id: number) => `prog:${id}`,
  map: (id: number) => `map:${id}`,
  link: (id: number) => `link:${id}`,
  proc: (pid: number) => `proc:${pid}`,
  attach: (kind: string, target: string) => `attach:${kind}:${target}`,
};

/** A perf-event attach point's target ends with its holder and fd; the hook is the part before. */
export function attachHook(point: AttachPoint): string {
  return point.pid === undefined ? point.target : point.target.replace(/ \(pid \d+ [^)]*, fd \d+\)$/, '');
}

/** A map or program named in an attach point's target (`name (map 12)`), which is then the attach point itself. */
function objectAttach(point: AttachPoint): string | undefined {
  if (point.mechanism === 'struct_ops_map' || point.mechanism === 'prog_array') {
    const map = /\(map (\d+)\)/.exec(point.target);
    return map ? nodeId.map(Number(map[1])) : undefined;
  }
  if (point.mechanism === 'link' && (point.kind === 'struct_ops' || /^sk_(skb|msg)/.test(point.kind))) {
    const map = /^map (\d+)$/.exec(point.target);
    return map ? nodeId.map(Number(map[1])) : undefined;
  }
  return undefined;
}

class GraphBuilder {
  readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, GraphEdge>();

  node(node: GraphNode): void {
    if (!this.nodes.has(node.id)) this.nodes.set(node.id, node);
  }

  edge(from: string, to: string, access: EdgeAccess, inner = false): void {
    if (!this.nodes.has(from) || !this.nodes.has(to)) return;
    const key = `${from}>${to}${inner ? ':inner' : ''}`;
    let edge = this.edges.get(key);
    if (!edge) {
      edge = { from, to, access: [] };
      if (inner) edge.inner = true;
      this.edges.set(key, edge);
    }
    if (!edge.access.includes(access)) {
      edge.access.push(access);
      edge.access.sort((a, b) => EDGE_ACCESS.indexOf(a) - EDGE_ACCESS.indexOf(b));
    }
  }

  build(): HostGraph {
    return { nodes: [...this.nodes.values()], edges: [...this.edges.values()] };
  }
}

/**
 * The process a set of holders stands for: the one holding the most objects (a tool holds its
 * programs, maps and links; a tool enumerating them holds one at a time), then the lowest pid.
 */
export function primaryHolder(pids: readonly number[], held: (pid: number) => number): number | undefined {
  let best: number | undefined;
  for (const pid of pids) {
    if (best === undefined || held(pid) > held(best) || (held(pid) === held(best) && pid < best)) best = pid;
  }
  return best;
}

export function buildHostGraph(input: GraphInput): HostGraph {
  const g = new GraphBuilder();
  const heldBy = new Map(input.processes.map((p) => [p.pid, p.held]));
  const clusterOf = (pids: readonly number[]): string | undefined => {
    const pid = primaryHolder(pids, (p) => heldBy.get(p) ?? 0);
    return pid === undefined ? undefined : nodeId.proc(pid);
  };
  for (const p of input.processes) {
    g.node({ id: nodeId.proc(p.pid), kind: 'proc', name: `${p.comm} (pid ${p.pid})${p.place ? `, ${p.place}` : ''}` });
  }
  const programCluster = new Map<number, string | undefined>();
  for (const p of input.programs) {
    const cluster = clusterOf(p.pids);
    programCluster.set(p.id, cluster);
    g.node({ id: nodeId.prog(p.id), kind: 'prog', name: p.name || `prog ${p.id}`, type: p.type, ...(cluster ? { cluster } : {}) });
  }
  for (const l of input.links) {
    const cluster = clusterOf(l.pids) ?? (l.progId === undefined ? undefined : programCluster.get(l.progId));
    g.node({ id: nodeId.link(l.id), kind: 'link', name: l.name || `link ${l.id}`, type: l.type, ...(cluster ? { cluster } : {}) });
  }
  // A map belongs to the cluster of its holders, else of the programs using it; several clusters share it.
  const usedBy = new Map<number, Set<string>>();
  for (const [progId, report] of input.access) {
    const cluster = programCluster.get(progId);
    if (cluster === undefined) continue;
    for (const m of report.maps) {
      let set = usedBy.get(m.mapId);
      if (!set) usedBy.set(m.mapId, (set = new Set()));
      set.add(cluster);
    }
  }
  for (const m of input.maps) {
    const holders = new Set(m.pids.map((pid) => clusterOf([pid])!));
    const clusters = holders.size > 0 ? holders : usedBy.get(m.id) ?? new Set<string>();
    const node: GraphNode = { id: nodeId.map(m.id), kind: 'map', name: m.name || `map ${m.id}`, type: m.type };
    if (clusters.size === 1) node.cluster = [...clusters][0];
    if (clusters.size > 1 || (usedBy.get(m.id)?.size ?? 0) > 1) node.shared = true;
    g.node(node);
  }

  for (const o of [...input.programs.map((p) => ['prog', p] as const), ...input.maps.map((m) => ['map', m] as const), ...input.links.map((l) => ['link', l] as const)]) {
    const [kind, object] = o;
    for (const pid of object.pids) g.edge(nodeId.proc(pid), nodeId[kind](object.id), 'holds');
  }

  const linkById = new Map(input.links.map((l) => [l.id, l]));
  for (const l of input.links) {
    if (l.progId !== undefined) g.edge(nodeId.link(l.id), nodeId.prog(l.progId), 'runs');
    if (l.mapId !== undefined) g.edge(nodeId.link(l.id), nodeId.map(l.mapId), 'runs');
  }
  for (const [progId, points] of input.attachPoints) {
    for (const point of points) {
      const link = point.linkId === undefined ? undefined : linkById.get(point.linkId);
      const to = link ? nodeId.link(link.id) : nodeId.prog(progId);
      let from = objectAttach(point);
      if (link?.targetProgId !== undefined) from = nodeId.prog(link.targetProgId);
      if (!from) {
        const hook = attachHook(point);
        from = nodeId.attach(point.kind, hook);
        g.node({ id: from, kind: 'attach', name: hook ? `${point.kind} ${hook}` : point.kind, type: point.kind });
      }
      g.edge(from, to, 'runs');
    }
  }

  for (const [progId, report] of input.access) {
    for (const m of report.maps) {
      const targets = m.inner ? input.innerMaps.get(m.mapId) ?? [] : [m.mapId];
      for (const access of m.access) {
        if (m.inner && targets.length === 0) g.edge(nodeId.prog(progId), nodeId.map(m.mapId), access, true);
        for (const target of targets) g.edge(nodeId.prog(progId), nodeId.map(target), access, m.inner === true);
      }
    }
  }
  return g.build();
}
