// Polls one map at an interval and reports only what changed: added entries, changed ones
// with their previous value, removed ones. Keeps the running sum of every numeric field
// over all keys (updated from the changes, not recomputed), and bounded history rings for
// the sums and for selected keys, from which rates (Δ/s) follow. A map that vanishes ends
// the watch with a 'gone' event. Memory: the map's current contents plus the history.
import type { Btf } from '../kernel/btf/index.js';
import { numericFields, perCpuSpread, readField, type CpuSpread, type NumericField } from '../kernel/maps/fields.js';
import { isHashLike, perCpuSlot } from '../kernel/maps/map-kind.js';
import { diffSnapshots, keyId, MapSnapshot, type KeyId } from '../kernel/maps/snapshot.js';
import { toHostError, type HostErrorData } from '../hosts/host-error.js';
import type { Host } from '../hosts/host.js';
import { MapStream, type MapLayout } from '../hosts/map-stream.js';
import { HistoryRing } from './history.js';

export const MIN_INTERVAL_MS = 100;
export const MAX_INTERVAL_MS = 60_000;
const DEFAULT_HISTORY = 600;

export interface MapWatchOptions {
  intervalMs: number;
  /** Keys whose numeric fields get history and rates. */
  keys?: readonly Uint8Array[];
  /** Samples kept per series (default 600). */
  historyCapacity?: number;
  /** The map's BTF, to find numeric fields by name; without it a 1/2/4/8-byte value is one field. */
  btf?: Btf;
}

export interface MapEntryChange {
  key: Uint8Array;
  /** Current value (absent for removed entries); per-CPU maps: all CPUs' slots. */
  value?: Uint8Array;
  /** Value at the previous poll (changed and removed entries). */
  previous?: Uint8Array;
}

export interface FieldStat {
  path: string;
  /** Current value (a selected key's) or sum over all keys. */
  value: number;
  /** Δ/s since the previous poll; undefined on the first. */
  rate?: number;
  /** Per-CPU maps, selected keys: spread over CPUs. */
  perCpu?: CpuSpread;
}

export interface MapWatchTick {
  kind: 'tick';
  timeMs: number;
  /** The first poll: entries are not reported as added, only counted. */
  initial: boolean;
  added: MapEntryChange[];
  changed: MapEntryChange[];
  removed: MapEntryChange[];
  entries: number;
  maxEntries: number;
  /** entries / max_entries for hash-like maps. */
  fill?: number;
  /** Sum of each numeric field over all keys (per-CPU: over all CPUs too). */
  sums: FieldStat[];
  /** Selected keys present in the map, by hex key. */
  selected: Array<{ key: Uint8Array; fields: FieldStat[] }>;
}

export type MapWatchEvent = MapWatchTick | { kind: 'gone'; timeMs: number } | { kind: 'error'; timeMs: number; error: HostErrorData };

