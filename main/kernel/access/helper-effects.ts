// What helpers do to maps and to the memory they are given, for the access analysis.
//
// Xlated code names a call by the kernel function it reaches, not the helper id: the verifier
// points map helpers straight at the map type's implementation (`htab_map_update_elem`), and
// some helpers have one implementation per program family (`bpf_perf_event_output_tp`).
// `helperForSymbol` maps those names back to the helper, so one table describes both forms.
import { helperReference } from '../reference/helpers.js';

/** What the analysis does with an argument register. Arguments not listed are read by the helper. */
export type ArgRole =
  /** The map the helper acts on (see `onMap`). */
  | 'map'
  /** Memory the helper writes (a buffer it fills). */
  | 'out'
  /** A map value the helper changes in place (a lock, a timer, a kptr slot). */
  | 'value'
  /** A ring buffer record from bpf_ringbuf_reserve. */
  | 'ring'
  /** A stack dynptr made by bpf_ringbuf_reserve_dynptr. */
  | 'ring-dynptr'
  /** A stack dynptr the helper sets up over a ring buffer reservation. */
  | 'dynptr-init'
  /** A callback function. */
  | 'callback';

export type MapEffect = 'read' | 'write' | 'emit' | 'jump';

/** Where a callback's argument comes from: a map (or value of it) named by a call argument, or the argument itself. */
export type CallbackArg =
  | { readonly from: 'map-of' | 'value-of' | 'arg'; readonly arg: number }
  | { readonly from: 'scalar' };

export interface HelperEffect {
  readonly roles: Readonly<Record<number, ArgRole>>;
  readonly onMap?: MapEffect;
  /** Also a write when this argument is a constant with this bit set (local storage get with F_CREATE). */
  readonly createFlag?: { readonly arg: number; readonly bit: number };
  /** What r0 holds: a pointer into the map (`lookup`), a hash element, a ring record. */
  readonly returns?: 'lookup' | 'element' | 'ring' | 'dynptr-data';
  /** The `ring`/`ring-dynptr` record is committed: an emit to its ring buffer. */
  readonly submits?: boolean;
  /** The callback's r1..r5. */
  readonly callback?: readonly CallbackArg[];
}

const LOCAL_STORAGE_F_CREATE = 1;
const map = (onMap: MapEffect, roles: Record<number, ArgRole> = {}, extra: Partial<HelperEffect> = {}): HelperEffect => ({ onMap, ...extra, roles });
const fills = (...args: number[]): HelperEffect => ({ roles: Object.fromEntries(args.map((a) => [a, 'out'])) });
const storageGet = map('read', { 1: 'map' }, { returns: 'lookup', createFlag: { arg: 4, bit: LOCAL_STORAGE_F_CREATE } });
const inValue: HelperEffect = { roles: { 1: 'value' } };
const value = (n: number): CallbackArg => ({ from: 'value-of', arg: n });
const arg = (n: number): CallbackArg => ({ from: 'arg', arg: n });
const scalar: CallbackArg = { from: 'scalar' };

