// Streams a map's entries in pages of contiguous key and value buffers: BPF_MAP_LOOKUP_BATCH
// where the kernel supports it, next-key + lookup where it does not. Each page is read on
// a freshly opened fd, so a map whose owner goes away ends the stream as 'gone' instead of
// being kept alive by us; memory per page is bounded by what the caller asks for.
import { decodeMapInfo, type MapInfo } from '../kernel/info/index.js';
import { BPF_F_MMAPABLE, isPerCpuMap, MapType, parsePossibleCpus, valueStride } from '../kernel/maps/map-kind.js';
import type { MapPage } from '../kernel/maps/snapshot.js';
import type { Host, MapReadMode, MapReader, PageBuffers, RawMapPage } from './host.js';

const ENOENT = 2;
const ENOSPC = 28;
const EINTR = 4;
const EINVAL = 22;
const EOPNOTSUPP = 95;
/** The kernel-internal ENOTSUPP that bpf() leaks to user space for unsupported commands. */
const ENOTSUPP = 524;
const ERRNO_BY_CODE: Record<string, number> = { ENOSPC, EINTR, EINVAL, EOPNOTSUPP, ENOTSUPP };

/** Default bound on one page: keys plus values. */
export const DEFAULT_PAGE_BYTES = 4 << 20;
/** The most one read may return (the native layer's BS_AUX_MAX). */
export const MAX_PAGE_BYTES = 64 << 20;
/** Pages asked for in entries hold at most this many bytes (batch retries may grow past it, up to MAX_PAGE_BYTES). */
const PAGE_BYTES_CAP = 16 << 20;
/** Hash batches fail with ENOSPC when one bucket holds more than asked; grow up to this. */
const MAX_BATCH_GROWTH = 8;

export function errnoOf(error: unknown): number | undefined {
  const e = error as { errno?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.errno === 'number') return Math.abs(e.errno);
  if (typeof e?.code === 'string' && e.code in ERRNO_BY_CODE) return ERRNO_BY_CODE[e.code];
  const m = typeof e?.message === 'string' ? /Unknown error (\d+)/.exec(e.message) : null;
  return m ? Number(m[1]) : undefined;
}

/** Errors after which a batch read is retried as next-key + lookup. */
function batchUnsupported(errno: number | undefined): boolean {
  return errno === EINVAL || errno === ENOTSUPP || errno === EOPNOTSUPP || errno === EINTR;
}

const possibleCpusByHost = new WeakMap<Host, Promise<number>>();

/** Possible CPUs of the host (the count per-CPU values are laid out for), read once per host. */
export function possibleCpus(host: Host): Promise<number> {
  let cached = possibleCpusByHost.get(host);
  if (!cached) {
    cached = host.readFile('/sys/devices/system/cpu/possible', 4096).then((b) => parsePossibleCpus(new TextDecoder().decode(b)));
    cached.catch(() => possibleCpusByHost.delete(host));
    possibleCpusByHost.set(host, cached);
  }
  return cached;
}

export interface MapStreamOptions {
  /**
   * 'auto': an mmap copy for BPF_F_MMAPABLE arrays that fit in one page, else batch, falling
   * back to next-key + lookup. Forcing a mode is for tests and benchmarks.
   */
  mode?: 'auto' | MapReadMode | 'mmap';
  /** Entries per page at most (default: what fits in DEFAULT_PAGE_BYTES); never more than fit in 16 MiB. */
  pageEntries?: number;
  /**
   * Entries in the first page at most, when fewer than pageEntries: a caller that starts work
   * on the first page while the next is read starts sooner (a page of 16 k entries took the
   * kernel 5-9 ms to fill).
   */
  firstPageEntries?: number;
  /**
   * Start reading the next page when one is handed out, so the host reads while the caller
   * works on the page (at most one page ahead). For callers that read to the end: one that
   * stops early has had one page read for nothing.
   */
  prefetch?: boolean;
  /**
   * Keep the slots whose lookup the kernel refused (an XSK map's, an empty devmap slot, a
   * key deleted between next-key and lookup), with their errno in the page's errors, as
   * bpftool's dump lists them. Without it they are left out.
   */
  slotErrors?: boolean;
  /**
   * Read later pages into the memory of pages already handed out: a page's bytes are valid
   * only until the next call to next(). For callers done with each page before asking for
   * the next (a dump): fresh memory for every page costs a page fault per 4 KiB when the
   * kernel first writes it (a 300 k-entry per-CPU dump: 10,700 faults, 120 ms on a
   * paravirtualized VM).
   */
  reuseBuffers?: boolean;
}

export type MapStreamStep = { state: 'page'; page: MapPage } | { state: 'done' } | { state: 'gone' };

