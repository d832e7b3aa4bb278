// Names of the kernel's BPF enums, indexed by value, as libbpf spells them (`prog_type_name`,
// `map_type_name`, `attach_type_name`, `link_type_name` in tools/lib/bpf/libbpf.c). Values are
// those of include/uapi/linux/bpf.h in Linux 6.18, checked against this kernel's
// /sys/kernel/btf/vmlinux. bpftool prints these strings, so they are the user-visible names.

/** `enum bpf_prog_type`, BPF_PROG_TYPE_UNSPEC (0) … BPF_PROG_TYPE_NETFILTER (32, Linux 6.4). */
export const PROG_TYPE_NAMES: readonly string[] = [
  'unspec', 'socket_filter', 'kprobe', 'sched_cls', 'sched_act', 'tracepoint', 'xdp',
  'perf_event', 'cgroup_skb', 'cgroup_sock', 'lwt_in', 'lwt_out', 'lwt_xmit', 'sock_ops',
  'sk_skb', 'cgroup_device', 'sk_msg', 'raw_tracepoint', 'cgroup_sock_addr', 'lwt_seg6local',
  'lirc_mode2', 'sk_reuseport', 'flow_dissector', 'cgroup_sysctl', 'raw_tracepoint_writable',
  'cgroup_sockopt', 'tracing', 'struct_ops', 'ext', 'lsm', 'sk_lookup', 'syscall', 'netfilter',
];

/** `enum bpf_map_type`, BPF_MAP_TYPE_UNSPEC (0) … BPF_MAP_TYPE_ARENA (33, Linux 6.9). */
export const MAP_TYPE_NAMES: readonly string[] = [
  'unspec', 'hash', 'array', 'prog_array', 'perf_event_array', 'percpu_hash', 'percpu_array',
  'stack_trace', 'cgroup_array', 'lru_hash', 'lru_percpu_hash', 'lpm_trie', 'array_of_maps',
  'hash_of_maps', 'devmap', 'sockmap', 'cpumap', 'xskmap', 'sockhash', 'cgroup_storage',
  'reuseport_sockarray', 'percpu_cgroup_storage', 'queue', 'stack', 'sk_storage', 'devmap_hash',
  'struct_ops', 'ringbuf', 'inode_storage', 'task_storage', 'bloom_filter', 'user_ringbuf',
  'cgrp_storage', 'arena',
];

/** `enum bpf_attach_type`, BPF_CGROUP_INET_INGRESS (0) … BPF_TRACE_UPROBE_SESSION (57, Linux 6.13). */
export const ATTACH_TYPE_NAMES: readonly string[] = [
  'cgroup_inet_ingress', 'cgroup_inet_egress', 'cgroup_inet_sock_create', 'cgroup_sock_ops',
  'sk_skb_stream_parser', 'sk_skb_stream_verdict', 'cgroup_device', 'sk_msg_verdict',
  'cgroup_inet4_bind', 'cgroup_inet6_bind', 'cgroup_inet4_connect', 'cgroup_inet6_connect',
  'cgroup_inet4_post_bind', 'cgroup_inet6_post_bind', 'cgroup_udp4_sendmsg',
  'cgroup_udp6_sendmsg', 'lirc_mode2', 'flow_dissector', 'cgroup_sysctl', 'cgroup_udp4_recvmsg',
  'cgroup_udp6_recvmsg', 'cgroup_getsockopt', 'cgroup_setsockopt', 'trace_raw_tp',
  'trace_fentry', 'trace_fexit', 'modify_return', 'lsm_mac', 'trace_iter',
  'cgroup_inet4_getpeername', 'cgroup_inet6_getpeername', 'cgroup_inet4_getsockname',
  'cgroup_inet6_getsockname', 'xdp_devmap', 'cgroup_inet_sock_release', 'xdp_cpumap',
  'sk_lookup', 'xdp', 'sk_skb_verdict', 'sk_reuseport_select', 'sk_reuseport_select_or_migrate',
  'perf_event', 'trace_kprobe_multi', 'lsm_cgroup', 'struct_ops', 'netfilter', 'tcx_ingress',
  'tcx_egress', 'trace_uprobe_multi', 'cgroup_unix_connect', 'cgroup_unix_sendmsg',
  'cgroup_unix_recvmsg', 'cgroup_unix_getpeername', 'cgroup_unix_getsockname', 'netkit_primary',
  'netkit_peer', 'trace_kprobe_session', 'trace_uprobe_session',
];

/** `enum bpf_link_type`, BPF_LINK_TYPE_UNSPEC (0) … BPF_LINK_TYPE_SOCKMAP (14, Linux 6.10). */
export const LINK_TYPE_NAMES: readonly string[] = [
  'unspec', 'raw_tracepoint', 'tracing', 'cgroup', 'iter', 'netns', 'xdp', 'perf_event',
  'kprobe_multi', 'struct_ops', 'netfilter', 'tcx', 'uprobe_multi', 'netkit', 'sockmap',
];

/**
 * How many leading entries of each table the bpftool of Debian 12 knows: bpftool v7.1.0 built
 * from the Linux 6.1 tree links that tree's libbpf, whose tables end at BPF_PROG_TYPE_SYSCALL,
 * BPF_MAP_TYPE_USER_RINGBUF, BPF_LSM_CGROUP and BPF_LINK_TYPE_STRUCT_OPS. (Checked on the
 * binary: it prints map type 32, cgrp_storage, as `"type":32`.)
 */
export const BPFTOOL_7_1_KNOWN = {
  progTypes: 32,
  mapTypes: 32,
  attachTypes: 44,
  linkTypes: 10,
} as const;

/** `enum bpf_perf_event_type` (Linux 6.6), the `perf_event.type` of a perf_event link. */
export const PERF_EVENT_LINK_TYPE_NAMES: readonly string[] = [
  'unspec', 'uprobe', 'uretprobe', 'kprobe', 'kretprobe', 'tracepoint', 'event',
];

/** `enum bpf_cgroup_iter_order` as bpftool prints it (`cgroup_order_string` in link.c). */
export const CGROUP_ITER_ORDER_NAMES: readonly string[] = [
  'order_unspec', 'self_only', 'descendants_pre', 'descendants_post', 'ancestors_up',
];

// perf_event_attr names as bpftool (link.c, v7.3+) prints a perf "event" link.
export const PERF_TYPE_NAMES: readonly string[] = [
  'hardware', 'software', 'tracepoint', 'hw-cache', 'raw', 'breakpoint',
];
export const PERF_HW_EVENT_NAMES: readonly string[] = [
  'cpu-cycles', 'instructions', 'cache-references', 'cache-misses', 'branch-instructions',
  'branch-misses', 'bus-cycles', 'stalled-cycles-frontend', 'stalled-cycles-backend', 'ref-cycles',
];
export const PERF_SW_EVENT_NAMES: readonly string[] = [
  'cpu-clock', 'task-clock', 'page-faults', 'context-switches', 'cpu-migrations', 'minor-faults',
  'major-faults', 'alignment-faults', 'emulation-faults', 'dummy', 'bpf-output', 'cgroup-switches',
];
export const PERF_HW_CACHE_NAMES: readonly string[] = [
  'L1-dcache', 'L1-icache', 'LLC', 'dTLB', 'iTLB', 'branch', 'node',
];
export const PERF_HW_CACHE_OP_NAMES: readonly string[] = ['load', 'store', 'prefetch'];
export const PERF_HW_CACHE_RESULT_NAMES: readonly string[] = ['refs', 'misses'];
