// `graph [--json|--dot]`: the host graph — attach points, links, programs, maps and the
// processes holding them, with how each touches the next — as JSON, Graphviz DOT or text.
import { renderGraphDot } from '../kernel/graph/dot.js';
import type { GraphNode, HostGraph } from '../kernel/graph/host-graph.js';
import { collectHostGraph } from '../hosts/host-graph.js';
import { UsageError, type CommandContext } from './context.js';

/** One line per edge, grouped under the process whose tool the source belongs to. */
function graphText(graph: HostGraph): string {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const label = (n: GraphNode | undefined, id: string): string => (n ? `${n.id} ${n.name}` : id);
  const groups = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const from = nodes.get(edge.from);
    const group = from?.kind === 'proc' ? from.id : from?.cluster ?? nodes.get(edge.to)?.cluster ?? '';
    const line = `\t${label(from, edge.from)} --${edge.access.join(',')}${edge.inner ? ' (inner)' : ''}--> ${label(nodes.get(edge.to), edge.to)}`;
    const list = groups.get(group);
    if (list) list.push(line);
    else groups.set(group, [line]);
  }
  const out: string[] = [];
  for (const [group, lines] of groups) {
    out.push(group ? `${nodes.get(group)?.name ?? group}:` : 'held by no process:');
    out.push(...lines);
  }
  const isolated = graph.nodes.filter((n) => !graph.edges.some((e) => e.from === n.id || e.to === n.id));
  if (isolated.length > 0) out.push('unconnected:', ...isolated.map((n) => `\t${label(n, n.id)}`));
  return `${out.join('\n')}\n`;
}

export async function graphCommand(ctx: CommandContext): Promise<number> {
  if (ctx.args.length > 0) throw new UsageError('usage: bpfscope graph [--json|--dot]');
  if (ctx.flags.json && ctx.flags.dot) throw new UsageError('choose one of --json, --dot');
  const session = await ctx.session();
  const { graph, notes } = await collectHostGraph(session);
  for (const note of notes) ctx.io.err(`bpfscope: ${note}\n`);
  if (ctx.flags.json) ctx.io.out(`${JSON.stringify({ nodes: graph.nodes, edges: graph.edges })}\n`);
  else if (ctx.flags.dot) ctx.io.out(renderGraphDot(graph));
  else ctx.io.out(graphText(graph));
  return 0;
}
