// Lays out one function's control-flow graph with dagre: boxes and edge polylines.
import dagre from '@dagrejs/dagre';
import type { ProgramCodeView } from '../../../../main/api/view-records.js';

export interface CfgBox { id: number; start: number; x: number; y: number; width: number; height: number; label: string }
export interface CfgLine { points: Array<{ x: number; y: number }>; kind: string }

export type Cfg = NonNullable<ProgramCodeView['cfg']>;

export function layoutCfg(cfg: Cfg, funcIndex: number): { boxes: CfgBox[]; lines: CfgLine[]; width: number; height: number } {
  const fn = cfg.functions[funcIndex];
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 20, ranksep: 30 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(fn?.blocks ?? []);
  for (const id of ids) {
    const block = cfg.blocks[id]!;
    const count = block.lastEntry - block.firstEntry + 1;
    g.setNode(String(id), { width: 150, height: 34, label: `${block.start}: ${count} insn${count === 1 ? '' : 's'}` });
  }
  for (const edge of cfg.edges) {
    if (ids.has(edge.from) && typeof edge.to === 'number' && ids.has(edge.to)) g.setEdge(String(edge.from), String(edge.to), { kind: edge.kind });
  }
  dagre.layout(g);
  const boxes = [...ids].map((id) => {
    const n = g.node(String(id));
    return { id, start: cfg.blocks[id]!.start, x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height, label: String(n.label) };
  });
  const lines = g.edges().map((e) => {
    const edge = g.edge(e) as { points: Array<{ x: number; y: number }>; kind: string };
    return { points: edge.points, kind: edge.kind };
  });
  const graph = g.graph();
  return { boxes, lines, width: graph.width ?? 0, height: graph.height ?? 0 };
}
