// The operations on one machine, as raw bytes. Two implementations: the
// in-process addon (LocalHost) and the agent over stdio frames (later, SSH).
// Everything is decoded above this interface, once, by main/kernel.

export type ObjectKind = 'prog' | 'map' | 'link' | 'btf';

export const OBJECT_KIND_CODE: Record<ObjectKind, number> = { prog: 0, map: 1, link: 2, btf: 3 };

export interface RawInfo {
  id: number;
  /** Bytes the kernel wrote into bpf_*_info; its length is the kernel's info_len. */
  info: Uint8Array;
  /** /proc/self/fdinfo text of the fd we held (memlock, frozen, …). */
  fdinfo: string;
}

export interface RawProgInfo extends RawInfo {
  mapIds: Uint8Array;
  xlated: Uint8Array;
  jited: Uint8Array;
  jitedKsyms: Uint8Array;
  jitedFuncLens: Uint8Array;
  funcInfo: Uint8Array;
  lineInfo: Uint8Array;
  jitedLineInfo: Uint8Array;
  progTags: Uint8Array;
}

export interface RawLinkInfo extends RawInfo {
  name: Uint8Array;
  addrs: Uint8Array;
  offsets: Uint8Array;
  refCtrOffsets: Uint8Array;
  cookies: Uint8Array;
}

export interface RawBtfInfo extends RawInfo {
  data: Uint8Array;
  name: Uint8Array;
  /** Zero bytes that follow `data` in its ArrayBuffer, kept there for the BTF printers (parseBtf). */
  zeroTail?: number;
}

export interface RawOwnerFd {
  pid: number;
  fd: number;
  comm: string;
  /** readlink of the fd, e.g. `anon_inode:bpf-map`. */
  target: string;
  fdinfo: string;
}

export interface RawMapPage {
  /** `count` keys of keySize bytes, back to back. */
  keys: Uint8Array;
  /** `count` values, valueStride bytes apart. */
  values: Uint8Array;
  count: number;
  /** Opaque position to pass to the next read. */
  cursor: Uint8Array;
  done: boolean;
  /**
   * Next-key reads where the kernel refused some lookups: each entry's errno (0: read; the
   * value of a refused entry is zeroes). Absent when every lookup succeeded.
   */
  errors?: Int32Array;
}

export type MapReadMode = 'batch' | 'next';

/** The keys and values memory of a page its reader is done with. */
export interface PageBuffers {
  keys: Uint8Array;
  values: Uint8Array;
}

