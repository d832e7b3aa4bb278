// Attach types and link types in a few words each (our own). An attach type says where a
// program of some type is hooked; what it takes is what loading that program type takes.
import { PROG_TYPE_REFERENCE } from './prog-types.js';
import type { TypeReference } from './type-reference.js';

const DOCS = 'https://docs.kernel.org/bpf/libbpf/program_types.html';

type Row = [name: string, what: string, progType: string, sections: string[], since: string];

const cgroupAddr = (op: string, family: '4' | '6' | 'unix', what: string, since: string): Row => [
  `cgroup_${family === 'unix' ? 'unix' : `inet${family}`}_${op}`, what, 'cgroup_sock_addr', [`cgroup/${op}${family === 'unix' ? '_unix' : family}`], since,
];

const ROWS: Row[] = [
  ['cgroup_inet_ingress', 'Packets a cgroup\'s sockets receive.', 'cgroup_skb', ['cgroup_skb/ingress'], '4.10'],
  ['cgroup_inet_egress', 'Packets a cgroup\'s sockets send.', 'cgroup_skb', ['cgroup_skb/egress'], '4.10'],
  ['cgroup_inet_sock_create', 'Socket creation in a cgroup.', 'cgroup_sock', ['cgroup/sock_create', 'cgroup/sock'], '4.10'],
  ['cgroup_sock_ops', 'TCP events of a cgroup\'s sockets.', 'sock_ops', ['sockops'], '4.13'],
  ['sk_skb_stream_parser', 'Finds message boundaries in a sockmap socket\'s stream.', 'sk_skb', ['sk_skb/stream_parser'], '4.14'],
  ['sk_skb_stream_verdict', 'Decides where a sockmap socket\'s stream data goes.', 'sk_skb', ['sk_skb/stream_verdict'], '4.14'],
  ['cgroup_device', 'Device access by a cgroup\'s processes.', 'cgroup_device', ['cgroup/dev'], '4.15'],
  ['sk_msg_verdict', 'Messages sent on a sockmap\'s sockets.', 'sk_msg', ['sk_msg'], '4.17'],
  cgroupAddr('bind', '4', 'IPv4 bind() in a cgroup.', '4.17'),
  cgroupAddr('bind', '6', 'IPv6 bind() in a cgroup.', '4.17'),
  cgroupAddr('connect', '4', 'IPv4 connect() in a cgroup.', '4.17'),
  cgroupAddr('connect', '6', 'IPv6 connect() in a cgroup.', '4.17'),
  ['cgroup_inet4_post_bind', 'After an IPv4 bind() in a cgroup.', 'cgroup_sock', ['cgroup/post_bind4'], '4.17'],
  ['cgroup_inet6_post_bind', 'After an IPv6 bind() in a cgroup.', 'cgroup_sock', ['cgroup/post_bind6'], '4.17'],
  ['cgroup_udp4_sendmsg', 'UDP over IPv4 sendmsg() in a cgroup.', 'cgroup_sock_addr', ['cgroup/sendmsg4'], '4.18'],
  ['cgroup_udp6_sendmsg', 'UDP over IPv6 sendmsg() in a cgroup.', 'cgroup_sock_addr', ['cgroup/sendmsg6'], '4.18'],
  ['lirc_mode2', 'An infrared receiver device.', 'lirc_mode2', ['lirc_mode2'], '4.18'],
  ['flow_dissector', 'The flow dissector of a network namespace.', 'flow_dissector', ['flow_dissector'], '4.20'],
  ['cgroup_sysctl', 'sysctl access in a cgroup.', 'cgroup_sysctl', ['cgroup/sysctl'], '5.2'],
  ['cgroup_udp4_recvmsg', 'UDP over IPv4 recvmsg() in a cgroup (the source address shown).', 'cgroup_sock_addr', ['cgroup/recvmsg4'], '5.2'],
  ['cgroup_udp6_recvmsg', 'UDP over IPv6 recvmsg() in a cgroup.', 'cgroup_sock_addr', ['cgroup/recvmsg6'], '5.2'],
  ['cgroup_getsockopt', 'getsockopt() in a cgroup.', 'cgroup_sockopt', ['cgroup/getsockopt'], '5.3'],
  ['cgroup_setsockopt', 'setsockopt() in a cgroup.', 'cgroup_sockopt', ['cgroup/setsockopt'], '5.3'],
  ['trace_raw_tp', 'A BTF-typed tracepoint (tp_btf).', 'tracing', ['tp_btf/'], '5.5'],
  ['trace_fentry', 'Entry of a kernel function or BPF program function, through a trampoline.', 'tracing', ['fentry/', 'fentry.s/'], '5.5'],
  ['trace_fexit', 'Return of a kernel function or BPF program function, with its arguments and result.', 'tracing', ['fexit/', 'fexit.s/'], '5.5'],
  ['modify_return', 'Entry of a kernel function whose return value the program may replace.', 'tracing', ['fmod_ret/', 'fmod_ret.s/'], '5.7'],
  ['lsm_mac', 'A Linux Security Module hook.', 'lsm', ['lsm/', 'lsm.s/'], '5.7'],
  ['trace_iter', 'A BPF iterator over kernel objects (tasks, maps, sockets …), read through a file.', 'tracing', ['iter/', 'iter.s/'], '5.8'],
  cgroupAddr('getpeername', '4', 'IPv4 getpeername() in a cgroup.', '5.8'),
  cgroupAddr('getpeername', '6', 'IPv6 getpeername() in a cgroup.', '5.8'),
  cgroupAddr('getsockname', '4', 'IPv4 getsockname() in a cgroup.', '5.8'),
  cgroupAddr('getsockname', '6', 'IPv6 getsockname() in a cgroup.', '5.8'),
  ['xdp_devmap', 'Packets redirected to a device through a devmap, before they leave.', 'xdp', ['xdp/devmap'], '5.8'],
  ['cgroup_inet_sock_release', 'Release of a socket in a cgroup.', 'cgroup_sock', ['cgroup/sock_release'], '5.9'],
  ['xdp_cpumap', 'Packets redirected to another CPU through a cpumap.', 'xdp', ['xdp/cpumap'], '5.9'],
  ['sk_lookup', 'The socket lookup of a network namespace.', 'sk_lookup', ['sk_lookup'], '5.9'],
  ['xdp', 'A network device\'s receive path (an XDP link).', 'xdp', ['xdp', 'xdp.frags'], '5.9'],
  ['sk_skb_verdict', 'Data of a sockmap socket, without a stream parser.', 'sk_skb', ['sk_skb/verdict'], '5.13'],
  ['sk_reuseport_select', 'Socket choice in a SO_REUSEPORT group.', 'sk_reuseport', ['sk_reuseport'], '5.14'],
  ['sk_reuseport_select_or_migrate', 'Socket choice in a SO_REUSEPORT group, including requests migrating off a closed socket.', 'sk_reuseport', ['sk_reuseport/migrate'], '5.14'],
  ['perf_event', 'A perf event (a probe, tracepoint or sampling event) through a perf_event link.', 'perf_event', ['perf_event', 'kprobe/', 'uprobe/', 'tracepoint/'], '5.15'],
  ['trace_kprobe_multi', 'Many kernel functions at once, by a list of addresses or a pattern.', 'kprobe', ['kprobe.multi/', 'kretprobe.multi/'], '5.18'],
  ['lsm_cgroup', 'An LSM hook, for the processes of one cgroup.', 'lsm', ['lsm_cgroup/'], '6.0'],
  ['struct_ops', 'A kernel operations table registered through a struct_ops link.', 'struct_ops', ['struct_ops/'], '6.4'],
  ['netfilter', 'A netfilter hook of a protocol family, at a priority.', 'netfilter', ['netfilter'], '6.4'],
  ['tcx_ingress', 'A device\'s ingress, in the tcx chain (the successor of tc clsact).', 'sched_cls', ['tcx/ingress'], '6.6'],
  ['tcx_egress', 'A device\'s egress, in the tcx chain.', 'sched_cls', ['tcx/egress'], '6.6'],
  ['trace_uprobe_multi', 'Many user-space probes of one binary at once.', 'kprobe', ['uprobe.multi/', 'uretprobe.multi/'], '6.6'],
  cgroupAddr('connect', 'unix', 'connect() of a Unix socket in a cgroup.', '6.7'),
  cgroupAddr('sendmsg', 'unix', 'sendmsg() of a Unix datagram socket in a cgroup.', '6.7'),
  cgroupAddr('recvmsg', 'unix', 'recvmsg() of a Unix datagram socket in a cgroup.', '6.7'),
  cgroupAddr('getpeername', 'unix', 'getpeername() of a Unix socket in a cgroup.', '6.7'),
  cgroupAddr('getsockname', 'unix', 'getsockname() of a Unix socket in a cgroup.', '6.7'),
  ['netkit_primary', 'The primary device of a netkit pair (containers\' network devices).', 'sched_cls', ['netkit/primary'], '6.7'],
  ['netkit_peer', 'The peer device of a netkit pair.', 'sched_cls', ['netkit/peer'], '6.7'],
  ['trace_kprobe_session', 'Entry and return of many kernel functions, sharing state between the two.', 'kprobe', ['kprobe.session/'], '6.10'],
  ['trace_uprobe_session', 'Entry and return of many user-space functions, sharing state between the two.', 'kprobe', ['uprobe.session/'], '6.13'],
];

