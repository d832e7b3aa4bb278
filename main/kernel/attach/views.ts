// The decoded attachment views of one host: network namespaces, cgroups and perf-event fds.
// Built by main/hosts/attachments.ts from raw bytes; rendered by bpftool-json.ts and text.ts,
// and joined per program by attach-points.ts.
import type { LinkInfo } from '../info/index.js';
import type { NetInterface, TcBpfFilter } from './rtnetlink.js';
import type { QueriedProgram, QueryRecord } from './prog-query.js';
import type { TaskFdAttachment } from './task-fd.js';

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
  direction: Direction;
}

export interface TcxAttachment {
  ifindex: number;
  devname: string;
  direction: Direction;
  progId: number;
  linkId?: number;
}

export interface NetView {
  netns: NetnsRef;
  interfaces: NetInterface[];
  tc: TcAttachment[];
  tcx: TcxAttachment[];
  flowDissector: QueriedProgram[];
  skLookup: QueriedProgram[];
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

/** Links by kind, as decoded from link info: netfilter has no other source. */
export interface AttachmentViews {
  net: NetView[];
  cgroups: CgroupView[];
  perf: PerfAttachment[];
  links: LinkInfo[];
  /** struct_ops map id → the programs it holds. */
  structOps: Array<{ mapId: number; mapName: string; progIds: number[] }>;
}
