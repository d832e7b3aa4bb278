// Server-side paged reads of maps. Opening a view starts reading the map page by
// page in the background (batch reads); the UI asks for rows by offset as it
// scrolls and gets the first rows as soon as the first page is in. The raw pages
// stay here; only the rows asked for are decoded and sent, so the renderer never
// holds a whole map. Views are bounded in number and size, each and together (the
// least recently read give way), and expire when idle.
import { randomUUID } from 'node:crypto';
import type { MapPage, MapView } from '../api/view-records.js';
import { ApiError } from '../api/errors.js';
import { strerror } from '../kernel/errno.js';
import { mapAccess } from '../kernel/maps/map-kind.js';
import type { MapPage as RawPage } from '../kernel/maps/snapshot.js';
import { toHostError } from '../hosts/host-error.js';
import type { HostSession } from '../hosts/host-session.js';
import { MapStream } from '../hosts/map-stream.js';
import { MapRowBuilder } from './map-rows.js';

const PAGE_ENTRIES = 16_384;
/** Entries one view keeps at most (the UI says the read stopped there). */
export const MAX_VIEW_ENTRIES = 4_000_000;
const MAX_VIEW_BYTES = 512 << 20;
/** What all views hold together. */
export const MAX_VIEWS_BYTES = 1024 << 20;
const MAX_VIEWS = 32;
const IDLE_MS = 10 * 60_000;

class MapViewRead {
  readonly id = randomUUID();
  lastUsed = Date.now();
  private readonly pages: RawPage[] = [];
  /** First entry index of each page. */
  private readonly starts: number[] = [];
  /** With a filter: indexes of the matching entries. */
  private readonly matches: number[] | undefined;
  private total = 0;
  private bytes = 0;
  complete = false;
  gone = false;
  private readError: string | undefined;
  private stopped = false;
  private wake: Array<() => void> = [];

  constructor(
    private readonly stream: MapStream,
    readonly rows: MapRowBuilder,
    private readonly filter: string | undefined,
    private readonly meta: Pick<MapView, 'btfId' | 'keyTypeId' | 'valueTypeId' | 'note'>,
    /** Asks for room for `bytes` more over all views; why not when there is none. */
    private readonly reserve: (view: MapViewRead, bytes: number) => true | string,
  ) {
    this.matches = filter ? [] : undefined;
    void this.readAll();
  }

  /** Bytes of raw pages held. */
  get held(): number {
    return this.stopped ? 0 : this.bytes;
  }

  get count(): number {
    return this.matches ? this.matches.length : this.total;
  }

  info(): MapView {
    const { layout } = this.stream;
    const note = [this.meta.note, this.refusedNote()].filter((n) => n !== undefined).join('; ');
    return {
      view: this.id, mapId: this.stream.id, count: this.count, complete: this.complete, gone: this.gone,
      keyType: this.rows.keyType, valueType: this.rows.valueType, cpus: layout.cpus, perCpu: layout.perCpu, ...this.meta,
      ...(note ? { note } : {}),
      ...(this.readError !== undefined ? { readError: this.readError } : {}),
    };
  }

  /** Slots the kernel refused to read (an XSK map's, a sockmap's of 4-byte values): not listed, and why. */
  private refusedNote(): string | undefined {
    const { slots, errno } = this.stream.refused;
    if (slots === 0) return undefined;
    return `${slots} slot${slots === 1 ? '' : 's'} not listed: the kernel refuses to read ${slots === 1 ? 'it' : 'them'} from user space (${strerror(errno)}); bpfscope dump map lists each with its error`;
  }

  async page(offset: number, limit: number): Promise<MapPage> {
    this.lastUsed = Date.now();
    while (!this.complete && this.count < offset + limit) await new Promise<void>((resolve) => this.wake.push(resolve));
    const end = Math.min(this.count, offset + limit);
    const rows = [];
    for (let i = offset; i < end; i++) {
      const index = this.matches ? this.matches[i]! : i;
      rows.push(this.entryRow(index));
    }
    return { ...this.info(), offset, rows };
  }

  stop(): void {
    this.stopped = true;
    this.complete = true;
    this.notify();
  }

  private entryRow(index: number): MapPage['rows'][number] {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    const page = this.pages[lo]!;
    const i = index - this.starts[lo]!;
    const { keySize, stride } = this.stream.layout;
    return this.rows.row(page.keys.subarray(i * keySize, (i + 1) * keySize), page.values.subarray(i * stride, (i + 1) * stride));
  }

