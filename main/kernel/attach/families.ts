// Which kinds of attachment can hold a program of a given type. The kernel checks a program's
// type when it is attached (a tc filter takes sched_cls or sched_act, a cgroup hook a cgroup
// type, a perf event kprobe/tracepoint/perf_event/raw_tracepoint, a struct_ops map struct_ops),
// so one program's attach points are found without walking every kind the host has. Links and
// prog_array slots (tail-call targets) can hold any program.
import { PROG_TYPE_NAMES } from '../names/tables.js';

export type AttachFamily = 'links' | 'net' | 'cgroups' | 'perf' | 'structOps' | 'progArrays';

export const ALL_ATTACH_FAMILIES: ReadonlySet<AttachFamily> = new Set(['links', 'net', 'cgroups', 'perf', 'structOps', 'progArrays']);

const BY_TYPE_NAME: Readonly<Record<string, AttachFamily>> = {
  sched_cls: 'net',
  sched_act: 'net',
  xdp: 'net',
  lwt_in: 'net',
  lwt_out: 'net',
  lwt_xmit: 'net',
  lwt_seg6local: 'net',
  flow_dissector: 'net',
  sk_lookup: 'net',
  cgroup_skb: 'cgroups',
  cgroup_sock: 'cgroups',
  sock_ops: 'cgroups',
  cgroup_device: 'cgroups',
  cgroup_sock_addr: 'cgroups',
  cgroup_sysctl: 'cgroups',
  cgroup_sockopt: 'cgroups',
  lsm: 'cgroups',
  kprobe: 'perf',
  tracepoint: 'perf',
  perf_event: 'perf',
  raw_tracepoint: 'perf',
  raw_tracepoint_writable: 'perf',
  struct_ops: 'structOps',
};

/** The families to walk for a program of this type; every family for a type this table does not know. */
export function attachFamiliesOf(progType: number): ReadonlySet<AttachFamily> {
  const name = PROG_TYPE_NAMES[progType];
  if (name === undefined) return ALL_ATTACH_FAMILIES;
  const own = BY_TYPE_NAME[name];
  return new Set<AttachFamily>(own ? ['links', 'progArrays', own] : ['links', 'progArrays']);
}
