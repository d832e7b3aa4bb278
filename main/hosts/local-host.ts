// Host backed by the in-process addon; needs CAP_BPF/CAP_SYS_ADMIN here.
import type { BpfStreamId, Host, HostClocks, MapDiffWatch, MapReader, ObjectKind, PinnedObject, RawBtfInfo, RawCgroupQuery, RawInfo, RawLinkInfo, RawNetns, RawOwnerFd, RawMapDiff, RawProgInfo, RawRingbufPositions, RawTaskFd, RawMapPages, RawMapPeek, RawTraceTail, RtnlDumpKind, StatsHold, TracePipe } from './host.js';
import { closeSync, openSync } from 'node:fs';
import { RTNL_DUMP_CODES } from './host.js';
import { MAX_OBJECTS_PER_KIND, OBJECT_KIND_CODE } from './host.js';
import { loadNativeAddon, type NativeAddon, type NativeHandle, type NativeMapPage } from './native-addon.js';

/** Exported by the addon since native/src/map_mmap.c (declared here, next to its only caller). */
interface NativeMapMmap {
  mapMmap(h: NativeHandle, pageIndex: number, length: number): Buffer;
}

/** The same memory as a Buffer, which the addon takes. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The addon's per-entry lookup errors: int32s in this machine's byte order. */
function errnosOf(bytes: Buffer): Int32Array {
  const errnos = new Int32Array(bytes.length >>> 2);
  new Uint8Array(errnos.buffer).set(bytes.subarray(0, errnos.length * 4));
  return errnos;
}

/**
 * mapLookupBatch run on the libuv thread pool (native/src/addon.c), so a caller formats one
 * page while the kernel copies the next. Declared here, next to its only caller.
 */
interface NativeMapBatchAsync {
  mapLookupBatchAsync(h: NativeHandle, cursor: Buffer | null, keySize: number, valueStride: number, max: number, keys?: Buffer, values?: Buffer): Promise<NativeMapPage>;
}

/** A digest of one watched map, held by the addon (native/src/addon_watch.h). */
interface NativeMapWatch {
  readonly __nativeMapWatch: unique symbol;
}

/** Exported by the addon since native/src/addon_watch.c. */
interface NativeMapWatchFns {
  mapWatchOpen(mapId: number, keySize: number, valueStride: number): NativeMapWatch;
  mapWatchDiff(watch: NativeMapWatch, max: number): RawMapDiff | null;
  mapWatchClose(watch: NativeMapWatch): void;
}

/** Bytes per piece of readChunks: about a thousand kallsyms lines, so a scan stops soon after its last find. */
const CHUNK_BYTES = 64 << 10;
/**
 * Pieces read ahead of readChunks' caller (2 MB) before the reading waits for it: kallsyms as far
 * as a program's helpers (~1.3 MB here) is read while show prog loads its code, without waiting
 * for it. show prog, 21 runs in turn under SCHED_FIFO: 16 pieces 79.0 ms, 24 76.3, 32 76.9.
 */
const AHEAD_PIECES = 32;

/** What the addon leaves out of a program's info when the kernel returned an array empty. */
const NO_BYTES = new Uint8Array(0);

export class LocalHost implements Host {
  readonly label = 'local';
  private readonly addon: NativeAddon;

  constructor(addon: NativeAddon = loadNativeAddon()) {
    this.addon = addon;
  }

  async listIds(kind: ObjectKind): Promise<number[]> {
    const ids: number[] = [];
    let id = 0;
    while ((id = this.addon.nextId(OBJECT_KIND_CODE[kind], id)) !== 0 && ids.length < MAX_OBJECTS_PER_KIND) ids.push(id);
    return ids;
  }

