// The corpus: real BPF programs loaded by real loaders this project did not write (Debian's
// bpftrace 0.17), started for kernel tests that compare bpfscope with bpftool on objects no
// fixture of ours made. Which objects each tool holds is read from /proc/PID/fdinfo, not
// from bpfscope, so the comparison has an independent list to start from.
//
// Kernel facts that shape the scripts: CONFIG_KPROBES is off (kprobe/kretprobe/kfunc probes
// fail), bpftrace 0.17 has no rawtracepoint probe; tracepoints, uprobes, profile, interval
// and software events work. bpftrace attaches everything through perf events
// (PERF_EVENT_IOC_SET_BPF): it creates no bpf links.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Starts `bpftrace -e script` and resolves once it has attached every probe: it printed
 * "Attaching N probes..." and the fds it holds stopped changing.
 */
export async function startBpftrace(name: string, script: string, timeoutMs = 60_000): Promise<CorpusTool & { child: ChildProcessWithoutNullStreams }> {
  const child = spawn('bpftrace', ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let stableSince = 0;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`bpftrace (${name}) exited with ${child.exitCode ?? child.signalCode}:\n${err}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bpftrace (${name}) did not attach within ${timeoutMs} ms:\n${err}`);
    }
    if (/Attaching \d+ probes?/.test(out) && child.pid !== undefined) {
      const held = JSON.stringify(heldObjects(child.pid));
      if (held !== last) [last, stableSince] = [held, Date.now()];
      else if (Date.now() - stableSince >= 300) break;
    }
    await sleep(50);
  }
  const held = JSON.parse(last) as HeldObjects;
  return { name, script, pid: child.pid!, ...held, stdout: () => out, stderr: () => err, child };
}

/** Starts the named tools (all by default), one bpftrace process each. */
export async function startCorpus(names: readonly CorpusToolName[] = Object.keys(CORPUS_SCRIPTS) as CorpusToolName[]): Promise<Corpus> {
  const started: Array<Awaited<ReturnType<typeof startBpftrace>>> = [];
  const stop = async (): Promise<void> => {
    for (const tool of started) tool.child.kill('SIGKILL');
    await Promise.all(started.map((tool) => exited(tool.child)));
  };
  // Started side by side: each spends its first seconds compiling its script.
  const starting = names.map((name) => startBpftrace(name, CORPUS_SCRIPTS[name]));
  const results = await Promise.allSettled(starting);
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
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