/** By helper name; helpers absent here touch no map and only read the memory they are given. */
const EFFECTS: Readonly<Record<string, HelperEffect>> = {
  bpf_map_lookup_elem: map('read', { 1: 'map' }, { returns: 'lookup' }),
  bpf_map_lookup_percpu_elem: map('read', { 1: 'map' }, { returns: 'lookup' }),
  bpf_map_update_elem: map('write', { 1: 'map' }),
  bpf_map_delete_elem: map('write', { 1: 'map' }),
  bpf_map_push_elem: map('write', { 1: 'map' }),
  bpf_map_pop_elem: map('write', { 1: 'map', 2: 'out' }),
  bpf_map_peek_elem: map('read', { 1: 'map', 2: 'out' }),
  bpf_get_local_storage: map('read', { 1: 'map' }, { returns: 'lookup' }),
  bpf_sk_storage_get: storageGet,
  bpf_inode_storage_get: storageGet,
  bpf_task_storage_get: storageGet,
  bpf_cgrp_storage_get: storageGet,
  bpf_sk_storage_delete: map('write', { 1: 'map' }),
  bpf_inode_storage_delete: map('write', { 1: 'map' }),
  bpf_task_storage_delete: map('write', { 1: 'map' }),
  bpf_cgrp_storage_delete: map('write', { 1: 'map' }),
  bpf_tail_call: map('jump', { 2: 'map' }),
  bpf_perf_event_output: map('emit', { 2: 'map' }),
  bpf_skb_output: map('emit', { 2: 'map' }),
  bpf_xdp_output: map('emit', { 2: 'map' }),
  bpf_ringbuf_output: map('emit', { 1: 'map' }),
  bpf_ringbuf_reserve: { roles: { 1: 'map' }, returns: 'ring' },
  bpf_ringbuf_submit: { roles: { 1: 'ring' }, submits: true },
  bpf_ringbuf_discard: { roles: { 1: 'ring' } },
  bpf_ringbuf_reserve_dynptr: { roles: { 1: 'map', 4: 'dynptr-init' } },
  bpf_ringbuf_submit_dynptr: { roles: { 1: 'ring-dynptr' }, submits: true },
  bpf_ringbuf_discard_dynptr: { roles: { 1: 'ring-dynptr' } },
  bpf_dynptr_data: { roles: { 1: 'ring-dynptr' }, returns: 'dynptr-data' },
  bpf_ringbuf_query: map('read', { 1: 'map' }),
  bpf_user_ringbuf_drain: map('read', { 1: 'map', 2: 'callback' }, { callback: [scalar, arg(3)] }),
  bpf_get_stackid: map('write', { 2: 'map' }),
  bpf_perf_event_read: map('read', { 1: 'map' }),
  bpf_perf_event_read_value: map('read', { 1: 'map', 3: 'out' }),
  bpf_skb_under_cgroup: map('read', { 2: 'map' }),
  bpf_current_task_under_cgroup: map('read', { 1: 'map' }),
  bpf_redirect_map: map('read', { 1: 'map' }),
  bpf_sk_redirect_map: map('read', { 2: 'map' }),
  bpf_sk_redirect_hash: map('read', { 2: 'map' }),
  bpf_msg_redirect_map: map('read', { 2: 'map' }),
  bpf_msg_redirect_hash: map('read', { 2: 'map' }),
  bpf_sk_select_reuseport: map('read', { 2: 'map' }),
  bpf_sock_map_update: map('write', { 2: 'map' }),
  bpf_sock_hash_update: map('write', { 2: 'map' }),
  bpf_for_each_map_elem: map('read', { 1: 'map', 2: 'callback' }, { callback: [{ from: 'map-of', arg: 1 }, value(1), value(1), arg(3)] }),
  bpf_spin_lock: inValue,
  bpf_spin_unlock: inValue,
  bpf_timer_init: map('write', { 1: 'value', 2: 'map' }),
  bpf_timer_set_callback: { roles: { 1: 'value', 2: 'callback' }, callback: [{ from: 'map-of', arg: 1 }, value(1), value(1)] },
  bpf_timer_start: inValue,
  bpf_timer_cancel: inValue,
  bpf_kptr_xchg: inValue,
  bpf_loop: { roles: { 2: 'callback' }, callback: [scalar, arg(3)] },
  bpf_find_vma: { roles: { 3: 'callback' }, callback: [scalar, scalar, arg(4)] },
  // Helpers that fill a buffer the program gives them.
  bpf_probe_read: fills(1),
  bpf_probe_read_str: fills(1),
  bpf_probe_read_user: fills(1),
  bpf_probe_read_kernel: fills(1),
  bpf_probe_read_user_str: fills(1),
  bpf_probe_read_kernel_str: fills(1),
  bpf_copy_from_user: fills(1),
  bpf_copy_from_user_task: fills(1),
  bpf_get_current_comm: fills(1),
  bpf_get_stack: fills(2),
  bpf_get_task_stack: fills(2),
  bpf_skb_load_bytes: fills(3),
  bpf_skb_load_bytes_relative: fills(3),
  bpf_xdp_load_bytes: fills(3),
  bpf_perf_prog_read_value: fills(2),
  bpf_getsockopt: fills(4),
  bpf_sysctl_get_name: fills(2),
  bpf_sysctl_get_current_value: fills(2),
  bpf_sysctl_get_new_value: fills(2),
  bpf_strtol: fills(4),
  bpf_strtoul: fills(4),
  bpf_snprintf: fills(1),
  bpf_snprintf_btf: fills(1),
  bpf_d_path: fills(2),
  bpf_get_ns_current_pid_tgid: fills(3),
  bpf_read_branch_records: fills(2),
  bpf_get_branch_snapshot: fills(1),
  bpf_skb_get_tunnel_key: fills(2),
  bpf_skb_get_tunnel_opt: fills(2),
  bpf_fib_lookup: fills(2),
  bpf_get_func_arg: fills(3),
  bpf_get_func_ret: fills(2),
  bpf_dynptr_read: fills(1),
  bpf_ima_inode_hash: fills(2),
  bpf_ima_file_hash: fills(2),
  bpf_skb_get_xfrm_state: fills(3),
  bpf_load_hdr_opt: fills(2),
  bpf_check_mtu: fills(3),
  bpf_kallsyms_lookup_name: fills(4),
};

