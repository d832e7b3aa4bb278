// The corpus: real BPF programs loaded by real loaders this project did not write (Debian's
// bpftrace 0.17; iproute2's ip and tc and bpftool for network and cgroup programs), started for kernel tests that compare bpfscope with bpftool on objects no
// fixture of ours made. Which objects each tool holds is read from /proc/PID/fdinfo, not
// from bpfscope, so the comparison has an independent list to start from.
//
// Kernel facts that shape the scripts: CONFIG_KPROBES is off (kprobe/kretprobe/kfunc probes
// fail), bpftrace 0.17 has no rawtracepoint probe; tracepoints, uprobes, profile, interval
// and software events work. bpftrace attaches everything through perf events
// (PERF_EVENT_IOC_SET_BPF): it creates no bpf links.
import { execFileSync, spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One bpftrace script per tool; together they cover bpftrace's map shapes and probe kinds. */
export const CORPUS_SCRIPTS = {
  // count(), hist(), lhist(), stats(), sum/avg/min/max; string, integer and tuple keys; delete.
  counts: [
    'tracepoint:syscalls:sys_enter_openat { @opens[comm] = count(); @start[tid] = nsecs; }',
    'tracepoint:syscalls:sys_exit_openat /@start[tid]/ { @latency = hist(nsecs - @start[tid]); delete(@start[tid]); }',
    'tracepoint:sched:sched_switch { @switches[cpu] = count(); @prev = lhist((uint64)args->prev_pid % 100, 0, 100, 10); @next = stats(args->next_pid); }',
    'tracepoint:syscalls:sys_enter_write { @bytes[comm, pid] = sum(args->count); @avg = avg(args->count); @least = min(args->count); @most = max(args->count); }',
  ].join('\n'),
  // profile:hz (a perf_event program behind per-CPU perf events), stack maps: kstack/ustack as keys and as a value.
  stacks: [
    'profile:hz:49 { @kstacks[kstack] = count(); @ustacks[ustack] = count(); @last = kstack; }',
  ].join('\n'),
  // A USDT probe (python3's function__entry: bpftrace reads its arguments by the probe's spec),
  // uretprobes on an executable and on a shared library, string and (string, int) tuple keys,
  // per-key hist() and lhist(), tuple values.
  probes: [
    'usdt:/usr/bin/python3:python:function__entry { @pyfn[str(arg1), str(arg0)] = count(); }',
    'uretprobe:/bin/bash:readline { @lines[str(retval)] = count(); }',
    'uretprobe:/lib/x86_64-linux-gnu/libc.so.6:getaddrinfo { @resolved[retval] = count(); }',
    'tracepoint:syscalls:sys_enter_read { @reads[comm] = hist(args->count); @read_sizes[pid, comm] = lhist(args->count, 0, 1000, 100); }',
    'tracepoint:sched:sched_process_exec { @execs[str(args->filename)] = count(); @last_exec = (pid, comm); }',
  ].join('\n'),
  // printf (perf event output), interval, a software event, a uprobe on a binary; and a second
  // `sched_switch` program (other code than counts' one), as several real tools load one each.
  events: [
    'interval:ms:200 { printf("tick %d %s\\n", pid, comm); }',
    'software:cpu-clock:1000000 { @clock = count(); }',
    'uprobe:/bin/bash:readline { @lines = count(); }',
    'tracepoint:sched:sched_switch { @switched = count(); }',
  ].join('\n'),
} as const;

/** A tool that is not part of the corpus: another `sched_switch` program, for drift on one host. */
export const ROLLOUT_SCRIPT = 'tracepoint:sched:sched_switch { @rolled_out[cpu] = count(); }';

export type CorpusToolName = keyof typeof CORPUS_SCRIPTS;

/** Object ids a process holds, read from its fdinfo. */
export interface HeldObjects {
  progIds: number[];
  mapIds: number[];
  linkIds: number[];
  /** fds of anon_inode:[perf_event]. */
  perfEventFds: number[];
}

export interface CorpusTool extends HeldObjects {
  name: string;
  script: string;
  pid: number;
  /** What bpftrace printed so far. */
  stdout(): string;
  stderr(): string;
}

export interface Corpus {
  tools: CorpusTool[];
  progIds(): number[];
  mapIds(): number[];
  linkIds(): number[];
  /** Stops every tool and waits for each to exit (SIGKILL: on SIGINT bpftrace prints every map first). */
  stop(): Promise<void>;
}

const FDINFO_ID = /^(prog_id|map_id|link_id):\s+(\d+)$/m;

/** The BPF objects and perf events `pid` holds, from /proc/PID/fd and fdinfo. */
export function heldObjects(pid: number): HeldObjects {
  const held: HeldObjects = { progIds: [], mapIds: [], linkIds: [], perfEventFds: [] };
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    let info: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // closed meanwhile
    }
    if (target === 'anon_inode:[perf_event]') held.perfEventFds.push(Number(fd));
    const match = FDINFO_ID.exec(info);
    if (!match) continue;
    const list = match[1] === 'prog_id' ? held.progIds : match[1] === 'map_id' ? held.mapIds : held.linkIds;
    list.push(Number(match[2]));
  }
  const sorted = (ids: number[]) => [...new Set(ids)].sort((a, b) => a - b);
  return { progIds: sorted(held.progIds), mapIds: sorted(held.mapIds), linkIds: sorted(held.linkIds), perfEventFds: held.perfEventFds.sort((a, b) => a - b) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Starts `bpftrace -e script` and resolves once it has attached every probe: it printed
 * "Attaching N probes...", holds its programs, and the fds it holds stopped changing.
 */
export function startBpftrace(name: string, script: string, timeoutMs = 60_000): Promise<CorpusTool & { child: ChildProcessWithoutNullStreams }> {
  return startTracer(name, script, 'bpftrace', ['-e', script], timeoutMs);
}

/**
 * Runs one of the tools Debian's bpftrace ships (/usr/sbin/NAME.bt, `#!/usr/bin/bpftrace`) as a
 * user would, by its path; resolves once it has attached every probe.
 */
export function startBpftraceTool(name: string, timeoutMs = 60_000): Promise<CorpusTool & { child: ChildProcessWithoutNullStreams }> {
  const path = `/usr/sbin/${name}.bt`;
  return startTracer(name, readFileSync(path, 'utf8'), path, [], timeoutMs);
}

async function startTracer(name: string, script: string, command: string, args: string[], timeoutMs: number): Promise<CorpusTool & { child: ChildProcessWithoutNullStreams }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  // Its programs are loaded after it says so: on a busy machine the fds held still then were none.
  const held = await attached(child, `bpftrace (${name})`, (h) => /Attaching \d+ probes?/.test(out) && h.progIds.length > 0, () => err, timeoutMs);
  return { name, script, pid: child.pid!, ...held, stdout: () => out, stderr: () => err, child };
}