export class MapWatcher {
  private snapshot: MapSnapshot | undefined;
  private fields: NumericField[] = [];
  private sums: number[] = [];
  private readonly sumHistory: HistoryRing[] = [];
  private readonly keyHistory = new Map<KeyId, HistoryRing[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private layout: MapLayout | undefined;
  private readonly intervalMs: number;
  private readonly capacity: number;

  constructor(
    private readonly host: Host,
    readonly mapId: number,
    private readonly options: MapWatchOptions,
    private readonly onEvent: (event: MapWatchEvent) => void,
  ) {
    if (!(options.intervalMs >= MIN_INTERVAL_MS && options.intervalMs <= MAX_INTERVAL_MS)) {
      throw new RangeError(`watch interval ${options.intervalMs} ms: want ${MIN_INTERVAL_MS}..${MAX_INTERVAL_MS}`);
    }
    this.intervalMs = options.intervalMs;
    this.capacity = options.historyCapacity ?? DEFAULT_HISTORY;
  }

  /** Polls now, then every interval until stop() or the map is gone. */
  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** History of the sum over all keys of field `path`. */
  sumHistoryOf(path: string): HistoryRing | undefined {
    const i = this.fields.findIndex((f) => f.path === path);
    return i < 0 ? undefined : this.sumHistory[i];
  }

  /** One poll; returns the event it emitted (also passed to onEvent). */
  async poll(): Promise<MapWatchEvent> {
    const timeMs = Date.now();
    let event: MapWatchEvent;
    try {
      event = await this.read(timeMs);
    } catch (error) {
      event = { kind: 'error', timeMs, error: toHostError(error).toData() };
    }
    if (event.kind === 'gone') this.stop();
    this.onEvent(event);
    return event;
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    await this.poll();
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), Math.max(0, this.intervalMs - (Date.now() - started)));
  }

  private async read(timeMs: number): Promise<MapWatchEvent> {
    const stream = await MapStream.open(this.host, this.mapId);
    if (!stream) return { kind: 'gone', timeMs };
    const layout = stream.layout;
    if (!this.layout) this.setUp(layout);
    const next = new MapSnapshot(layout.keySize, layout.stride);
    for (;;) {
      const step = await stream.next();
      if (step.state === 'gone') return { kind: 'gone', timeMs };
      if (step.state === 'done') break;
      next.add(step.page);
    }
    const previous = this.snapshot;
    this.snapshot = next;
    const tick: MapWatchTick = {
      kind: 'tick', timeMs, initial: !previous, added: [], changed: [], removed: [],
      entries: next.size, maxEntries: layout.info.maxEntries ?? 0, sums: [], selected: [],
    };
    if (isHashLike(layout.info.type) && tick.maxEntries > 0) tick.fill = next.size / tick.maxEntries;
    if (!previous) {
      for (const [, ref] of next.indexed()) this.accumulate(next.value(ref), 1);
    } else {
      const diff = diffSnapshots(previous, next);
      for (const ref of diff.added) {
        tick.added.push({ key: next.key(ref).slice(), value: next.value(ref).slice() });
        this.accumulate(next.value(ref), 1);
      }
      for (const [ref, old] of diff.changed) {
        tick.changed.push({ key: next.key(ref).slice(), value: next.value(ref).slice(), previous: previous.value(old).slice() });
        this.accumulate(next.value(ref), 1);
        this.accumulate(previous.value(old), -1);
      }
      for (const old of diff.removed) {
        tick.removed.push({ key: previous.key(old).slice(), previous: previous.value(old).slice() });
        this.accumulate(previous.value(old), -1);
      }
    }
    tick.sums = this.fields.map((field, i) => {
      const ring = this.sumHistory[i]!;
      ring.push(timeMs, this.sums[i]!);
      const stat: FieldStat = { path: field.path, value: this.sums[i]! };
      const rate = ring.ratePerSecond();
      if (rate !== undefined) stat.rate = rate;
      return stat;
    });
    tick.selected = this.sampleSelected(next, timeMs);
    return tick;
  }

  private setUp(layout: MapLayout): void {
    this.layout = layout;
    const { info } = layout;
    this.fields = numericFields(this.options.btf, info.btfValueTypeId ?? 0, layout.valueSize);
    this.sums = this.fields.map(() => 0);
    this.sumHistory.push(...this.fields.map(() => new HistoryRing(this.capacity)));
    for (const key of this.options.keys ?? []) {
      if (key.byteLength !== layout.keySize) throw new RangeError(`key of ${key.byteLength} bytes: map ${this.mapId} has ${layout.keySize}-byte keys`);
      this.keyHistory.set(keyId(key, 0, key.byteLength), this.fields.map(() => new HistoryRing(this.capacity)));
    }
  }

  /** Adds (sign 1) or subtracts (-1) one value's fields, over all CPUs, to the running sums. */
  private accumulate(value: Uint8Array, sign: 1 | -1): void {
    const layout = this.layout!;
    const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    const slot = perCpuSlot(layout.valueSize);
    for (let f = 0; f < this.fields.length; f++) {
      const field = this.fields[f]!;
      const v = layout.perCpu ? perCpuSpread(view, 0, slot, layout.cpus, field).sum : readField(view, 0, field);
      this.sums[f]! += sign * v;
    }
  }

  private sampleSelected(snapshot: MapSnapshot, timeMs: number): MapWatchTick['selected'] {
    const layout = this.layout!;
    const slot = perCpuSlot(layout.valueSize);
    const out: MapWatchTick['selected'] = [];
    for (const [id, rings] of this.keyHistory) {
      const ref = snapshot.refOf(id);
      if (ref === undefined) continue;
      const value = snapshot.value(ref);
      const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
      const fields = this.fields.map((field, i) => {
        const spread = layout.perCpu ? perCpuSpread(view, 0, slot, layout.cpus, field) : undefined;
        const stat: FieldStat = { path: field.path, value: spread ? spread.sum : readField(view, 0, field) };
        if (spread) stat.perCpu = spread;
        rings[i]!.push(timeMs, stat.value);
        const rate = rings[i]!.ratePerSecond();
        if (rate !== undefined) stat.rate = rate;
        return stat;
      });
      out.push({ key: snapshot.key(ref).slice(), fields });
    }
    return out;
  }
}
