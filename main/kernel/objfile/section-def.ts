// The program type a section name implies, by libbpf's rules (`section_defs` in libbpf.c):
// the first matching entry wins; `prefix` entries match the bare word or the word followed
// by `/…`, the others match exactly.

export interface SectionDef {
  readonly sec: string;
  readonly progType: string;
  /** libbpf's expected attach type, where the section fixes one. */
  readonly attachType?: string;
  readonly prefix: boolean;
}

function def(sec: string, progType: string, attachType?: string): SectionDef {
  const prefix = sec.endsWith('+');
  const word = prefix ? sec.slice(0, -1) : sec;
  return attachType === undefined ? { sec: word, progType, prefix } : { sec: word, progType, attachType, prefix };
}

const SECTION_DEFS: readonly SectionDef[] = [
  def('socket', 'socket_filter'),
  def('sk_reuseport/migrate', 'sk_reuseport', 'sk_reuseport_select_or_migrate'),
  def('sk_reuseport', 'sk_reuseport', 'sk_reuseport_select'),
  def('kprobe+', 'kprobe'), def('uprobe+', 'kprobe'), def('uprobe.s+', 'kprobe'),
  def('kretprobe+', 'kprobe'), def('uretprobe+', 'kprobe'), def('uretprobe.s+', 'kprobe'),
  def('kprobe.multi+', 'kprobe', 'trace_kprobe_multi'), def('kretprobe.multi+', 'kprobe', 'trace_kprobe_multi'),
  def('kprobe.session+', 'kprobe', 'trace_kprobe_session'),
  def('uprobe.multi+', 'kprobe', 'trace_uprobe_multi'), def('uretprobe.multi+', 'kprobe', 'trace_uprobe_multi'),
  def('uprobe.multi.s+', 'kprobe', 'trace_uprobe_multi'), def('uretprobe.multi.s+', 'kprobe', 'trace_uprobe_multi'),
  def('ksyscall+', 'kprobe'), def('kretsyscall+', 'kprobe'), def('usdt+', 'kprobe'), def('usdt.s+', 'kprobe'),
  def('tc/ingress', 'sched_cls', 'tcx_ingress'), def('tc/egress', 'sched_cls', 'tcx_egress'),
  def('tcx/ingress', 'sched_cls', 'tcx_ingress'), def('tcx/egress', 'sched_cls', 'tcx_egress'),
  def('tc', 'sched_cls'), def('classifier', 'sched_cls'), def('action', 'sched_act'),
  def('netkit/primary', 'sched_cls', 'netkit_primary'), def('netkit/peer', 'sched_cls', 'netkit_peer'),
  def('tracepoint+', 'tracepoint'), def('tp+', 'tracepoint'),
  def('raw_tracepoint+', 'raw_tracepoint'), def('raw_tp+', 'raw_tracepoint'),
  def('raw_tracepoint.w+', 'raw_tracepoint_writable'), def('raw_tp.w+', 'raw_tracepoint_writable'),
  def('tp_btf+', 'tracing', 'trace_raw_tp'),
  def('fentry+', 'tracing', 'trace_fentry'), def('fmod_ret+', 'tracing', 'modify_return'),
  def('fexit+', 'tracing', 'trace_fexit'), def('fentry.s+', 'tracing', 'trace_fentry'),
  def('fmod_ret.s+', 'tracing', 'modify_return'), def('fexit.s+', 'tracing', 'trace_fexit'),
  def('freplace+', 'ext'),
  def('lsm+', 'lsm', 'lsm_mac'), def('lsm.s+', 'lsm', 'lsm_mac'), def('lsm_cgroup+', 'lsm', 'lsm_cgroup'),
  def('iter+', 'tracing', 'trace_iter'), def('iter.s+', 'tracing', 'trace_iter'),
  def('syscall', 'syscall'),
  def('xdp.frags/devmap', 'xdp', 'xdp_devmap'), def('xdp/devmap', 'xdp', 'xdp_devmap'),
  def('xdp.frags/cpumap', 'xdp', 'xdp_cpumap'), def('xdp/cpumap', 'xdp', 'xdp_cpumap'),
  def('xdp.frags', 'xdp', 'xdp'), def('xdp', 'xdp', 'xdp'),
  def('perf_event', 'perf_event'),
  def('lwt_in', 'lwt_in'), def('lwt_out', 'lwt_out'), def('lwt_xmit', 'lwt_xmit'), def('lwt_seg6local', 'lwt_seg6local'),
  def('sockops', 'sock_ops', 'cgroup_sock_ops'),
  def('sk_skb/stream_parser', 'sk_skb', 'sk_skb_stream_parser'),
  def('sk_skb/stream_verdict', 'sk_skb', 'sk_skb_stream_verdict'),
  def('sk_skb/verdict', 'sk_skb', 'sk_skb_verdict'), def('sk_skb', 'sk_skb'),
  def('sk_msg', 'sk_msg', 'sk_msg_verdict'), def('lirc_mode2', 'lirc_mode2', 'lirc_mode2'),
  def('flow_dissector', 'flow_dissector', 'flow_dissector'),
  def('cgroup_skb/ingress', 'cgroup_skb', 'cgroup_inet_ingress'),
  def('cgroup_skb/egress', 'cgroup_skb', 'cgroup_inet_egress'), def('cgroup/skb', 'cgroup_skb'),
  def('cgroup/sock_create', 'cgroup_sock', 'cgroup_inet_sock_create'),
  def('cgroup/sock_release', 'cgroup_sock', 'cgroup_inet_sock_release'),
  def('cgroup/sock', 'cgroup_sock', 'cgroup_inet_sock_create'),
  def('cgroup/post_bind4', 'cgroup_sock', 'cgroup_inet4_post_bind'),
  def('cgroup/post_bind6', 'cgroup_sock', 'cgroup_inet6_post_bind'),
  ...['bind4', 'bind6', 'connect4', 'connect6', 'connect_unix', 'sendmsg4', 'sendmsg6', 'sendmsg_unix',
    'recvmsg4', 'recvmsg6', 'recvmsg_unix', 'getpeername4', 'getpeername6', 'getpeername_unix',
    'getsockname4', 'getsockname6', 'getsockname_unix'].map((hook) => def(`cgroup/${hook}`, 'cgroup_sock_addr')),
  def('cgroup/sysctl', 'cgroup_sysctl', 'cgroup_sysctl'),
  def('cgroup/getsockopt', 'cgroup_sockopt', 'cgroup_getsockopt'),
  def('cgroup/setsockopt', 'cgroup_sockopt', 'cgroup_setsockopt'),
  def('cgroup/dev', 'cgroup_device', 'cgroup_device'),
  def('struct_ops+', 'struct_ops'), def('struct_ops.s+', 'struct_ops'),
  def('sk_lookup', 'sk_lookup', 'sk_lookup'),
  def('netfilter', 'netfilter', 'netfilter'),
];

/** libbpf's definition for a program section, or undefined when libbpf would not know its type. */
export function sectionDef(sectionName: string): SectionDef | undefined {
  for (const d of SECTION_DEFS) {
    if (sectionName === d.sec) return d;
    if (d.prefix && sectionName.startsWith(`${d.sec}/`)) return d;
  }
  return undefined;
}
