// The rows of a server-side map view the renderer holds: pages around what is on
// screen (a bounded cache), never the whole map. Also overlays the live watch:
// changed, added and removed entries by key.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import type { MapRow, MapView, MapWatchUpdate } from '../../../../main/api/view-records.js';

export const PAGE_ROWS = 200;
const MAX_PAGES = 20;
const MAX_ADDED = 200;

export type RowMark = 'changed' | 'added' | 'removed';

export class MapPager {
  info = $state.raw<MapView | null>(null);
  pages = $state.raw(new Map<number, MapRow[]>());
  marks = $state.raw(new Map<string, { mark: RowMark; row?: MapRow }>());
  added = $state.raw<MapRow[]>([]);
  error = $state<string | null>(null);
  private loading = new Set<number>();
  private closed = false;
  /** The rows last asked for (what is on screen). */
  private wanted = { first: 0, last: 50 };

  constructor(private readonly api: BpfscopeApi, host: string, id: number, filter?: string) {
    api.openMapView({ host, id, ...(filter ? { filter } : {}) }).then(
      (info) => {
        this.info = info;
        this.want(0, 50);
        if (!info.complete) this.poll();
      },
      (e: Error) => (this.error = e.message),
    );
  }

  row(index: number): MapRow | undefined {
    const row = this.pages.get(Math.floor(index / PAGE_ROWS))?.[index % PAGE_ROWS];
    const overlay = row ? this.marks.get(row.keyHex) : undefined;
    return overlay?.row ?? row;
  }

  /** The row of a key as last seen (the watch's version, else a loaded page's), if held. */
  rowByKey(keyHex: string): MapRow | undefined {
    const mark = this.marks.get(keyHex);
    if (mark) return mark.row;
    for (const rows of this.pages.values()) {
      const row = rows.find((r) => r.keyHex === keyHex);
      if (row) return row;
    }
    return undefined;
  }

  /** Drops what is held and reads the rows on screen again (after updates were missed). */
  reload(): void {
    this.pages = new Map();
    this.marks = new Map();
    this.want(this.wanted.first, this.wanted.last);
  }

  markOf(row: MapRow): RowMark | undefined {
    return this.marks.get(row.keyHex)?.mark;
  }

  /** Loads the pages covering rows [first, last). */
  want(first: number, last: number): void {
    this.wanted = { first, last };
    const info = this.info;
    if (!info) return;
    for (let page = Math.floor(first / PAGE_ROWS); page * PAGE_ROWS < Math.max(last, 1); page++) {
      if (this.pages.has(page) || this.loading.has(page)) continue;
      this.loading.add(page);
      this.api.readMapView({ view: info.view, offset: page * PAGE_ROWS, limit: PAGE_ROWS }).then(
        (result) => {
          this.loading.delete(page);
          const pages = new Map(this.pages);
          pages.set(page, result.rows);
          while (pages.size > MAX_PAGES) pages.delete(pages.keys().next().value as number);
          this.pages = pages;
          const { rows: _rows, offset: _offset, ...rest } = result;
          this.info = rest;
        },
        (e: Error) => {
          this.loading.delete(page);
          this.error = e.message;
        },
      );
    }
  }

  apply(update: MapWatchUpdate): void {
    if (update.kind !== 'tick' || update.initial) return;
    const marks = new Map(this.marks);
    for (const row of update.changed) marks.set(row.keyHex, { mark: 'changed', row });
    for (const row of update.added) marks.set(row.keyHex, { mark: 'added', row });
    for (const key of update.removed) marks.set(key, { mark: 'removed' });
    this.marks = marks;
    if (update.added.length > 0) this.added = [...update.added, ...this.added].slice(0, MAX_ADDED);
  }

  loadedRows(): MapRow[] {
    return [...this.pages.values()].flat();
  }

  close(): void {
    this.closed = true;
    if (this.info) void this.api.closeMapView({ view: this.info.view }).catch(() => {});
  }

  /** While the host is still reading the map, the count grows: refresh it. */
  private poll(): void {
    setTimeout(() => {
      if (this.closed || !this.info || this.info.complete) return;
      this.api.readMapView({ view: this.info.view, offset: 0, limit: 1 }).then((r) => {
        const { rows: _rows, offset: _offset, ...rest } = r;
        this.info = rest;
        this.poll();
      }, () => {});
    }, 500);
  }
}
