// Run statistics of every program on one host, sampled at a fixed interval:
// rates per program and host totals, each kept in a bounded history ring.
// Holds a run-stats lease (stats-holds.ts) from start() to stop().
import type { Owner } from '../kernel/info/index.js';
import { decodeProgInfo } from '../kernel/info/index.js';
import {
  countCpuList,
  decodeProgStatsSample,
  encodeProgStatsSample,
  estimateStatsCost,
  programRates,
  PROG_STATS_FIELD,
  type ProgStatsRecord,
  type ProgStatsTable,
  type RunCounters,
  type StatsCostEstimate,
} from '../kernel/live/index.js';
import { progTypeName } from '../kernel/names/index.js';
import type { Host } from '../hosts/host.js';
import { indexOwners, ownerKey, type OwnerIndex } from '../hosts/owners.js';
import { ProgramSlots } from './program-slots.js';
import { SeriesBlock } from './series-block.js';
import { SeriesRing, type SeriesColumns } from './series-ring.js';
import { runStatsSwitchFor, type RunStatsLease, type RunStatsStatus, type RunStatsSwitch } from './stats-holds.js';
import { PollLoop } from './poll-loop.js';

export const MIN_INTERVAL_MS = 250;
export const MAX_INTERVAL_MS = 60_000;
export const DEFAULT_HISTORY_MS = 10 * 60_000;
const DEFAULT_MAX_PROGRAMS = 100_000;
/** Owners change without ids changing (fds passed, processes exiting): rescan now and then. */
const DEFAULT_OWNERS_REFRESH_MS = 30_000;
/**
 * New programs trigger a rescan, but not more often than this: the scan reads every fd of
 * every process (~30 ms with 1000 programs here), and hosts with churn add programs each tick.
 */
const OWNERS_MIN_GAP_MS = 5_000;

/**
 * A walk given the last sample's ids skips one syscall per program but would miss a program
 * whose id is below them, which only happens once the kernel's ids wrap around (after 2^31
 * loads): so walk without them this often.
 */
const FULL_WALK_MS = 10_000;

export const PROGRAM_FIELDS = ['eventsPerSec', 'avgRunNs', 'cpuPercent', 'recursionMisses'] as const;
export type ProgramField = (typeof PROGRAM_FIELDS)[number];
/** Column of each field in the history block. */
const FIELD = Object.fromEntries(PROGRAM_FIELDS.map((f, i) => [f, i])) as Record<ProgramField, number>;
export const TOTAL_FIELDS = ['eventsPerSec', 'cpuPercent', 'programs'] as const;
export type TotalField = (typeof TOTAL_FIELDS)[number];

export interface ProgramStats {
  id: number;
  /** libbpf's type name, or the number for types it does not know. */
  type: string;
  /** The kernel's name (≤ 15 characters); '' for unnamed programs. */
  name: string;
  tag: string;
  eventsPerSec: number;
  avgRunNs: number;
  cpuPercent: number;
  /** Recursion misses in this interval. */
  recursionMisses: number;
  /** Cumulative counters as the kernel reports them (counting only while stats are on). */
  runCnt: number;
  runTimeNs: number;
  recursionMissesTotal: number;
  verifiedInsns?: number;
  owners: Owner[];
}

export interface HostTotals {
  programs: number;
  eventsPerSec: number;
  /** Sum over programs of Δrun_time / Δwall / online CPUs. */
  cpuPercent: number;
  /** What keeping stats on costs at this run rate (always shown: it is never zero). */
  statsCost: StatsCostEstimate;
}

export interface ProgramSample {
  /** Wall clock of this process, ms since the epoch. */
  timeMs: number;
  /** Host-measured time since the previous sample. */
  intervalMs: number;
  onlineCpus: number;
  programs: ProgramStats[];
  totals: HostTotals;
  appeared: number[];
  vanished: number[];
  /** More programs than maxPrograms were loaded; the rest were not sampled. */
  truncated: boolean;
  /** How long the kernel walk took on the host, ms. */
  walkMs: number;
  /** Run statistics on the host: who holds them on, as of the last owner scan. */
  stats: RunStatsStatus;
}

export interface ProgramSamplerOptions {
  /** 250 ms – 60 s; default 1 s. */
  intervalMs?: number;
  /** Length of the history rings; default 10 minutes. */
  historyMs?: number;
  maxPrograms?: number;
  ownersRefreshMs?: number;
  /** Wall clock for history timestamps (tests). */
  now?: () => number;
}

