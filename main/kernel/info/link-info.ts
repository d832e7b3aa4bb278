import { u64Array } from './aux.js';
import { LINK_INFO as O, LINK_TYPE, PERF_EVENT_TYPE } from './layout.js';
import { InfoReader, cString } from './reader.js';

/**
 * The buffers the native layer pointed `bpf_link_info`'s pointer fields at in its second pass
 * (see LINK_BUFFER_FIELDS): one string buffer (tp_name, iter target_name, perf-event
 * file/func/tp name, uprobe_multi path) and the u64 arrays of kprobe_multi / uprobe_multi.
 */
export interface LinkBuffers {
  name?: Uint8Array;
  addrs?: Uint8Array;
  offsets?: Uint8Array;
  refCtrOffsets?: Uint8Array;
  cookies?: Uint8Array;
}

/** Link info (struct bpf_link_info, Linux 5.8) with the details of its kind. */
export interface LinkInfo {
  /** Bytes the kernel returned (its info_len). */
  infoLen: number;
  type: number;
  id: number;
  progId?: number;
  details?: LinkDetails;
}

/** Each kind's fields. Unless noted, a kind's fields date from the kernel in its comment. */
export type LinkDetails =
  /** Linux 5.8; cookie Linux 6.17. */
  | { kind: 'raw_tracepoint'; tpName?: string; cookie?: bigint }
  /** fentry/fexit/fmod_ret/lsm/freplace. attachType Linux 5.8; target ids 5.13; cookie 6.17. */
  | { kind: 'tracing'; attachType?: number; targetObjId?: number; targetBtfId?: number; cookie?: bigint }
  /** Linux 5.8. */
  | { kind: 'cgroup'; cgroupId?: bigint; attachType?: number }
  /** Linux 5.10 (target_name, map_id); cgroup and task parameters Linux 6.1. */
  | { kind: 'iter'; targetName?: string; mapId?: number; cgroupId?: bigint; order?: number; tid?: number; pid?: number }
  /** Linux 5.8. */
  | { kind: 'netns'; netnsIno?: number; attachType?: number }
  /** Linux 5.9. */
  | { kind: 'xdp'; ifindex?: number }
  /** Linux 6.6. */
  | { kind: 'perf_event'; perfEventType?: number; event?: PerfEventDetails }
  /** Linux 6.6; missed 6.7; cookies 6.9. Addresses read as 0 without CAP_SYSLOG-level access. */
  | { kind: 'kprobe_multi'; count?: number; flags?: number; retprobe?: boolean; missed?: bigint; addrs: bigint[]; cookies: bigint[] }
  /** Linux 6.4. */
  | { kind: 'struct_ops'; mapId?: number }
  /** Linux 6.4. */
  | { kind: 'netfilter'; pf?: number; hooknum?: number; priority?: number; flags?: number }
  /** Linux 6.6. */
  | { kind: 'tcx'; ifindex?: number; attachType?: number }
  /** Linux 6.8. */
  | {
      kind: 'uprobe_multi';
      path?: string;
      count?: number;
      flags?: number;
      retprobe?: boolean;
      pid?: number;
      offsets: bigint[];
      refCtrOffsets: bigint[];
      cookies: bigint[];
    }
  /** Linux 6.7. */
  | { kind: 'netkit'; ifindex?: number; attachType?: number }
  /** Linux 6.10. */
  | { kind: 'sockmap'; mapId?: number; attachType?: number }
  /** A link type this decoder does not know: the union's bytes as the kernel wrote them. */
  | { kind: 'unknown'; raw: Uint8Array };

/** A perf_event link's target, by `enum bpf_perf_event_type`. */
export type PerfEventDetails =
  /** ref_ctr_offset Linux 6.16; cookie Linux 6.9. */
  | { type: 'uprobe' | 'uretprobe'; fileName?: string; offset?: number; cookie?: bigint; refCtrOffset?: bigint }
  /** missed Linux 6.7; cookie Linux 6.9. */
  | { type: 'kprobe' | 'kretprobe'; funcName?: string; offset?: number; addr?: bigint; missed?: bigint; cookie?: bigint }
  /** cookie Linux 6.9. */
  | { type: 'tracepoint'; tpName?: string; cookie?: bigint }
  /** A perf hardware/software event; cookie Linux 6.9. */
  | { type: 'event'; config?: bigint; eventType?: number; cookie?: bigint }
  | { type: 'unknown' };

/** BPF_F_KPROBE_MULTI_RETURN and BPF_F_UPROBE_MULTI_RETURN. */
const MULTI_RETURN = 1;

const ITER_MAP_TARGETS = new Set(['bpf_map_elem', 'bpf_sk_storage_map']);
const ITER_TASK_TARGETS = new Set(['task', 'task_file', 'task_vma']);

/** Decodes `struct bpf_link_info` and the buffers of its second pass. */
export function decodeLinkInfo(bytes: Uint8Array, buffers: LinkBuffers = {}): LinkInfo {
  if (bytes.byteLength < 8) throw new Error(`link info: ${bytes.byteLength} bytes, need at least 8`);
  const r = new InfoReader(bytes);
  const type = r.u32(O.type) as number;
  return {
    infoLen: bytes.byteLength,
    type,
    id: r.u32(O.id) as number,
    progId: r.u32(O.progId),
    details: r.has(O.union, 4) ? decodeDetails(r, type, buffers) : undefined,
  };
}

function name(buffers: LinkBuffers): string | undefined {
  return buffers.name && cString(buffers.name);
}

