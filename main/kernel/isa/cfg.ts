// Control-flow graph of a listing: functions (subprogs), basic blocks and typed edges.
// Block boundaries follow bpftool's cfg.c (function starts, jump targets, the instruction after
// a conditional jump) and also end blocks after goto and exit, so dead code after them never
// joins a block.

import { Flow, type Listing } from './listing.js';

export type EdgeKind = 'fallthrough' | 'taken' | 'call' | 'exit';

export interface BasicBlock {
  /** Position in `ControlFlowGraph.blocks`. */
  readonly id: number;
  readonly func: number;
  /** First and last listing entry (listing positions, inclusive). */
  readonly firstEntry: number;
  readonly lastEntry: number;
  /** Instruction index of the first entry. */
  readonly start: number;
}

export interface CfgEdge {
  readonly from: number;
  /** A block id, or `exit` for the function's exit. */
  readonly to: number | 'exit';
  readonly kind: EdgeKind;
}

export interface CfgFunction {
  readonly index: number;
  /** First instruction index. */
  readonly start: number;
  /** Block ids, in program order; the first is the entry. */
  readonly blocks: readonly number[];
  readonly header?: string;
}

export interface ControlFlowGraph {
  readonly functions: readonly CfgFunction[];
  readonly blocks: readonly BasicBlock[];
  readonly edges: readonly CfgEdge[];
}

/** Listing positions where functions start: entry, bpf-to-bpf call and callback targets, func_info. */
function functionStarts(listing: Listing): number[] {
  const n = listing.length;
  const isStart = new Uint8Array(n);
  if (n > 0) isStart[0] = 1;
  for (let p = 0; p < n; p++) {
    const flow = listing.flow(p);
    if ((flow === Flow.Call || flow === Flow.FuncRef) && !listing.hasProblem(p)) {
      const start = listing.positionOf(listing.target(p));
      if (start >= 0) isStart[start] = 1;
    }
    if (listing.funcHeader(p) !== undefined) isStart[p] = 1;
  }
  const starts: number[] = [];
  for (let p = 0; p < n; p++) if (isStart[p] === 1) starts.push(p);
  return starts;
}

function isJump(flow: Flow): boolean {
  return flow === Flow.Branch || flow === Flow.Goto;
}

/** Marks in `leaders` the first entry of each block of the function at `from`..`to` (exclusive). */
function markLeaders(listing: Listing, from: number, to: number, leaders: Uint8Array): void {
  leaders[from] = 1;
  for (let p = from; p < to; p++) {
    const flow = listing.flow(p);
    if (isJump(flow) && !listing.hasProblem(p)) {
      const target = listing.positionOf(listing.target(p));
      if (target >= from && target < to) leaders[target] = 1;
    }
    if ((isJump(flow) || flow === Flow.Exit) && p + 1 < to) leaders[p + 1] = 1;
  }
}

/** Builds the CFG of a listing. Work is linear in the number of entries, from its typed arrays. */
export function buildCfg(listing: Listing): ControlFlowGraph {
  const n = listing.length;
  const starts = functionStarts(listing);
  const functions: CfgFunction[] = [];
  const blocks: BasicBlock[] = [];
  const leaders = new Uint8Array(n);
  /** Per position: the block it starts, or -1. */
  const blockAt = new Int32Array(n).fill(-1);
  const blockAtTarget = (p: number): number => {
    const position = listing.positionOf(listing.target(p));
    return position < 0 ? -1 : blockAt[position];
  };

  starts.forEach((from, func) => {
    const to = func + 1 < starts.length ? starts[func + 1] : n;
    markLeaders(listing, from, to, leaders);
    const ids: number[] = [];
    let first = from;
    for (let p = from + 1; p <= to; p++) {
      if (p < to && leaders[p] === 0) continue;
      const id = blocks.length;
      blocks.push({ id, func, firstEntry: first, lastEntry: p - 1, start: listing.index(first) });
      blockAt[first] = id;
      ids.push(id);
      first = p;
    }
    const header = listing.funcHeader(from);
    functions.push({ index: func, start: listing.index(from), blocks: ids, ...(header === undefined ? {} : { header }) });
  });

  const edges: CfgEdge[] = [];
  for (const fn of functions) {
    fn.blocks.forEach((id, i) => {
      const block = blocks[id];
      const next = i + 1 < fn.blocks.length ? fn.blocks[i + 1] : 'exit';
      for (let p = block.firstEntry; p <= block.lastEntry; p++) {
        const callee = listing.flow(p) === Flow.Call && !listing.hasProblem(p) ? blockAtTarget(p) : -1;
        if (callee >= 0) edges.push({ from: id, to: callee, kind: 'call' });
      }
      const last = block.lastEntry;
      const flow = listing.flow(last);
      if (flow === Flow.Exit) {
        edges.push({ from: id, to: 'exit', kind: 'exit' });
        return;
      }
      if (flow !== Flow.Goto) edges.push({ from: id, to: next, kind: 'fallthrough' });
      if (isJump(flow) && !listing.hasProblem(last)) {
        const target = blockAtTarget(last);
        if (target >= 0) edges.push({ from: id, to: target, kind: 'taken' });
      }
    });
  }
  return { functions, blocks, edges };
}
