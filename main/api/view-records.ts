// Shapes for the detail views: typed value trees (JSON-safe: 64-bit numbers as
// decimal strings), map pages and watches, live series, BTF types. The renderer
// renders these; it never sees the bytes they were decoded from.
import { z } from 'zod';
import { ApiErrorDataSchema } from './errors.js';

/** Deepest value tree sent; deeper members arrive as one node showing `display`. */
export const MAX_TREE_DEPTH = 12;

export interface TreeNode {
  name: string;
  /** C spelling of the declared type; '' when the map has no BTF. */
  type: string;
  display: string;
  /** Numbers that fit a double exactly; 64-bit values beyond that as decimal text. */
  value?: number | string | boolean;
  children?: TreeNode[];
}

export const TreeNodeSchema: z.ZodType<TreeNode> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.string(),
    display: z.string(),
    value: z.union([z.number(), z.string(), z.boolean()]).optional(),
    children: z.array(TreeNodeSchema).optional(),
  }),
);

export const MapRowSchema = z.lazy(() =>
  z.object({
    /** The key's bytes as hex: the row's identity across pages and watch ticks. */
    keyHex: z.string(),
    key: TreeNodeSchema,
    /** Per-CPU maps: one tree per possible CPU; else one. Absent for removed entries. */
    values: z.array(TreeNodeSchema).optional(),
    /** map-in-map and prog-array slots: what the value refers to. */
    ref: z.object({ kind: z.enum(['map', 'prog']), id: z.number().int() }).optional(),
  }),
);

/** The fields of a map view, for both the view and its pages. */
const mapViewObject = () => z.object({
  view: z.string(),
  mapId: z.number().int(),
  /** Entries read (and matching the filter) so far. */
  count: z.number().int(),
  /** The read reached the end of the map (or its cap). */
  complete: z.boolean(),
  gone: z.boolean(),
  keyType: z.string(),
  valueType: z.string(),
  /** BTF object and type ids of key and value, for the BTF browser. */
  btfId: z.number().int().optional(),
  keyTypeId: z.number().int().optional(),
  valueTypeId: z.number().int().optional(),
  cpus: z.number().int(),
  perCpu: z.boolean(),
  /** Why this kind has no entries to list (ring buffers, perf arrays). */
  note: z.string().optional(),
  /** Why reading stopped before the end (the host's message and hint): the rows read stay. */
  readError: z.string().optional(),
});

// Built on first use: most pages never open a map (see lazy-table.ts).
export const MapViewSchema = z.lazy(mapViewObject);
export const MapPageSchema = z.lazy(() => mapViewObject().extend({ offset: z.number().int(), rows: z.array(MapRowSchema) }));

/** A queue's or stack's head element, read without taking it (the kernel's peek), and how many the map holds at most. */
export const MapHeadSchema = z.lazy(() =>
  z.object({
    mapId: z.number().int(),
    /** queue: the head is the oldest element; stack: the newest. */
    kind: z.enum(['queue', 'stack']),
    /** max_entries: elements the map can hold. */
    capacity: z.number().int(),
    valueType: z.string(),
    empty: z.boolean(),
    /** The head's value, decoded as map values are; absent when empty. */
    head: TreeNodeSchema.optional(),
  }),
);

export const FieldStatSchema = z.object({ path: z.string(), value: z.number(), rate: z.number().optional() });

export const MapWatchUpdateSchema = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('tick'),
      timeMs: z.number(),
      initial: z.boolean(),
      added: z.array(MapRowSchema),
      changed: z.array(MapRowSchema),
      removed: z.array(z.string()),
      entries: z.number().int(),
      maxEntries: z.number().int(),
      fill: z.number().optional(),
      sums: z.array(FieldStatSchema),
      selected: z.array(z.object({ keyHex: z.string(), fields: z.array(FieldStatSchema) })),
      /** Changes beyond the per-tick cap were counted, not sent. */
      truncated: z.number().int(),
    }),
    z.object({ kind: z.literal('gone'), timeMs: z.number() }),
    /** A poll failed; the watch keeps polling. */
    z.object({ kind: z.literal('error'), timeMs: z.number(), error: ApiErrorDataSchema }),
  ]),
);

/** One push of live series: a batch of updates (see main/live/subscriptions.ts SeriesUpdate). */
export const SeriesBatchSchema = z.array(z.object({ kind: z.string(), host: z.string() }).catchall(z.json()));

export const BtfTypeRefSchema = z.object({ id: z.number().int(), kind: z.string(), name: z.string() });

export const BtfTypeTextSchema = z.lazy(() =>
  z.object({ btfId: z.number().int().optional(), id: z.number().int(), kind: z.string(), name: z.string(), c: z.string(), definitionLine: z.number().int().nonnegative().optional(), definitionLines: z.number().int().nonnegative().optional(), usedTypes: z.number().int().nonnegative().optional() }),
);

