// Perf events running perf_event programs: BPF_TASK_FD_QUERY answers EOPNOTSUPP for them
// (kernel/trace/bpf_trace.c, bpf_get_perf_event_info), so neither bpftool nor anyone else can
// say which program such an event runs. What can be said is who holds them: the process's
// perf event fds, and the perf_event programs whose fds it holds (their fdinfo names them).
import { parseFdinfo } from '../info/index.js';
import type { PerfEventHolder } from './views.js';

/** enum bpf_prog_type: BPF_PROG_TYPE_PERF_EVENT. */
export const PROG_TYPE_PERF_EVENT = 7;

/** A perf event fd whose program the kernel did not name. */
export interface UnnamedPerfEvent {
  pid: number;
  fd: number;
  comm: string;
}

/** An fd found by the owner scan: its readlink target and fdinfo text. */
export interface HeldFd {
  pid: number;
  target: string;
  fdinfo: string;
}

/** Groups the unnamed perf events by process, each with the perf_event programs that process holds. */
export function perfEventHolders(unnamed: readonly UnnamedPerfEvent[], owners: readonly HeldFd[]): PerfEventHolder[] {
  const byPid = new Map<number, PerfEventHolder>();
  for (const e of unnamed) {
    const holder = byPid.get(e.pid) ?? { pid: e.pid, comm: e.comm, fds: [], progIds: [] };
    byPid.set(e.pid, holder);
    holder.fds.push(e.fd);
  }
  for (const fd of owners) {
    const holder = byPid.get(fd.pid);
    if (!holder || fd.target !== 'anon_inode:bpf-prog') continue;
    const info = parseFdinfo(fd.fdinfo);
    if (info.progType === PROG_TYPE_PERF_EVENT && info.progId !== undefined && !holder.progIds.includes(info.progId)) holder.progIds.push(info.progId);
  }
  for (const holder of byPid.values()) {
    holder.fds.sort((a, b) => a - b);
    holder.progIds.sort((a, b) => a - b);
  }
  return [...byPid.values()].sort((a, b) => a.pid - b.pid);
}

/** An attach point's words for a program held through such perf events. */
export function perfHolderTarget(holder: PerfEventHolder): string {
  const fds = holder.fds.length === 1 ? `fd ${holder.fds[0]}` : `fds ${holder.fds.join(', ')}`;
  const which = holder.progIds.length > 1 ? `, each running one of its perf_event programs ${holder.progIds.join(', ')}` : '';
  return `${holder.comm} (pid ${holder.pid}) perf event ${fds}${which}; the kernel does not say which program a perf event runs`;
}
