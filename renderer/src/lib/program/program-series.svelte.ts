// One program's live points (events/s, avg ns, CPU %) from the `series` stream;
// the first push carries the history kept on the host side.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import type { TimeSeries } from '../charts/chart-options.js';
import { appendColumns, emptyPoints } from '../charts/series-columns.js';

export const PROGRAM_FIELDS = ['eventsPerSec', 'avgRunNs', 'cpuPercent'] as const;
type Field = (typeof PROGRAM_FIELDS)[number];

export class ProgramSeries {
  points = $state.raw(emptyPoints(PROGRAM_FIELDS));
  gone = $state(false);
  error = $state<string | null>(null);
  private readonly unsubscribe: () => void;

  constructor(api: BpfscopeApi, host: string, id: number) {
    this.unsubscribe = api.subscribe('series', { kind: 'program', host, id }, (batch) => {
      for (const update of batch) {
        if (update.kind === 'error') this.error = String(update.message);
        if (update.kind !== 'program') continue;
        if (update.gone) this.gone = true;
        this.points = appendColumns(PROGRAM_FIELDS, this.points, update.points as Record<string, number[]> | undefined);
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
