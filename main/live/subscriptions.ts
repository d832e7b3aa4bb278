// Live series for any number of subscribers (renderer windows, WebSocket clients, the
// CLI), independent of transport. Each subscriber gets batched pushes, at most N per
// second; samplers are shared per host and interval, and stop (releasing run stats)
// when their last subscription goes. Closing a subscriber drops all of its subscriptions.
import type { LifecycleEvent, StatsCostEstimate } from '../kernel/live/index.js';
import type { Host } from '../hosts/host.js';
import { HostError, toHostError } from '../hosts/host-error.js';
import { DEFAULT_HISTORY_MS, ProgramSampler, type ProgramField, type ProgramSample, type ProgramStats, type TotalField } from './program-sampler.js';
import { RingbufSampler, type RingbufSample } from './ringbuf-sampler.js';
import type { SeriesColumns } from './series-ring.js';
import { runStatsSwitchFor, type RunStatsStatus } from './stats-holds.js';
import { LifecycleTimeline } from './timeline.js';

export type SeriesRequest =
  /** Every program's latest stats and the host totals, once per sample (a table). */
  | { kind: 'programs'; host: string; intervalMs?: number }
  /** One program's points; the first push carries its history. */
  | { kind: 'program'; host: string; id: number; intervalMs?: number }
  /** Host totals' points (first push: history) and the stats cost estimate. */
  | { kind: 'totals'; host: string; intervalMs?: number }
  /** Lifecycle events after afterSeq (first push: those still kept). */
  | { kind: 'timeline'; host: string; afterSeq?: number; intervalMs?: number }
  | { kind: 'ringbufs'; host: string; intervalMs?: number };

export type SeriesUpdate =
  | { kind: 'programs'; host: string; sample: Omit<ProgramSample, 'appeared' | 'vanished'> }
  | { kind: 'program'; host: string; id: number; points: SeriesColumns<ProgramField>; latest?: ProgramStats; gone?: true }
  | { kind: 'totals'; host: string; points: SeriesColumns<TotalField>; statsCost?: StatsCostEstimate }
  | { kind: 'timeline'; host: string; events: LifecycleEvent[]; dropped: number }
  | { kind: 'ringbufs'; host: string; sample: RingbufSample }
  | { kind: 'error'; host: string; series: SeriesRequest['kind']; code: string; message: string; hint?: string };

export type LiveHostResolver = (hostId: string) => Promise<Host>;

export interface LiveSubscriptionsOptions {
  /** Default for subscribers that do not say; 10. */
  maxPushesPerSecond?: number;
  /** History kept per program and for totals; default 10 minutes. */
  historyMs?: number;
}

/** Pending timeline events per subscription before the oldest are dropped. */
const MAX_PENDING_EVENTS = 1000;
const DEFAULT_INTERVAL_MS = 1000;
/** Points pending per series before the oldest are dropped (a subscriber that stopped reading). */
const MAX_PENDING_POINTS = 100_000;
/**
 * Samplers at other intervals than the default, over all hosts: each samples every program and
 * keeps its own history, so a client asking for many intervals would multiply both.
 */
export const MAX_OTHER_INTERVAL_SOURCES = 16;
/** History rows a sampler keeps: the configured history at 1 s, less time at shorter intervals. */
export const MAX_HISTORY_ROWS = 900;

type Source = ProgramSampler | LifecycleTimeline | RingbufSampler;

interface SourceEntry {
  source: Source;
  users: number;
  started: Promise<void>;
}

export class LiveSubscriptions {
  private readonly resolveHost: LiveHostResolver;
  readonly maxPushesPerSecond: number;
  private readonly historyMs: number | undefined;
  private readonly sources = new Map<string, SourceEntry>();
  private readonly subscribers = new Set<LiveSubscriber>();

  constructor(resolveHost: LiveHostResolver, options: LiveSubscriptionsOptions = {}) {
    this.resolveHost = resolveHost;
    this.maxPushesPerSecond = options.maxPushesPerSecond ?? 10;
    this.historyMs = options.historyMs;
  }

