// Run statistics of every program on one host, sampled at a fixed interval:
// rates per program and host totals, each kept in a bounded history ring.
// Holds a run-stats lease (stats-holds.ts) from start() to stop().
import type { Owner } from '../kernel/info/index.js';
import { decodeProgInfo } from '../kernel/info/index.js';
import {
  countCpuList,
  decodeProgStatsSample,
  diffIds,
  estimateStatsCost,
  programRates,
  type ProgStatsRecord,
  type ProgStatsSample,
  type RunCounters,
  type StatsCostEstimate,
} from '../kernel/live/index.js';
import { progTypeName } from '../kernel/names/index.js';
import type { Host } from '../hosts/host.js';
import { indexOwners, ownerKey, type OwnerIndex } from '../hosts/owners.js';
import { SeriesRing, type SeriesColumns } from './series-ring.js';
import { runStatsSwitchFor, type RunStatsLease, type RunStatsSwitch } from './stats-holds.js';
import { PollLoop } from './poll-loop.js';

export const MIN_INTERVAL_MS = 250;
export const MAX_INTERVAL_MS = 60_000;
const DEFAULT_HISTORY_MS = 10 * 60_000;
const DEFAULT_MAX_PROGRAMS = 100_000;
/** Owners change without ids changing (fds passed, processes exiting): rescan now and then. */
const DEFAULT_OWNERS_REFRESH_MS = 30_000;
/**
 * New programs trigger a rescan, but not more often than this: the scan reads every fd of
 * every process (~30 ms with 1000 programs here), and hosts with churn add programs each tick.
 */
const OWNERS_MIN_GAP_MS = 5_000;

export const PROGRAM_FIELDS = ['eventsPerSec', 'avgRunNs', 'cpuPercent', 'recursionMisses'] as const;
export type ProgramField = (typeof PROGRAM_FIELDS)[number];
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

/** Last reading of a program, and what does not change per sample (computed once). */
interface Previous {
  counters: RunCounters;
  monotonicNs: number;
  type: string;
  owners: Owner[];
  ownersVersion: number;
}

export function checkInterval(intervalMs: number): number {
  if (!Number.isFinite(intervalMs) || intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS) {
    throw new RangeError(`sampling interval ${intervalMs} ms: must be between ${MIN_INTERVAL_MS} ms and ${MAX_INTERVAL_MS / 1000} s`);
  }
  return intervalMs;
}

function counters(record: ProgStatsRecord): RunCounters {
  return { runTimeNs: record.runTimeNs ?? 0, runCnt: record.runCnt ?? 0, recursionMisses: record.recursionMisses ?? 0 };
}