export function checkInterval(intervalMs: number): number {
  if (!Number.isFinite(intervalMs) || intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS) {
    throw new RangeError(`sampling interval ${intervalMs} ms: must be between ${MIN_INTERVAL_MS} ms and ${MAX_INTERVAL_MS / 1000} s`);
  }
  return intervalMs;
}

/** Without the one-call native op (a snapshot, an older host), the same sample one program at a time. */
async function sampleOneByOne(host: Host, maxPrograms: number): Promise<Uint8Array> {
  const startNs = Number(process.hrtime.bigint());
  const ids = await host.listIds('prog');
  const records: ProgStatsRecord[] = [];
  for (const id of ids.slice(0, maxPrograms)) {
    const raw = await host.progInfo(id, false);
    if (!raw) continue;
    const info = decodeProgInfo(raw.info);
    const record: ProgStatsRecord = { id, type: info.type, name: info.name ?? '', tag: info.tag ?? '' };
    if (info.runTimeNs !== undefined && info.runCnt !== undefined) {
      record.runTimeNs = Number(info.runTimeNs);
      record.runCnt = Number(info.runCnt);
    }
    if (info.recursionMisses !== undefined) record.recursionMisses = Number(info.recursionMisses);
    if (info.verifiedInsns !== undefined) record.verifiedInsns = info.verifiedInsns;
    records.push(record);
  }
  const endNs = Number(process.hrtime.bigint());
  return encodeProgStatsSample({ startNs, endNs, truncated: ids.length > maxPrograms, records });
}

/** The run statistics of every program: one call where the host has the native op. */
export async function readProgStats(host: Host, maxPrograms: number, knownIds?: Uint32Array): Promise<ProgStatsTable> {
  return decodeProgStatsSample(host.progInfoAll ? await host.progInfoAll(maxPrograms, knownIds) : await sampleOneByOne(host, maxPrograms));
}

export class ProgramSampler {
  readonly host: Host;
  readonly intervalMs: number;
  readonly historyLength: number;
  private readonly maxPrograms: number;
  private readonly ownersRefreshMs: number;
  private readonly now: () => number;
  private readonly stats: RunStatsSwitch;
  private lease: RunStatsLease | undefined;
  private readonly loop: PollLoop;
  private onlineCpus = 0;
  private baselined = false;
  private readonly slots = new ProgramSlots();
  /** Samples taken; slots remember the last that saw them. */
  private generation = 0;
  private previousMonotonicNs = 0;
  /** Per record of the current sample: its slot (reused across samples). */
  private recordSlots = new Int32Array(0);
  /** Ids of the last sample, in walk order (ascending), for the next walk. */
  private knownIds: Uint32Array | undefined;
  /** Every how many walks one goes without known ids (FULL_WALK_MS); counted, so clock jumps do not matter. */
  private readonly fullWalkEvery: number;
  private walks = 0;
  private owners: OwnerIndex = new Map();
  /** Run statistics as of the last owner scan (sysctl, holders); leases are read per sample. */
  private statsStatus: RunStatsStatus | undefined;
  private ownersAtMs = -Infinity;
  private readonly programHistory: SeriesBlock<ProgramField>;
  private readonly totalsHistory: SeriesRing<TotalField>;
  private latestSample: ProgramSample | undefined;
  private readonly sampleListeners = new Set<(sample: ProgramSample) => void>();
  /** Reused for every rate computation: no allocation per program. */
  private readonly before: RunCounters = { runCnt: 0, runTimeNs: 0, recursionMisses: 0 };
  private readonly after: RunCounters = { runCnt: 0, runTimeNs: 0, recursionMisses: 0 };

  constructor(host: Host, options: ProgramSamplerOptions = {}) {
    this.host = host;
    this.intervalMs = checkInterval(options.intervalMs ?? 1000);
    this.historyLength = Math.max(1, Math.ceil((options.historyMs ?? DEFAULT_HISTORY_MS) / this.intervalMs));
    this.maxPrograms = options.maxPrograms ?? DEFAULT_MAX_PROGRAMS;
    this.ownersRefreshMs = options.ownersRefreshMs ?? DEFAULT_OWNERS_REFRESH_MS;
    this.fullWalkEvery = Math.max(1, Math.round(FULL_WALK_MS / this.intervalMs));
    this.now = options.now ?? Date.now;
    this.stats = runStatsSwitchFor(host);
    this.programHistory = new SeriesBlock(PROGRAM_FIELDS, this.historyLength);
    this.totalsHistory = new SeriesRing(TOTAL_FIELDS, this.historyLength);
    this.loop = new PollLoop(this.intervalMs, () => this.sample());
  }

  get latest(): ProgramSample | undefined {
    return this.latestSample;
  }