  /** A window or client. `push` receives batches; call close() when it goes away. */
  openSubscriber(push: (batch: SeriesUpdate[]) => void, maxPushesPerSecond = this.maxPushesPerSecond): LiveSubscriber {
    const subscriber = new LiveSubscriber(this, push, maxPushesPerSecond, () => this.subscribers.delete(subscriber));
    this.subscribers.add(subscriber);
    return subscriber;
  }

  /** Keys of the samplers running now (host|kind|interval). */
  activeSources(): string[] {
    return [...this.sources.keys()];
  }

  /** Whether stats are on at the host, who holds them, and what they cost at the last sampled rate. */
  async statsStatus(hostId: string): Promise<RunStatsStatus & { cost?: StatsCostEstimate }> {
    const status = await runStatsSwitchFor(await this.resolveHost(hostId)).status();
    const sampler = [...this.sources.entries()].find(([key, e]) => key.startsWith(`${hostId}|stats|`) && e.source instanceof ProgramSampler);
    const cost = (sampler?.[1].source as ProgramSampler | undefined)?.latest?.totals.statsCost;
    return cost ? { ...status, cost } : status;
  }

  /**
   * Keeps a host's program stats and lifecycle timeline sampling at the default interval
   * with no subscriber, so their histories reach back to this call: a view opened later
   * starts with a full chart. Resolves (once sampling runs) to the release; a sampler that
   * cannot start (no privilege) rejects, and holds nothing.
   */
  async hold(hostId: string): Promise<() => Promise<void>> {
    const stats = sourceKey({ kind: 'programs', host: hostId });
    const timeline = sourceKey({ kind: 'timeline', host: hostId });
    await this.acquireSource(stats, (host) => this.createProgramSampler(host, DEFAULT_INTERVAL_MS));
    try {
      await this.acquireSource(timeline, (host) => new LifecycleTimeline(host, { intervalMs: DEFAULT_INTERVAL_MS }));
    } catch (error) {
      await this.releaseSource(stats);
      throw error;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await Promise.all([this.releaseSource(stats), this.releaseSource(timeline)]);
    };
  }

  /** Closes every subscriber and stops every sampler. */
  async close(): Promise<void> {
    for (const subscriber of [...this.subscribers]) subscriber.close();
    await Promise.all([...this.sources.values()].map((e) => e.source.stop()));
    this.sources.clear();
  }

  /** @internal A started source shared by key; the caller must call releaseSource(key) once. */
  async acquireSource<S extends Source>(key: string, create: (host: Host) => S): Promise<S> {
    let entry = this.sources.get(key);
    if (!entry) {
      if (!key.endsWith(`|${DEFAULT_INTERVAL_MS}`) && [...this.sources.keys()].filter((k) => !k.endsWith(`|${DEFAULT_INTERVAL_MS}`)).length >= MAX_OTHER_INTERVAL_SOURCES) {
        throw new HostError({
          code: 'EBUSY',
          message: `the server samples at ${MAX_OTHER_INTERVAL_SOURCES} intervals other than ${DEFAULT_INTERVAL_MS} ms already, its limit`,
          hint: `use the default interval (${DEFAULT_INTERVAL_MS} ms), or one already sampled: ${[...this.sources.keys()].map((k) => k.slice(k.lastIndexOf('|') + 1)).join(', ')} ms`,
        });
      }
      const hostId = key.slice(0, key.indexOf('|'));
      const pending: SourceEntry = { source: undefined as unknown as Source, users: 0, started: Promise.resolve() };
      pending.started = this.resolveHost(hostId).then((host) => {
        pending.source = create(host);
        return pending.source.start();
      });
      entry = pending;
      this.sources.set(key, entry);
      entry.started.catch(() => {
        if (this.sources.get(key) === pending) this.sources.delete(key);
      });
    }
    entry.users++;
    try {
      await entry.started;
    } catch (error) {
      entry.users--;
      throw error;
    }
    return entry.source as S;
  }