  async progInfo(id: number, detail: boolean): Promise<RawProgInfo | null> {
    const raw = this.addon.progInfo(id, detail);
    if (!raw) return null;
    return {
      id,
      info: raw.info,
      fdinfo: raw.fdinfo,
      mapIds: raw.mapIds ?? NO_BYTES,
      xlated: raw.xlated ?? NO_BYTES,
      jited: raw.jited ?? NO_BYTES,
      jitedKsyms: raw.jitedKsyms ?? NO_BYTES,
      jitedFuncLens: raw.jitedFuncLens ?? NO_BYTES,
      funcInfo: raw.funcInfo ?? NO_BYTES,
      lineInfo: raw.lineInfo ?? NO_BYTES,
      jitedLineInfo: raw.jitedLineInfo ?? NO_BYTES,
      progTags: raw.progTags ?? NO_BYTES,
    };
  }

  async mapInfoBytes(id: number): Promise<Uint8Array | null> {
    return this.addon.mapInfo(id, false)?.info ?? null;
  }

  async mapInfo(id: number): Promise<RawInfo | null> {
    const raw = this.addon.mapInfo(id);
    return raw && { id, ...raw };
  }

  async linkInfo(id: number): Promise<RawLinkInfo | null> {
    const raw = this.addon.linkInfo(id);
    return raw && { id, ...raw };
  }

  async btfInfo(id: number): Promise<RawBtfInfo | null> {
    const raw = this.addon.btfInfo(id);
    return raw && { id, ...raw };
  }

  async owners(): Promise<RawOwnerFd[]> {
    return this.addon.owners();
  }

  async readFile(path: string, limit: number): Promise<Uint8Array> {
    return this.addon.readFile(path, limit);
  }

  async pinnedObject(path: string): Promise<PinnedObject> {
    return this.addon.pinnedObject(path);
  }

