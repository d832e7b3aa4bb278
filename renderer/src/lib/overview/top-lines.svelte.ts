// Events/s over time of the busiest programs (by CPU), one `program` series each: each
// subscription starts with the history the host kept. Which programs are followed changes
// at most every FOLLOW_GAP_MS, so the lines do not churn with every sample.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import type { TimeSeries } from '../charts/chart-options.js';
import { appendColumns } from '../charts/series-columns.js';

export const TOP_LINES = 5;
const FOLLOW_GAP_MS = 15_000;
const FIELDS = ['eventsPerSec'] as const;

export interface Candidate {
  id: number;
  name: string;
  cpuPercent: number;
}

/** Pure: the ids of the `count` busiest candidates, busiest first. */
export function busiest(candidates: readonly Candidate[], count = TOP_LINES): number[] {
  return [...candidates].sort((a, b) => b.cpuPercent - a.cpuPercent || a.id - b.id).slice(0, count).map((c) => c.id);
}

export class TopProgramLines {
  /** Followed programs, busiest first, with their names. */
  private lines = $state.raw<Array<{ id: number; name: string }>>([]);
  private points = $state.raw(new Map<number, Array<[number, number]>>());
  private readonly unsubscribes = new Map<number, () => void>();
  private lastChangeMs = -Infinity;

  constructor(private readonly api: BpfscopeApi, private readonly host: string) {}

  /** The lines, named `name (id)`. */
  readonly series: TimeSeries[] = $derived(this.lines.map(({ id, name }) => ({ name: lineName(name, id), points: this.points.get(id) ?? [] })));

  /** The program a line's name stands for. */
  idOf(name: string): number | undefined {
    return this.lines.find((line) => lineName(line.name, line.id) === name)?.id;
  }

  /** Follows the busiest of `candidates` (not more often than every FOLLOW_GAP_MS once following some). */
  consider(candidates: readonly Candidate[], nowMs = Date.now()): void {
    const ids = busiest(candidates.filter((c) => c.cpuPercent > 0));
    if (ids.length === 0 || (this.lines.length > 0 && nowMs - this.lastChangeMs < FOLLOW_GAP_MS)) return;
    if (ids.length === this.lines.length && ids.every((id) => this.lines.some((line) => line.id === id))) return;
    this.lastChangeMs = nowMs;
    for (const [id, unsubscribe] of this.unsubscribes) {
      if (ids.includes(id)) continue;
      unsubscribe();
      this.unsubscribes.delete(id);
    }
    this.lines = ids.map((id) => ({ id, name: candidates.find((c) => c.id === id)!.name }));
    for (const id of ids) if (!this.unsubscribes.has(id)) this.unsubscribes.set(id, this.follow(id));
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes.values()) unsubscribe();
    this.unsubscribes.clear();
  }

  private follow(id: number): () => void {
    return this.api.subscribe('series', { kind: 'program', host: this.host, id }, (batch) => {
      let points = { eventsPerSec: this.points.get(id) ?? [] };
      for (const update of batch) if (update.kind === 'program') points = appendColumns(FIELDS, points, update.points as Record<string, number[]> | undefined);
      if (this.unsubscribes.has(id)) this.points = new Map(this.points).set(id, points.eventsPerSec);
    });
  }
}

function lineName(name: string, id: number): string {
  return `${name || 'unnamed'} (${id})`;
}