  private async readAll(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        const step = await this.stream.next();
        if (step.state === 'gone') this.gone = true;
        if (step.state !== 'page') break;
        const pageBytes = step.page.keys.byteLength + step.page.values.byteLength;
        const room = this.reserve(this, pageBytes);
        if (room !== true) {
          this.readError = `${room}: the read stopped after ${this.total} entries (close other map views)`;
          break;
        }
        const start = this.total;
        this.pages.push(step.page);
        this.starts.push(start);
        this.total += step.page.count;
        this.bytes += pageBytes;
        if (this.matches && this.filter) {
          for (let i = 0; i < step.page.count; i++) {
            if (this.rows.searchText(this.entryRow(start + i)).includes(this.filter)) this.matches.push(start + i);
          }
        }
        this.notify();
        if (this.total >= MAX_VIEW_ENTRIES || this.bytes >= MAX_VIEW_BYTES) break;
      }
    } catch (error) {
      // A read error ends the view with what was read and says why; the next open tries again.
      const e = toHostError(error);
      this.readError = e.hint ? `${e.message} (${e.hint})` : e.message;
    }
    this.complete = true;
    this.notify();
  }

  private notify(): void {
    for (const wake of this.wake.splice(0)) wake();
  }
}

export class MapViews {
  private readonly views = new Map<string, MapViewRead>();

  /** `budgetBytes`: what all views may hold together. */
  constructor(private readonly budgetBytes = MAX_VIEWS_BYTES) {}

  async open(session: HostSession, id: number, filter?: string): Promise<MapView> {
    this.expire();
    const stream = await MapStream.open(session.host, id, { pageEntries: PAGE_ENTRIES });
    if (!stream) throw new ApiError({ code: 'EGONE', message: `map ${id}: not loaded on ${session.label}`, id });
    const { info } = stream.layout;
    const btf = info.btfId ? await session.btf(info.btfId).catch(() => undefined) : undefined;
    const types = btf ? { btf, keyTypeId: info.btfKeyTypeId || undefined, valueTypeId: info.btfValueTypeId || undefined } : {};
    const access = mapAccess(info.type);
    const meta: Pick<MapView, 'btfId' | 'keyTypeId' | 'valueTypeId' | 'note'> = {};
    if (btf && info.btfId) meta.btfId = info.btfId;
    if (types.keyTypeId) meta.keyTypeId = types.keyTypeId;
    if (types.valueTypeId) meta.valueTypeId = types.valueTypeId;
    if (access.kind === 'unreadable') meta.note = access.reason;
    if (access.kind === 'ring-positions') meta.note = 'ring buffer: records are never consumed by bpfscope; see its throughput and fill on the overview';
    const needle = filter?.trim().toLowerCase();
    const view = new MapViewRead(stream, new MapRowBuilder(stream.layout, types), needle || undefined, meta, (reader, bytes) => this.makeRoom(reader, bytes));
    this.views.set(view.id, view);
    return view.info();
  }

  read(viewId: string, offset: number, limit: number): Promise<MapPage> {
    const view = this.views.get(viewId);
    if (!view) throw new ApiError({ code: 'ENOVIEW', message: `no map view '${viewId}'`, hint: 'the view expired or was closed: open it again' });
    return view.page(offset, limit);
  }

  close(viewId: string): void {
    this.views.get(viewId)?.stop();
    this.views.delete(viewId);
  }

  closeAll(): void {
    for (const id of [...this.views.keys()]) this.close(id);
  }

  /** Room for `bytes` more, closing the least recently read other views if it must. */
  private makeRoom(reader: MapViewRead, bytes: number): true | string {
    const held = (): number => [...this.views.values()].reduce((sum, v) => sum + v.held, 0);
    while (held() + bytes > this.budgetBytes) {
      const others = [...this.views.values()].filter((v) => v !== reader && v.held > 0);
      if (others.length === 0) {
        const budget = this.budgetBytes >= 1 << 20 ? `${this.budgetBytes >> 20} MiB` : `${this.budgetBytes} bytes`;
        return `the server's map views may hold ${budget} together`;
      }
      this.close(others.reduce((a, b) => (a.lastUsed <= b.lastUsed ? a : b)).id);
    }
    return true;
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, view] of this.views) if (now - view.lastUsed > IDLE_MS) this.close(id);
    while (this.views.size >= MAX_VIEWS) {
      const oldest = [...this.views.values()].reduce((a, b) => (a.lastUsed <= b.lastUsed ? a : b));
      this.close(oldest.id);
    }
  }
}
