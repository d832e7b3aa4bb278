// The one service contract between the renderer and the Node side. Every
// transport (in-memory, WebSocket, Electron IPC) carries exactly these methods
// and events, and every side validates against these schemas.
import { z } from 'zod';
import { lazyTable } from './lazy-table.js';
import { ExplanationSchema, HostGraphSchema, ProgramSummaryRecordSchema, StackTraceViewSchema } from './graph-records.js';
import {
  HostStatusSchema,
  HostSummarySchema,
  LinkDetailSchema,
  LinkSummarySchema,
  MapDetailSchema,
  MapSummarySchema,
  ProgramDetailSchema,
  ProgramListSchema,
  ProgramSummarySchema,
  VersionsSchema,
} from './records.js';
import {
  BtfTypeRefSchema,
  BtfTypeTextSchema,
  JsonRecordSchema,
  ListingPageSchema,
  ListingSearchSchema,
  MapHeadSchema,
  MapPageSchema,
  MapViewSchema,
  MapWatchUpdateSchema,
  ProgramCodeViewSchema,
  SeriesBatchSchema,
  TraceLogUpdateSchema,
} from './view-records.js';

export const HostIdSchema = z.string().min(1).max(256);
const HostParams = z.strictObject({ host: HostIdSchema });
const ObjectParams = z.strictObject({ host: HostIdSchema, id: z.number().int().positive().max(0xffffffff) });
const NoParams = z.strictObject({});
const Done = z.strictObject({});
const Id = z.number().int().positive().max(0xffffffff);
const ViewParams = z.strictObject({ view: z.string().min(1).max(64) });
const Interval = z.number().int().min(100).max(60_000).optional();
const KeyHex = z.string().regex(/^[0-9a-f]*$/).max(2 * 4096);

/** Live series (main/live/subscriptions.ts SeriesRequest). */
const SeriesParams = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('programs'), host: HostIdSchema, intervalMs: Interval }),
    z.strictObject({ kind: z.literal('program'), host: HostIdSchema, id: Id, intervalMs: Interval }),
    z.strictObject({ kind: z.literal('totals'), host: HostIdSchema, intervalMs: Interval }),
    z.strictObject({ kind: z.literal('timeline'), host: HostIdSchema, afterSeq: z.number().int().min(0).optional(), intervalMs: Interval }),
    z.strictObject({ kind: z.literal('ringbufs'), host: HostIdSchema, intervalMs: Interval }),
  ]),
);

/** What changed between two hosts (main/kernel/snapshot/diff.ts StateDiff), keys and values BTF-rendered. */
const ComparedProgram = z.object({ id: Id, name: z.string(), type: z.string(), tag: z.string() });
const ComparedMap = z.object({ id: Id, name: z.string(), type: z.string(), keySize: z.number(), valueSize: z.number(), maxEntries: z.number() });
const HostDiffSchema = z.lazy(() =>
  z.object({
    before: z.string(),
    after: z.string(),
    programs: z.object({
      added: z.array(ComparedProgram),
      removed: z.array(ComparedProgram),
      changed: z.array(z.object({
        name: z.string(), type: z.string(),
        before: z.object({ id: Id, tag: z.string() }), after: z.object({ id: Id, tag: z.string() }),
        change: z.enum(['changed', 'reloaded']),
      })),
    }),
    maps: z.object({ added: z.array(ComparedMap), removed: z.array(ComparedMap) }),
    contents: z.array(z.object({
      name: z.string(), before: z.number(), after: z.number(), added: z.number(), removed: z.number(), changed: z.number(),
      entries: z.array(z.object({ key: z.string(), before: z.string().optional(), after: z.string().optional() })),
      truncated: z.boolean(),
      partial: z.boolean().optional(),
    })),
  }),
);
export type HostDiff = z.infer<typeof HostDiffSchema>;

