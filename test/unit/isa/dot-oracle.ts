// Test support: reads `bpftool prog dump xlated visual` output into blocks and edges, and
// puts ours in the same terms, so the two can be compared where they are meant to agree.

import type { ControlFlowGraph, Listing } from '../../../main/kernel/isa/index.js';

export interface DotBlock {
  readonly func: number;
  /** `index: text` rows with absolute indexes. */
  readonly rows: readonly string[];
}

export interface DotGraph {
  readonly blocks: ReadonlyMap<string, DotBlock>;
  /** `from -> to` with nodes named by their first instruction index, or ENTRYn / EXITn. */
  readonly edges: ReadonlySet<string>;
}

function unescape(label: string): string {
  return label.replace(/\\([<>|&"\\])/g, '$1');
}

/** Parses bpftool's DOT; `functionStarts` turns its per-function indexes into absolute ones. */
export function parseBpftoolDot(dot: string, functionStarts: readonly number[]): DotGraph {
  const blocks = new Map<string, DotBlock>();
  const nodeKey = new Map<string, string>();
  for (const m of dot.matchAll(/^\tfn_(\d+)_bb_(\d+) \[shape=(\w+),style=filled,label="([\s\S]*?)"\];$/gm)) {
    const [, func, bb, shape, label] = m;
    const f = Number(func);
    const name = `fn_${func}_bb_${bb}`;
    if (shape === 'Mdiamond') {
      nodeKey.set(name, `${label}${f}`);
      continue;
    }
    const rows = label.replace(/^\{|\}$/g, '').split('\\l\\\n').map((r) => r.replace(/^ \| /, '')).filter((r) => r !== '')
      .map((r) => {
        const [, index, text] = /^ *(\d+): (.*)$/.exec(unescape(r)) ?? [];
        return `${Number(index) + functionStarts[f]}: ${text}`;
      });
    nodeKey.set(name, rows[0].split(':')[0]);
    blocks.set(rows[0].split(':')[0], { func: f, rows });
  }
  const edges = new Set<string>();
  for (const m of dot.matchAll(/^\t(fn_\d+_bb_\d+):s -> (fn_\d+_bb_\d+):n \[style="solid,bold"/gm)) {
    edges.add(`${nodeKey.get(m[1])} -> ${nodeKey.get(m[2])}`);
  }
  return { blocks, edges };
}

/** Our CFG in the same terms; call names are dropped from rows as bpftool's visual has none. */
export function describeOurCfg(listing: Listing, cfg: ControlFlowGraph): DotGraph {
  const key = (id: number) => String(cfg.blocks[id].start);
  const blocks = new Map<string, DotBlock>();
  for (const block of cfg.blocks) {
    const rows = listing.rows(block.firstEntry, block.lastEntry + 1)
      .map((e) => `${e.index}: ${e.text.replace(/^(\(85\) call pc[+-]\d+)#.*$/, '$1')}`);
    blocks.set(key(block.id), { func: block.func, rows });
  }
  const edges = new Set<string>();
  for (const fn of cfg.functions) if (fn.blocks.length > 0) edges.add(`ENTRY${fn.index} -> ${key(fn.blocks[0])}`);
  for (const edge of cfg.edges) {
    if (edge.kind === 'call') continue;
    const func = cfg.blocks[edge.from].func;
    edges.add(`${key(edge.from)} -> ${edge.to === 'exit' ? `EXIT${func}` : key(edge.to)}`);
  }
  return { blocks, edges };
}

/**
 * bpftool links a block ending in `exit` to the next block (or EXIT) as if it fell through;
 * the program cannot go there. Rewrites those edges to EXIT, as our CFG has them.
 */
export function correctBpftoolExitEdges(graph: DotGraph): DotGraph {
  const edges = new Set<string>();
  for (const edge of graph.edges) {
    const [from, to] = edge.split(' -> ');
    const block = graph.blocks.get(from);
    const last = block?.rows[block.rows.length - 1] ?? '';
    edges.add(block !== undefined && last.endsWith('(95) exit') ? `${from} -> EXIT${block.func}` : `${from} -> ${to}`);
  }
  return { blocks: graph.blocks, edges };
}
