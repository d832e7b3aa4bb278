// The live event streams of the service: program/total/timeline/ringbuf series
// (shared samplers, batched pushes) and map watches (only what changed, decoded
// into rows). Each stream stops its sampler or watcher when unsubscribed, so a
// closed view costs nothing on the host.
import type { EventData, EventParams } from '../api/contract.js';
import { toErrorData } from '../api/errors.js';
import type { FieldStat, MapRow } from '../api/view-records.js';
import { toHostError } from '../hosts/host-error.js';
import type { HostSession } from '../hosts/host-session.js';
import { mapLayout } from '../hosts/map-stream.js';
import { MapWatcher, type FieldStat as RawFieldStat, type MapWatchEvent } from '../live/map-watcher.js';
import { LiveSubscriptions, type SeriesRequest } from '../live/subscriptions.js';
import { fromHex, MapRowBuilder, toHex } from './map-rows.js';
import { wire } from './inspect-service.js';

/** Changed rows sent per tick; the rest are counted in `truncated`. */
const MAX_ROWS_PER_TICK = 2000;
const DEFAULT_WATCH_MS = 1000;
/** Program and host-total history kept for the charts: 15 minutes at the default 1 s. */
const HISTORY_MS = 15 * 60_000;

type Emit<E extends 'series' | 'mapWatch'> = (data: EventData<E>) => void;

function fieldStats(stats: RawFieldStat[]): FieldStat[] {
  return stats.map((s) => (s.rate === undefined ? { path: s.path, value: s.value } : { path: s.path, value: s.value, rate: s.rate }));
}

export class LiveService {
  private readonly subscriptions: LiveSubscriptions;
  private readonly watchers = new Set<MapWatcher>();

  constructor(private readonly session: (host: string) => Promise<HostSession>) {
    this.subscriptions = new LiveSubscriptions(async (host) => (await session(host)).host, { historyMs: HISTORY_MS });
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
    let watcher: MapWatcher | undefined;
    let closed = false;
    const fail = (error: unknown): void => emit({ kind: 'error', timeMs: Date.now(), error: toErrorData(toHostError(error)) });
    void (async () => {
      const session = await this.session(params.host);
      const layout = await mapLayout(session.host, params.id);
      if (!layout) return emit({ kind: 'gone', timeMs: Date.now() });
      const { info } = layout;
      const btf = info.btfId ? await session.btf(info.btfId).catch(() => undefined) : undefined;
      const rows = new MapRowBuilder(layout, btf ? { btf, keyTypeId: info.btfKeyTypeId || undefined, valueTypeId: info.btfValueTypeId || undefined } : {});
      if (closed) return;
      const options = { intervalMs: params.intervalMs ?? DEFAULT_WATCH_MS, keys: (params.keys ?? []).map(fromHex), ...(btf ? { btf } : {}) };
      watcher = new MapWatcher(session.host, params.id, options, (event) => emit(this.update(event, rows)));
      this.watchers.add(watcher);
      watcher.start();
    })().catch(fail);
    return () => {
      closed = true;
      if (watcher) {
        watcher.stop();
        this.watchers.delete(watcher);
      }
    };
  }

  private update(event: MapWatchEvent, rows: MapRowBuilder): EventData<'mapWatch'> {
    if (event.kind === 'gone') return event;
    if (event.kind === 'error') return { kind: 'error', timeMs: event.timeMs, error: toErrorData(event.error) };
    let budget = MAX_ROWS_PER_TICK;
    let truncated = 0;
    const take = (changes: typeof event.added, withValue: boolean): MapRow[] => {
      const out: MapRow[] = [];
      for (const change of changes) {
        if (budget-- <= 0) truncated++;
        else out.push(rows.row(change.key, withValue ? change.value : undefined));
      }
      return out;
    };
    const tick: EventData<'mapWatch'> = {
      kind: 'tick',
      timeMs: event.timeMs,
      initial: event.initial,
      added: take(event.added, true),
      changed: take(event.changed, true),
      removed: take(event.removed, false).map((r) => r.keyHex),
      entries: event.entries,
      maxEntries: event.maxEntries,
      sums: fieldStats(event.sums),
      selected: event.selected.map((s) => ({ keyHex: toHex(s.key), fields: fieldStats(s.fields) })),
      truncated,
    };
    if (event.fill !== undefined) tick.fill = event.fill;
    return tick;
  }

  async close(): Promise<void> {
    for (const watcher of this.watchers) watcher.stop();
    this.watchers.clear();
    await this.subscriptions.close();
  }
}
