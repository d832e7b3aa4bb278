// Entry counts of hash-like maps, for bpf_map_entries. The kernel keeps no count a reader
// can ask for (bpf_map_info and fdinfo have none; bpf_map_sum_elem_count() is a kfunc, for
// loaded programs only, and bpfscope loads nothing), so counting means walking the map.
// Two bounds keep that cheap on hosts with many large maps:
// - each refresh walks for at most `budgetMs`; a walk still unfinished pauses (holding no
//   fd: every page opens its own) and goes on at the next refresh;
// - a map is recounted no sooner than its last walk took divided by `duty` (at 1 %, a
//   1 M-entry hash that takes 0.3 s to walk is recounted every 30 s at most), so counting
//   costs at most about `duty` of one CPU however large the maps are.
// Arrays hold max_entries entries by construction and are never walked (isHashLike).
import type { Host } from '../hosts/host.js';
import { DEFAULT_PAGE_BYTES, MapStream } from '../hosts/map-stream.js';

export interface EntryCountOptions {
  /** Walking time per refresh, ms. */
  budgetMs?: number;
  /** Share of the time a map may spend being walked, 0 … 1. */
  duty?: number;
  /** Most entries per page read (a walk pauses between pages); default: what fits in 4 MiB. */
  pageEntries?: number;
  /** Monotonic clock in ms (tests). */
  now?: () => number;
}

export const DEFAULT_COUNT_BUDGET_MS = 250;
export const DEFAULT_COUNT_DUTY = 0.01;

/** A hash-like map to count: what sizes its pages. */
export interface CountedMap {
  id: number;
  maxEntries: number;
  /** Key plus value bytes of one entry as read (per-CPU values: every CPU's slot). */
  entryBytes: number;
}

/**
 * Entries per page: the whole map when it fits in one page (a small map costs one read, not
 * a 4 MiB buffer), at most `limit`, and at least one.
 */
export function pageEntriesFor(maxEntries: number, entryBytes: number, limit = Infinity): number {
  return Math.max(1, Math.min(maxEntries, limit, Math.floor(DEFAULT_PAGE_BYTES / Math.max(1, entryBytes))));
}

interface Walk {
  stream: MapStream;
  entries: number;
  spentMs: number;
}

interface MapCount {
  /** Entries at the end of the last complete walk. */
  entries?: number;
  /** When the last complete walk ended. */
  countedAtMs: number;
  /** How long it took, summed over its slices. */
  walkMs: number;
  walk?: Walk;
  /** Why this map cannot be counted (its walk failed); it is not tried again. */
  failed?: string;
}

export class EntryCounts {
  private readonly counts = new Map<number, MapCount>();
  private readonly budgetMs: number;
  private readonly duty: number;
  private readonly now: () => number;
  private readonly pageEntries: number | undefined;

  constructor(
    private readonly host: Host,
    options: EntryCountOptions = {},
  ) {
    this.budgetMs = options.budgetMs ?? DEFAULT_COUNT_BUDGET_MS;
    this.duty = options.duty ?? DEFAULT_COUNT_DUTY;
    this.now = options.now ?? (() => performance.now());
    this.pageEntries = options.pageEntries;
  }

  /** The last complete count of map `id`, if there is one. */
  entries(id: number): number | undefined {
    return this.counts.get(id)?.entries;
  }

  /** Why map `id` has no count, when its walk failed. */
  failure(id: number): string | undefined {
    return this.counts.get(id)?.failed;
  }

  /**
   * Walks what is due, within the budget, at least one page so a backlog always moves:
   * maps never counted first, smallest first (a host's first scrapes count its many small
   * maps before its few large ones), then walks paused at an earlier refresh, then recounts,
   * the longest-due first. `maps` are the hash-like maps loaded now; others are forgotten.
   */
  async refresh(maps: readonly CountedMap[]): Promise<void> {
    const present = new Set(maps.map((m) => m.id));
    for (const id of this.counts.keys()) if (!present.has(id)) this.counts.delete(id);
    const start = this.now();
    const due: Array<{ map: CountedMap; tier: number; order: number }> = [];
    for (const map of maps) {
      let count = this.counts.get(map.id);
      if (!count) {
        count = { countedAtMs: -Infinity, walkMs: 0 };
        this.counts.set(map.id, count);
      }
      if (count.failed) continue;
      if (count.walk) due.push({ map, tier: 1, order: 0 });
      else if (count.entries === undefined) due.push({ map, tier: 0, order: map.maxEntries * map.entryBytes });
      else if (count.countedAtMs + count.walkMs / this.duty <= start) due.push({ map, tier: 2, order: count.countedAtMs + count.walkMs / this.duty });
    }
    due.sort((a, b) => a.tier - b.tier || a.order - b.order || a.map.id - b.map.id);
    for (const [i, { map }] of due.entries()) {
      const left = this.budgetMs - (this.now() - start);
      if (left <= 0 && i > 0) break;
      await this.walk(map, this.counts.get(map.id)!, left);
    }
  }

  /** Reads pages of `map` until it ends or `leftMs` is spent. */
  private async walk(map: CountedMap, count: MapCount, leftMs: number): Promise<void> {
    const { id } = map;
    const began = this.now();
    try {
      if (!count.walk) {
        const stream = await MapStream.open(this.host, id, { pageEntries: pageEntriesFor(map.maxEntries, map.entryBytes, this.pageEntries) });
        if (!stream) {
          this.counts.delete(id);
          return;
        }
        count.walk = { stream, entries: 0, spentMs: 0 };
      }
      const walk = count.walk;
      for (;;) {
        const step = await walk.stream.next();
        if (step.state === 'gone') {
          this.counts.delete(id);
          return;
        }
        if (step.state === 'done') break;
        walk.entries += step.page.count;
        if (this.now() - began >= leftMs) {
          walk.spentMs += this.now() - began;
          return;
        }
      }
      const ended = this.now();
      count.entries = walk.entries;
      count.walkMs = walk.spentMs + (ended - began);
      count.countedAtMs = ended;
      count.walk = undefined;
    } catch (error) {
      count.walk = undefined;
      count.failed = error instanceof Error ? error.message : String(error);
    }
  }
}