export const JsonRecordSchema = z.record(z.string(), z.json());

const ListingEntrySchema = z.lazy(() =>
  z.object({
    index: z.number().int(),
    bytes: z.string(),
    text: z.string(),
    funcHeader: z.string().optional(),
    source: z.object({ file: z.string(), line: z.number(), col: z.number(), text: z.string() }).optional(),
    jumpTarget: z.number().int().optional(),
    call: z.object({ callee: z.string(), target: z.number().int().optional() }).catchall(z.json()).optional(),
    map: z.object({ id: z.number().int().optional() }).catchall(z.json()).optional(),
    problem: z.string().optional(),
  }).catchall(z.json()),
);

/** Instructions whose display lines meet a range of lines (see main/server/listing-pages.ts). */
export const ListingPageSchema = z.lazy(() =>
  z.object({
    length: z.number().int(),
    lineCount: z.number().int(),
    firstLine: z.number().int(),
    rows: z.array(ListingEntrySchema),
    insnLine: z.number().int().optional(),
  }),
);

/** A search in the bytecode listing's display lines (see main/server/listing-search.ts). */
export const ListingSearchSchema = z.lazy(() =>
  z.object({
    /** Display line of the match found; absent when no line matches. */
    line: z.number().int().optional(),
    /** 1-based place of that match among all matches; absent when past the counted ones. */
    ordinal: z.number().int().optional(),
    /** Lines matching, counted up to a limit (10 000). */
    matches: z.number().int(),
    /** Counting stopped at the limit: more lines match. */
    more: z.boolean(),
    /** The search came round past the end (the start, backwards). */
    wrapped: z.boolean(),
  }),
);

/** The listing itself comes in pages (ListingPageSchema); the CFG only when small enough to draw. */
export const ProgramCodeViewSchema = z.lazy(() =>
  z.object({
    length: z.number().int(),
    lineCount: z.number().int(),
    cfgBlocks: z.number().int(),
    cfg: z.object({
      functions: z.array(z.object({ index: z.number().int(), start: z.number().int(), blocks: z.array(z.number().int()), header: z.string().optional() })),
      blocks: z.array(z.object({ id: z.number().int(), func: z.number().int(), firstEntry: z.number().int(), lastEntry: z.number().int(), start: z.number().int() })),
      edges: z.array(z.object({ from: z.number().int(), to: z.union([z.number().int(), z.literal('exit')]), kind: z.string() })),
    }).optional(),
    jit: z.array(z.object({ name: z.string(), lines: z.array(z.object({ offset: z.number().int(), text: z.string() })) })),
    /** Functions after the first JIT_MAX_LINES lines are left out. */
    jitTruncated: z.boolean().optional(),
    jitError: ApiErrorDataSchema.optional(),
  }),
);

export type MapRow = z.infer<typeof MapRowSchema>;
export type MapView = z.infer<typeof MapViewSchema>;
export type MapPage = z.infer<typeof MapPageSchema>;
export type MapHead = z.infer<typeof MapHeadSchema>;
export type FieldStat = z.infer<typeof FieldStatSchema>;
export type MapWatchUpdate = z.infer<typeof MapWatchUpdateSchema>;
export type SeriesBatch = z.infer<typeof SeriesBatchSchema>;
export type BtfTypeRef = z.infer<typeof BtfTypeRefSchema>;
export type BtfTypeText = z.infer<typeof BtfTypeTextSchema>;
export type JsonRecord = z.infer<typeof JsonRecordSchema>;
export type ProgramCodeView = z.infer<typeof ProgramCodeViewSchema>;
export type ListingPage = z.infer<typeof ListingPageSchema>;
export type ListingEntryView = ListingPage['rows'][number];
export type ListingSearchView = z.infer<typeof ListingSearchSchema>;

/** The kernel trace log of a host (main/live/trace-log-tail.ts TraceLogUpdate). */
const TraceLogLineSchema = z.object({
  seq: z.number().int(),
  cpu: z.number().int(),
  timestamp: z.string(),
  comm: z.string(),
  pid: z.number().int(),
  tgid: z.number().int().optional(),
  event: z.string(),
  message: z.string(),
  progIds: z.array(z.number().int()).optional(),
});

export const TraceLogUpdateSchema = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('lines'), mode: z.enum(['tail', 'consume']), source: z.string(), lines: z.array(TraceLogLineSchema), lost: z.number().int(), skipped: z.number().int() }),
    z.object({ kind: z.literal('error'), code: z.string(), message: z.string(), hint: z.string().optional() }),
  ]),
);

export type TraceLogLineView = z.infer<typeof TraceLogLineSchema>;
export type TraceLogUpdateView = z.infer<typeof TraceLogUpdateSchema>;