export const methods = lazyTable({
  versions: () => ({ params: NoParams, result: VersionsSchema }),
  listHosts: () => ({ params: NoParams, result: z.array(HostSummarySchema) }),
  listPrograms: () => ({ params: HostParams, result: ProgramListSchema }),
  listMaps: () => ({ params: HostParams, result: z.array(MapSummarySchema) }),
  listLinks: () => ({ params: HostParams, result: z.array(LinkSummarySchema) }),
  getProgram: () => ({ params: ObjectParams, result: ProgramDetailSchema }),
  getMap: () => ({ params: ObjectParams, result: MapDetailSchema }),
  getLink: () => ({ params: ObjectParams, result: LinkDetailSchema }),
  /** `spec`: `user@host[:port]`, an ~/.ssh/config alias, or `snapshot:FILE`. Connects in the background. */
  addHost: () => ({ params: z.strictObject({ spec: z.string().min(1).max(256) }), result: HostSummarySchema }),
  removeHost: () => ({ params: HostParams, result: Done }),
  /** Host aliases of the user's ~/.ssh/config (no wildcards), for the sidebar to offer. */
  listSshConfigHosts: () => ({ params: NoParams, result: z.array(z.strictObject({ alias: z.string(), target: z.string().optional() })) }),
  /** Tries a failed or disconnected host again now. */
  reconnectHost: () => ({ params: HostParams, result: HostSummarySchema }),
  /** The user's decision on the unknown SSH host key shown in the host's summary. */
  answerHostKey: () => ({ params: z.strictObject({ host: HostIdSchema, accept: z.boolean() }), result: Done }),
  /** Attach points of a program (links, perf events, netlink, cgroup attachments). */
  getProgramAttachPoints: () => ({ params: ObjectParams, result: z.array(JsonRecordSchema) }),
  /** Programs running on this program's functions (fentry/fexit/freplace links): show prog's `extended_by`. */
  getProgramExtendedBy: () => ({ params: ObjectParams, result: z.array(JsonRecordSchema) }),
  /** Attach points, links, programs, maps and holders with how each touches the next (bpfscope graph --json), and what could not be read. */
  getHostGraph: () => ({ params: HostParams, result: HostGraphSchema }),
  /** A program in one sentence and its facts (show prog's summary). */
  getProgramSummary: () => ({ params: ObjectParams, result: ProgramSummaryRecordSchema }),
  /** What a helper, kfunc or type name is (bpfscope explain --json); the helper's kernel text where the host has it. */
  explain: () => ({ params: z.strictObject({ host: HostIdSchema, name: z.string().min(1).max(128) }), result: z.array(ExplanationSchema) }),
  /** A stack_trace map's stacks, user frames named from their process's files (its pid from `pid`, or from a map whose keys carry it). */
  readStackTraces: () => ({ params: z.strictObject({ host: HostIdSchema, id: Id, pid: z.number().int().positive().max(0x7fffffff).optional() }), result: StackTraceViewSchema }),
  /** Listing size, CFG (when small enough to draw) and JIT disassembly of a program. */
  getProgramCode: () => ({ params: ObjectParams, result: ProgramCodeViewSchema }),
  /** A page of the bytecode listing by display line, or starting at the instruction `insn`. */
  readProgramListing: () => ({
    params: z.strictObject({ host: HostIdSchema, id: Id, line: z.number().int().min(0), count: z.number().int().min(0).max(2000), insn: z.number().int().min(0).optional() }),
    result: ListingPageSchema,
  }),
  /** The next display line of the bytecode listing holding `query` after line `from` (before it, `backwards`), coming round
   * at the end; with the count of matching lines, up to a limit. Function headers, source lines and instruction texts are searched. */
  searchProgramListing: () => ({
    params: z.strictObject({
      host: HostIdSchema, id: Id, query: z.string().min(1).max(256),
      from: z.number().int().min(-1).optional(), backwards: z.boolean().optional(), caseSensitive: z.boolean().optional(),
    }),
    result: ListingSearchSchema,
  }),
  /** Opens a server-side paged read of a map (optionally filtered by text in key or value). */
  openMapView: () => ({ params: z.strictObject({ host: HostIdSchema, id: Id, filter: z.string().max(256).optional() }), result: MapViewSchema }),
  readMapView: () => ({ params: z.strictObject({ view: z.string().min(1).max(64), offset: z.number().int().min(0), limit: z.number().int().min(1).max(1000) }), result: MapPageSchema }),
  closeMapView: () => ({ params: ViewParams, result: Done }),
  /** A queue's or stack's head element, left in place (`peek map ID`), decoded; EGONE when the map is gone. */
  peekMap: () => ({ params: ObjectParams, result: MapHeadSchema }),
  searchBtfTypes: () => ({
    params: z.strictObject({ host: HostIdSchema, btfId: Id.optional(), query: z.string().max(128), limit: z.number().int().min(1).max(1000).optional() }),
    result: z.array(BtfTypeRefSchema),
  }),
  getBtfType: () => ({ params: z.strictObject({ host: HostIdSchema, btfId: Id.optional(), typeId: Id }), result: BtfTypeTextSchema }),
  getDiagnostics: () => ({ params: HostParams, result: z.array(JsonRecordSchema) }),
  /** bpffs mounts delegating BPF tokens, as `bpftool token list -j` prints them. */
  listTokens: () => ({ params: HostParams, result: z.array(JsonRecordSchema) }),
  /** Takes what a program's BPF stream holds out of it (the kernel keeps no copy): `tracelog stdout|stderr ID --json`. */
  readProgramStream: () => ({ params: z.strictObject({ host: HostIdSchema, id: Id, stream: z.enum(['stdout', 'stderr']) }), result: JsonRecordSchema }),
  /** An arena map's size, user address and the pages a process that mapped it has, as hexdump -C lines: `dump map ID --json` with lines for bytes. */
  readArena: () => ({ params: ObjectParams, result: JsonRecordSchema }),
  getStatsStatus: () => ({ params: HostParams, result: JsonRecordSchema }),
  /** A snapshot file sent from the UI (File → Open, drag and drop) in chunks: the server opens it as a host. */
  beginSnapshotUpload: () => ({
    params: z.strictObject({ name: z.string().min(1).max(200), size: z.number().int().min(1).max(1024 ** 3) }),
    result: z.strictObject({ upload: z.string() }),
  }),
  /** `data`: base64 of the bytes at `offset` (chunks in order; 36 KiB each keeps a request under the 64 KiB cap). */
  uploadSnapshotChunk: () => ({
    params: z.strictObject({ upload: z.string().min(1).max(64), offset: z.number().int().min(0), data: z.string().max(48 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/) }),
    result: z.strictObject({ received: z.number() }),
  }),
  /** Decodes the uploaded file (clear ESNAPSHOT errors for damaged or future files) and adds it as a read-only host. */
  openUploadedSnapshot: () => ({ params: z.strictObject({ upload: z.string().min(1).max(64) }), result: HostSummarySchema }),
  /** Programs, maps and map entries changed from `before` to `after` (two snapshots, or a snapshot and a live host). */
  compareHosts: () => ({
    params: z.strictObject({ before: HostIdSchema, after: HostIdSchema, maxEntries: z.number().int().min(0).max(1_000_000).optional() }),
    result: HostDiffSchema,
  }),
  /** Program names whose set of tags differs between the hosts holding them (what each lacks); hosts that fail are listed, not fatal. */
  programDrift: () => ({
    params: z.strictObject({ hosts: z.array(HostIdSchema).min(2).max(50) }),
    result: z.strictObject({
      drift: z.array(z.strictObject({ name: z.string(), tags: z.record(z.string(), z.array(z.string())), missing: z.record(z.string(), z.array(z.string())) })),
      failed: z.array(z.strictObject({ host: HostIdSchema, code: z.string(), message: z.string() })),
    }),
  }),
  /** Programs of every connected host in one list, each flagged when another host holding its name lacks its tag (drift);
   * hosts not connected are skipped, hosts that fail or time out are listed with their error. */
  listFleetPrograms: () => ({
    params: NoParams,
    result: z.strictObject({
      hosts: z.array(z.strictObject({ host: HostIdSchema, label: z.string(), programs: z.number().int().min(0) })),
      programs: z.array(z.strictObject({ host: HostIdSchema, drift: z.boolean(), program: ProgramSummarySchema })),
      failed: z.array(z.strictObject({ host: HostIdSchema, label: z.string(), code: z.string(), message: z.string() })),
      skipped: z.array(z.strictObject({ host: HostIdSchema, label: z.string(), status: HostStatusSchema })),
    }),
  }),
});