  /**
   * A piece at a time (CHUNK_BYTES, one native call looping over read(): kallsyms hands out a
   * page per read()), read ahead on the thread pool as fast as the kernel formats them
   * (native/src/addon_read_ahead.c), whatever the caller's thread is doing meanwhile: a read
   * asked for only when the caller took the last piece left that thread idle while the caller
   * loaded code, and kallsyms up to a program's last helper took 30 ms instead of 10. Pieces not
   * yet taken are bounded by the limit; the reading stops once the caller does, or the process
   * exits (process.exit from within a command, on a closed pipe, waited forever on it).
   */
  async *readChunks(path: string, limit: number): AsyncIterable<Uint8Array> {
    const pieces: Array<Buffer | Error> = [];
    let wake: (() => void) | undefined;
    let received = 0;
    const fd = openSync(path, 'r');
    let stop: () => void;
    try {
      // Once stop() is called this is called no more (the addon drops what it had not delivered).
      stop = this.addon.readAhead(fd, CHUNK_BYTES, AHEAD_PIECES, (error, piece) => {
        received += piece?.byteLength ?? 0;
        if (received > limit) error = Object.assign(new Error(`${path}: larger than ${limit} bytes`), { code: 'EFBIG' });
        pieces.push(error ?? piece!);
        wake?.();
        return error === undefined;
      });
    } finally {
      // The reader holds its own duplicate.
      closeSync(fd);
    }
    // An exit joins the thread pool, where the reading may wait for room: it stops first.
    process.once('exit', stop);
    try {
      for (;;) {
        if (pieces.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const piece = pieces.shift()!;
        if (piece instanceof Error) throw piece;
        if (piece.byteLength > 0) yield piece;
        if (piece.byteLength < CHUNK_BYTES) return;
      }
    } finally {
      stop();
      process.off('exit', stop);
    }
  }

  async openMap(id: number): Promise<MapReader | null> {
    const addon = this.addon as NativeAddon & NativeMapBatchAsync & Partial<NativeMapMmap>;
    const handle = addon.mapOpen(id);
    if (!handle) return null;
    return {
      async read(mode, cursor, keySize, valueStride, max, into) {
        const c = cursor ? asBuffer(cursor) : null;
        const page = mode === 'batch'
          ? await addon.mapLookupBatchAsync(handle, c, keySize, valueStride, max, into && asBuffer(into.keys), into && asBuffer(into.values))
          : addon.mapNextPage(handle, c, keySize, valueStride, max);
        const { errors, ...read } = page;
        return errors ? { ...read, errors: errnosOf(errors) } : read;
      },
      ...(addon.mapMmap && { mmap: async (pageIndex: number, length: number) => addon.mapMmap!(handle, pageIndex, length) }),
      async close() {
        addon.close(handle);
      },
    };
  }

  async watchMap(mapId: number, keySize: number, valueStride: number): Promise<MapDiffWatch> {
    const addon = this.addon as NativeAddon & NativeMapWatchFns;
    const watch = addon.mapWatchOpen(mapId, keySize, valueStride);
    return {
      diff: async (max) => addon.mapWatchDiff(watch, max),
      close: async () => addon.mapWatchClose(watch),
    };
  }

  async enableStats(): Promise<StatsHold> {
    const handle = this.addon.enableStats();
    return { release: async () => this.addon.close(handle) };
  }

  async progInfoAll(maxProgs: number, knownIds?: Uint32Array): Promise<Uint8Array> {
    return this.addon.progInfoAll(maxProgs, knownIds);
  }

  async progInfoBatch(afterId: number, max: number): Promise<Uint8Array> {
    return this.addon.progInfoBatch(afterId, max);
  }

  async mapInfoBatch(afterId: number, max: number): Promise<Uint8Array> {
    return this.addon.mapInfoBatch(afterId, max);
  }

  async progArrayBatch(afterId: number, max: number): Promise<Uint8Array> {
    return this.addon.progArrayBatch(afterId, max);
  }

  async ringbufPositions(mapId: number): Promise<RawRingbufPositions | null> {
    return this.addon.ringbufPositions(mapId);
  }

  async progStreamRead(progId: number, stream: BpfStreamId, max: number): Promise<Uint8Array | null> {
    try {
      return this.addon.progStreamRead(progId, stream, max);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return null;
      throw error;
    }
  }

  async tracefsRead(path: string, limit: number): Promise<RawTraceTail> {
    return this.addon.tracefsReadTail(path, limit);
  }

  async openTracePipe(path: string): Promise<TracePipe> {
    const handle = this.addon.tracePipeOpen(path);
    const addon = this.addon;
    return { read: async (max) => addon.tracePipeRead(handle, max), close: async () => addon.close(handle) };
  }

  async mapHash(id: number): Promise<Uint8Array | null> {
    try {
      return this.addon.mapHash(id);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return null;
      throw error;
    }
  }

  async mapPeek(id: number): Promise<RawMapPeek | null> {
    try {
      return { value: this.addon.mapPeek(id) };
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return null;
      throw error;
    }
  }

  async procMapPages(pid: number, addr: bigint, pages: number): Promise<RawMapPages> {
    return this.addon.procMapPages(pid, addr, pages);
  }

  async clocks(): Promise<HostClocks> {
    return this.addon.clocks();
  }

  async netnsList(): Promise<RawNetns[]> {
    return this.addon.netnsList();
  }

  async rtnlDump(netnsPath: string | null, kind: RtnlDumpKind, ifindex: number, parent: number): Promise<Uint8Array> {
    return this.addon.rtnlDump(netnsPath, RTNL_DUMP_CODES[kind], ifindex, parent);
  }

  async netProgQuery(netnsPath: string | null, ifindex: number, attachTypes: number[], queryFlags: number): Promise<Uint8Array> {
    return this.addon.netProgQuery(netnsPath, ifindex, attachTypes, queryFlags);
  }

  async cgroupQuery(root: string, attachTypes: number[]): Promise<RawCgroupQuery[]> {
    return this.addon.cgroupQuery(root, attachTypes);
  }

  async taskFds(): Promise<RawTaskFd[]> {
    return this.addon.taskFds();
  }

  async close(): Promise<void> {}
}
