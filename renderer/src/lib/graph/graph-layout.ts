// Lays out the graph view in lanes: one horizontal lane per tool (cluster), in columns that
// follow how things run — attach point, link, program, map — so every lane reads left to right
// the same way; what belongs to no single tool (shared maps, collapsed clusters, attach points
// of several tools) has a lane of its own at the top. Within a column, nodes are ordered by the
// mean row of their neighbours (two sweeps), which keeps edges short and mostly level. Many
// lanes stand side by side in columns of lanes, as many as make the picture fit the view's
// shape at the largest scale (one tall stack of a dozen tools drew them too small to read).
// Linear in nodes and edges: thousands lay out in milliseconds, in a worker (layout-worker.ts).

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  /** 0 attach, 1 link, 2 program (and cluster summaries), 3 map. */
  column: number;
  cluster?: string;
}

export interface LayoutRequest {
  seq: number;
  nodes: LayoutNode[];
  edges: Array<{ from: string; to: string }>;
  /** Lane order: clusters first to last; nodes without a cluster go in the lane above them. */
  lanes: string[];
  /** The size of the view the graph is drawn in (px); absent: one column of lanes. */
  view?: { width: number; height: number };
}

export interface Point {
  x: number;
  y: number;
}

export interface LayoutResult {
  seq: number;
  /** Top-left corner of each node. */
  nodes: Record<string, Point>;
  /** Each lane's box (the shared lane is ''). */
  lanes: Record<string, { x: number; y: number; width: number; height: number }>;
  width: number;
  height: number;
  ms: number;
}

export const COLUMN_WIDTH = 270;
const ROW = 48;
const LANE_TITLE = 28;
const LANE_GAP = 18;
const LEFT = 16;
const COLUMNS = 4;
const SHARED = '';
/** Space between two columns of lanes. */
const LANE_COLUMN_GAP = 48;
/** Columns of lanes at most: more than this are too wide to read at any scale. */
const MAX_LANE_COLUMNS = 6;

/** Orders each column of a lane by the mean row of each node's neighbours. */
function orderColumns(columns: string[][], neighbours: Map<string, string[]>, row: Map<string, number>): void {
  for (let sweep = 0; sweep < 2; sweep++) {
    for (const column of columns) {
      const key = new Map(column.map((id, i) => {
        const rows = (neighbours.get(id) ?? []).map((n) => row.get(n)).filter((r): r is number => r !== undefined);
        return [id, rows.length > 0 ? rows.reduce((a, b) => a + b, 0) / rows.length : i];
      }));
      column.sort((a, b) => key.get(a)! - key.get(b)!);
      column.forEach((id, i) => row.set(id, i));
    }
  }
}

/**
 * Row slots of a lane's nodes (fractional): each node as near the mean slot of its neighbours
 * in the lane as its column's order and spacing allow, settled right to left, then left to
 * right — a program lines up with its maps, a map with its programs.
 */
function placeRows(columns: string[][], neighbours: Map<string, string[]>): Map<string, number> {
  const slot = new Map<string, number>();
  columns.forEach((column) => column.forEach((id, i) => slot.set(id, i)));
  const settle = (column: string[]): void => {
    let floor = 0;
    for (const id of column) {
      const near = (neighbours.get(id) ?? []).map((n) => slot.get(n)).filter((r): r is number => r !== undefined);
      const wanted = near.length > 0 ? near.reduce((a, b) => a + b, 0) / near.length : slot.get(id)!;
      const at = Math.max(floor, wanted);
      slot.set(id, at);
      floor = at + 1;
    }
  };
  for (const column of [...columns].reverse()) settle(column);
  for (const column of columns) settle(column);
  const lowest = Math.min(...slot.values());
  for (const [id, r] of slot) slot.set(id, r - lowest);
  return slot;
}