export const events = lazyTable({
  /** The full host list, sent once on subscribe and again whenever a host changes state. */
  hosts: () => ({ params: NoParams, data: z.array(HostSummarySchema) }),
  /** Batched live series pushes (at most 10 a second). */
  series: () => ({ params: SeriesParams, data: SeriesBatchSchema }),
  /** Polls a map and sends what changed; `keys` (hex) get per-field values and rates. */
  mapWatch: () => ({ params: z.strictObject({ host: HostIdSchema, id: Id, intervalMs: Interval, keys: z.array(KeyHex).max(16).optional() }), data: MapWatchUpdateSchema }),
  /** The host's kernel trace log as it grows (first push: the lines kept so far). `consume` reads trace_pipe, taking the lines from every other reader. */
  traceLog: () => ({ params: z.strictObject({ host: HostIdSchema, consume: z.boolean().optional() }), data: TraceLogUpdateSchema }),
});

export type MethodName = keyof typeof methods;
export type EventName = keyof typeof events;
export type Params<M extends MethodName> = z.input<(typeof methods)[M]['params']>;
export type Result<M extends MethodName> = z.output<(typeof methods)[M]['result']>;
export type EventParams<E extends EventName> = z.input<(typeof events)[E]['params']>;
export type EventData<E extends EventName> = z.output<(typeof events)[E]['data']>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

export type Unsubscribe = () => void;

/** What the renderer holds: one function per method, and `subscribe` for the event streams. */
export type BpfscopeApi = { [M in MethodName]: (params: Params<M>, signal?: AbortSignal) => Promise<Result<M>> } & {
  subscribe<E extends EventName>(event: E, params: EventParams<E>, listener: (data: EventData<E>) => void, onError?: (error: Error) => void): Unsubscribe;
};

/** What the Node side implements. `signal` aborts when the caller cancels or goes away. */
export type BpfscopeService = { [M in MethodName]: (params: z.output<(typeof methods)[M]['params']>, signal: AbortSignal) => Promise<Result<M>> } & {
  [E in EventName as `watch${Capitalize<E>}`]: (params: z.output<(typeof events)[E]['params']>, emit: (data: EventData<E>) => void) => Unsubscribe;
};