  /** @internal */
  async releaseSource(key: string): Promise<void> {
    const entry = this.sources.get(key);
    if (!entry || --entry.users > 0) return;
    this.sources.delete(key);
    await entry.source.stop();
  }

  /** @internal */
  createProgramSampler(host: Host, intervalMs: number): ProgramSampler {
    // At short intervals the history is shorter rather than larger (rows × programs × fields).
    const historyMs = Math.min(this.historyMs ?? DEFAULT_HISTORY_MS, MAX_HISTORY_ROWS * intervalMs);
    return new ProgramSampler(host, { intervalMs, historyMs });
  }
}

function sourceKey(request: SeriesRequest): string {
  const interval = request.intervalMs ?? DEFAULT_INTERVAL_MS;
  const family = request.kind === 'timeline' ? 'timeline' : request.kind === 'ringbufs' ? 'ringbufs' : 'stats';
  return `${request.host}|${family}|${interval}`;
}

function appendColumns<F extends string>(into: SeriesColumns<F>, more: SeriesColumns<F>, limit: number): void {
  for (const key of Object.keys(more) as Array<keyof SeriesColumns<F>>) {
    const column = into[key] as number[];
    column.push(...(more[key] as number[]));
    if (column.length > limit) column.splice(0, column.length - limit);
  }
}

export class LiveSubscriber {
  private readonly service: LiveSubscriptions;
  private readonly push: (batch: SeriesUpdate[]) => void;
  private readonly minGapMs: number;
  private readonly onClose: () => void;
  /** Pending updates by subscription; flushed together. */
  private readonly pending = new Map<number, SeriesUpdate>();
  private readonly cancels = new Map<number, () => void>();
  private nextId = 1;
  private lastFlushMs = -Infinity;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(service: LiveSubscriptions, push: (batch: SeriesUpdate[]) => void, maxPushesPerSecond: number, onClose: () => void) {
    if (!(maxPushesPerSecond > 0)) throw new RangeError(`pushes per second ${maxPushesPerSecond}: must be positive`);
    this.service = service;
    this.push = push;
    this.minGapMs = 1000 / maxPushesPerSecond;
    this.onClose = onClose;
  }

  get subscriptions(): number {
    return this.cancels.size;
  }

  /** Starts (or joins) the sampling behind the series; resolves to its unsubscribe. */
  async subscribe(request: SeriesRequest): Promise<() => void> {
    if (this.closed) throw new Error('subscriber is closed');
    const id = this.nextId++;
    const key = sourceKey(request);
    const interval = request.intervalMs ?? DEFAULT_INTERVAL_MS;
    let detach: () => void;
    switch (request.kind) {
      case 'programs':
      case 'program':
      case 'totals': {
        const sampler = await this.service.acquireSource(key, (host) => this.service.createProgramSampler(host, interval));
        detach = this.watchPrograms(id, request, sampler);
        break;
      }
      case 'timeline': {
        const timeline = await this.service.acquireSource(key, (host) => new LifecycleTimeline(host, { intervalMs: interval }));
        // The backlog is always the first push, empty or not: a client tells it from the news
        // that follow (the lists it loads already hold the backlog's objects, not the news').
        this.enqueueEvents(id, request.host, timeline.events(request.afterSeq ?? 0));
        const off = timeline.onEvents((events) => this.enqueueEvents(id, request.host, events));
        detach = this.withErrors(id, request, timeline, off);
        break;
      }
      case 'ringbufs': {
        const sampler = await this.service.acquireSource(key, (host) => new RingbufSampler(host, { intervalMs: interval }));
        const off = sampler.onSample((sample) => this.enqueue(id, { kind: 'ringbufs', host: request.host, sample }));
        detach = this.withErrors(id, request, sampler, off);
        break;
      }
    }
    let done = false;
    const cancel = (): void => {
      if (done) return;
      done = true;
      detach();
      this.cancels.delete(id);
      this.pending.delete(id);
      void this.service.releaseSource(key);
    };
    if (this.closed) cancel();
    else this.cancels.set(id, cancel);
    return cancel;
  }

