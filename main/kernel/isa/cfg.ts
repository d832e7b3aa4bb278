// Control-flow graph of a listing: functions (subprogs), basic blocks and typed edges.
// Block boundaries follow bpftool's cfg.c (function starts, jump targets, the instruction after
// a conditional jump) and also end blocks after goto and exit, so dead code after them never
// joins a block.

import { isBranch } from './instruction.js';
import type { Listing } from './listing.js';

export type EdgeKind = 'fallthrough' | 'taken' | 'call' | 'exit';

export interface BasicBlock {
  /** Position in `ControlFlowGraph.blocks`. */
  readonly id: number;
  readonly func: number;
  /** First and last listing entry (positions in `listing.entries`, inclusive). */
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
function functionStarts(listing: Listing, positionOf: Map<number, number>): number[] {
  const starts = new Set<number>(listing.entries.length > 0 ? [0] : []);
  for (const entry of listing.entries) {
    const target = entry.call?.callee === 'subprog' ? entry.call.target
      : entry.instruction.kind === 'ld_imm64' && entry.instruction.pseudo === 'func' ? entry.instruction.target : undefined;
    const position = target === undefined || entry.problem !== undefined ? undefined : positionOf.get(target);
    if (position !== undefined) starts.add(position);
    if (entry.funcHeader !== undefined) starts.add(positionOf.get(entry.index) ?? 0);
  }
  return [...starts].sort((a, b) => a - b);
}

function blockLeaders(listing: Listing, from: number, to: number, positionOf: Map<number, number>): number[] {
  const leaders = new Set<number>([from]);
  for (let p = from; p < to; p++) {
    const entry = listing.entries[p];
    const insn = entry.instruction;
    if (isBranch(insn)) {
      const target = entry.problem === undefined ? positionOf.get(insn.target) : undefined;
      if (target !== undefined && target >= from && target < to) leaders.add(target);
    }
    if ((isBranch(insn) || insn.kind === 'exit') && p + 1 < to) leaders.add(p + 1);
  }
  return [...leaders].sort((a, b) => a - b);
}

/** Builds the CFG of a listing. Work is linear in the number of entries (plus sorting). */
export function buildCfg(listing: Listing): ControlFlowGraph {
  const positionOf = new Map<number, number>();
  listing.entries.forEach((entry, position) => positionOf.set(entry.index, position));
  const starts = functionStarts(listing, positionOf);
  const functions: CfgFunction[] = [];
  const blocks: BasicBlock[] = [];
  const blockAt = new Map<number, number>();

  starts.forEach((from, func) => {
    const to = func + 1 < starts.length ? starts[func + 1] : listing.entries.length;
    const leaders = blockLeaders(listing, from, to, positionOf);
    const ids: number[] = [];
    leaders.forEach((first, i) => {
      const id = blocks.length;
      const last = (i + 1 < leaders.length ? leaders[i + 1] : to) - 1;
      blocks.push({ id, func, firstEntry: first, lastEntry: last, start: listing.entries[first].index });
      blockAt.set(first, id);
      ids.push(id);
    });
    const header = listing.entries[from].funcHeader;
    functions.push({ index: func, start: listing.entries[from].index, blocks: ids, ...(header === undefined ? {} : { header }) });
  });

  const edges: CfgEdge[] = [];
  for (const fn of functions) {
    fn.blocks.forEach((id, i) => {
      const block = blocks[id];
      const next = i + 1 < fn.blocks.length ? fn.blocks[i + 1] : 'exit';
      for (let p = block.firstEntry; p <= block.lastEntry; p++) {
        const call = listing.entries[p].call;
        const callee = call?.callee === 'subprog' && call.target !== undefined && listing.entries[p].problem === undefined
          ? blockAt.get(positionOf.get(call.target) ?? -1) : undefined;
        if (callee !== undefined) edges.push({ from: id, to: callee, kind: 'call' });
      }
      const last = listing.entries[block.lastEntry];
      const insn = last.instruction;
      if (insn.kind === 'exit') {
        edges.push({ from: id, to: 'exit', kind: 'exit' });
        return;
      }
      if (!isBranch(insn) || insn.kind !== 'goto') edges.push({ from: id, to: next, kind: 'fallthrough' });
      if (isBranch(insn) && last.problem === undefined) {
        const target = blockAt.get(positionOf.get(insn.target) ?? -1);
        if (target !== undefined) edges.push({ from: id, to: target, kind: 'taken' });
      }
    });
  }
  return { functions, blocks, edges };
}
