// Map watches for every client of a service: clients asking for the same watch (host, map,
// interval, selected keys) share one MapWatcher, so a hundred dashboards on one map cost one
// watch; a client joining a running watch is greeted with its latest state. Distinct watches
// draw on a budget: how many run, the memory they may come to hold (sized from the map's
// max_entries) and the entries they read per second. A watch that does not fit is refused
// with EBUSY saying which bound it hit. The last client leaving stops the watch and frees
// what it held.
import type { EventData, EventParams } from '../api/contract.js';
import { toErrorData } from '../api/errors.js';
import type { FieldStat, MapRow } from '../api/view-records.js';
import { toHostError } from '../hosts/host-error.js';
import type { HostSession } from '../hosts/host-session.js';
import { mapLayout, type MapLayout } from '../hosts/map-stream.js';
import { MapWatcher, type FieldStat as RawFieldStat, type MapWatchEvent } from '../live/map-watcher.js';
import { fromHex, MapRowBuilder, toHex } from './map-rows.js';

/** Changed rows sent per tick; the rest are counted in `truncated`. */
const MAX_ROWS_PER_TICK = 2000;
const DEFAULT_WATCH_MS = 1000;
/**
 * Bytes a watch holds per entry beside the key and value bytes: its key index (a Map entry and
 * the key id) and the host's digest slot (key, value hash, pass).
 */
const ENTRY_OVERHEAD = 160;
const MIB = 1024 * 1024;

export interface WatchBudget {
  /** Distinct watches running at once. */
  watches: number;
  /** What they may come to hold together: contents twice (pages and garbage before compaction) and the overhead. */
  memoryBytes: number;
  /** Entries they read per second together (max_entries each, at their interval). */
  entriesPerSecond: number;
}

export const DEFAULT_WATCH_BUDGET: WatchBudget = { watches: 256, memoryBytes: 512 * MIB, entriesPerSecond: 4_000_000 };

type Emit = (data: EventData<'mapWatch'>) => void;

interface Cost {
  bytes: number;
  entriesPerSecond: number;
}

interface SharedWatch {
  listeners: Set<Emit>;
  watcher?: MapWatcher;
  cost?: Cost;
  /** The latest tick as a first tick, for clients that join later. */
  greeting?: EventData<'mapWatch'>;
}

function fieldStats(stats: RawFieldStat[]): FieldStat[] {
  return stats.map((s) => (s.rate === undefined ? { path: s.path, value: s.value } : { path: s.path, value: s.value, rate: s.rate }));
}

function costOf(layout: MapLayout, intervalMs: number): Cost {
  const entries = layout.info.maxEntries ?? 0;
  return { bytes: entries * (2 * (layout.keySize + layout.stride) + ENTRY_OVERHEAD), entriesPerSecond: (entries * 1000) / intervalMs };
}

function mib(bytes: number): string {
  return `${Math.ceil(bytes / MIB)} MiB`;
}

export class MapWatches {
  private readonly shared = new Map<string, SharedWatch>();
  private readonly used: Cost & { watches: number } = { watches: 0, bytes: 0, entriesPerSecond: 0 };

  constructor(
    private readonly session: (host: string) => Promise<HostSession>,
    private readonly budget: WatchBudget = DEFAULT_WATCH_BUDGET,
  ) {}

  /** What the running watches take of the budget. */
  usage(): Cost & { watches: number } {
    return { ...this.used };
  }

  watch(params: EventParams<'mapWatch'>, emit: Emit): () => void {
    const intervalMs = params.intervalMs ?? DEFAULT_WATCH_MS;
    const key = JSON.stringify([params.host, params.id, intervalMs, params.keys ?? []]);
    let entry = this.shared.get(key);
    if (entry) {
      entry.listeners.add(emit);
      if (entry.greeting) emit(entry.greeting);
    } else {
      entry = { listeners: new Set([emit]) };
      this.shared.set(key, entry);
      const started = entry;
      this.start(key, started, params, intervalMs).catch((error: unknown) => {
        this.end(key, started);
        this.broadcast(started, { kind: 'error', timeMs: Date.now(), error: toErrorData(toHostError(error)) });
      });
    }
    const joined = entry;
    return () => {
      joined.listeners.delete(emit);
      if (joined.listeners.size === 0) this.end(key, joined);
    };
  }

