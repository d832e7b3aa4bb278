// What the live watch of one map has sent: entry count, per-field sums over all keys
// and per-field values of the keys pinned to the chart (at most MAX_PINNED_KEYS).
import type { FieldStat, MapWatchUpdate } from '../../../../main/api/view-records.js';

export const MAX_PINNED_KEYS = 16;
const MAX_TICKS = 600;

export interface WatchTick {
  timeMs: number;
  sums: FieldStat[];
  /** Per pinned key (hex): its fields' values and rates. */
  keys: Record<string, FieldStat[]>;
}

export class MapWatchState {
  ticks = $state.raw<WatchTick[]>([]);
  entries = $state<number | null>(null);
  /** Pinned keys, hex, with the label the UI shows for each. */
  pinned = $state.raw<Array<{ keyHex: string; label: string }>>([]);

  get keys(): string[] {
    return this.pinned.map((p) => p.keyHex);
  }

  pin(keyHex: string, label: string): void {
    if (this.pinned.some((p) => p.keyHex === keyHex) || this.pinned.length >= MAX_PINNED_KEYS) return;
    this.pinned = [...this.pinned, { keyHex, label }];
  }

  unpin(keyHex: string): void {
    this.pinned = this.pinned.filter((p) => p.keyHex !== keyHex);
  }

  apply(update: MapWatchUpdate): void {
    if (update.kind !== 'tick') return;
    this.entries = update.entries;
    const keys = Object.fromEntries(update.selected.map((s) => [s.keyHex, s.fields]));
    this.ticks = [...this.ticks.slice(1 - MAX_TICKS), { timeMs: update.timeMs, sums: update.sums, keys }];
  }
}

/**
 * Pure: the field a map's chart starts with: the first whose sum over keys has moved since the
 * watch began (a counter, where a protocol number or a port stays put and charts a flat line),
 * else the first field; undefined before the first tick.
 */
export function defaultChartField(ticks: readonly WatchTick[]): string | undefined {
  const first = ticks[0]?.sums;
  const last = ticks.at(-1)?.sums;
  if (!first || !last) return undefined;
  const start = new Map(first.map((s) => [s.path, s.value]));
  return last.find((s) => start.has(s.path) && start.get(s.path) !== s.value)?.path ?? last[0]?.path;
}

/** Pure: chart series of `path` for the sum over keys (keyHex null) or one key, as values or rates. */
export function fieldPoints(ticks: WatchTick[], keyHex: string | null, path: string, rate: boolean): Array<[number, number]> {
  return ticks.flatMap((tick) => {
    const stat = (keyHex === null ? tick.sums : tick.keys[keyHex])?.find((s) => s.path === path);
    const value = rate ? stat?.rate : stat?.value;
    return value === undefined ? [] : [[tick.timeMs, value] as [number, number]];
  });
}
