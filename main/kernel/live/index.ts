export {
  decodeProgStatsSample,
  encodeProgStatsSample,
  PROG_STATS_FIELD,
  PROG_STATS_HEADER_SIZE,
  PROG_STATS_RECORD_SIZE,
  ProgStatsTable,
  type ProgStatsRecord,
  type ProgStatsWalk,
} from './prog-stats-records.js';
export { countCpuList, programRates, type ProgramRates, type RunCounters } from './rates.js';
export { estimateStatsCost, STATS_COST_BARE_METAL_NS, STATS_COST_MEASURED_VM_NS, type StatsCostEstimate } from './stats-cost.js';
export { diffIds, type IdDiff } from './id-diff.js';
export { ringbufLevel, ringbufRates, type RingbufLevel, type RingbufRates, type RingbufReading } from './ringbuf.js';
export { describeLifecycle, type LifecycleChange, type LifecycleEvent, type LifecycleKind, type LifecycleObject } from './lifecycle.js';
