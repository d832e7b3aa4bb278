// Live program stats of one host, keyed by id, from the `series` programs stream: the
// table's columns and sparklines, the host totals and whether run statistics are on.
// While live views are paused, samples are not shown; the next one after resume is.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import type { LiveStats } from '../objects/columns.js';
import { livePause } from './live-pause.svelte.js';

/** Run statistics on the host, as the sampler last saw them (main/live/stats-holds.ts RunStatsStatus). */
export interface StatsState {
  on: boolean;
  heldByUs: boolean;
  sysctl?: boolean;
  holders: Array<{ pid: number; comm: string; self: boolean }>;
}

export interface HostTotals {
  programs: number;
  eventsPerSec: number;
  cpuPercent: number;
  statsCost?: { text?: string };
}

interface ProgramsUpdate {
  kind: 'programs';
  sample: { programs: Array<LiveStats & { id: number }>; totals: HostTotals; stats?: StatsState };
}

/** Samples of events/s kept per program for the table's sparklines. */
export const SPARK_POINTS = 60;

export class LivePrograms {
  byId = $state.raw(new Map<number, LiveStats>());
  /** Recent events/s per program, oldest first; programs gone from a sample are dropped. */
  history = $state.raw(new Map<number, number[]>());
  totals = $state.raw<HostTotals | null>(null);
  stats = $state.raw<StatsState | null>(null);
  error = $state<string | null>(null);
  private unsubscribe: () => void = () => {};
  private closed = false;

  constructor(
    private readonly api: BpfscopeApi,
    private readonly host: string,
  ) {}

  /** Starts the stream (once; not after close). */
  start(): void {
    if (this.closed) return;
    this.unsubscribe();
    this.unsubscribe = this.api.subscribe('series', { kind: 'programs', host: this.host }, (batch) => {
      for (const update of batch) {
        if (update.kind === 'error') this.error = String(update.message ?? 'live stats failed');
        if (update.kind !== 'programs' || livePause.paused) continue;
        const { sample } = update as unknown as ProgramsUpdate;
        this.error = null;
        this.byId = new Map(sample.programs.map((p) => [p.id, { eventsPerSec: p.eventsPerSec, avgRunNs: p.avgRunNs, cpuPercent: p.cpuPercent }]));
        this.history = appendHistory(this.history, sample.programs);
        this.totals = sample.totals;
        if (sample.stats) this.stats = sample.stats;
      }
    });
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
  }
}

/** Pure: one more sample on each program's history, bounded to SPARK_POINTS. */
export function appendHistory(history: Map<number, number[]>, programs: Array<{ id: number; eventsPerSec: number }>): Map<number, number[]> {
  const next = new Map<number, number[]>();
  for (const p of programs) {
    const values = history.get(p.id) ?? [];
    next.set(p.id, values.length >= SPARK_POINTS ? [...values.slice(1 - SPARK_POINTS), p.eventsPerSec] : [...values, p.eventsPerSec]);
  }
  return next;
}
