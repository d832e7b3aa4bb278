// Byte offsets of the info structs of Linux 6.18 (include/uapi/linux/bpf.h), checked against
// the BTF of a running 6.18 kernel. All structs are little-endian on the hosts we read and
// 8-byte aligned; fields never move between kernel versions, new ones are only appended.
//
// The native layer fills the pointer/length pairs below in its second OBJ_GET_INFO_BY_FD pass;
// the offsets are exported so its own struct copy can be cross-checked against them.

/** `struct bpf_prog_info` (232 bytes in 6.18). */
export const PROG_INFO = {
  size: 232,
  type: 0,
  id: 4,
  tag: 8, // u8[8]
  jitedProgLen: 16,
  xlatedProgLen: 20,
  jitedProgInsns: 24, // u64 pointer, length jitedProgLen bytes
  xlatedProgInsns: 32, // u64 pointer, length xlatedProgLen bytes
  loadTime: 40,
  createdByUid: 48,
  nrMapIds: 52,
  mapIds: 56, // u64 pointer to u32[nrMapIds]
  name: 64, // char[16]
  ifindex: 80,
  gplCompatible: 84, // bit 0 of a u32 bitfield
  netnsDev: 88,
  netnsIno: 96,
  nrJitedKsyms: 104,
  nrJitedFuncLens: 108,
  jitedKsyms: 112, // u64 pointer to u64[nrJitedKsyms]
  jitedFuncLens: 120, // u64 pointer to u32[nrJitedFuncLens]
  btfId: 128,
  funcInfoRecSize: 132,
  funcInfo: 136, // u64 pointer to nrFuncInfo records of funcInfoRecSize bytes
  nrFuncInfo: 144,
  nrLineInfo: 148,
  lineInfo: 152, // u64 pointer to nrLineInfo records of lineInfoRecSize bytes
  jitedLineInfo: 160, // u64 pointer to nrJitedLineInfo records of jitedLineInfoRecSize bytes
  nrJitedLineInfo: 168,
  lineInfoRecSize: 172,
  jitedLineInfoRecSize: 176,
  nrProgTags: 180,
  progTags: 184, // u64 pointer to u8[nrProgTags][8]
  runTimeNs: 192,
  runCnt: 200,
  recursionMisses: 208,
  verifiedInsns: 216,
  attachBtfObjId: 220,
  attachBtfId: 224,
} as const;

/** `struct bpf_map_info` (104 bytes in 6.18). */
export const MAP_INFO = {
  size: 104,
  type: 0,
  id: 4,
  keySize: 8,
  valueSize: 12,
  maxEntries: 16,
  mapFlags: 20,
  name: 24, // char[16]
  ifindex: 40,
  btfVmlinuxValueTypeId: 44,
  netnsDev: 48,
  netnsIno: 56,
  btfId: 64,
  btfKeyTypeId: 68,
  btfValueTypeId: 72,
  btfVmlinuxId: 76,
  mapExtra: 80,
  hash: 88, // u64 pointer to hashSize bytes (SHA-256 of the map, 32 bytes)
  hashSize: 96,
} as const;

/** `struct bpf_btf_info` (32 bytes). */
export const BTF_INFO = {
  size: 32,
  btf: 0, // u64 pointer to btfSize bytes
  btfSize: 8,
  id: 12,
  name: 16, // u64 pointer to a nameLen-byte buffer
  nameLen: 24,
  kernelBtf: 28,
} as const;

/**
 * `struct bpf_link_info` (64 bytes in 6.18): type, id and prog_id, then a union at offset 16
 * whose layout depends on the link type. Offsets below are absolute (from the struct start).
 */
