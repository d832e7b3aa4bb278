// Map types in a few words each (our own): what they hold and how programs use them, the
// kernel that added them and what creating one takes (the checks of map_create in syscall.c).
import type { TypeReference } from './type-reference.js';

const UNPRIV = 'none while kernel.unprivileged_bpf_disabled is 0, else CAP_BPF';
const BPF = 'CAP_BPF';
const NET = 'CAP_NET_ADMIN';
const MAPS = 'https://docs.kernel.org/bpf/';

type Row = [name: string, holds: string, usage: string, since: string, caps: string, page: string];

const ROWS: Row[] = [
  ['hash', 'Key/value pairs in a hash table of fixed capacity.', 'bpf_map_lookup_elem, update, delete; user space reads and writes it too', '3.19', UNPRIV, 'map_hash.html'],
  ['array', 'Values indexed 0…max_entries-1, all present from the start; global data (.bss, .data, .rodata) is one of these.', 'lookups the verifier inlines; direct loads and stores for global data', '3.19', UNPRIV, 'map_array.html'],
  ['prog_array', 'Program fds by index: the table of tail calls.', 'bpf_tail_call jumps to the program at an index', '4.2', UNPRIV, 'map_array.html'],
  ['perf_event_array', 'One perf event per CPU, for sending records to user space (or reading counters).', 'bpf_perf_event_output, bpf_perf_event_read', '4.3', UNPRIV, 'maps.html'],
  ['percpu_hash', 'A hash table with one value per possible CPU for each key: counting without locks.', 'lookups return this CPU\'s value; user space reads all', '4.6', UNPRIV, 'map_hash.html'],
  ['percpu_array', 'An array with one value per possible CPU for each index.', 'inlined lookups return this CPU\'s value', '4.6', UNPRIV, 'map_array.html'],
  ['stack_trace', 'Call stacks (kernel or user instruction pointers, or build ids) by stack id.', 'bpf_get_stackid records the current stack and returns its id', '4.6', BPF, 'maps.html'],
  ['cgroup_array', 'cgroup fds by index, for testing membership.', 'bpf_skb_under_cgroup, bpf_current_task_under_cgroup', '4.8', UNPRIV, 'maps.html'],
  ['lru_hash', 'A hash table that evicts the least recently used entries when full.', 'like hash; lookups mark entries as used', '4.10', BPF, 'map_hash.html'],
  ['lru_percpu_hash', 'An LRU hash with one value per CPU.', 'like percpu_hash, with eviction', '4.10', BPF, 'map_hash.html'],
  ['lpm_trie', 'Longest-prefix match on keys that start with a prefix length (IP routes, CIDR lists).', 'a lookup finds the most specific matching prefix', '4.11', BPF, 'map_lpm_trie.html'],
  ['array_of_maps', 'Inner maps by index: a program picks a map at run time.', 'a lookup returns the inner map, then used like any map', '4.12', UNPRIV, 'map_of_maps.html'],
  ['hash_of_maps', 'Inner maps by key.', 'a lookup returns the inner map', '4.12', UNPRIV, 'map_of_maps.html'],
  ['devmap', 'Network devices by index, as XDP redirect targets.', 'bpf_redirect_map from XDP', '4.14', NET, 'map_devmap.html'],
  ['sockmap', 'Sockets by index, for redirecting data between them in the kernel.', 'sk_skb and sk_msg programs redirect to its sockets', '4.14', NET, 'map_sockmap.html'],
  ['cpumap', 'CPUs as XDP redirect targets: packets continue on another CPU.', 'bpf_redirect_map from XDP', '4.15', BPF, 'map_cpumap.html'],
  ['xskmap', 'AF_XDP sockets by index (usually the receive queue).', 'XDP redirects packets to user space through them', '4.18', NET, 'map_xskmap.html'],
  ['sockhash', 'Sockets by key, for redirecting data between them.', 'like sockmap, keyed by a hash', '4.18', NET, 'map_sockmap.html'],
  ['cgroup_storage', 'One value per cgroup and attach type, for cgroup programs (legacy; see cgrp_storage).', 'bpf_get_local_storage', '4.19', UNPRIV, 'map_cgroup_storage.html'],
  ['reuseport_sockarray', 'Sockets of a SO_REUSEPORT group, for sk_reuseport programs.', 'bpf_sk_select_reuseport', '4.19', NET, 'maps.html'],
  ['percpu_cgroup_storage', 'Per-CPU cgroup local storage.', 'bpf_get_local_storage', '4.20', UNPRIV, 'map_cgroup_storage.html'],
  ['queue', 'A FIFO of values without keys.', 'bpf_map_push_elem, bpf_map_pop_elem, bpf_map_peek_elem', '4.20', BPF, 'map_queue_stack.html'],
  ['stack', 'A LIFO of values without keys.', 'bpf_map_push_elem, bpf_map_pop_elem, bpf_map_peek_elem', '4.20', BPF, 'map_queue_stack.html'],
  ['sk_storage', 'A value attached to each socket, freed with it.', 'bpf_sk_storage_get, bpf_sk_storage_delete', '5.2', BPF, 'map_sk_storage.html'],
  ['devmap_hash', 'Network devices by key, as XDP redirect targets.', 'bpf_redirect_map from XDP', '5.4', NET, 'map_devmap.html'],
  ['struct_ops', 'A kernel operations table whose functions are BPF programs (TCP congestion control, sched_ext …).', 'registered through the map or a struct_ops link', '5.6', BPF, 'maps.html'],
  ['ringbuf', 'A ring buffer shared by all CPUs for sending records to user space, in order.', 'bpf_ringbuf_reserve + submit, or bpf_ringbuf_output', '5.8', UNPRIV, 'ringbuf.html'],
  ['inode_storage', 'A value attached to each inode (for LSM programs).', 'bpf_inode_storage_get, bpf_inode_storage_delete', '5.10', BPF, 'maps.html'],
  ['task_storage', 'A value attached to each task, freed with it.', 'bpf_task_storage_get, bpf_task_storage_delete', '5.11', BPF, 'maps.html'],
  ['bloom_filter', 'A probabilistic set: may say "present" for a value never added, never "absent" for one added.', 'bpf_map_push_elem adds, bpf_map_peek_elem tests', '5.16', BPF, 'map_bloom_filter.html'],
  ['user_ringbuf', 'A ring buffer user space writes and BPF programs read.', 'bpf_user_ringbuf_drain', '6.1', UNPRIV, 'ringbuf.html'],
  ['cgrp_storage', 'A value attached to each cgroup (the successor of cgroup_storage).', 'bpf_cgrp_storage_get, bpf_cgrp_storage_delete', '6.2', BPF, 'map_cgrp_storage.html'],
  ['arena', 'A region of memory shared by BPF programs and user space, with pointers valid in both.', 'kfuncs allocate pages; programs and user space load and store directly', '6.9', BPF, 'maps.html'],
];

export const MAP_TYPE_REFERENCE: readonly TypeReference[] = ROWS.map(([name, hooks, context, since, capabilities, page]) => ({
  kind: 'map', name, what: hooks, detail: context, sections: ['.maps'], since, capabilities, docs: `${MAPS}${page}`,
}));