export const ATTACH_TYPE_REFERENCE: readonly TypeReference[] = ROWS.map(([name, what, progType, sections, since]) => ({
  kind: 'attach', name, what, detail: progType, sections, since,
  capabilities: `what loading a ${progType} program takes: ${PROG_TYPE_REFERENCE.find((p) => p.name === progType)?.capabilities ?? 'CAP_BPF'}`,
  docs: DOCS,
}));

type LinkRow = [name: string, what: string, keeps: string, since: string];

const LINK_ROWS: LinkRow[] = [
  ['raw_tracepoint', 'A program on a raw or BTF tracepoint.', 'the tracepoint name', '5.8'],
  ['tracing', 'An fentry, fexit, fmod_ret, LSM or freplace program on its target function.', 'the target (a kernel function by BTF id, or another program)', '5.8'],
  ['cgroup', 'A program on a cgroup hook.', 'the cgroup id and attach type', '5.7'],
  ['iter', 'An iterator program; reading a file made from the link runs it.', 'what it iterates (task, bpf_map, tcp …)', '5.8'],
  ['netns', 'A program on a network namespace hook (flow_dissector, sk_lookup).', 'the namespace inode and attach type', '5.8'],
  ['xdp', 'An XDP program on a network device.', 'the device\'s ifindex', '5.9'],
  ['perf_event', 'A program on a perf event: kprobe, uprobe, tracepoint or sampling event.', 'the probe or event', '5.15'],
  ['kprobe_multi', 'A program on many kernel functions.', 'the functions\' addresses and cookies', '5.18'],
  ['struct_ops', 'A registered struct_ops map (its operations are live while the link is).', 'the struct_ops map', '6.4'],
  ['netfilter', 'A program on a netfilter hook.', 'protocol family, hook and priority', '6.4'],
  ['tcx', 'A program in a device\'s tcx chain.', 'the device\'s ifindex and direction', '6.6'],
  ['uprobe_multi', 'A program on many user-space probes of one binary.', 'the binary\'s path and the offsets', '6.6'],
  ['netkit', 'A program on a netkit device.', 'the device\'s ifindex and side', '6.7'],
  ['sockmap', 'An sk_skb or sk_msg program on a sockmap or sockhash.', 'the map and attach type', '6.10'],
];

export const LINK_TYPE_REFERENCE: readonly TypeReference[] = LINK_ROWS.map(([name, what, keeps, since]) => ({
  kind: 'link', name, what, detail: keeps, sections: [], since,
  capabilities: 'what its program needs to load; the link lives while an fd or a bpffs pin holds it',
  docs: 'https://docs.kernel.org/bpf/index.html',
}));
