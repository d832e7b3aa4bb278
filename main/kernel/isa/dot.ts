// DOT rendering of a CFG in the shape of `bpftool prog dump xlated visual`: one dashed cluster
// per function with ENTRY/EXIT diamonds and record-shaped blocks. Differences, on purpose:
// instruction indexes are absolute (as in the text listing) and calls keep their names; exit
// blocks lead to EXIT (bpftool links them to the next block); call edges are drawn dashed.

import type { ControlFlowGraph, CfgEdge } from './cfg.js';
import type { ListingRows } from './listing.js';
import { PagedJoin } from './paged-join.js';

/** bpftool's escaping for record labels (print_insn_for_graph), plus quotes and backslashes. */
function escapeLabel(text: string): string {
  return text.replace(/[\\"<>|&{}]/g, (c) => `\\${c}`);
}

function indexColumn(index: number): string {
  return ` ${index}`.padStart(4);
}

function nodeName(func: number, local: number): string {
  return `fn_${func}_bb_${local}`;
}

const FLOW_STYLE = '[style="solid,bold", color=black, weight=10, constraint=true]';
const CALL_STYLE = '[style="dashed", color=blue, constraint=false]';

/** The CFG as DOT text (with a final newline). */
export function renderCfgDot(listing: ListingRows, cfg: ControlFlowGraph): string {
  // bpftool numbers blocks per function: 0 is ENTRY, 1 is EXIT, real blocks from 2.
  const local = new Int32Array(cfg.blocks.length);
  for (const fn of cfg.functions) fn.blocks.forEach((id, i) => { local[id] = i + 2; });
  const blockName = (id: number) => nodeName(cfg.blocks[id].func, local[id]);
  const target = (edge: CfgEdge, func: number) => (edge.to === 'exit' ? nodeName(func, 1) : blockName(edge.to));
  const edgesOf: CfgEdge[][] = cfg.functions.map(() => []);
  for (const edge of cfg.edges) edgesOf[cfg.blocks[edge.from].func]?.push(edge);

  const out = new PagedJoin('\n');
  const callEdges = new PagedJoin('\n');
  out.push('digraph "DOT graph for eBPF program" {');
  for (const fn of cfg.functions) {
    for (const line of [`subgraph "cluster_${fn.index}" {`, '\tstyle="dashed";', '\tcolor="black";', `\tlabel="func_${fn.index} ()";`]) out.push(line);
    out.push(`\t${nodeName(fn.index, 0)} [shape=Mdiamond,style=filled,label="ENTRY"];`);
    out.push('');
    for (const id of fn.blocks) {
      const block = cfg.blocks[id];
      const rows: string[] = [];
      for (let p = block.firstEntry; p <= block.lastEntry; p++) {
        rows.push(`${escapeLabel(`${indexColumn(listing.index(p))}: ${listing.text(p)}`)}\\l\\\n`);
      }
      out.push(`\t${blockName(id)} [shape=record,style=filled,label="{${rows.join(' | ')}}"];`);
      out.push('');
    }
    out.push(`\t${nodeName(fn.index, 1)} [shape=Mdiamond,style=filled,label="EXIT"];`);
    out.push('');
    if (fn.blocks.length > 0) out.push(`\t${nodeName(fn.index, 0)}:s -> ${blockName(fn.blocks[0])}:n ${FLOW_STYLE};`);
    for (const edge of edgesOf[fn.index]) {
      const line = `\t${blockName(edge.from)}:s -> ${target(edge, fn.index)}:n`;
      if (edge.kind === 'call') callEdges.push(`${line} ${CALL_STYLE};`);
      else out.push(`${line} ${FLOW_STYLE};`);
    }
    out.push(`\t${nodeName(fn.index, 0)}:s -> ${nodeName(fn.index, 1)}:n [style="invis", constraint=true];`);
    out.push('}');
  }
  if (!callEdges.empty) out.push(callEdges.join());
  out.push('}');
  return `${out.join()}\n`;
}
