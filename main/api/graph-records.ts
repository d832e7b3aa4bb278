// Shapes of the host graph, program summaries and explanations on the wire. The graph can hold
// thousands of nodes: it is checked by hand on the common path (as program lists are), and only
// what the hand check refuses goes through zod, so the error names the offending element.
import { z } from 'zod';
import type { HostGraph } from '../kernel/graph/host-graph.js';
import type { ProgramSummary } from '../kernel/graph/program-summary.js';

export type { GraphEdge, GraphNode, HostGraph, NodeKind, EdgeAccess } from '../kernel/graph/host-graph.js';
export type { ProgramSummary, SummaryMap, SummaryHolder } from '../kernel/graph/program-summary.js';

const NODE_KINDS = ['prog', 'map', 'link', 'proc', 'attach'] as const;
const ACCESS = ['read', 'write', 'emit', 'jump', 'runs', 'holds'] as const;

const GraphNodeSchema = z.object({
  id: z.string(),
  kind: z.enum(NODE_KINDS),
  name: z.string(),
  type: z.string().optional(),
  cluster: z.string().optional(),
  shared: z.literal(true).optional(),
});

const GraphEdgeSchema = z.object({
  from: z.string(),
  to: z.string(),
  access: z.array(z.enum(ACCESS)).min(1),
  inner: z.literal(true).optional(),
});

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isOptionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';

function isNode(v: unknown): boolean {
  return isRecord(v) && typeof v.id === 'string' && (NODE_KINDS as readonly unknown[]).includes(v.kind) && typeof v.name === 'string'
    && isOptionalString(v.type) && isOptionalString(v.cluster) && (v.shared === undefined || v.shared === true);
}

function isEdge(v: unknown): boolean {
  return isRecord(v) && typeof v.from === 'string' && typeof v.to === 'string' && Array.isArray(v.access) && v.access.length > 0
    && v.access.every((a) => (ACCESS as readonly unknown[]).includes(a)) && (v.inner === undefined || v.inner === true);
}

export type HostGraphAnswer = HostGraph & { notes: string[] };

export const HostGraphSchema = z.custom<HostGraphAnswer>().superRefine((value, ctx) => {
  if (isRecord(value) && Array.isArray(value.nodes) && value.nodes.every(isNode) && Array.isArray(value.edges) && value.edges.every(isEdge)
    && Array.isArray(value.notes) && value.notes.every((n) => typeof n === 'string')) return;
  const full = z.object({ nodes: z.array(GraphNodeSchema), edges: z.array(GraphEdgeSchema), notes: z.array(z.string()) }).safeParse(value);
  if (full.success) return;
  for (const issue of full.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
});

const SummaryMapSchema = z.object({ id: z.number().int(), name: z.string(), type: z.string(), direct: z.literal(true).optional(), inner: z.literal(true).optional() });

export const ProgramSummaryRecordSchema = z.lazy(() =>
  z.object({
    sentence: z.string(),
    facts: z.array(z.string()),
    runs_on: z.array(z.object({ kind: z.string(), target: z.string(), mechanism: z.string(), link_id: z.number().int().optional() })),
    runs_on_note: z.string().optional(),
    section: z.string().optional(),
    held_by: z.array(z.object({ pid: z.number().int(), comm: z.string(), held_objects: z.number().int().optional(), command_line: z.string().optional(), place: z.string().optional(), gone: z.literal(true).optional() })),
    reads: z.array(SummaryMapSchema),
    writes: z.array(SummaryMapSchema),
    emits: z.array(SummaryMapSchema),
    jumps: z.array(SummaryMapSchema),
    untracked: z.array(z.object({ insn: z.number().int(), reason: z.string() })),
    access_error: z.string().optional(),
    busy: z.object({
      runs_per_sec: z.number().optional(), avg_run_ns: z.number().optional(), run_cnt: z.number().optional(), run_time_ns: z.number().optional(), stats: z.boolean(),
    }),
  }) satisfies z.ZodType<ProgramSummary>,
);

/** One meaning of a name `explain` found; the same objects as `bpfscope explain --json`. */
export const ExplanationSchema = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('helper'),
      helper: z.object({ id: z.number().int(), name: z.string(), prototype: z.string(), description: z.string(), arity: z.number().int(), pointerArgs: z.array(z.boolean()).readonly() }),
      manual: z.object({ source: z.string(), text: z.string() }).optional(),
      implementation: z.string().optional(),
    }),
    z.object({ kind: z.literal('kfunc'), name: z.string(), prototype: z.string() }),
    z.object({
      kind: z.literal('type'),
      type: z.object({
        kind: z.enum(['prog', 'map', 'attach', 'link']), name: z.string(), what: z.string(), detail: z.string(), sections: z.array(z.string()), since: z.string(), capabilities: z.string(), docs: z.string(),
      }),
    }),
  ]),
);
export type ExplanationRecord = z.infer<typeof ExplanationSchema>;

/** A stack_trace map's stacks with named frames (main/hosts/stack-traces.ts). */
export const StackTraceViewSchema = z.lazy(() =>
  z.object({
    mapId: z.number().int(),
    buildIds: z.boolean(),
    stacks: z.array(z.object({
      stackId: z.number().int(),
      pid: z.number().int().optional(),
      frames: z.array(z.object({ address: z.string(), kernel: z.boolean(), symbol: z.string().optional(), module: z.string().optional(), note: z.string().optional() })),
    })),
    truncated: z.boolean(),
    notes: z.array(z.string()),
  }),
);
export type StackTraceRecord = z.infer<typeof StackTraceViewSchema>;
