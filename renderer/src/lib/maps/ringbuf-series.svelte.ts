// One ring buffer's throughput and fill from the host's `ringbufs` series (position
// pages read by the host; records are never read or consumed).
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import { livePause } from '../app/live-pause.svelte.js';
import type { TimeSeries } from '../charts/chart-options.js';

const MAX_POINTS = 3600;

interface RingbufStats {
  mapId: number;
  dataSize: number;
  producedBytesPerSec: number;
  consumedBytesPerSec: number;
  pendingBytes: number;
  fill: number;
}

export interface RingbufPoints {
  produced: Array<[number, number]>;
  consumed: Array<[number, number]>;
  fill: Array<[number, number]>;
}

export class RingbufSeries {
  points = $state.raw<RingbufPoints>({ produced: [], consumed: [], fill: [] });
  latest = $state.raw<RingbufStats | null>(null);
  error = $state<string | null>(null);
  private readonly unsubscribe: () => void;

  constructor(api: BpfscopeApi, host: string, private readonly id: number) {
    this.unsubscribe = api.subscribe('series', { kind: 'ringbufs', host, intervalMs: 1000 }, (batch) => {
      for (const update of batch) {
        if (update.kind === 'error') this.error = String(update.message ?? 'ring buffer stats failed');
        // Paused: the fill shown and the charts stay as they are (no history is kept here).
        if (update.kind !== 'ringbufs' || livePause.paused) continue;
        const sample = update.sample as { timeMs: number; ringbufs: RingbufStats[] };
        const stats = sample.ringbufs.find((r) => r.mapId === this.id);
        if (!stats) continue;
        this.latest = stats;
        this.points = appendRingbuf(this.points, sample.timeMs, stats);
      }
    });
  }

  throughput(): TimeSeries[] {
    return [
      { name: 'produced B/s', points: this.points.produced },
      { name: 'consumed B/s', points: this.points.consumed },
    ];
  }

  close(): void {
    this.unsubscribe();
  }
}

/** Pure: one sample more, bounded; fill as a percentage. */
export function appendRingbuf(points: RingbufPoints, timeMs: number, stats: Pick<RingbufStats, 'producedBytesPerSec' | 'consumedBytesPerSec' | 'fill'>): RingbufPoints {
  const add = (list: Array<[number, number]>, value: number): Array<[number, number]> => [...list.slice(1 - MAX_POINTS), [timeMs, value]];
  return {
    produced: add(points.produced, stats.producedBytesPerSec),
    consumed: add(points.consumed, stats.consumedBytesPerSec),
    fill: add(points.fill, stats.fill * 100),
  };
}