export interface MapLayout {
  info: MapInfo;
  keySize: number;
  valueSize: number;
  /** Bytes between values in a page (per-CPU: one 8-byte-aligned slot per possible CPU). */
  stride: number;
  /** Possible CPUs for per-CPU maps, else 1. */
  cpus: number;
  perCpu: boolean;
}

export async function mapLayout(host: Host, id: number): Promise<MapLayout | null> {
  const raw = await host.mapInfo(id);
  if (!raw) return null;
  const info = decodeMapInfo(raw.info);
  const perCpu = isPerCpuMap(info.type);
  const cpus = perCpu ? await possibleCpus(host) : 1;
  const keySize = info.keySize ?? 0;
  const valueSize = info.valueSize ?? 0;
  return { info, keySize, valueSize, stride: valueStride(info.type, valueSize, cpus), cpus, perCpu };
}

/**
 * The page without the slots whose lookup failed (a next-key read keeps them, with their
 * errno): the entries that were read, moved down in place.
 */
export function readEntries(raw: RawMapPage, keySize: number, stride: number): MapPage {
  const { keys, values, errors } = raw;
  if (!errors) return { keys, values, count: raw.count };
  let n = 0;
  for (let i = 0; i < raw.count; i++) {
    if (errors[i] !== 0) continue;
    if (n !== i) {
      keys.copyWithin(n * keySize, i * keySize, (i + 1) * keySize);
      values.copyWithin(n * stride, i * stride, (i + 1) * stride);
    }
    n++;
  }
  return { keys, values, count: n };
}

export class MapStream {
  /** The mode pages are being read in; 'batch' turns into 'next' when the kernel refuses batches. */
  mode: MapReadMode | 'mmap';
  private cursor: Uint8Array | null = null;
  private lastKey: Uint8Array | null = null;
  private finished: 'done' | 'gone' | undefined;
  private readonly pageEntries: number;
  /** Entries the next page may hold at most: pageEntries, or fewer for the first. */
  private nextPageEntries: number;
  /** Bytes one entry takes in a page: its key and every CPU's value. */
  private readonly entryBytes: number;
  private readonly forced: boolean;
  private readonly prefetch: boolean;
  private readonly slotErrors: boolean;
  /**
   * Slots left out (without slotErrors) because the kernel refused to read them, and the
   * errno of the last; an empty slot or a key deleted meanwhile (ENOENT) is not counted.
   */
  readonly refused = { slots: 0, errno: 0 };
  /** The read of the page after the one last handed out, when prefetching. */
  private ahead: Promise<MapStreamStep> | null = null;
  private readonly reuseBuffers: boolean;
  /** The memory of the page last handed out (reuseBuffers): spare once the next is asked for. */
  private lent: PageBuffers | null = null;
  /** Memory of pages the caller is done with, for reads to fill. */
  private readonly spare: PageBuffers[] = [];

  private constructor(
    private readonly host: Host,
    readonly layout: MapLayout,
    options: MapStreamOptions,
  ) {
    this.forced = options.mode !== undefined && options.mode !== 'auto';
    this.prefetch = options.prefetch ?? false;
    this.slotErrors = options.slotErrors ?? false;
    this.reuseBuffers = options.reuseBuffers ?? false;
    this.entryBytes = Math.max(1, layout.keySize + layout.stride);
    const fit = Math.floor(PAGE_BYTES_CAP / this.entryBytes);
    this.pageEntries = Math.max(1, Math.min(fit, options.pageEntries ?? Math.floor(DEFAULT_PAGE_BYTES / this.entryBytes)));
    this.nextPageEntries = Math.max(1, Math.min(this.pageEntries, options.firstPageEntries ?? this.pageEntries));
    const { type, mapFlags = 0, maxEntries = 0 } = layout.info;
    const mmapable = type === MapType.array && (mapFlags & BPF_F_MMAPABLE) !== 0 && maxEntries <= this.pageEntries;
    this.mode = options.mode === 'next' || options.mode === 'mmap' ? options.mode : mmapable && !this.forced ? 'mmap' : 'batch';
  }

  /** null: the map is not loaded (or vanished before the first read). */
  static async open(host: Host, id: number, options: MapStreamOptions = {}): Promise<MapStream | null> {
    const layout = await mapLayout(host, id);
    if (!layout) return null;
    return new MapStream(host, layout, options);
  }

  get id(): number {
    return this.layout.info.id;
  }

  /** The next page, or how the stream ended. */
  async next(): Promise<MapStreamStep> {
    if (this.lent) {
      // A smaller first page's memory would never fit a later page.
      if (this.fits(this.lent, this.pageEntries)) this.spare.push(this.lent);
      this.lent = null;
    }
    const reading = this.ahead ?? this.read();
    this.ahead = null;
    const step = await reading;
    if (this.reuseBuffers && step.state === 'page' && this.mode === 'batch') this.lent = { keys: step.page.keys, values: step.page.values };
    if (this.prefetch && step.state === 'page' && !this.finished) {
      this.ahead = this.read();
      // Rejections reach the caller at the next next(); one that never comes has stopped reading.
      this.ahead.catch(() => undefined);
    }
    return step;
  }