export interface MapReader {
  /**
   * A page of at most `max` entries. `into`: memory of an earlier page, no longer in use,
   * that a batch read may fill instead of fresh memory (the local host does; the page's
   * keys and values are then those buffers). Other transports copy into new memory anyway.
   */
  read(mode: MapReadMode, cursor: Uint8Array | null, keySize: number, valueStride: number, max: number, into?: PageBuffers): Promise<RawMapPage>;
  /**
   * A copy of `length` bytes of the map's mmapable memory from page `pageIndex` (mapped
   * PROT_READ for the copy only): BPF_F_MMAPABLE arrays, and the ring buffer's consumer
   * (page 0) and producer (page 1) positions. Absent where the transport lacks it.
   */
  mmap?(pageIndex: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * What changed in a map since the previous diff of one watch, computed where the map is
 * (native/src/map_digest.h): added and changed entries with their values, removed keys.
 */
export interface RawMapDiff {
  /** `count` added or changed keys, back to back. */
  keys: Uint8Array;
  /** Their values, valueStride bytes apart. */
  values: Uint8Array;
  count: number;
  /** `removedCount` keys that left the map, back to back. */
  removed: Uint8Array;
  removedCount: number;
  /** Distinct keys read in this pass. */
  entries: number;
  /** The max was reached: diff again for the rest (each call re-reads the map). */
  more: boolean;
  /**
   * The watch had no digest before this pass (its first diff, or one re-created after a
   * reconnect): every entry is reported, and removals since the last diff are not.
   */
  fresh: boolean;
}

export interface MapDiffWatch {
  /** At most `max` added, changed and removed entries together; null: the map is gone. */
  diff(max: number): Promise<RawMapDiff | null>;
  close(): Promise<void>;
}

export interface StatsHold {
  release(): Promise<void>;
}

/** Ring buffer positions read from its mmapped position pages (never consuming). */
export interface RawRingbufPositions {
  consumerPos: bigint;
  producerPos: bigint;
  /** Data area size in bytes (max_entries). */
  dataSize: number;
  mapType: number;
}

export interface HostClocks {
  realtimeNs: bigint;
  boottimeNs: bigint;
}

/** A network namespace seen through /run/netns or a process (native/src/attach_netlink.h). */
export interface RawNetns {
  /** `/proc/<pid>/ns/net` or `/run/netns/<name>`; the first entry is the host process's own. */
  path: string;
  inode: number;
  /** 0 for named namespaces. */
  pid: number;
}

export type RtnlDumpKind = 'links' | 'filters' | 'routes' | 'qdiscs' | 'classes';
/** enum bs_rtnl_dump (native/src/attach_netlink.h): the number the addon and agent take. */
export const RTNL_DUMP_CODES: Readonly<Record<RtnlDumpKind, number>> = { links: 0, filters: 1, routes: 2, qdiscs: 3, classes: 4 };

/** One cgroup's BPF_PROG_QUERY records (main/kernel/attach/prog-query.ts decodes them). */
export interface RawCgroupQuery {
  path: string;
  /** The directory's inode: the cgroup id. */
  id: number;
  attached: Uint8Array;
  effective: Uint8Array;
}

/** One perf-event or link fd with a program behind it: BPF_TASK_FD_QUERY's attr bytes. */
export interface RawTaskFd {
  pid: number;
  fd: number;
  /** EOPNOTSUPP (95): a perf event running a perf_event program, which BPF_TASK_FD_QUERY does not describe. */
  error?: number;
  comm: string;
  attr: Uint8Array;
  name: Uint8Array;
}

/** The tail of a tracefs file read without consuming it (native/src/kern_read.h). */
export interface RawTraceTail {
  /** The last bytes of the file, at most the limit asked for. */
  bytes: Uint8Array;
  /** How many bytes the file held: more than bytes.length when its head was left out. */
  total: number;
}

/** A tracefs trace_pipe: every read takes what it returns out of the trace buffer, for every reader. */
export interface TracePipe {
  /** What the pipe has now (up to max bytes), without waiting; empty when it has nothing. */
  read(max: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export type BpfStreamId = 1 | 2;

/** What a process that mmapped a BPF map sees of a range of it (native/src/kern_read.h). */
export interface RawMapPages {
  /** One byte per page asked for: 1 where the page is present in that process. */
  present: Uint8Array;
  /** The present pages' bytes, back to back. */
  bytes: Uint8Array;
  pageSize: number;
}

/** A queue's or stack's head element, read without taking it (native/src/kern_read.h bs_map_peek). */
export interface RawMapPeek {
  /** The head's value_size bytes; null when the map holds nothing. */
  value: Uint8Array | null;
}

export interface PinnedObject {
  kind: 'prog' | 'map' | 'link';
  id: number;
}

export interface Host {
  /** A short label for messages: `local`, `user@box`, … */
  readonly label: string;
  /** What this host's answers cannot vouch for (a snapshot written without checksums), for the user to be told. */
  readonly caveat?: string;
  listIds(kind: ObjectKind): Promise<number[]>;
  /** null: the object vanished (normal, not an error). */
  progInfo(id: number, detail: boolean): Promise<RawProgInfo | null>;
  mapInfo(id: number): Promise<RawInfo | null>;
  /**
   * A map's bpf_map_info alone, for a caller that needs only its shape (type, sizes, BTF) of
   * many maps: no fdinfo read. Optional: without it callers take mapInfo's. null: gone.
   */
  mapInfoBytes?(id: number): Promise<Uint8Array | null>;
  linkInfo(id: number): Promise<RawLinkInfo | null>;
  btfInfo(id: number): Promise<RawBtfInfo | null>;
  owners(): Promise<RawOwnerFd[]>;
  readFile(path: string, limit: number): Promise<Uint8Array>;
  /**
   * The program, map or link pinned at path in a bpffs (what bpftool's `pinned PATH` names).
   * Rejects as BPF_OBJ_GET does (ENOENT: nothing there; EINVAL: a pin of another kind).
   * Optional: a snapshot or an object file has no pins.
   */
  pinnedObject?(path: string): Promise<PinnedObject>;
  /**
   * A file in pieces as it is read (up to limit bytes, else EFBIG), for a caller that may stop
   * early: kallsyms, whose every line the kernel formats as it is read. Optional: without it
   * callers read the whole file.
   */
  readChunks?(path: string, limit: number): AsyncIterable<Uint8Array>;
  openMap(id: number): Promise<MapReader | null>;
  enableStats(): Promise<StatsHold>;
  /**
   * The run statistics of every program in one call: one run-stats sample. Packed
   * (native/src/prog_info_all.h), decoded by main/kernel/live. knownIds (ascending, from an
   * earlier sample) are read without walking to them. Optional: without it samplers fall
   * back to listIds + progInfo per program.
   */
  progInfoAll?(maxProgs: number, knownIds?: Uint32Array): Promise<Uint8Array>;
  /**
   * What a program listing needs of up to max programs with ids after afterId (info, map ids,
   * fdinfo), packed (native/src/prog_info_batch.h), decoded by main/kernel/info/prog-batch.ts.
   * Optional: without it listings read listIds + progInfo per program.
   */
  progInfoBatch?(afterId: number, max: number): Promise<Uint8Array>;
  /**
   * The bpf_map_info of up to max maps with ids after afterId, packed
   * (native/src/map_info_batch.h), decoded by main/kernel/info/map-batch.ts. Optional: without it
   * callers read listIds + mapInfo per map.
   */
  mapInfoBatch?(afterId: number, max: number): Promise<Uint8Array>;
  /**
   * The tail-call slots of every prog_array among up to max maps with ids after afterId (1 to
   * 4096), packed (native/src/prog_array_batch.h), decoded by main/kernel/attach/prog-array-batch.ts.
   * Optional: without it callers open and read each prog_array.
   */
  progArrayBatch?(afterId: number, max: number): Promise<Uint8Array>;
  /**
   * A watch whose diffs carry only what changed (keySize > 0). Optional: snapshots lack it,
   * and the map watcher then compares full reads itself. EMFILE when the host keeps too many.
   */
  watchMap?(mapId: number, keySize: number, valueStride: number): Promise<MapDiffWatch>;
  /** Optional like progInfoAll; null: the map vanished. Throws EINVAL for a non-ringbuf map. */
  ringbufPositions?(mapId: number): Promise<RawRingbufPositions | null>;
  /** Network namespaces, each once (attachments). Optional: older agents lack it. */
  netnsList?(): Promise<RawNetns[]>;
  /** rtnetlink dump in a namespace (null: the host process's), as netlink messages. */
  rtnlDump?(netnsPath: string | null, kind: RtnlDumpKind, ifindex: number, parent: number): Promise<Uint8Array>;
  /** BPF_PROG_QUERY records for a namespace (ifindex 0) or one of its interfaces. */
  netProgQuery?(netnsPath: string | null, ifindex: number, attachTypes: number[], queryFlags: number): Promise<Uint8Array>;
  /** Every cgroup under root (a cgroup v2 mount), attached and effective records per type. */
  cgroupQuery?(root: string, attachTypes: number[]): Promise<RawCgroupQuery[]>;
  /** BPF_TASK_FD_QUERY over every process's perf-event and link fds. */
  taskFds?(): Promise<RawTaskFd[]>;
  /** Object files only: the ELF section a program came from (live hosts do not know it). */
  objectSection?(progId: number): string | undefined;
  /**
   * Takes up to max bytes out of a program's BPF stream (1 stdout, 2 stderr; Linux 6.17): what is
   * read is gone from the stream. null: the program is gone. Optional: snapshots, object files and
   * older agents have none.
   */
  progStreamRead?(progId: number, stream: BpfStreamId, max: number): Promise<Uint8Array | null>;
  /** The last `limit` bytes of a non-consuming tracefs file (trace, per_cpu/cpuN/trace and stats, trace_clock, options/NAME). */
  tracefsRead?(path: string, limit: number): Promise<RawTraceTail>;
  /** A tracefs trace_pipe opened for non-blocking reads (consuming: see TracePipe). */
  openTracePipe?(path: string): Promise<TracePipe>;
  /**
   * Pages of a BPF map as process pid mmapped it (an arena), read from that process without
   * faulting anything in: only a range of a bpf-map mapping of pid, at most 256 pages.
   */
  procMapPages?(pid: number, addr: bigint, pages: number): Promise<RawMapPages>;
  /**
   * The kernel's SHA-256 of a map's contents (bpf_map_info.hash, Linux 6.18): frozen arrays only
   * (EPERM unfrozen, EINVAL another type, E2BIG before 6.18); null when the map is gone.
   */
  mapHash?(id: number): Promise<Uint8Array | null>;
  /**
   * The head element of a queue or stack map, left in place (BPF_MAP_LOOKUP_ELEM without a key is
   * the kernel's peek); null when the map is gone, EINVAL for another map type. Optional: hosts
   * without live maps (snapshots, object files) say why in their own error.
   */
  mapPeek?(id: number): Promise<RawMapPeek | null>;
  /** Wall and boot clocks in nanoseconds, read together (load times are boot clock). */
  clocks(): Promise<HostClocks>;
  close(): Promise<void>;
}

/** Bound on ids walked per kind: a loop over kernel-supplied ids must end. */
export const MAX_OBJECTS_PER_KIND = 1_000_000;