function decodeDetails(r: InfoReader, type: number, buffers: LinkBuffers): LinkDetails {
  switch (type) {
    case LINK_TYPE.rawTracepoint:
      return { kind: 'raw_tracepoint', tpName: name(buffers), cookie: r.u64(O.rawTracepoint.cookie) };
    case LINK_TYPE.tracing:
      return {
        kind: 'tracing',
        attachType: r.u32(O.tracing.attachType),
        targetObjId: r.u32(O.tracing.targetObjId),
        targetBtfId: r.u32(O.tracing.targetBtfId),
        cookie: r.u64(O.tracing.cookie),
      };
    case LINK_TYPE.cgroup:
      return { kind: 'cgroup', cgroupId: r.u64(O.cgroup.cgroupId), attachType: r.u32(O.cgroup.attachType) };
    case LINK_TYPE.iter:
      return decodeIter(r, name(buffers));
    case LINK_TYPE.netns:
      return { kind: 'netns', netnsIno: r.u32(O.netns.netnsIno), attachType: r.u32(O.netns.attachType) };
    case LINK_TYPE.xdp:
      return { kind: 'xdp', ifindex: r.u32(O.xdp.ifindex) };
    case LINK_TYPE.perfEvent: {
      const perfEventType = r.u32(O.perfEvent.type);
      return { kind: 'perf_event', perfEventType, event: decodePerfEvent(r, perfEventType, name(buffers)) };
    }
    case LINK_TYPE.kprobeMulti: {
      const count = r.u32(O.kprobeMulti.count);
      const flags = r.u32(O.kprobeMulti.flags);
      return {
        kind: 'kprobe_multi',
        count,
        flags,
        retprobe: flags === undefined ? undefined : (flags & MULTI_RETURN) !== 0,
        missed: r.u64(O.kprobeMulti.missed),
        addrs: u64Array(buffers.addrs, count ?? 0),
        cookies: u64Array(buffers.cookies, count ?? 0),
      };
    }
    case LINK_TYPE.structOps:
      return { kind: 'struct_ops', mapId: r.u32(O.structOps.mapId) };
    case LINK_TYPE.netfilter:
      return {
        kind: 'netfilter',
        pf: r.u32(O.netfilter.pf),
        hooknum: r.u32(O.netfilter.hooknum),
        priority: r.s32(O.netfilter.priority),
        flags: r.u32(O.netfilter.flags),
      };
    case LINK_TYPE.tcx:
      return { kind: 'tcx', ifindex: r.u32(O.tcx.ifindex), attachType: r.u32(O.tcx.attachType) };
    case LINK_TYPE.uprobeMulti: {
      const count = r.u32(O.uprobeMulti.count);
      const flags = r.u32(O.uprobeMulti.flags);
      return {
        kind: 'uprobe_multi',
        path: name(buffers),
        count,
        flags,
        retprobe: flags === undefined ? undefined : (flags & MULTI_RETURN) !== 0,
        pid: r.u32(O.uprobeMulti.pid),
        offsets: u64Array(buffers.offsets, count ?? 0),
        refCtrOffsets: u64Array(buffers.refCtrOffsets, count ?? 0),
        cookies: u64Array(buffers.cookies, count ?? 0),
      };
    }
    case LINK_TYPE.netkit:
      return { kind: 'netkit', ifindex: r.u32(O.netkit.ifindex), attachType: r.u32(O.netkit.attachType) };
    case LINK_TYPE.sockmap:
      return { kind: 'sockmap', mapId: r.u32(O.sockmap.mapId), attachType: r.u32(O.sockmap.attachType) };
    default:
      return { kind: 'unknown', raw: r.bytes.slice(O.union) };
  }
}

// The iter union's second half is read as the variant its target implies, as bpftool does.
function decodeIter(r: InfoReader, targetName: string | undefined): LinkDetails {
  const details: LinkDetails = { kind: 'iter', targetName };
  if (targetName === undefined) return details;
  if (ITER_MAP_TARGETS.has(targetName)) details.mapId = r.u32(O.iter.mapId);
  if (ITER_TASK_TARGETS.has(targetName)) {
    details.tid = r.u32(O.iter.taskTid);
    details.pid = r.u32(O.iter.taskPid);
  }
  if (targetName === 'cgroup') {
    details.cgroupId = r.u64(O.iter.cgroupId);
    details.order = r.u32(O.iter.cgroupOrder);
  }
  return details;
}

function decodePerfEvent(r: InfoReader, type: number | undefined, name: string | undefined): PerfEventDetails {
  const P = O.perfEvent;
  switch (type) {
    case PERF_EVENT_TYPE.uprobe:
    case PERF_EVENT_TYPE.uretprobe:
      return {
        type: type === PERF_EVENT_TYPE.uprobe ? 'uprobe' : 'uretprobe',
        fileName: name,
        offset: r.u32(P.uprobe.offset),
        cookie: r.u64(P.uprobe.cookie),
        refCtrOffset: r.u64(P.uprobe.refCtrOffset),
      };
    case PERF_EVENT_TYPE.kprobe:
    case PERF_EVENT_TYPE.kretprobe:
      return {
        type: type === PERF_EVENT_TYPE.kprobe ? 'kprobe' : 'kretprobe',
        funcName: name,
        offset: r.u32(P.kprobe.offset),
        addr: r.u64(P.kprobe.addr),
        missed: r.u64(P.kprobe.missed),
        cookie: r.u64(P.kprobe.cookie),
      };
    case PERF_EVENT_TYPE.tracepoint:
      return { type: 'tracepoint', tpName: name, cookie: r.u64(P.tracepoint.cookie) };
    case PERF_EVENT_TYPE.event:
      return {
        type: 'event',
        config: r.u64(P.event.config),
        eventType: r.u32(P.event.type),
        cookie: r.u64(P.event.cookie),
      };
    default:
      return { type: 'unknown' };
  }
}