export function layoutGraph(request: LayoutRequest): LayoutResult {
  const started = performance.now();
  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string): void => {
    const list = neighbours.get(a);
    if (list) list.push(b);
    else neighbours.set(a, [b]);
  };
  for (const e of request.edges) {
    link(e.from, e.to);
    link(e.to, e.from);
  }
  const laneOf = (n: LayoutNode): string => n.cluster ?? SHARED;
  const lanes = [SHARED, ...request.lanes.filter((l) => l !== SHARED)];
  const byLane = new Map<string, string[][]>(lanes.map((l) => [l, Array.from({ length: COLUMNS }, () => [])]));
  const sizes = new Map(request.nodes.map((n) => [n.id, n]));
  for (const n of request.nodes) {
    const lane = byLane.get(laneOf(n)) ?? byLane.get(SHARED)!;
    lane[Math.max(0, Math.min(COLUMNS - 1, n.column))]!.push(n.id);
  }

  // Rows are ordered lane by lane, the shared lane first, so later lanes see where shared nodes sit.
  const row = new Map<string, number>();
  for (const lane of lanes) {
    const columns = byLane.get(lane)!;
    columns.forEach((column) => column.forEach((id, i) => row.set(id, i)));
    orderColumns(columns, neighbours, row);
  }

  // Each lane laid out at its own origin, then the lanes placed.
  const laneWidth = LEFT + COLUMNS * COLUMN_WIDTH;
  const placedLanes: Array<{ lane: string; height: number; nodes: Array<[string, Point]> }> = [];
  for (const lane of lanes) {
    const columns = byLane.get(lane)!;
    if (columns.every((c) => c.length === 0)) continue;
    const slots = placeRows(columns, neighbours);
    const rows = Math.max(...[...slots.values()].map((r) => r + 1));
    const nodes: Array<[string, Point]> = [];
    columns.forEach((column, c) => {
      for (const id of column) {
        const size = sizes.get(id)!;
        nodes.push([id, { x: LEFT + c * COLUMN_WIDTH + (COLUMN_WIDTH - 24 - size.width) / 2, y: LANE_TITLE + slots.get(id)! * ROW + (ROW - size.height) / 2 }]);
      }
    });
    placedLanes.push({ lane, height: LANE_TITLE + rows * ROW, nodes });
  }
  const stacks = laneColumns(placedLanes.map((l) => l.height), laneWidth, request.view);
  const nodes: LayoutResult['nodes'] = {};
  const boxes: LayoutResult['lanes'] = {};
  let width = 0;
  let height = 0;
  stacks.forEach((stack, k) => {
    const x = k * (laneWidth + LANE_COLUMN_GAP);
    let y = 0;
    for (const i of stack) {
      const { lane, height: laneHeight, nodes: laneNodes } = placedLanes[i]!;
      boxes[lane] = { x, y, width: laneWidth, height: laneHeight };
      for (const [id, at] of laneNodes) nodes[id] = { x: x + at.x, y: y + at.y };
      y += laneHeight + LANE_GAP;
    }
    width = x + laneWidth;
    height = Math.max(height, y - LANE_GAP);
  });
  return { seq: request.seq, nodes, lanes: boxes, width: Math.max(width, laneWidth), height, ms: performance.now() - started };
}

/**
 * The lanes (by index, in order) of each column of lanes: the count of columns whose picture
 * fits `view` at the largest scale (never above 1: the fewest columns that reach it), each
 * column filled in order up to an even share of the total height.
 */
export function laneColumns(heights: readonly number[], laneWidth: number, view: { width: number; height: number } | undefined): number[][] {
  const total = heights.reduce((a, b) => a + b + LANE_GAP, 0);
  const fill = (count: number): number[][] => {
    const share = total / count;
    const stacks: number[][] = [[]];
    let used = 0;
    heights.forEach((h, i) => {
      const stack = stacks.at(-1)!;
      if (stack.length > 0 && used + h / 2 > share && stacks.length < count) {
        stacks.push([i]);
        used = h + LANE_GAP;
      } else {
        stack.push(i);
        used += h + LANE_GAP;
      }
    });
    return stacks;
  };
  if (!view || !(view.width > 0 && view.height > 0) || heights.length < 2) return [heights.map((_, i) => i)];
  let best = fill(1);
  let bestScale = 0;
  for (let count = 1; count <= Math.min(MAX_LANE_COLUMNS, heights.length); count++) {
    const stacks = fill(count);
    const width = stacks.length * laneWidth + (stacks.length - 1) * LANE_COLUMN_GAP;
    const height = Math.max(...stacks.map((stack) => stack.reduce((a, i) => a + heights[i]! + LANE_GAP, -LANE_GAP)));
    const scale = Math.min(1, view.width / width, view.height / height);
    if (scale > bestScale * 1.0001) [best, bestScale] = [stacks, scale];
  }
  return best;
}