  /** The window or client went away: every subscription ends, samplers it alone needed stop. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cancel of [...this.cancels.values()]) cancel();
    clearTimeout(this.flushTimer);
    this.pending.clear();
    this.onClose();
  }

  private watchPrograms(id: number, request: SeriesRequest, sampler: ProgramSampler): () => void {
    const host = request.host;
    let off: () => void;
    if (request.kind === 'programs') {
      if (sampler.latest) this.enqueue(id, { kind: 'programs', host, sample: tableOf(sampler.latest) });
      off = sampler.onSample((sample) => this.enqueue(id, { kind: 'programs', host, sample: tableOf(sample) }));
    } else if (request.kind === 'program') {
      const programId = request.id;
      const history = sampler.history(programId);
      if (history) this.enqueue(id, { kind: 'program', host, id: programId, points: history });
      off = sampler.onSample((sample) => {
        const latest = sample.programs.find((p) => p.id === programId);
        const points = sampler.history(programId, sample.timeMs);
        if (latest && points) this.enqueue(id, { kind: 'program', host, id: programId, points, latest });
        else if (sample.vanished.includes(programId)) this.enqueue(id, { kind: 'program', host, id: programId, points: emptyColumns(), gone: true });
      });
    } else {
      this.enqueue(id, { kind: 'totals', host, points: sampler.totalsSeries() });
      off = sampler.onSample((sample) => {
        this.enqueue(id, { kind: 'totals', host, points: sampler.totalsSeries(sample.timeMs), statsCost: sample.totals.statsCost });
      });
    }
    return this.withErrors(id, request, sampler, off);
  }

  private withErrors(id: number, request: SeriesRequest, source: Source, off: () => void): () => void {
    const offError = source.onError((error) => {
      const e = toHostError(error);
      const update: SeriesUpdate = { kind: 'error', host: request.host, series: request.kind, code: e.code, message: e.message };
      if (e.hint) update.hint = e.hint;
      this.enqueue(id, update);
    });
    return () => {
      off();
      offError();
    };
  }

  private enqueueEvents(id: number, host: string, events: LifecycleEvent[]): void {
    const queued = this.pending.get(id);
    const merged = queued?.kind === 'timeline' ? queued : { kind: 'timeline' as const, host, events: [], dropped: 0 };
    merged.events.push(...events);
    if (merged.events.length > MAX_PENDING_EVENTS) merged.dropped += merged.events.splice(0, merged.events.length - MAX_PENDING_EVENTS).length;
    this.enqueue(id, merged);
  }

  /** Tables and ringbuf samples replace what is pending; points accumulate. */
  private enqueue(id: number, update: SeriesUpdate): void {
    if (this.closed) return;
    const queued = this.pending.get(id);
    if (queued && queued !== update && (queued.kind === 'program' || queued.kind === 'totals') && queued.kind === update.kind) {
      appendColumns(queued.points as SeriesColumns<string>, update.points as SeriesColumns<string>, MAX_PENDING_POINTS);
      if (update.kind === 'program' && queued.kind === 'program') {
        if (update.latest) queued.latest = update.latest;
        if (update.gone) queued.gone = true;
      }
      if (update.kind === 'totals' && queued.kind === 'totals' && update.statsCost) queued.statsCost = update.statsCost;
    } else {
      this.pending.set(id, update);
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    const delay = Math.max(0, this.lastFlushMs + this.minGapMs - Date.now());
    this.flushTimer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.closed || this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.lastFlushMs = Date.now();
    this.push(batch);
  }
}

function tableOf(sample: ProgramSample): Omit<ProgramSample, 'appeared' | 'vanished'> {
  const { appeared: _appeared, vanished: _vanished, ...table } = sample;
  return table;
}

function emptyColumns(): SeriesColumns<ProgramField> {
  return { timeMs: [], eventsPerSec: [], avgRunNs: [], cpuPercent: [], recursionMisses: [] };
}
