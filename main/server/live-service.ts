// The live event streams of the service: program/total/timeline/ringbuf series
// (shared samplers, batched pushes) and map watches (shared, only what changed,
// decoded into rows: map-watches.ts). Each stream stops its sampler or watcher
// when its last subscriber goes, so a closed view costs nothing on the host.
import type { EventData, EventParams } from '../api/contract.js';
import { toErrorData } from '../api/errors.js';
import { toHostError } from '../hosts/host-error.js';
import type { HostSession } from '../hosts/host-session.js';
import { LiveSubscriptions, type SeriesRequest } from '../live/subscriptions.js';
import { MapWatches } from './map-watches.js';
import { TraceLogTails } from '../live/trace-log-tail.js';
import { wire } from './inspect-service.js';

/** Program and host-total history kept for the charts: 15 minutes at the default 1 s. */
const HISTORY_MS = 15 * 60_000;

type Emit<E extends 'series' | 'mapWatch' | 'traceLog'> = (data: EventData<E>) => void;

export class LiveService {
  private readonly subscriptions: LiveSubscriptions;
  readonly mapWatches: MapWatches;
  private readonly traceLogs: TraceLogTails;

  constructor(session: (host: string) => Promise<HostSession>) {
    this.subscriptions = new LiveSubscriptions(async (host) => (await session(host)).host, { historyMs: HISTORY_MS });
    this.mapWatches = new MapWatches(session);
    this.traceLogs = new TraceLogTails(session);
  }

  /** Keeps the host sampling with no view open (see LiveSubscriptions.hold). */
  hold(host: string): Promise<() => Promise<void>> {
    return this.subscriptions.hold(host);
  }

  statsStatus(host: string): Promise<unknown> {
    return this.subscriptions.statsStatus(host);
  }

  watchSeries(params: EventParams<'series'>, emit: Emit<'series'>): () => void {
    const request = params as SeriesRequest;
    const subscriber = this.subscriptions.openSubscriber((batch) => emit(wire(batch) as EventData<'series'>));
    subscriber.subscribe(request).catch((error: unknown) => {
      const data = toErrorData(toHostError(error));
      emit([{ kind: 'error', host: request.host, series: request.kind, ...data }]);
    });
    return () => subscriber.close();
  }

  watchMap(params: EventParams<'mapWatch'>, emit: Emit<'mapWatch'>): () => void {
    return this.mapWatches.watch(params, emit);
  }

  watchTraceLog(params: EventParams<'traceLog'>, emit: Emit<'traceLog'>): () => void {
    return this.traceLogs.watch(params.host, params.consume ? 'consume' : 'tail', emit);
  }

  async close(): Promise<void> {
    this.mapWatches.close();
    await this.traceLogs.close();
    await this.subscriptions.close();
  }
}
