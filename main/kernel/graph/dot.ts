// The host graph as Graphviz DOT: one cluster per holding process, shapes by kind, shared maps
// drawn bold, edges labelled by access.
import type { GraphNode, HostGraph, NodeKind } from './host-graph.js';

const SHAPES: Record<NodeKind, string> = {
  attach: 'shape=cds',
  link: 'shape=ellipse, style=dashed',
  prog: 'shape=box, style=rounded',
  map: 'shape=cylinder',
  proc: 'shape=house',
};

/** A DOT double-quoted string. */
function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function nodeLine(node: GraphNode): string {
  const label = node.type && node.kind !== 'attach' ? `${node.name}\n${node.kind} ${node.type}` : node.name;
  const shared = node.shared ? ', penwidth=2.5' : '';
  return `${quoted(node.id)} [label=${quoted(label)}, ${SHAPES[node.kind]}${shared}];`;
}

export function renderGraphDot(graph: HostGraph): string {
  const out = ['digraph bpf_host {', '\trankdir=LR;', '\tnode [fontname="sans-serif", fontsize=10];', '\tedge [fontname="sans-serif", fontsize=9];'];
  const byCluster = new Map<string, GraphNode[]>();
  const loose: GraphNode[] = [];
  for (const node of graph.nodes) {
    const cluster = node.kind === 'proc' ? node.id : node.cluster;
    if (!cluster) loose.push(node);
    else {
      const list = byCluster.get(cluster);
      if (list) list.push(node);
      else byCluster.set(cluster, [node]);
    }
  }
  let n = 0;
  for (const [cluster, nodes] of byCluster) {
    const proc = graph.nodes.find((x) => x.id === cluster);
    out.push(`\tsubgraph cluster_${n++} {`, `\t\tlabel=${quoted(proc?.name ?? cluster)};`, '\t\tstyle=rounded;');
    for (const node of nodes) out.push(`\t\t${nodeLine(node)}`);
    out.push('\t}');
  }
  for (const node of loose) out.push(`\t${nodeLine(node)}`);
  for (const edge of graph.edges) {
    const style = edge.access.includes('holds') ? ', style=dotted' : edge.access.includes('runs') ? '' : ', color=gray30';
    const label = `${edge.access.join(',')}${edge.inner ? ' (inner)' : ''}`;
    out.push(`\t${quoted(edge.from)} -> ${quoted(edge.to)} [label=${quoted(label)}${style}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