/**
 * How long a tool's fds must stay the same before it counts as attached: long enough for a
 * loader slowed by tests beside it (eight libbpf-tools start on two cores) to open the next.
 */
const STEADY_MS = 1000;

/**
 * What `child` holds once it is ready (`ready`, given what it holds) and the fds it holds
 * stopped changing; throws with its stderr if it exits first or is not ready by the deadline.
 */
async function attached(child: ChildProcess, label: string, ready: (held: HeldObjects) => boolean, stderr: () => string, timeoutMs: number): Promise<HeldObjects> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let stableSince = 0;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${label} exited with ${child.exitCode ?? child.signalCode}:\n${stderr()}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} did not attach within ${timeoutMs} ms:\n${stderr()}`);
    }
    const held = child.pid === undefined ? undefined : heldObjects(child.pid);
    if (held && ready(held)) {
      const text = JSON.stringify(held);
      if (text !== last) [last, stableSince] = [text, Date.now()];
      else if (Date.now() - stableSince >= STEADY_MS) return held;
    }
    await sleep(50);
  }
}

/** Starts the named tools (all by default), one bpftrace process each. */
export function startCorpus(names: readonly CorpusToolName[] = Object.keys(CORPUS_SCRIPTS) as CorpusToolName[]): Promise<Corpus> {
  // Started side by side: each spends its first seconds compiling its script.
  return corpusOf(names.map((name) => startBpftrace(name, CORPUS_SCRIPTS[name])));
}

/**
 * Tools of Debian's libbpf-tools (bcc's CO-RE tools, each its own libbpf skeleton loader) that
 * need no kprobe: tp_btf programs (tracing, attached by raw tracepoint links) and tracepoint
 * programs (perf_event links), holding hash, array (.rodata, .bss), per-CPU array, stack
 * trace, perf event array, ring buffer and cgroup array maps with the tools' BTF.
 */
export const LIBBPF_TOOLS = ['runqlat', 'offcputime', 'softirqs', 'hardirqs', 'execsnoop', 'mountsnoop', 'syscount', 'tcpstates'] as const;

/** Starts libbpf-tools by their path, as a user runs them, side by side. */
export function startLibbpfTools(names: readonly string[] = LIBBPF_TOOLS): Promise<Corpus> {
  return corpusOf(names.map((name) => startLibbpfTool(name)));
}

/**
 * Runs /usr/sbin/NAME; resolves once it holds links and its fds have stopped changing (a
 * skeleton attaches its programs one link after another; some load a program they attach only
 * with an option, syscount's sys_enter).
 */
async function startLibbpfTool(name: string, timeoutMs = 60_000): Promise<CorpusTool & { child: ChildProcess }> {
  const path = `/usr/sbin/${name}`;
  // Their event lines go nowhere: a pipe nobody reads would stop a tool once full.
  const child = spawn(path, [], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const held = await attached(child, path, (h) => h.linkIds.length > 0, () => err, timeoutMs);
  return { name, script: path, pid: child.pid!, ...held, stdout: () => '', stderr: () => err, child };
}

/** The tools being started, as one corpus once all have attached; if one fails, the others are stopped and its error thrown. */
async function corpusOf(starting: ReadonlyArray<Promise<CorpusTool & { child: ChildProcess }>>): Promise<Corpus> {
  const results = await Promise.allSettled(starting);
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async (): Promise<void> => {
    for (const tool of started) tool.child.kill('SIGKILL');
    await Promise.all(started.map((tool) => exited(tool.child)));
  };
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const all = (pick: (t: CorpusTool) => number[]) => [...new Set(started.flatMap(pick))].sort((a, b) => a - b);
  return {
    tools: started,
    progIds: () => all((t) => t.progIds),
    mapIds: () => all((t) => t.mapIds),
    linkIds: () => all((t) => t.linkIds),
    stop,
  };
}

/** A program of the net tools: which loader put it where. */
export interface NetToolProgram {
  name: string;
  id: number;
  /** The compiled object it came from (for `--host objfile:`). */
  object: string;
}

export interface NetTools {
  /** The interface (one end of a veth pair) XDP (generic) and tc (clsact ingress) programs sit on. */
  ifname: string;
  ifindex: number;
  /** The cgroup v2 directory the cgroup_skb program is attached to. */
  cgroup: string;
  xdp: NetToolProgram;
  tc: NetToolProgram;
  cgroupSkb: NetToolProgram;
  objects: string[];
  stop(): void;
}

/** One program per object: iproute2 and `bpftool prog load` each load their own file. */
const NET_SOURCES: Record<'xdp' | 'tc' | 'cgroup', { section: string; name: string; body: string }> = {
  xdp: { section: 'xdp', name: 'corpus_xdp', body: 'struct xdp_md *ctx) { bump(0); return 2; /* XDP_PASS */ }' },
  tc: { section: 'tc', name: 'corpus_tc', body: 'struct __sk_buff *skb) { bump(skb->len & 3); return 0; /* TC_ACT_OK */ }' },
  cgroup: { section: 'cgroup_skb/ingress', name: 'corpus_cgroup', body: 'struct __sk_buff *skb) { bump(2); return 1; }' },
};

function netSource(kind: keyof typeof NET_SOURCES): string {
  const { section, name, body } = NET_SOURCES[kind];
  return [
    '#include <linux/bpf.h>',
    '#include <bpf/bpf_helpers.h>',
    'struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } corpus_counts SEC(".maps");',
    'static __always_inline void bump(__u32 slot) { __u64 *v = bpf_map_lookup_elem(&corpus_counts, &slot); if (v) __sync_fetch_and_add(v, 1); }',
    `SEC("${section}") int ${name}(${body}`,
    'char LICENSE[] SEC("license") = "GPL";',
    '',
  ].join('\n');
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Steps that take back a setup, pushed as it goes; `stop` runs them last first, each whatever the others do. */
function undoSteps(): { undo: Array<() => void>; stop: () => void } {
  const undo: Array<() => void> = [];
  const stop = (): void => {
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        // Already gone: cleaning up continues.
      }
    }
  };
  return { undo, stop };
}

function loadedId(name: string): number {
  const progs = JSON.parse(run('bpftool', ['-j', 'prog', 'show'])) as Array<{ id: number; name?: string }>;
  const found = progs.filter((p) => p.name === name).map((p) => p.id);
  if (found.length === 0) throw new Error(`${name} is not loaded`);
  return Math.max(...found);
}

/**
 * Loads three clang-built programs with loaders this project did not write: iproute2's `ip`
 * (XDP, generic mode, on a veth) and `tc` (clsact ingress, direct-action), and
 * `bpftool prog load` + `bpftool cgroup attach` (cgroup_skb ingress on a cgroup of its own).
 * (This kernel has no dummy interfaces: a veth pair.)
 */
export function startNetTools(dir: string, cgroupRoot: string): NetTools {
  const tag = `${process.pid % 100000}`;
  const ifname = `bfscorp${tag}`;
  const cgroup = join(cgroupRoot, `bpfscope-corpus-${tag}`);
  const pin = `/sys/fs/bpf/bpfscope_corpus_${tag}`;
  const objects: Record<string, string> = {};
  for (const kind of Object.keys(NET_SOURCES) as Array<keyof typeof NET_SOURCES>) {
    const c = join(dir, `${NET_SOURCES[kind].name}.bpf.c`);
    objects[kind] = join(dir, `${NET_SOURCES[kind].name}.bpf.o`);
    writeFileSync(c, netSource(kind));
    run('clang', ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', c, '-o', objects[kind]!]);
  }
  const { undo, stop } = undoSteps();
  try {
    run('ip', ['link', 'add', ifname, 'type', 'veth', 'peer', 'name', `${ifname}p`]);
    undo.push(() => run('ip', ['link', 'del', ifname]));
    run('ip', ['link', 'set', 'dev', ifname, 'up']);
    run('ip', ['link', 'set', 'dev', ifname, 'xdpgeneric', 'obj', objects.xdp!, 'sec', 'xdp']);
    run('tc', ['qdisc', 'add', 'dev', ifname, 'clsact']);
    run('tc', ['filter', 'add', 'dev', ifname, 'ingress', 'bpf', 'direct-action', 'obj', objects.tc!, 'sec', 'tc']);
    mkdirSync(cgroup);
    undo.push(() => rmdirSync(cgroup));
    run('bpftool', ['prog', 'load', objects.cgroup!, pin, 'type', 'cgroup/skb']);
    undo.push(() => rmSync(pin, { force: true }));
    run('bpftool', ['cgroup', 'attach', cgroup, 'ingress', 'pinned', pin]);
    undo.push(() => run('bpftool', ['cgroup', 'detach', cgroup, 'ingress', 'pinned', pin]));
    const ifindex = Number(readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8').trim());
    const program = (kind: keyof typeof NET_SOURCES): NetToolProgram => ({ name: NET_SOURCES[kind].name, id: loadedId(NET_SOURCES[kind].name), object: objects[kind]! });
    return { ifname, ifindex, cgroup, xdp: program('xdp'), tc: program('tc'), cgroupSkb: program('cgroup'), objects: Object.values(objects), stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/**
 * Map kinds and global data no other corpus loader makes, in one object with several programs:
 * local storage (socket, inode, cgroup), a user ring buffer, a devmap hash, a stack, an LRU
 * per-CPU hash keyed by an enum, a 64 KiB value, a 300-byte key, a map of one entry and an empty
 * one, arrays of structs and of pointers, a per-CPU array without BTF whose 4-byte values sit in
 * 8-byte slots, a float (which bpftool's JSON does not print), a ring buffer whose size libbpf
 * rounds up; .data/.bss/.rodata holding bitfields, unions, packed and
 * negative enums and control characters in strings; a bpf-to-bpf call and a callback. Beside it,
 * an object compiled without -g (PLAIN_SOURCE).
 */
const EXOTIC_SOURCE = String.raw`#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
enum color { RED = 1, GREEN = 2, BLUE = -4 };
enum __attribute__((packed)) tiny { T0, T1 = 255 };
struct bits { unsigned int a : 3, b : 5; int c : 7; unsigned long long d : 40, e : 24; unsigned char f : 1; };
union u { int i; unsigned short w[3]; char s[6]; struct { short lo, hi; } parts; };
struct item { char name[10]; struct bits b; union u u; enum color c; enum tiny t; };
struct big { unsigned char bytes[65536]; };
struct huge_key { char k[300]; };
int g_counter = 42;
struct item g_items[3] = { { .name = "one", .c = RED }, { .name = "two\x01x", .b = { .a = 5, .c = -3, .d = 0xffffffffff } }, { .u = { .s = "abc" }, .t = T1 } };
const volatile unsigned long long r_limit = 1000;
const volatile char r_name[8] = "ro\"\\";
const volatile enum color r_color = BLUE;
unsigned long long b_zero;
struct bits b_bits;
char b_buf[33];
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct item); } one SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct big); } bigval SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, struct huge_key); __type(value, union u); } hugekey SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK); __uint(max_entries, 8); __type(value, struct bits); } stk SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SK_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, struct item); } sks SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_INODE_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, __u64); } inos SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_CGRP_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, struct bits); } cgs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct bpf_devmap_val); } dmh SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_USER_RINGBUF); __uint(max_entries, 4096); } urb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH); __uint(max_entries, 8); __type(key, enum color); __type(value, struct bits); } lrupc SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); } empty1 SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct item); } pcitems SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 3); __type(key, __u32); __type(value, struct item[2]); } arrval SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct bits *); } ptrval SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 2); __uint(key_size, 4); __uint(value_size, 4); } rawpc SEC(".maps");
struct fl { int before; float f; int after; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct fl); } flt SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 5000); } rb SEC(".maps");
SEC("tp/syscalls/sys_enter_getppid")
int exotic_tp(void *ctx)
{
	__u32 k = 0;
	struct item *it = bpf_map_lookup_elem(&one, &k);
	if (it) { it->c = GREEN; it->b.e = 7; }
	struct big *bg = bpf_map_lookup_elem(&bigval, &k);
	if (bg) bg->bytes[65535] = 9;
	struct bits b = { .a = 1, .c = -1 };
	bpf_map_push_elem(&stk, &b, 0);
	struct huge_key hk = {};
	hk.k[0] = 'x';
	union u uu = { .i = 0x41424344 };
	bpf_map_update_elem(&hugekey, &hk, &uu, 0);
	enum color c = BLUE;
	bpf_map_update_elem(&lrupc, &c, &b, 0);
	g_counter++;
	b_zero += r_limit + r_color + r_name[0];
	b_bits.d = 123;
	__builtin_memcpy(b_buf, "hello", 5);
	struct item *pi = bpf_map_lookup_elem(&pcitems, &k);
	if (pi) pi->t = T1;
	return 0;
}
SEC("tp_btf/sched_switch")
int BPF_PROG(exotic_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct bits *v = bpf_cgrp_storage_get(&cgs, next->cgroups->dfl_cgrp, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (v) v->a = 3;
	return 0;
}
SEC("cgroup/sock_create")
int exotic_sock(struct bpf_sock *sk)
{
	struct item *v = bpf_sk_storage_get(&sks, sk, 0, 0);
	if (v) v->c = RED;
	return 1;
}
static long drain_cb(struct bpf_dynptr *d, void *ctx) { return 0; }
SEC("xdp")
int exotic_xdp(struct xdp_md *ctx)
{
	bpf_user_ringbuf_drain(&urb, drain_cb, 0, 0);
	return bpf_redirect_map(&dmh, 0, XDP_PASS);
}
__noinline int exotic_sub(int x) { return x * 3 + g_counter; }
SEC("tp/syscalls/sys_enter_getpgid")
int exotic_calls(void *ctx) { return exotic_sub(2) + exotic_sub(5); }
`;

/** What `bpftool net` says of a device's XDP program. */
export interface XdpAttachment {
  devname: string;
  ifindex: number;
  mode: string;
  id: number;
}

export interface XdpFilter {
  /** The veth end xdp-filter is loaded on. */
  ifname: string;
  xdp: XdpAttachment;
  /** The device's program, and any libxdp put behind its dispatcher. */
  progIds: number[];
  mapIds: number[];
  stop(): void;
}

/** What xdp-filter is told to filter: each rule is an entry in one of its maps. */
const XDP_FILTER_RULES = [['port', '80'], ['port', '443', '-p', 'tcp', '-m', 'src'], ['ip', '10.1.2.3'], ['ip', 'fe80::1', '-m', 'src'], ['ether', 'aa:bb:cc:dd:ee:ff']];

/**
 * Loads xdp-tools' `xdp-filter` with its own loader (libxdp) on a veth in native (driver) mode,
 * with a rule of each kind: two ports (80, 443/tcp/src), 10.1.2.3, fe80::1 (src) and
 * aa:bb:cc:dd:ee:ff.
 */
export function startXdpFilter(): XdpFilter {
  const ifname = `bsxf${process.pid % 10000}`;
  const { undo, stop } = undoSteps();
  try {
    run('ip', ['link', 'add', ifname, 'type', 'veth', 'peer', 'name', `${ifname}p`]);
    undo.push(() => run('ip', ['link', 'del', ifname]));
    for (const dev of [ifname, `${ifname}p`]) run('ip', ['link', 'set', 'dev', dev, 'up']);
    run('xdp-filter', ['load', '-m', 'native', ifname]);
    undo.push(() => run('xdp-filter', ['unload', ifname]));
    for (const rule of XDP_FILTER_RULES) run('xdp-filter', rule);
    const [net] = JSON.parse(run('bpftool', ['-j', 'net', 'show'])) as Array<{ xdp: XdpAttachment[] }>;
    const xdp = net?.xdp.find((e) => e.devname === ifname);
    if (!xdp) throw new Error(`xdp-filter: ${ifname} has no XDP program`);
    // Where the kernel takes freplace, libxdp attaches the filter behind its dispatcher: both are xdp-filter's.
    const progs = (JSON.parse(run('bpftool', ['-j', 'prog', 'show'])) as Array<{ id: number; name?: string; map_ids?: number[] }>)
      .filter((p) => p.id === xdp.id || p.name?.startsWith('xdpfilt_'));
    const mapIds = [...new Set(progs.flatMap((p) => p.map_ids ?? []))].sort((a, b) => a - b);
    return { ifname, xdp, progIds: progs.map((p) => p.id), mapIds, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/** Programs without BTF, func_info or line_info (no -g), one calling a subprogram. */
const PLAIN_SOURCE = String.raw`#include <linux/bpf.h>
#define SEC(n) __attribute__((section(n), used))
char LICENSE[] SEC("license") = "GPL";
static __attribute__((noinline)) int twice(int x) { return x * 2 + 1; }
SEC("xdp") int plain_xdp(struct xdp_md *ctx) { return twice(ctx->ingress_ifindex) > 5 ? 2 : 1; }
SEC("socket") int plain_sock(struct __sk_buff *skb) { return skb->len + twice(skb->protocol); }
`;

export interface ExoticObject {
  object: string;
  progIds: number[];
  mapIds: number[];
  /** Map ids by the object's map names. */
  mapId: Record<string, number>;
  /** PLAIN_SOURCE's programs and object. */
  plainProgIds: number[];
  plainObject: string;
  stop(): void;
}

const hexBytes = (bytes: readonly number[]) => bytes.map((b) => b.toString(16).padStart(2, '0'));

/**
 * Compiles EXOTIC_SOURCE (against the fixtures' vmlinux.h in `includeDir`) and loads it with
 * `bpftool prog loadall … pinmaps` (nothing attached), then gives some maps entries through
 * bpftool: the stack, the 300-byte-key hash, the per-CPU maps, the devmap hash (loopback).
 */
export function loadExoticObject(dir: string, includeDir: string): ExoticObject {
  const tag = `${process.pid % 100000}`;
  const c = join(dir, 'exotic.bpf.c');
  const object = join(dir, 'exotic.bpf.o');
  writeFileSync(c, EXOTIC_SOURCE);
  run('clang', ['-O2', '-g', '-target', 'bpf', `-I${includeDir}`, '-c', c, '-o', object]);
  const plainC = join(dir, 'plain.bpf.c');
  const plainObject = join(dir, 'plain.bpf.o');
  writeFileSync(plainC, PLAIN_SOURCE);
  run('clang', ['-O2', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', plainC, '-o', plainObject]);
  const progPins = `/sys/fs/bpf/bpfscope_exotic_${tag}`;
  const mapPins = `${progPins}_maps`;
  const plainPins = `${progPins}_plain`;
  const stop = (): void => {
    for (const pins of [progPins, mapPins, plainPins]) rmSync(pins, { recursive: true, force: true });
  };
  try {
    run('bpftool', ['prog', 'loadall', object, progPins, 'pinmaps', mapPins]);
    run('bpftool', ['prog', 'loadall', plainObject, plainPins]);
    const pin = (name: string) => ['pinned', join(mapPins, name)];
    const sizes = (name: string) => JSON.parse(run('bpftool', ['-j', 'map', 'show', ...pin(name)])) as { bytes_key: number; bytes_value: number };
    /** A value of the map's size, its bytes a pattern that differs by `seed`. */
    const value = (name: string, seed: number) => ['value', 'hex', ...hexBytes(Array.from({ length: sizes(name).bytes_value }, (_, i) => (i * 37 + seed) & 0xff))];
    run('bpftool', ['map', 'push', ...pin('stk'), ...value('stk', 1)]);
    run('bpftool', ['map', 'push', ...pin('stk'), ...value('stk', 2)]);
    run('bpftool', ['map', 'update', ...pin('hugekey'), 'key', 'hex', ...hexBytes(Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 0x22 : i % 3 === 1 ? 0x5c : 0x61))), ...value('hugekey', 3)]);
    run('bpftool', ['map', 'update', ...pin('lrupc'), 'key', 'hex', 'fc', 'ff', 'ff', 'ff', ...value('lrupc', 5)]);
    run('bpftool', ['map', 'update', ...pin('pcitems'), 'key', '1', '0', '0', '0', ...value('pcitems', 6)]);
    run('bpftool', ['map', 'update', ...pin('arrval'), 'key', '2', '0', '0', '0', ...value('arrval', 7)]);
    run('bpftool', ['map', 'update', ...pin('dmh'), 'key', '1', '0', '0', '0', 'value', '1', '0', '0', '0', '0', '0', '0', '0']);
    const ids = (kind: 'prog' | 'map', where: string) =>
      readdirSync(where).map((name) => (JSON.parse(run('bpftool', ['-j', kind, 'show', 'pinned', join(where, name)])) as { id: number }).id).sort((a, b) => a - b);
    const mapId = Object.fromEntries(readdirSync(mapPins).map((name) => [name, (JSON.parse(run('bpftool', ['-j', 'map', 'show', ...pin(name)])) as { id: number }).id]));
    return { object, progIds: ids('prog', progPins), mapIds: ids('map', mapPins), mapId, plainProgIds: ids('prog', plainPins), plainObject, stop };
  } catch (error) {
    stop();
    throw error;
  }
}
