// What can be read from each map type, and how its values are laid out. Pure: the
// caller supplies the map's info and the host's possible-CPU count.

/** `enum bpf_map_type` values this module reasons about (uapi/linux/bpf.h). */
export const MapType = {
  hash: 1,
  array: 2,
  progArray: 3,
  perfEventArray: 4,
  percpuHash: 5,
  percpuArray: 6,
  stackTrace: 7,
  cgroupArray: 8,
  lruHash: 9,
  lruPercpuHash: 10,
  lpmTrie: 11,
  arrayOfMaps: 12,
  hashOfMaps: 13,
  devmap: 14,
  sockmap: 15,
  cpumap: 16,
  xskmap: 17,
  sockhash: 18,
  cgroupStorage: 19,
  reuseportSockarray: 20,
  percpuCgroupStorage: 21,
  queue: 22,
  stack: 23,
  skStorage: 24,
  devmapHash: 25,
  structOps: 26,
  ringbuf: 27,
  inodeStorage: 28,
  taskStorage: 29,
  bloomFilter: 30,
  userRingbuf: 31,
  cgrpStorage: 32,
  arena: 33,
} as const;

/** Maps whose value is one slot per possible CPU. */
export function isPerCpuMap(type: number): boolean {
  return type === MapType.percpuHash || type === MapType.percpuArray || type === MapType.lruPercpuHash || type === MapType.percpuCgroupStorage;
}

/** BPF_F_MMAPABLE (uapi/linux/bpf.h). */
export const BPF_F_MMAPABLE = 1 << 10;

/**
 * How a map's contents are read without disturbing its owner:
 * - `entries`: keys and values through batch or next-key + lookup;
 * - `prog-ids` / `map-ids`: entries whose value the kernel reports as an object id;
 * - `stack-frames`: entries whose value is an array of u64 instruction pointers;
 * - `ring-positions`: only the producer/consumer pages are mapped (records are never consumed);
 * - `unreadable`: the kernel gives user space no view of the contents (the reason says why).
 */
export type MapAccess =
  | { kind: 'entries' }
  | { kind: 'prog-ids' }
  | { kind: 'map-ids' }
  | { kind: 'stack-frames' }
  | { kind: 'ring-positions' }
  | { kind: 'unreadable'; reason: string };

export function mapAccess(type: number): MapAccess {
  switch (type) {
    case MapType.progArray:
      return { kind: 'prog-ids' };
    case MapType.arrayOfMaps:
    case MapType.hashOfMaps:
      return { kind: 'map-ids' };
    case MapType.stackTrace:
      return { kind: 'stack-frames' };
    case MapType.ringbuf:
      return { kind: 'ring-positions' };
    case MapType.userRingbuf:
      return { kind: 'unreadable', reason: 'user ring buffer: records belong to the producer; the kernel offers no read-only view' };
    case MapType.perfEventArray:
      return { kind: 'unreadable', reason: 'perf_event_array: the kernel refuses lookups from user space (ENOTSUPP), so which CPUs have an event is not visible' };
    case MapType.cgroupArray:
      return { kind: 'unreadable', reason: 'cgroup_array: the kernel refuses lookups from user space (ENOTSUPP)' };
    case MapType.queue:
    case MapType.stack:
      return { kind: 'unreadable', reason: 'queue/stack: the only read is a peek at the head element, which bpfscope peek map shows' };
    case MapType.bloomFilter:
      return { kind: 'unreadable', reason: 'bloom filter: membership can be tested, elements cannot be listed' };
    case MapType.structOps:
    case MapType.arena:
      return { kind: 'unreadable', reason: 'not a key/value map' };
    case MapType.skStorage:
    case MapType.inodeStorage:
    case MapType.taskStorage:
    case MapType.cgrpStorage:
      return { kind: 'unreadable', reason: 'local storage: keyed by an fd of the owning socket/task/cgroup; not listable from user space' };
    default:
      return { kind: 'entries' };
  }
}

/** Types whose entry count varies (everything else has max_entries slots). */
export function isHashLike(type: number): boolean {
  return (
    type === MapType.hash ||
    type === MapType.percpuHash ||
    type === MapType.lruHash ||
    type === MapType.lruPercpuHash ||
    type === MapType.lpmTrie ||
    type === MapType.hashOfMaps ||
    type === MapType.sockhash ||
    type === MapType.devmapHash ||
    type === MapType.stackTrace
  );
}

/** Per-CPU values are copied as round_up(value_size, 8) bytes per possible CPU. */
export function perCpuSlot(valueSize: number): number {
  return (valueSize + 7) & ~7;
}

/** Bytes between consecutive values in a read buffer. */
export function valueStride(type: number, valueSize: number, possibleCpus: number): number {
  return isPerCpuMap(type) ? perCpuSlot(valueSize) * possibleCpus : valueSize;
}

/** Upper bound on CPUs we accept from a cpu list (the kernel's NR_CPUS ceiling). */
export const MAX_CPUS = 8192;

/**
 * Number of possible CPUs from `/sys/devices/system/cpu/possible` ("0-3", "0,2-5"):
 * the highest listed index plus one, which is how the kernel sizes per-CPU copies.
 */
export function parsePossibleCpus(text: string): number {
  let highest = -1;
  const parts = text.trim().split(',');
  if (parts.length > MAX_CPUS) throw new Error(`cpu list: ${parts.length} ranges`);
  for (const part of parts) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`cpu list: bad range '${part}'`);
    const end = Number(m[2] ?? m[1]);
    if (end < Number(m[1])) throw new Error(`cpu list: bad range '${part}'`);
    highest = Math.max(highest, end);
  }
  if (highest < 0 || highest >= MAX_CPUS) throw new Error(`cpu list: '${text.trim()}' out of range`);
  return highest + 1;
}