/** Without the one-call native op (an older agent), the same sample one program at a time. */
async function sampleOneByOne(host: Host, maxPrograms: number): Promise<ProgStatsSample> {
  const start = Number(process.hrtime.bigint());
  const ids = await host.listIds('prog');
  const records: ProgStatsRecord[] = [];
  for (const id of ids.slice(0, maxPrograms)) {
    const raw = await host.progInfo(id, false);
    if (!raw) continue;
    const info = decodeProgInfo(raw.info);
    const record: ProgStatsRecord = { id, type: info.type, name: info.name ?? '', tag: info.tag ?? '' };
    if (info.runTimeNs !== undefined) record.runTimeNs = Number(info.runTimeNs);
    if (info.runCnt !== undefined) record.runCnt = Number(info.runCnt);
    if (info.recursionMisses !== undefined) record.recursionMisses = Number(info.recursionMisses);
    if (info.verifiedInsns !== undefined) record.verifiedInsns = info.verifiedInsns;
    records.push(record);
  }
  const end = Number(process.hrtime.bigint());
  return { monotonicNs: start + (end - start) / 2, walkNs: end - start, truncated: ids.length > maxPrograms, records };
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
  private previous = new Map<number, Previous>();
  private owners: OwnerIndex = new Map();
  private ownersAtMs = -Infinity;
  private ownersVersion = 0;
  private readonly histories = new Map<number, SeriesRing<ProgramField>>();
  private readonly totalsHistory: SeriesRing<TotalField>;
  private latestSample: ProgramSample | undefined;
  private readonly sampleListeners = new Set<(sample: ProgramSample) => void>();

  constructor(host: Host, options: ProgramSamplerOptions = {}) {
    this.host = host;
    this.intervalMs = checkInterval(options.intervalMs ?? 1000);
    this.historyLength = Math.max(1, Math.ceil((options.historyMs ?? DEFAULT_HISTORY_MS) / this.intervalMs));
    this.maxPrograms = options.maxPrograms ?? DEFAULT_MAX_PROGRAMS;
    this.ownersRefreshMs = options.ownersRefreshMs ?? DEFAULT_OWNERS_REFRESH_MS;
    this.now = options.now ?? Date.now;
    this.stats = runStatsSwitchFor(host);
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
    const raw = this.host.progInfoAll
      ? decodeProgStatsSample(await this.host.progInfoAll(this.maxPrograms))
      : await sampleOneByOne(this.host, this.maxPrograms);
    const timeMs = this.now();
    const ids = raw.records.map((r) => r.id);
    const { appeared, vanished } = diffIds(this.previous.keys(), ids);
    const sinceOwners = timeMs - this.ownersAtMs;
    if ((appeared.length > 0 && sinceOwners >= OWNERS_MIN_GAP_MS) || sinceOwners >= this.ownersRefreshMs) {
      this.owners = indexOwners(await this.host.owners());
      this.ownersAtMs = timeMs;
      this.ownersVersion++;
    }
    for (const id of vanished) this.histories.delete(id);
    const next = new Map<number, Previous>();
    const programs: ProgramStats[] = [];
    let intervalNs = 0;
    for (const record of raw.records) {
      const now = counters(record);
      const before = this.previous.get(record.id);
      const type = before?.type ?? progTypeName(record.type) ?? String(record.type);
      const owners =
        before && before.ownersVersion === this.ownersVersion ? before.owners : (this.owners.get(ownerKey('prog', record.id)) ?? []);
      next.set(record.id, { counters: now, monotonicNs: raw.monotonicNs, type, owners, ownersVersion: this.ownersVersion });
      if (!before) continue;
      const wallNs = raw.monotonicNs - before.monotonicNs;
      intervalNs = wallNs;
      const rates = programRates(before.counters, now, wallNs, this.onlineCpus);
      const stats: ProgramStats = {
        id: record.id,
        type,
        name: record.name,
        tag: record.tag,
        eventsPerSec: rates.eventsPerSec,
        avgRunNs: rates.avgRunNs,
        cpuPercent: rates.cpuPercent,
        recursionMisses: rates.recursionMisses,
        runCnt: now.runCnt,
        runTimeNs: now.runTimeNs,
        recursionMissesTotal: now.recursionMisses,
        owners,
      };
      if (record.verifiedInsns !== undefined) stats.verifiedInsns = record.verifiedInsns;
      programs.push(stats);
      this.historyOf(record.id).push(timeMs, stats);
    }
    this.previous = next;
    if (!this.baselined) {
      this.baselined = true;
      return null;
    }
    const totals = this.totals(programs);
    this.totalsHistory.push(timeMs, { eventsPerSec: totals.eventsPerSec, cpuPercent: totals.cpuPercent, programs: totals.programs });
    const sample: ProgramSample = {
      timeMs,
      intervalMs: intervalNs / 1e6,
      onlineCpus: this.onlineCpus,
      programs,
      totals,
      appeared,
      vanished,
      truncated: raw.truncated,
      walkMs: raw.walkNs / 1e6,
    };
    this.latestSample = sample;
    for (const listener of this.sampleListeners) listener(sample);
    return sample;
  }

  history(id: number, sinceMs?: number): SeriesColumns<ProgramField> | undefined {
    return this.histories.get(id)?.toColumns(sinceMs);
  }

  totalsSeries(sinceMs?: number): SeriesColumns<TotalField> {
    return this.totalsHistory.toColumns(sinceMs);
  }

  /** Bytes held by all history rings. */
  historyBytes(): number {
    let bytes = this.totalsHistory.byteLength;
    for (const ring of this.histories.values()) bytes += ring.byteLength;
    return bytes;
  }

  private historyOf(id: number): SeriesRing<ProgramField> {
    let ring = this.histories.get(id);
    if (!ring) {
      ring = new SeriesRing(PROGRAM_FIELDS, this.historyLength);
      this.histories.set(id, ring);
    }
    return ring;
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
