// Locates and loads the compiled addon. The only file that knows where it lives.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An fd held by the addon; closed by `close()` or when garbage-collected. */
export interface NativeHandle {
  readonly __nativeHandle: unique symbol;
}

/** The arrays the kernel returned empty are absent. */
export interface NativeProgInfo {
  info: Buffer;
  fdinfo: string;
  mapIds?: Buffer;
  xlated?: Buffer;
  jited?: Buffer;
  jitedKsyms?: Buffer;
  jitedFuncLens?: Buffer;
  funcInfo?: Buffer;
  lineInfo?: Buffer;
  jitedLineInfo?: Buffer;
  progTags?: Buffer;
}

export interface NativeLinkInfo {
  info: Buffer;
  fdinfo: string;
  name: Buffer;
  addrs: Buffer;
  offsets: Buffer;
  refCtrOffsets: Buffer;
  cookies: Buffer;
}

export interface NativeBtfInfo {
  info: Buffer;
  fdinfo: string;
  data: Uint8Array;
  /** Zero bytes after data in its ArrayBuffer (native/src/bpf_read.h BS_BTF_ZERO_TAIL). */
  zeroTail: number;
  name: Buffer;
}

export interface NativeOwnerFd {
  pid: number;
  fd: number;
  comm: string;
  target: string;
  fdinfo: string;
}

export interface NativeMapPage {
  keys: Buffer;
  values: Buffer;
  count: number;
  cursor: Buffer;
  done: boolean;
  /** Next-key reads where some lookup failed: an int32 errno per entry (0: read). */
  errors?: Buffer;
}

export interface NativeNetns {
  path: string;
  inode: number;
  pid: number;
}

export interface NativeCgroupQuery {
  path: string;
  id: number;
  attached: Buffer;
  effective: Buffer;
}

export interface NativeTaskFd {
  pid: number;
  fd: number;
  /** EOPNOTSUPP: a perf event running a perf_event program the kernel does not describe. */
  error?: number;
  comm: string;
  attr: Buffer;
  name: Buffer;
}

/** The addon's functions, exactly as native/src/addon.c exports them. */
export interface NativeAddon {
  nextId(kind: number, start: number): number;
  progInfo(id: number, detail: boolean): NativeProgInfo | null;
  mapInfo(id: number): { info: Buffer; fdinfo: string } | null;
  mapInfo(id: number, withFdinfo: false): { info: Buffer } | null;
  linkInfo(id: number): NativeLinkInfo | null;
  btfInfo(id: number): NativeBtfInfo | null;
  /** Scans /proc on the libuv thread pool. */
  owners(): Promise<NativeOwnerFd[]>;
  readFile(path: string, limit: number): Buffer;
  /** The kind and id of the object pinned at path; throws an errno error as BPF_OBJ_GET fails. */
  pinnedObject(path: string): { kind: 'prog' | 'map' | 'link'; id: number };
  /**
   * fd's file read from a duplicate of fd on the thread pool, pieceBytes (at most 1 MB) at a time,
   * each piece handed to onPiece in order (the last one shorter, empty at the end), or an error;
   * reading goes on while onPiece returns true, at most `ahead` pieces (up to 64) waiting for it.
   * Returns stop(), which ends the reading at once, pieces waiting for room or not.
   */
  readAhead(fd: number, pieceBytes: number, ahead: number, onPiece: (error: Error | undefined, piece: Buffer | undefined) => boolean): () => void;
  mapOpen(id: number): NativeHandle | null;
  close(handle: NativeHandle): void;
  mapLookupBatch(h: NativeHandle, cursor: Buffer | null, keySize: number, valueStride: number, max: number): NativeMapPage;
  mapNextPage(h: NativeHandle, lastKey: Buffer | null, keySize: number, valueStride: number, max: number): NativeMapPage;
  enableStats(): NativeHandle;
  clocks(): { realtimeNs: bigint; boottimeNs: bigint };
  netnsList(): NativeNetns[];
  /** what: 0 links, 1 filters. */
  rtnlDump(netnsPath: string | null, what: number, ifindex: number, parent: number): Buffer;
  netProgQuery(netnsPath: string | null, ifindex: number, attachTypes: number[], queryFlags: number): Buffer;
  cgroupQuery(root: string, attachTypes: number[]): NativeCgroupQuery[];
  /** Walks /proc on the libuv thread pool. */
  taskFds(): Promise<NativeTaskFd[]>;
  /** Packed bpf_prog_info of every program (native/src/prog_info_all.h). */
  progInfoAll(maxProgs: number, knownIds?: Uint32Array): Buffer;
  /** Info, map ids and fdinfo of the programs after afterId, packed (native/src/prog_info_batch.h); read on the thread pool. */
  progInfoBatch(afterId: number, max: number): Promise<Buffer>;
  /** bpf_map_info of the maps after afterId, packed (native/src/map_info_batch.h); read on the thread pool. */
  mapInfoBatch(afterId: number, max: number): Promise<Buffer>;
  /** Every prog_array's slots among the maps after afterId, packed (native/src/prog_array_batch.h); read on the thread pool. */
  progArrayBatch(afterId: number, max: number): Promise<Buffer>;
  ringbufPositions(mapId: number): { consumerPos: bigint; producerPos: bigint; dataSize: number; mapType: number } | null;
  /** native/src/kern_read.h: BPF streams and tracefs. */
  progStreamRead(progId: number, streamId: number, max: number): Buffer;
  tracefsReadTail(path: string, limit: number): { bytes: Buffer; total: number };
  tracePipeOpen(path: string): NativeHandle;
  tracePipeRead(h: NativeHandle, max: number): Buffer;
  procMapPages(pid: number, addr: bigint, pages: number): { present: Buffer; bytes: Buffer; pageSize: number };
  mapHash(id: number): Buffer;
  /** null: the queue or stack is empty; ENOENT: the map is gone. */
  mapPeek(id: number): Buffer | null;
}

const here = dirname(fileURLToPath(import.meta.url));

function candidates(): string[] {
  const fromEnv = process.env.BPFSCOPE_ADDON;
  // Source tree (tests), compiled tree (out/node/main/hosts), packaged app (unpacked from asar).
  const roots = [resolve(here, '../..'), resolve(here, '../../../..')];
  const list = roots.map((root) => join(root, 'native/build/Release/bpfscope.node'));
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) list.push(join(resourcesPath, 'app.asar.unpacked/native/build/Release/bpfscope.node'));
  return fromEnv ? [fromEnv, ...list] : list;
}

let loaded: NativeAddon | undefined;

export function loadNativeAddon(): NativeAddon {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const tried = candidates();
  const path = tried.find((p) => existsSync(p));
  if (!path) {
    throw Object.assign(new Error(`native addon not built (looked in ${tried.join(', ')})`), {
      code: 'ENOADDON',
      hint: 'run `npm run build:native`',
    });
  }
  loaded = require(path) as NativeAddon;
  return loaded;
}
