// Live program stats of one host, keyed by id, from the `series` programs stream.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import type { LiveStats } from '../objects/columns.js';

interface ProgramsUpdate {
  kind: 'programs';
  sample: { programs: Array<LiveStats & { id: number }>; totals: { eventsPerSec: number; cpuPercent: number; statsCost?: unknown } };
}

export class LivePrograms {
  byId = $state.raw(new Map<number, LiveStats>());
  totals = $state.raw<ProgramsUpdate['sample']['totals'] | null>(null);
  error = $state<string | null>(null);
  private readonly unsubscribe: () => void;

  constructor(api: BpfscopeApi, host: string) {
    this.unsubscribe = api.subscribe('series', { kind: 'programs', host }, (batch) => {
      for (const update of batch) {
        if (update.kind === 'error') this.error = String(update.message ?? 'live stats failed');
        if (update.kind !== 'programs') continue;
        const { sample } = update as unknown as ProgramsUpdate;
        this.byId = new Map(sample.programs.map((p) => [p.id, { eventsPerSec: p.eventsPerSec, avgRunNs: p.avgRunNs, cpuPercent: p.cpuPercent }]));
        this.totals = sample.totals;
      }
    });
  }

  close(): void {
    this.unsubscribe();
  }
}