  private async read(): Promise<MapStreamStep> {
    if (this.finished) return { state: this.finished };
    // Ring buffers and other keyless maps have no entries to list.
    if (this.layout.keySize === 0) return this.finish('done');
    const reader = await this.host.openMap(this.id);
    if (!reader) return this.finish('gone');
    try {
      const page = await this.readPage(reader);
      if (page.count === 0 && this.finished) return { state: this.finished };
      return { state: 'page', page };
    } finally {
      await reader.close();
    }
  }

  /** Every page in order; returns how the stream ended. */
  async *pages(): AsyncGenerator<MapPage, 'done' | 'gone'> {
    for (;;) {
      const step = await this.next();
      if (step.state !== 'page') return step.state;
      yield step.page;
    }
  }

  private fits(buffers: PageBuffers, entries: number): boolean {
    return buffers.keys.byteLength >= entries * this.layout.keySize && buffers.values.byteLength >= entries * this.layout.stride;
  }

  /** Spare memory that holds `entries` entries, taken off the spare list. */
  private takeSpare(entries: number): PageBuffers | undefined {
    const i = this.spare.findIndex((buffers) => this.fits(buffers, entries));
    return i < 0 ? undefined : this.spare.splice(i, 1)[0];
  }

  private finish(state: 'done' | 'gone'): MapStreamStep {
    this.finished = state;
    return { state };
  }

  private async readPage(reader: MapReader): Promise<MapPage> {
    const { keySize, stride } = this.layout;
    if (this.entryBytes > MAX_PAGE_BYTES) {
      throw new Error(`map ${this.id}: one entry (${keySize}-byte key, ${stride} bytes of values) is more than the ${MAX_PAGE_BYTES >> 20} MiB a read may return`);
    }
    if (this.mode === 'mmap') {
      if (reader.mmap) return this.readMmap(reader.mmap.bind(reader));
      this.mode = 'batch';
    }
    let max = this.nextPageEntries;
    this.nextPageEntries = this.pageEntries;
    for (let growth = 0; ; growth++) {
      try {
        const raw =
          this.mode === 'batch'
            ? await reader.read('batch', this.cursor, keySize, stride, max, this.takeSpare(max))
            : await reader.read('next', this.lastKey, keySize, stride, max);
        if (raw.done) this.finished = 'done';
        this.cursor = raw.cursor;
        if (raw.count > 0) this.lastKey = raw.keys.slice((raw.count - 1) * keySize, raw.count * keySize);
        if (!this.slotErrors || !raw.errors) {
          if (raw.errors) this.countRefused(raw.errors, raw.count);
          return readEntries(raw, keySize, stride);
        }
        return { keys: raw.keys, values: raw.values, count: raw.count, errors: raw.errors };
      } catch (error) {
        const errno = errnoOf(error);
        if (this.mode === 'batch' && errno === ENOSPC && growth < MAX_BATCH_GROWTH && 2 * max * this.entryBytes <= MAX_PAGE_BYTES) {
          max *= 2;
          continue;
        }
        if (this.mode === 'batch' && !this.forced && batchUnsupported(errno)) {
          // Continue after the last key read: next-key walks hash buckets in batch order.
          this.mode = 'next';
          continue;
        }
        throw error;
      }
    }
  }

  private countRefused(errors: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) {
      const errno = errors[i]!;
      if (errno === 0 || errno === ENOENT) continue;
      this.refused.slots++;
      this.refused.errno = errno;
    }
  }

  /** The whole array in one copy of its memory: values are round_up(value_size, 8) apart there. */
  private async readMmap(mmap: (pageIndex: number, length: number) => Promise<Uint8Array>): Promise<MapPage> {
    const { keySize, valueSize } = this.layout;
    const count = this.layout.info.maxEntries ?? 0;
    const slot = (valueSize + 7) & ~7;
    this.finished = 'done';
    if (count === 0 || valueSize === 0 || keySize !== 4) return { keys: new Uint8Array(0), values: new Uint8Array(0), count: 0 };
    const memory = await mmap(0, count * slot);
    const keys = new Uint8Array(count * 4);
    const keyView = new DataView(keys.buffer);
    for (let i = 0; i < count; i++) keyView.setUint32(i * 4, i, true);
    if (slot === valueSize) return { keys, values: memory, count };
    const values = new Uint8Array(count * valueSize);
    for (let i = 0; i < count; i++) values.set(memory.subarray(i * slot, i * slot + valueSize), i * valueSize);
    return { keys, values, count };
  }
}
