// Host backed by the in-process addon; needs CAP_BPF/CAP_SYS_ADMIN here.
import type { BpfStreamId, Host, HostClocks, MapDiffWatch, MapReader, ObjectKind, RawBtfInfo, RawCgroupQuery, RawInfo, RawLinkInfo, RawNetns, RawOwnerFd, RawMapDiff, RawProgInfo, RawRingbufPositions, RawTaskFd, RawMapPages, RawTraceTail, RtnlDumpKind, StatsHold, TracePipe } from './host.js';
import { closeSync, openSync } from 'node:fs';
import { RTNL_DUMP_CODES } from './host.js';
import { MAX_OBJECTS_PER_KIND, OBJECT_KIND_CODE } from './host.js';
import { loadNativeAddon, type NativeAddon, type NativeHandle, type NativeMapPage } from './native-addon.js';

/** Exported by the addon since native/src/map_mmap.c (declared here, next to its only caller). */
interface NativeMapMmap {
  mapMmap(h: NativeHandle, pageIndex: number, length: number): Buffer;
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
  mapLookupBatchAsync(h: NativeHandle, cursor: Buffer | null, keySize: number, valueStride: number, max: number): Promise<NativeMapPage>;
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

  /**
   * A piece at a time, each read on the thread pool (CHUNK_BYTES, one native call looping over
   * read(): kallsyms hands out a page per read(), and a trip through the pool for each page cost
   * more than the reads), the next piece read while the caller searches this one: the kernel
   * formats kallsyms on one core while the scan runs on the other.
   */
  async *readChunks(path: string, limit: number): AsyncIterable<Uint8Array> {
    const fd = openSync(path, 'r');
    let next: Promise<Buffer> | undefined;
    try {
      next = this.addon.readAsync(fd, CHUNK_BYTES);
      for (let total = 0; ; ) {
        const piece: Buffer = await next;
        next = undefined;
        if (piece.byteLength === 0) return;
        total += piece.byteLength;
        if (total > limit) throw Object.assign(new Error(`${path}: larger than ${limit} bytes`), { code: 'EFBIG' });
        if (piece.byteLength === CHUNK_BYTES) next = this.addon.readAsync(fd, CHUNK_BYTES);
        yield piece;
        if (!next) return;
      }
    } finally {
      // The read in flight has its own fd; its piece, or its failure, is dropped.
      next?.catch(() => undefined);
      closeSync(fd);
    }
  }

  async openMap(id: number): Promise<MapReader | null> {
    const addon = this.addon as NativeAddon & NativeMapBatchAsync & Partial<NativeMapMmap>;
    const handle = addon.mapOpen(id);
    if (!handle) return null;
    return {
      async read(mode, cursor, keySize, valueStride, max) {
        const c = cursor ? Buffer.from(cursor.buffer, cursor.byteOffset, cursor.byteLength) : null;
        const page = mode === 'batch'
          ? await addon.mapLookupBatchAsync(handle, c, keySize, valueStride, max)
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
