// Polls one map at an interval and reports only what changed: added entries, changed ones
// with their previous value, removed ones. Where the host offers it (the addon, the agent),
// the changes are found next to the map (Host.watchMap keeps a digest per watch), so a poll
// moves only what changed; elsewhere full reads are compared here. Keeps the running sum of
// every numeric field over all keys (updated from the changes, not recomputed), and bounded
// history rings for the sums and for selected keys, from which rates (Δ/s) follow. A map
// that vanishes ends the watch with a 'gone' event. Memory: the map's current contents
// (MapContents) plus the history.
import type { Btf } from '../kernel/btf/index.js';
import { numericFields, perCpuSpread, readField, type CpuSpread, type NumericField } from '../kernel/maps/fields.js';
import { isHashLike, perCpuSlot } from '../kernel/maps/map-kind.js';
import { keyId, type KeyId, type MapPage } from '../kernel/maps/snapshot.js';
import { HostError, toHostError, type HostErrorData } from '../hosts/host-error.js';
import type { Host, MapDiffWatch, RawMapDiff } from '../hosts/host.js';
import { mapLayout, MapStream, type MapLayout } from '../hosts/map-stream.js';
import { HistoryRing } from './history.js';
import { MapContents } from './map-contents.js';

export const MIN_INTERVAL_MS = 100;
export const MAX_INTERVAL_MS = 60_000;
const DEFAULT_HISTORY = 600;
/** Bytes of changes one diff may carry (the native page bound, BS_AUX_MAX). */
const DIFF_BYTES = 64 << 20;
/** Diffs per poll (each re-reads the map): ends a poll whose changes never fit. */
const MAX_DIFFS_PER_POLL = 256;

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
  private contents: MapContents | undefined;
  private diffWatch: MapDiffWatch | undefined;
  /** The host has no diff watches for this map: compare full reads here. */
  private fullReads = false;
  private fields: NumericField[] = [];
  private sums: number[] = [];
  private readonly sumHistory: HistoryRing[] = [];
  private readonly keyHistory = new Map<KeyId, HistoryRing[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private layout: MapLayout | undefined;
  /** A poll has completed: later ones report entries as added. */
  private primed = false;
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
    this.dropDiffWatch();
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
    if (!this.layout) {
      const layout = await mapLayout(this.host, this.mapId);
      if (!layout) return { kind: 'gone', timeMs };
      this.setUp(layout);
    }
    const layout = this.layout!;
    const contents = this.contents!;
    const tick: MapWatchTick = {
      kind: 'tick', timeMs, initial: !this.primed, added: [], changed: [], removed: [],
      entries: 0, maxEntries: layout.info.maxEntries ?? 0, sums: [], selected: [],
    };
    const watch = await this.openDiffWatch(layout);
    const ended = watch ? await this.readDiffs(watch, tick) : await this.readFull(tick);
    if (ended === 'gone') return { kind: 'gone', timeMs };
    this.primed = true;
    tick.entries = contents.size;
    if (isHashLike(layout.info.type) && tick.maxEntries > 0) tick.fill = contents.size / tick.maxEntries;
    tick.sums = this.fields.map((field, i) => {
      const ring = this.sumHistory[i]!;
      ring.push(timeMs, this.sums[i]!);
      const stat: FieldStat = { path: field.path, value: this.sums[i]! };
      const rate = ring.ratePerSecond();
      if (rate !== undefined) stat.rate = rate;
      return stat;
    });
    tick.selected = this.sampleSelected(contents, timeMs);
    return tick;
  }

  /** The host's diff watch, opened on first use; undefined: compare full reads here. */
  private async openDiffWatch(layout: MapLayout): Promise<MapDiffWatch | undefined> {
    if (this.diffWatch || this.fullReads) return this.diffWatch;
    if (!this.host.watchMap || layout.keySize === 0) {
      this.fullReads = true;
      return undefined;
    }
    try {
      this.diffWatch = await this.host.watchMap(this.mapId, layout.keySize, layout.stride);
    } catch (error) {
      // The host keeps a bounded number of watches: past it, this one reads in full.
      if (toHostError(error).code !== 'EMFILE') throw error;
      this.fullReads = true;
    }
    return this.diffWatch;
  }

  private dropDiffWatch(): void {
    const watch = this.diffWatch;
    this.diffWatch = undefined;
    void watch?.close().catch(() => undefined);
  }

  /** Applies the host's diffs until it has no more for this poll. */
  private async readDiffs(watch: MapDiffWatch, tick: MapWatchTick): Promise<'done' | 'gone'> {
    const { keySize, stride } = this.layout!;
    const max = Math.max(1, Math.floor(DIFF_BYTES / (keySize + stride)));
    // A fresh digest (first diff, or re-created after a reconnect) lists every entry but
    // knows no removals: entries it does not list are gone.
    let seen: Set<KeyId> | undefined;
    for (let calls = 0; ; calls++) {
      if (calls === MAX_DIFFS_PER_POLL) throw new HostError({ code: 'E2BIG', message: `map ${this.mapId}: changes did not fit in ${calls} diffs`, id: this.mapId });
      let diff: RawMapDiff | null;
      try {
        diff = await watch.diff(max);
      } catch (error) {
        // A lost reply may have advanced the host's digest: start over with a fresh one.
        this.dropDiffWatch();
        throw error;
      }
      if (!diff) return 'gone';
      if (diff.fresh && this.contents!.size > 0) seen ??= new Set();
      this.absorb({ keys: diff.keys, values: diff.values, count: diff.count }, tick, seen);
      for (let i = 0; i < diff.removedCount; i++) this.remove(keyId(diff.removed, i * keySize, keySize), tick);
      if (!diff.more) break;
    }
    if (seen) this.removeUnseen(seen, tick);
    return 'done';
  }

  /** Without diff watches: every entry read and compared with what the watch holds. */
  private async readFull(tick: MapWatchTick): Promise<'done' | 'gone'> {
    const stream = await MapStream.open(this.host, this.mapId);
    if (!stream) return 'gone';
    const seen = new Set<KeyId>();
    for (;;) {
      const step = await stream.next();
      if (step.state === 'gone') return 'gone';
      if (step.state === 'done') break;
      this.absorb(step.page, tick, seen);
    }
    this.removeUnseen(seen, tick);
    return 'done';
  }

  /** Takes entries that may be new or changed: reports and stores those that differ. */
  private absorb(page: MapPage, tick: MapWatchTick, seen: Set<KeyId> | undefined): void {
    const { keySize, stride } = this.layout!;
    const contents = this.contents!;
    const differing: number[] = [];
    for (let i = 0; i < page.count; i++) {
      const id = keyId(page.keys, i * keySize, keySize);
      seen?.add(id);
      const ref = contents.refOf(id);
      if (ref !== undefined && contents.sameValue(ref, page.values, i * stride)) continue;
      differing.push(i);
      const value = page.values.subarray(i * stride, (i + 1) * stride);
      this.accumulate(value, 1);
      if (ref === undefined) {
        if (!tick.initial) tick.added.push({ key: page.keys.slice(i * keySize, (i + 1) * keySize), value: value.slice() });
        continue;
      }
      const previous = contents.value(ref);
      this.accumulate(previous, -1);
      tick.changed.push({ key: page.keys.slice(i * keySize, (i + 1) * keySize), value: value.slice(), previous: previous.slice() });
    }
    contents.put(differing.length === page.count ? page : pick(page, differing, keySize, stride));
  }

  private remove(id: KeyId, tick: MapWatchTick): void {
    const contents = this.contents!;
    const ref = contents.refOf(id);
    if (ref === undefined) return;
    const previous = contents.value(ref);
    this.accumulate(previous, -1);
    tick.removed.push({ key: contents.key(ref).slice(), previous: previous.slice() });
    contents.delete(id);
  }

  private removeUnseen(seen: Set<KeyId>, tick: MapWatchTick): void {
    const gone: KeyId[] = [];
    for (const [id] of this.contents!.indexed()) if (!seen.has(id)) gone.push(id);
    for (const id of gone) this.remove(id, tick);
  }

  private setUp(layout: MapLayout): void {
    this.layout = layout;
    this.contents = new MapContents(layout.keySize, layout.stride);
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

  private sampleSelected(snapshot: MapContents, timeMs: number): MapWatchTick['selected'] {
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

/** The entries at `indices` of a page, copied into a page of their own. */
function pick(page: MapPage, indices: readonly number[], keySize: number, stride: number): MapPage {
  const keys = new Uint8Array(indices.length * keySize);
  const values = new Uint8Array(indices.length * stride);
  indices.forEach((i, n) => {
    keys.set(page.keys.subarray(i * keySize, (i + 1) * keySize), n * keySize);
    values.set(page.values.subarray(i * stride, (i + 1) * stride), n * stride);
  });
  return { keys, values, count: indices.length };
}
