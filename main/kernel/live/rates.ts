// Rates between two run-stats readings of one program.

export interface RunCounters {
  runTimeNs: number;
  runCnt: number;
  recursionMisses: number;
}

export interface ProgramRates {
  /** Program runs per second (Δrun_cnt / Δwall). */
  eventsPerSec: number;
  /** Mean run time over the interval (Δrun_time_ns / Δrun_cnt); 0 without runs. */
  avgRunNs: number;
  /** Share of the host's CPU time: Δrun_time / Δwall / online CPUs × 100. */
  cpuPercent: number;
  /** Runs skipped in the interval because the program was already running on that CPU. */
  recursionMisses: number;
  runs: number;
  runTimeNs: number;
}

const NO_RATES: ProgramRates = { eventsPerSec: 0, avgRunNs: 0, cpuPercent: 0, recursionMisses: 0, runs: 0, runTimeNs: 0 };

/** Counters only grow for one program; a drop means another program got the id, so no rate. */
function delta(after: number, before: number): number {
  return after >= before ? after - before : 0;
}

export function programRates(before: RunCounters, after: RunCounters, wallNs: number, onlineCpus: number): ProgramRates {
  if (!(wallNs > 0) || !(onlineCpus > 0)) return NO_RATES;
  const runs = delta(after.runCnt, before.runCnt);
  const runTimeNs = delta(after.runTimeNs, before.runTimeNs);
  return {
    eventsPerSec: (runs * 1e9) / wallNs,
    avgRunNs: runs > 0 ? runTimeNs / runs : 0,
    cpuPercent: (runTimeNs / wallNs / onlineCpus) * 100,
    recursionMisses: delta(after.recursionMisses, before.recursionMisses),
    runs,
    runTimeNs,
  };
}

/** Parses a kernel CPU list such as `0-3,8,10-11` (/sys/devices/system/cpu/online) into a count. */
export function countCpuList(text: string): number {
  let count = 0;
  for (const part of text.trim().split(',', 4096)) {
    if (part === '') continue;
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) throw new Error(`cpu list: bad range '${part}'`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) throw new Error(`cpu list: bad range '${part}'`);
    count += last - first + 1;
  }
  return count;
}
