// The decoded attachment views of one host: network namespaces, cgroups and perf-event fds.
// Built by main/hosts/attachments.ts from raw bytes; rendered by bpftool-json.ts and text.ts,
// and joined per program by attach-points.ts.
import type { LinkInfo } from '../info/index.js';
import type { ProgramExtension } from '../info/prog-targets.js';
import type { NetInterface, TcBpfFilter } from './rtnetlink.js';
import type { QueriedProgram, QueryRecord } from './prog-query.js';
import type { TaskFdAttachment } from './task-fd.js';
import type { ProgArraySlot } from './prog-array.js';
import type { LwtBpfRoute, LwtHook, LwtResolution } from './routes.js';

export interface NetnsRef {
  inode: number;
  /** `host` for the namespace bpfscope runs in, the /run/netns name, or `pid N`. */
  label: string;
  /** null for the host process's own namespace. */
  path: string | null;
}

export type Direction = 'ingress' | 'egress';

export interface TcAttachment extends TcBpfFilter {
  devname: string;
  /** bpftool's kind: `clsact/ingress`, `clsact/egress`, a qdisc or class kind (`htb`), `root`. */
  kind: string;
  /** clsact filters only. */
  direction?: Direction;
}

export interface TcxAttachment {
  ifindex: number;
  devname: string;
  direction: Direction;
  progId: number;
  linkId?: number;
}

/** One LWT hook of one route: the program named there and the loaded program(s) it matches. */
export interface LwtAttachment extends Omit<LwtBpfRoute, 'programs'> {
  /** The name of oif in this namespace. */
  devname?: string;
  hook: LwtHook;
  /** LWT_BPF_PROG_NAME as the route holds it. */
  name: string;
  resolution: LwtResolution;
}

export interface NetView {
  netns: NetnsRef;
  interfaces: NetInterface[];
  tc: TcAttachment[];
  tcx: TcxAttachment[];
  flowDissector: QueriedProgram[];
  skLookup: QueriedProgram[];
  /** Routes of every family and table with `encap bpf` programs. */
  lwt: LwtAttachment[];
  /** Problems met while reading this namespace (an interface that vanished, EPERM …). */
  errors: string[];
}

export interface CgroupView {
  path: string;
  id: number;
  /** Records with programs (or a hook error other than "not a cgroup hook"). */
  attached: QueryRecord[];
  effective: QueryRecord[];
}

export interface PerfAttachment extends TaskFdAttachment {
  comm: string;
}

/**
 * A process holding perf events that run perf_event programs (attached with
 * PERF_EVENT_IOC_SET_BPF: profilers, bpftrace's profile and interval probes). BPF_TASK_FD_QUERY
 * does not describe such an event, so which program each runs is not known: what is known is
 * that this process holds these events and these perf_event programs.
 */
export interface PerfEventHolder {
  pid: number;
  comm: string;
  /** Its perf event fds whose program the kernel does not name. */
  fds: number[];
  /** The perf_event programs it holds fds of (from fdinfo). */
  progIds: number[];
}

/** Links by kind, as decoded from link info: netfilter has no other source. */
export interface AttachmentViews {
  net: NetView[];
  cgroups: CgroupView[];
  perf: PerfAttachment[];
  /** Processes holding perf events whose perf_event programs the kernel does not name. */
  perfHolders: PerfEventHolder[];
  links: LinkInfo[];
  /** Tracing links whose target is another program (fentry/fexit/freplace on BPF). */
  extensions: ProgramExtension[];
  /** struct_ops map id → the programs it holds. */
  structOps: Array<{ mapId: number; mapName: string; progIds: number[] }>;
  /** prog_array maps and the tail-call targets in their slots. */
  progArrays: Array<{ mapId: number; mapName: string; slots: ProgArraySlot[] }>;
}
