// Program types in a few words each (our own): what the program hooks, what it gets as its
// context, the SEC() names libbpf gives it, the kernel that added it and what loading it takes.
// Capabilities follow the kernel's checks at load (is_perfmon_prog_type, is_net_admin_prog_type).
import type { TypeReference } from './type-reference.js';

const DOCS = 'https://docs.kernel.org/bpf/libbpf/program_types.html';
const NET = 'CAP_BPF and CAP_NET_ADMIN';
const TRACE = 'CAP_BPF and CAP_PERFMON';
const TC_SECTIONS = ['tc', 'classifier', 'tcx/ingress', 'tcx/egress', 'netkit/primary', 'netkit/peer'];
const SOCK_ADDR_SECTIONS = ['4', '6', '_unix'].flatMap((v) => ['bind', 'connect', 'sendmsg', 'recvmsg', 'getpeername', 'getsockname'].filter((op) => !(v === '_unix' && op === 'bind')).map((op) => `cgroup/${op}${v === '_unix' ? '_unix' : v}`));

type Row = [name: string, hooks: string, context: string, sections: string[], since: string, caps: string, docs?: string];

const ROWS: Row[] = [
  ['socket_filter', 'Filters or trims packets a socket receives (SO_ATTACH_BPF); the classic use is packet capture.', 'struct __sk_buff', ['socket'], '3.19', 'CAP_BPF, or none while kernel.unprivileged_bpf_disabled is 0'],
  ['kprobe', 'Runs at a kernel or user-space function entry or return: kprobes, uprobes, USDT probes, multi-probes.', 'struct pt_regs (the probed CPU registers)', ['kprobe/', 'kretprobe/', 'uprobe/', 'uretprobe/', 'ksyscall/', 'kretsyscall/', 'usdt/', 'kprobe.multi/', 'kretprobe.multi/', 'uprobe.multi/', 'kprobe.session/', 'uprobe.session/'], '4.1', TRACE],
  ['sched_cls', 'Traffic control classifier on a network device\'s ingress or egress (tc, tcx, netkit); can drop, redirect or rewrite packets.', 'struct __sk_buff', TC_SECTIONS, '4.1', NET],
  ['sched_act', 'Traffic control action attached to a tc filter.', 'struct __sk_buff', ['action'], '4.1', NET],
  ['tracepoint', 'Runs at a static kernel tracepoint (syscalls, scheduler, block layer …).', 'the tracepoint\'s record (struct trace_event_raw_*)', ['tracepoint/', 'tp/'], '4.7', TRACE],
  ['xdp', 'Sees each packet a network driver receives before the kernel allocates it; can drop, pass, bounce or redirect it.', 'struct xdp_md', ['xdp', 'xdp.frags', 'xdp/devmap', 'xdp/cpumap'], '4.8', NET],
  ['perf_event', 'Runs when a perf event fires: CPU sampling (profiling), timers, hardware counters.', 'struct bpf_perf_event_data', ['perf_event'], '4.9', TRACE],
  ['cgroup_skb', 'Allows or drops the packets of sockets in a cgroup, at ingress or egress.', 'struct __sk_buff', ['cgroup_skb/ingress', 'cgroup_skb/egress', 'cgroup/skb'], '4.10', 'CAP_BPF, or none while kernel.unprivileged_bpf_disabled is 0'],
  ['cgroup_sock', 'Runs when a socket of a cgroup is created, bound or released; can refuse it or set its fields.', 'struct bpf_sock', ['cgroup/sock_create', 'cgroup/sock_release', 'cgroup/post_bind4', 'cgroup/post_bind6', 'cgroup/sock'], '4.10', NET],
  ['lwt_in', 'Lightweight tunnel hook on packets arriving through a route (ip route … encap bpf in).', 'struct __sk_buff', ['lwt_in'], '4.10', NET],
  ['lwt_out', 'Lightweight tunnel hook on locally sent packets of a route (encap bpf out).', 'struct __sk_buff', ['lwt_out'], '4.10', NET],
  ['lwt_xmit', 'Lightweight tunnel hook where a route transmits; can add an encapsulation header.', 'struct __sk_buff', ['lwt_xmit'], '4.10', NET],
  ['sock_ops', 'Runs at TCP events of sockets in a cgroup (connect, established, retransmit …) to tune them.', 'struct bpf_sock_ops', ['sockops'], '4.13', NET],
  ['sk_skb', 'Parses or gives a verdict on data arriving on sockets held in a sockmap or sockhash (socket redirection).', 'struct __sk_buff', ['sk_skb/stream_parser', 'sk_skb/stream_verdict', 'sk_skb/verdict', 'sk_skb'], '4.14', NET],
  ['cgroup_device', 'Allows or denies device file access (open, mknod) by processes of a cgroup.', 'struct bpf_cgroup_dev_ctx', ['cgroup/dev'], '4.15', NET],
  ['sk_msg', 'Gives a verdict on messages sent on sockets held in a sockmap or sockhash; can redirect them.', 'struct sk_msg_md', ['sk_msg'], '4.17', NET],
  ['raw_tracepoint', 'Runs at a kernel tracepoint with its raw arguments, cheaper than a tracepoint program.', 'struct bpf_raw_tracepoint_args', ['raw_tp/', 'raw_tracepoint/'], '4.17', TRACE],
  ['cgroup_sock_addr', 'Runs at bind, connect, sendmsg, recvmsg and name lookups of sockets in a cgroup; can rewrite the address.', 'struct bpf_sock_addr', SOCK_ADDR_SECTIONS, '4.17', NET],
  ['lwt_seg6local', 'IPv6 segment routing local action (seg6local End.BPF).', 'struct __sk_buff', ['lwt_seg6local'], '4.18', NET],
  ['lirc_mode2', 'Decodes infrared remote control signals from a lirc device.', 'the raw pulse/space sample', ['lirc_mode2'], '4.18', 'CAP_BPF'],
  ['sk_reuseport', 'Chooses which socket of a SO_REUSEPORT group gets an incoming connection or packet.', 'struct sk_reuseport_md', ['sk_reuseport', 'sk_reuseport/migrate'], '4.19', 'CAP_BPF'],
  ['flow_dissector', 'Replaces the kernel\'s packet flow dissector in a network namespace.', 'struct __sk_buff (with flow_keys)', ['flow_dissector'], '4.20', NET, 'https://docs.kernel.org/bpf/prog_flow_dissector.html'],
  ['cgroup_sysctl', 'Allows, denies or rewrites sysctl reads and writes by processes of a cgroup.', 'struct bpf_sysctl', ['cgroup/sysctl'], '5.2', NET, 'https://docs.kernel.org/bpf/prog_cgroup_sysctl.html'],
  ['raw_tracepoint_writable', 'A raw tracepoint that may write the tracepoint\'s buffer (a few tracepoints allow it).', 'struct bpf_raw_tracepoint_args', ['raw_tp.w/', 'raw_tracepoint.w/'], '5.2', TRACE],
  ['cgroup_sockopt', 'Runs at getsockopt and setsockopt of sockets in a cgroup; can change or refuse the option.', 'struct bpf_sockopt', ['cgroup/getsockopt', 'cgroup/setsockopt'], '5.3', NET, 'https://docs.kernel.org/bpf/prog_cgroup_sockopt.html'],
  ['tracing', 'BTF-typed tracing: function entry/exit through trampolines (fentry, fexit, fmod_ret), BTF tracepoints and iterators.', 'the traced function\'s arguments, typed by BTF', ['tp_btf/', 'fentry/', 'fexit/', 'fmod_ret/', 'iter/', 'iter.s/', 'fentry.s/', 'fexit.s/', 'fmod_ret.s/'], '5.5', TRACE],
  ['struct_ops', 'Implements a kernel operations table in BPF (a TCP congestion control, a sched_ext scheduler, HID …).', 'the operation\'s arguments', ['struct_ops/', 'struct_ops.s/'], '5.6', TRACE],
  ['ext', 'Replaces a global function of another BPF program (freplace), e.g. libxdp\'s dispatcher slots.', 'the replaced function\'s arguments', ['freplace/'], '5.6', `${TRACE} and CAP_NET_ADMIN`],
  ['lsm', 'Runs at Linux Security Module hooks and can deny the operation (needs bpf in the active LSMs).', 'the LSM hook\'s arguments', ['lsm/', 'lsm.s/', 'lsm_cgroup/'], '5.7', TRACE, 'https://docs.kernel.org/bpf/prog_lsm.html'],
  ['sk_lookup', 'Picks the socket for an incoming connection or packet before the normal lookup, in a network namespace.', 'struct bpf_sk_lookup', ['sk_lookup'], '5.9', 'CAP_BPF', 'https://docs.kernel.org/bpf/prog_sk_lookup.html'],
  ['syscall', 'Runs from user space through BPF_PROG_RUN and may call bpf() itself (light skeletons use it to load).', 'a buffer supplied by the caller', ['syscall'], '5.14', 'CAP_BPF'],
  ['netfilter', 'A netfilter hook (prerouting, input, forward, output, postrouting) that accepts or drops packets.', 'struct bpf_nf_ctx', ['netfilter'], '6.4', NET],
];

export const PROG_TYPE_REFERENCE: readonly TypeReference[] = ROWS.map(([name, hooks, context, sections, since, capabilities, docs]) => ({
  kind: 'prog', name, what: hooks, detail: context, sections, since, capabilities, docs: docs ?? DOCS,
}));
