// The host's totals over time (events/s, CPU % of all programs) from the `series` totals
// stream; the first push carries the history the host kept since bpfscope started.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import { appendColumns, emptyPoints } from '../charts/series-columns.js';

export const TOTAL_FIELDS = ['eventsPerSec', 'cpuPercent'] as const;

export class HostSeries {
  points = $state.raw(emptyPoints(TOTAL_FIELDS));
  error = $state<string | null>(null);
  private readonly unsubscribe: () => void;

  constructor(api: BpfscopeApi, host: string) {
    this.unsubscribe = api.subscribe('series', { kind: 'totals', host }, (batch) => {
      for (const update of batch) {
        if (update.kind === 'error') this.error = String(update.message);
        if (update.kind === 'totals') this.points = appendColumns(TOTAL_FIELDS, this.points, update.points as Record<string, number[]> | undefined);
      }
    });
  }

  close(): void {
    this.unsubscribe();
  }
}