  close(): void {
    for (const [key, entry] of [...this.shared]) this.end(key, entry);
  }

  private async start(key: string, entry: SharedWatch, params: EventParams<'mapWatch'>, intervalMs: number): Promise<void> {
    const session = await this.session(params.host);
    const layout = await mapLayout(session.host, params.id);
    if (!layout) {
      this.end(key, entry);
      return this.broadcast(entry, { kind: 'gone', timeMs: Date.now() });
    }
    if (this.shared.get(key) !== entry) return;
    const cost = costOf(layout, intervalMs);
    const refusal = this.refusal(params.id, layout, intervalMs, cost);
    if (refusal) {
      this.end(key, entry);
      return this.broadcast(entry, { kind: 'error', timeMs: Date.now(), error: { code: 'EBUSY', message: refusal, hint: 'close other live map views, or watch with a longer interval' } });
    }
    entry.cost = cost;
    this.used.watches++;
    this.used.bytes += cost.bytes;
    this.used.entriesPerSecond += cost.entriesPerSecond;
    const { info } = layout;
    const btf = info.btfId ? await session.btf(info.btfId).catch(() => undefined) : undefined;
    if (this.shared.get(key) !== entry) return;
    const rows = new MapRowBuilder(layout, btf ? { btf, keyTypeId: info.btfKeyTypeId || undefined, valueTypeId: info.btfValueTypeId || undefined } : {});
    const options = { intervalMs, keys: (params.keys ?? []).map(fromHex), ...(btf ? { btf } : {}) };
    entry.watcher = new MapWatcher(session.host, params.id, options, (event) => {
      const update = toUpdate(event, rows);
      if (update.kind === 'tick') entry.greeting = { ...update, initial: true, added: [], changed: [], removed: [], truncated: 0 };
      if (update.kind === 'gone') this.end(key, entry);
      this.broadcast(entry, update);
    });
    entry.watcher.start();
  }

  private refusal(id: number, layout: MapLayout, intervalMs: number, cost: Cost): string | undefined {
    const { budget, used } = this;
    const entries = (layout.info.maxEntries ?? 0).toLocaleString('en-US');
    if (used.watches >= budget.watches) return `the server runs ${used.watches} map watches for its clients, its limit`;
    if (used.bytes + cost.bytes > budget.memoryBytes) {
      return `watching map ${id} (${entries} entries) may hold ${mib(cost.bytes)}; the server's map watches may hold ${mib(budget.memoryBytes)} and ${mib(used.bytes)} of it are taken`;
    }
    if (used.entriesPerSecond + cost.entriesPerSecond > budget.entriesPerSecond) {
      const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
      return `watching map ${id} (${entries} entries) every ${intervalMs} ms reads ${rate(cost.entriesPerSecond)} entries; the server's map watches read at most ${rate(budget.entriesPerSecond)} and ${rate(used.entriesPerSecond)} are taken`;
    }
    return undefined;
  }

  /** Stops the watch and gives back its share of the budget (once). */
  private end(key: string, entry: SharedWatch): void {
    if (this.shared.get(key) === entry) this.shared.delete(key);
    entry.watcher?.stop();
    entry.watcher = undefined;
    entry.greeting = undefined;
    if (entry.cost) {
      this.used.watches--;
      this.used.bytes -= entry.cost.bytes;
      this.used.entriesPerSecond -= entry.cost.entriesPerSecond;
      entry.cost = undefined;
    }
  }

  private broadcast(entry: SharedWatch, update: EventData<'mapWatch'>): void {
    for (const emit of [...entry.listeners]) emit(update);
  }
}

function toUpdate(event: MapWatchEvent, rows: MapRowBuilder): EventData<'mapWatch'> {
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