export const LINK_INFO = {
  size: 64,
  type: 0,
  id: 4,
  progId: 8,
  union: 16,
  rawTracepoint: { tpName: 16, tpNameLen: 24, cookie: 32 },
  tracing: { attachType: 16, targetObjId: 20, targetBtfId: 24, cookie: 32 },
  cgroup: { cgroupId: 16, attachType: 24 },
  iter: {
    targetName: 16,
    targetNameLen: 24,
    mapId: 28,
    cgroupId: 32,
    cgroupOrder: 40,
    taskTid: 32,
    taskPid: 36,
  },
  netns: { netnsIno: 16, attachType: 20 },
  xdp: { ifindex: 16 },
  structOps: { mapId: 16 },
  netfilter: { pf: 16, hooknum: 20, priority: 24, flags: 28 },
  kprobeMulti: { addrs: 16, count: 24, flags: 28, missed: 32, cookies: 40 },
  uprobeMulti: {
    path: 16,
    offsets: 24,
    refCtrOffsets: 32,
    cookies: 40,
    pathSize: 48,
    count: 52,
    flags: 56,
    pid: 60,
  },
  perfEvent: {
    type: 16,
    uprobe: { fileName: 24, nameLen: 32, offset: 36, cookie: 40, refCtrOffset: 48 },
    kprobe: { funcName: 24, nameLen: 32, offset: 36, addr: 40, missed: 48, cookie: 56 },
    tracepoint: { tpName: 24, nameLen: 32, cookie: 40 },
    event: { config: 24, type: 32, cookie: 40 },
  },
  tcx: { ifindex: 16, attachType: 20 },
  netkit: { ifindex: 16, attachType: 20 },
  sockmap: { mapId: 16, attachType: 20 },
} as const;

/** `enum bpf_link_type` values. */
export const LINK_TYPE = {
  unspec: 0,
  rawTracepoint: 1,
  tracing: 2,
  cgroup: 3,
  iter: 4,
  netns: 5,
  xdp: 6,
  perfEvent: 7,
  kprobeMulti: 8,
  structOps: 9,
  netfilter: 10,
  tcx: 11,
  uprobeMulti: 12,
  netkit: 13,
  sockmap: 14,
} as const;

/** `enum bpf_perf_event_type` values (perf_event links). */
export const PERF_EVENT_TYPE = {
  unspec: 0,
  uprobe: 1,
  uretprobe: 2,
  kprobe: 3,
  kretprobe: 4,
  tracepoint: 5,
  event: 6,
} as const;

/**
 * Where the native layer must point the link's buffers in its second pass, per link type:
 * `name` is the one string buffer (pointer, u32 byte length); arrays are u64 pointers sized
 * by the u32 `count` field the first pass returned. Perf-event links put the name pointer at
 * the same offset for every perf-event type (file_name / func_name / tp_name); `event` has none.
 */
export const LINK_BUFFER_FIELDS = {
  [LINK_TYPE.rawTracepoint]: { name: { ptr: 16, len: 24 } },
  [LINK_TYPE.iter]: { name: { ptr: 16, len: 24 } },
  [LINK_TYPE.perfEvent]: { name: { ptr: 24, len: 32 } },
  [LINK_TYPE.kprobeMulti]: {
    count: 24,
    arrays: { addrs: { ptr: 16, elemSize: 8 }, cookies: { ptr: 40, elemSize: 8 } },
  },
  [LINK_TYPE.uprobeMulti]: {
    name: { ptr: 16, len: 48 },
    count: 52,
    arrays: {
      offsets: { ptr: 24, elemSize: 8 },
      refCtrOffsets: { ptr: 32, elemSize: 8 },
      cookies: { ptr: 40, elemSize: 8 },
    },
  },
} as const;

/**
 * The prog-info arrays the native layer fills, as (count field, pointer field, element size).
 * Record sizes of func/line info come from the `*RecSize` fields of the first pass.
 */
export const PROG_BUFFER_FIELDS = {
  mapIds: { count: PROG_INFO.nrMapIds, ptr: PROG_INFO.mapIds, elemSize: 4 },
  xlated: { count: PROG_INFO.xlatedProgLen, ptr: PROG_INFO.xlatedProgInsns, elemSize: 1 },
  jited: { count: PROG_INFO.jitedProgLen, ptr: PROG_INFO.jitedProgInsns, elemSize: 1 },
  jitedKsyms: { count: PROG_INFO.nrJitedKsyms, ptr: PROG_INFO.jitedKsyms, elemSize: 8 },
  jitedFuncLens: { count: PROG_INFO.nrJitedFuncLens, ptr: PROG_INFO.jitedFuncLens, elemSize: 4 },
  funcInfo: { count: PROG_INFO.nrFuncInfo, ptr: PROG_INFO.funcInfo, recSize: PROG_INFO.funcInfoRecSize },
  lineInfo: { count: PROG_INFO.nrLineInfo, ptr: PROG_INFO.lineInfo, recSize: PROG_INFO.lineInfoRecSize },
  jitedLineInfo: {
    count: PROG_INFO.nrJitedLineInfo,
    ptr: PROG_INFO.jitedLineInfo,
    recSize: PROG_INFO.jitedLineInfoRecSize,
  },
  progTags: { count: PROG_INFO.nrProgTags, ptr: PROG_INFO.progTags, elemSize: 8 },
} as const;
