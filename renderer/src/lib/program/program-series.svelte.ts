// One program's live points (events/s, avg ns, CPU %) from the `series` stream;
// the first push carries the history kept on the host side.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import type { TimeSeries } from '../charts/chart-options.js';

const FIELDS = ['eventsPerSec', 'avgRunNs', 'cpuPercent'] as const;
type Field = (typeof FIELDS)[number];
const MAX_POINTS = 3600;

export class ProgramSeries {
  points = $state.raw<Record<Field, Array<[number, number]>>>({ eventsPerSec: [], avgRunNs: [], cpuPercent: [] });
  gone = $state(false);
  error = $state<string | null>(null);
  private readonly unsubscribe: () => void;

  constructor(api: BpfscopeApi, host: string, id: number) {
    this.unsubscribe = api.subscribe('series', { kind: 'program', host, id }, (batch) => {
      for (const update of batch) {
        if (update.kind === 'error') this.error = String(update.message);
        if (update.kind !== 'program') continue;
        if (update.gone) this.gone = true;
        this.points = appendColumns(this.points, update.points as Record<string, number[]> | undefined);
      }
    });
  }

  series(field: Field, name: string): TimeSeries[] {
    return [{ name, points: this.points[field] }];
  }

  close(): void {
    this.unsubscribe();
  }
}

/** Pure: appends columnar points ({timeMs: [...], field: [...]}) to per-field point lists. */
export function appendColumns(
  current: Record<Field, Array<[number, number]>>,
  columns: Record<string, number[]> | undefined,
): Record<Field, Array<[number, number]>> {
  const times = columns?.timeMs;
  if (!columns || !times || times.length === 0) return current;
  const next = { ...current };
  for (const field of FIELDS) {
    const values = columns[field] ?? [];
    const added = times.map((t, i) => [t, values[i] ?? 0] as [number, number]);
    next[field] = current[field].concat(added).slice(-MAX_POINTS);
  }
  return next;
}
