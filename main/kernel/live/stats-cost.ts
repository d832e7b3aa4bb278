// What having run statistics on costs. The kernel adds two clock reads and a
// per-CPU counter update around every run of every program, host-wide.

/** The kernel's own figure, from the commit that introduced run stats: about 20 ns per run on bare metal. */
export const STATS_COST_BARE_METAL_NS = 20;
/** Measured on the project's test VM: a getpid tracepoint program, 328 → 411 ns per syscall with stats on. */
export const STATS_COST_MEASURED_VM_NS = 85;

export interface StatsCostEstimate {
  /** Program runs per second on the whole host, all programs. */
  runsPerSec: number;
  /** Per run, bare metal (kernel figure) and virtualised (measured) */
  perRunNs: { bareMetal: number; measuredVm: number };
  /** CPU time spent on stats per wall second, as a share of one core, for both figures. */
  oneCorePercent: { bareMetal: number; measuredVm: number };
  /** The same as a share of all online CPUs. */
  hostPercent: { bareMetal: number; measuredVm: number };
  text: string;
}

function percentOfCores(runsPerSec: number, perRunNs: number, cores: number): number {
  return ((runsPerSec * perRunNs) / 1e9 / cores) * 100;
}

export function estimateStatsCost(runsPerSec: number, onlineCpus: number): StatsCostEstimate {
  const cpus = onlineCpus > 0 ? onlineCpus : 1;
  const rate = runsPerSec > 0 ? runsPerSec : 0;
  const oneCore = {
    bareMetal: percentOfCores(rate, STATS_COST_BARE_METAL_NS, 1),
    measuredVm: percentOfCores(rate, STATS_COST_MEASURED_VM_NS, 1),
  };
  return {
    runsPerSec: rate,
    perRunNs: { bareMetal: STATS_COST_BARE_METAL_NS, measuredVm: STATS_COST_MEASURED_VM_NS },
    oneCorePercent: oneCore,
    hostPercent: { bareMetal: oneCore.bareMetal / cpus, measuredVm: oneCore.measuredVm / cpus },
    text:
      `run statistics are on host-wide: ~${STATS_COST_BARE_METAL_NS} ns per program run on bare metal ` +
      `(kernel figure), ~${STATS_COST_MEASURED_VM_NS} ns measured on a VM; at ${formatRate(rate)} runs/s that is ` +
      `${oneCore.bareMetal.toFixed(2)}–${oneCore.measuredVm.toFixed(2)}% of one core`,
  };
}

function formatRate(rate: number): string {
  return rate >= 1e6 ? `${(rate / 1e6).toFixed(1)} M` : rate >= 1e3 ? `${(rate / 1e3).toFixed(1)} k` : rate.toFixed(0);
}