  onSample(listener: (sample: ProgramSample) => void): () => void {
    this.sampleListeners.add(listener);
    return () => this.sampleListeners.delete(listener);
  }

  onError(listener: (error: Error) => void): () => void {
    return this.loop.onError(listener);
  }

  /** Turns stats on (shared lease), takes the baseline reading and starts the timer. */
  async start(): Promise<void> {
    try {
      await this.loop.start(async () => {
        this.lease = await this.stats.acquire();
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops the timer and releases the stats lease; histories stay readable. */
  async stop(): Promise<void> {
    this.loop.stop();
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
  }

  /**
   * One reading. Returns rates against the previous reading, or null for the first
   * (baseline) one. Exposed for one-shot use (`top --json`) and tests.
   */
  async sample(): Promise<ProgramSample | null> {
    if (this.onlineCpus === 0) {
      const text = new TextDecoder().decode(await this.host.readFile('/sys/devices/system/cpu/online', 4096));
      this.onlineCpus = countCpuList(text);
    }
    const table = await this.walk();
    const timeMs = this.now();
    const generation = ++this.generation;
    const { appeared, vanished } = this.matchSlots(table, generation);
    const sinceOwners = timeMs - this.ownersAtMs;
    if ((appeared.length > 0 && sinceOwners >= OWNERS_MIN_GAP_MS) || sinceOwners >= this.ownersRefreshMs) {
      const fds = await this.host.owners();
      this.owners = indexOwners(fds);
      this.statsStatus = await this.stats.statusFrom(fds);
      this.ownersAtMs = timeMs;
      for (const [id, slot] of this.slots.slotOf) this.slots.owners[slot] = this.ownersOf(id);
    }
    if (this.baselined) this.programHistory.beginRow(timeMs);
    for (let i = 0; i < table.count; i++) if (this.recordSlots[i]! < 0) this.recordSlots[i] = this.addProgram(table, i);
    const wallNs = table.monotonicNs - this.previousMonotonicNs;
    this.previousMonotonicNs = table.monotonicNs;
    const programs = this.readPrograms(table, wallNs);
    if (!this.baselined) {
      this.baselined = true;
      return null;
    }
    const totals = this.totals(programs);
    this.totalsHistory.push(timeMs, { eventsPerSec: totals.eventsPerSec, cpuPercent: totals.cpuPercent, programs: totals.programs });
    const sample: ProgramSample = {
      timeMs,
      intervalMs: wallNs / 1e6,
      onlineCpus: this.onlineCpus,
      programs,
      totals,
      appeared: appeared.map((i) => table.id(i)),
      vanished,
      truncated: table.truncated,
      walkMs: table.walkNs / 1e6,
      stats: this.currentStats(),
    };
    this.latestSample = sample;
    for (const listener of this.sampleListeners) listener(sample);
    return sample;
  }

  history(id: number, sinceMs?: number): SeriesColumns<ProgramField> | undefined {
    const slot = this.slots.slotOf.get(id);
    return slot === undefined ? undefined : this.programHistory.series(slot, sinceMs);
  }

  totalsSeries(sinceMs?: number): SeriesColumns<TotalField> {
    return this.totalsHistory.toColumns(sinceMs);
  }

  /** Bytes held by the history of every program and of the totals. */
  historyBytes(): number {
    return this.totalsHistory.byteLength + this.programHistory.byteLength;
  }

  private async walk(): Promise<ProgStatsTable> {
    const known = this.walks++ % this.fullWalkEvery === 0 ? undefined : this.knownIds;
    return readProgStats(this.host, this.maxPrograms, known);
  }

  /**
   * Finds each record's slot (-1: a program not seen before, or an id now held by another
   * program, told apart by its tag) and frees the slots of programs that vanished.
   * Returns the indexes of new records and the ids that vanished.
   */
  private matchSlots(table: ProgStatsTable, generation: number): { appeared: number[]; vanished: number[] } {
    const slots = this.slots;
    if (this.recordSlots.length < table.count) this.recordSlots = new Int32Array(Math.ceil(table.count * 1.25));
    const appeared: number[] = [];
    const ids = new Uint32Array(table.count);
    let kept = 0;
    for (let i = 0; i < table.count; i++) {
      ids[i] = table.id(i);
      const slot = slots.slotOf.get(ids[i]!);
      if (slot !== undefined && slots.tagHigh[slot] === table.tagWord(i, 0) && slots.tagLow[slot] === table.tagWord(i, 1)) {
        slots.seen[slot] = generation;
        this.recordSlots[i] = slot;
        kept++;
      } else {
        this.recordSlots[i] = -1;
        appeared.push(i);
      }
    }
    this.knownIds = ids;
    const vanished: number[] = [];
    if (kept < slots.slotOf.size) {
      for (const [id, slot] of slots.slotOf) {
        if (slots.seen[slot] === generation) continue;
        vanished.push(id);
        slots.release(slot);
      }
    }
    return { appeared, vanished };
  }

  /** What is read once per program: strings, type name, owners. */
  private addProgram(table: ProgStatsTable, i: number): number {
    const slots = this.slots;
    const id = table.id(i);
    const slot = slots.allocate(id, this.programHistory, table.count);
    slots.tagHigh[slot] = table.tagWord(i, 0);
    slots.tagLow[slot] = table.tagWord(i, 1);
    slots.seen[slot] = this.generation;
    slots.names[slot] = table.name(i);
    slots.tags[slot] = table.tag(i);
    const type = table.type(i);
    slots.types[slot] = progTypeName(type) ?? String(type);
    slots.owners[slot] = this.ownersOf(id);
    // No earlier reading: the first rates come with the next sample.
    slots.runCnt[slot] = NaN;
    return slot;
  }

  /** The last scan's status with our own hold as it is now (it changes without a scan). */
  private currentStats(): RunStatsStatus {
    const scanned = this.statsStatus ?? { on: false, heldByUs: false, leases: 0, sysctl: undefined, holders: [] };
    const heldByUs = this.stats.heldByUs;
    return { ...scanned, heldByUs, leases: this.stats.leases, on: heldByUs || scanned.sysctl === true || scanned.holders.length > 0 };
  }

  private ownersOf(id: number): Owner[] {
    return this.owners.get(ownerKey('prog', id)) ?? [];
  }

  /** Rates of every program with an earlier reading, written to its history; stores this reading. */
  private readPrograms(table: ProgStatsTable, wallNs: number): ProgramStats[] {
    const slots = this.slots;
    const history = this.programHistory;
    const before = this.before;
    const after = this.after;
    const programs: ProgramStats[] = [];
    for (let i = 0; i < table.count; i++) {
      const slot = this.recordSlots[i]!;
      const fields = table.fields(i);
      const hasRunTime = (fields & PROG_STATS_FIELD.runTime) !== 0;
      after.runCnt = hasRunTime ? table.runCnt(i) : 0;
      after.runTimeNs = hasRunTime ? table.runTimeNs(i) : 0;
      after.recursionMisses = fields & PROG_STATS_FIELD.recursionMisses ? table.recursionMisses(i) : 0;
      before.runCnt = slots.runCnt[slot]!;
      before.runTimeNs = slots.runTimeNs[slot]!;
      before.recursionMisses = slots.recursionMisses[slot]!;
      slots.runCnt[slot] = after.runCnt;
      slots.runTimeNs[slot] = after.runTimeNs;
      slots.recursionMisses[slot] = after.recursionMisses;
      if (!this.baselined || Number.isNaN(before.runCnt)) continue;
      const rates = programRates(before, after, wallNs, this.onlineCpus);
      const stats: ProgramStats = {
        id: slots.ids[slot]!,
        type: slots.types[slot]!,
        name: slots.names[slot]!,
        tag: slots.tags[slot]!,
        eventsPerSec: rates.eventsPerSec,
        avgRunNs: rates.avgRunNs,
        cpuPercent: rates.cpuPercent,
        recursionMisses: rates.recursionMisses,
        runCnt: after.runCnt,
        runTimeNs: after.runTimeNs,
        recursionMissesTotal: after.recursionMisses,
        owners: slots.owners[slot]!,
      };
      if (fields & PROG_STATS_FIELD.verifiedInsns) stats.verifiedInsns = table.verifiedInsns(i);
      programs.push(stats);
      history.set(slot, FIELD.eventsPerSec, rates.eventsPerSec);
      history.set(slot, FIELD.avgRunNs, rates.avgRunNs);
      history.set(slot, FIELD.cpuPercent, rates.cpuPercent);
      history.set(slot, FIELD.recursionMisses, rates.recursionMisses);
    }
    return programs;
  }

  private totals(programs: readonly ProgramStats[]): HostTotals {
    let eventsPerSec = 0;
    let cpuPercent = 0;
    for (const p of programs) {
      eventsPerSec += p.eventsPerSec;
      cpuPercent += p.cpuPercent;
    }
    return { programs: programs.length, eventsPerSec, cpuPercent, statsCost: estimateStatsCost(eventsPerSec, this.onlineCpus) };
  }
}