/** Implementations the verifier calls for one helper in some program families. */
const ALIASES: Readonly<Record<string, string>> = {
  bpf_perf_event_output_tp: 'bpf_perf_event_output',
  bpf_perf_event_output_raw_tp: 'bpf_perf_event_output',
  bpf_event_output_data: 'bpf_perf_event_output',
  bpf_skb_event_output: 'bpf_perf_event_output',
  bpf_xdp_event_output: 'bpf_perf_event_output',
  bpf_get_stackid_tp: 'bpf_get_stackid',
  bpf_get_stackid_raw_tp: 'bpf_get_stackid',
  bpf_get_stackid_pe: 'bpf_get_stackid',
  bpf_get_stack_tp: 'bpf_get_stack',
  bpf_get_stack_raw_tp: 'bpf_get_stack',
  bpf_get_stack_pe: 'bpf_get_stack',
  bpf_get_stack_sleepable: 'bpf_get_stack',
  bpf_sk_storage_get_tracing: 'bpf_sk_storage_get',
  bpf_sk_storage_delete_tracing: 'bpf_sk_storage_delete',
  bpf_task_storage_get_recur: 'bpf_task_storage_get',
  bpf_task_storage_delete_recur: 'bpf_task_storage_delete',
  bpf_xdp_redirect_map: 'bpf_redirect_map',
};

/** `map_ops` functions by suffix: the verifier calls the map type's own implementation. */
const MAP_OPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/_lookup_percpu_elem$/, 'bpf_map_lookup_percpu_elem'],
  [/_lookup_elem$/, 'bpf_map_lookup_elem'],
  [/_update_elem$/, 'bpf_map_update_elem'],
  [/_delete_elem$/, 'bpf_map_delete_elem'],
  [/_push_elem$/, 'bpf_map_push_elem'],
  [/_pop_elem$/, 'bpf_map_pop_elem'],
  [/_peek_elem$/, 'bpf_map_peek_elem'],
  [/_map_redirect$/, 'bpf_redirect_map'],
  [/^bpf_for_each_\w+_elem$/, 'bpf_for_each_map_elem'],
];

/** The first step of an inlined hash lookup: returns the element, whose value the next instructions find. */
export const HASH_ELEMENT_LOOKUP = '__htab_map_lookup_elem';
const ELEMENT_LOOKUP: HelperEffect = map('read', { 1: 'map' }, { returns: 'element' });

/** The helper a called kernel function stands for, or undefined for a function that is none. */
export function helperForSymbol(symbol: string): string | undefined {
  if (helperReference(symbol) && symbol.startsWith('bpf_')) return symbol;
  const alias = ALIASES[symbol];
  if (alias) return alias;
  for (const [pattern, helper] of MAP_OPS) if (pattern.test(symbol)) return helper;
  return undefined;
}

export interface ResolvedHelper {
  /** The helper's name (`bpf_map_update_elem`), or the symbol for the inlined hash lookup. */
  readonly name: string;
  readonly effect: HelperEffect;
  /** Arguments it takes in r1..r5. */
  readonly arity: number;
}

/** What a call to this helper (by helper name or the kernel function xlated code names) does, if known. */
export function resolveHelper(symbol: string): ResolvedHelper | undefined {
  if (symbol === HASH_ELEMENT_LOOKUP) return { name: symbol, effect: ELEMENT_LOOKUP, arity: 2 };
  const name = helperForSymbol(symbol);
  const reference = name === undefined ? undefined : helperReference(name);
  if (!name || !reference) return undefined;
  return { name, effect: EFFECTS[name] ?? { roles: {} }, arity: reference.arity };
}
