// The host-wide BPF CPU share (the overview's figure and `top`'s total): every program's run time
// over wall time, of all CPUs. Checked against the kernel's own counters as bpftool reads them:
// the run_time_ns every program gained while a known burst of getpid runs happened, over the
// sampler's wall interval and the online CPUs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../main/hosts/local-host.js';
import { ProgramSampler } from '../../main/live/program-sampler.js';
import { runStatsSwitchFor } from '../../main/live/stats-holds.js';
import { bpfscope, bpftoolJson } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();

async function runTimes(): Promise<Map<number, number>> {
  const progs = await bpftoolJson<Array<{ id: number; run_time_ns?: number }>>(['prog', 'show']);
  return new Map(progs.map((p) => [p.id, p.run_time_ns ?? 0]));
}

describe.skipIf(skip)('BPF CPU share, host-wide', () => {
  const host = new LocalHost();
  let fixtures: LoadedFixtures;

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps'] });
  }, 120_000);
  afterAll(async () => {
    await fixtures?.stop();
  });

  it('is the run time all programs gained over wall time and CPUs, as the kernel counts it', async () => {
    const lease = await runStatsSwitchFor(host).acquire();
    try {
      const sampler = new ProgramSampler(host, { intervalMs: 250 });
      await sampler.sample();
      const before = await runTimes();
      await fixtures.trigger('getpid', 200_000);
      const after = await runTimes();
      const sample = (await sampler.sample())!;
      let gainedNs = 0;
      for (const [id, ns] of after) gainedNs += ns - (before.get(id) ?? ns);
      const kernelShare = (gainedNs / (sample.intervalMs * 1e6) / sample.onlineCpus) * 100;
      expect(kernelShare).toBeGreaterThan(0);
      // The sampler's window holds bpftool's (the burst and a little of what other programs ran on
      // this shared machine between the reads): at least the kernel's figure, not much more.
      expect(sample.totals.cpuPercent).toBeGreaterThanOrEqual(kernelShare * 0.98);
      expect(sample.totals.cpuPercent).toBeLessThan(kernelShare * 1.5 + 0.05);
      const sum = sample.programs.reduce((s, p) => s + p.cpuPercent, 0);
      expect(sample.totals.cpuPercent).toBeCloseTo(sum, 9);
    } finally {
      await lease.release();
    }
  });

  it('top --json gives the same total: the sum of every program’s share', async () => {
    const result = await bpfscope(['top', '--json', '--interval', '0.25']);
    expect(result.code, result.stderr).toBe(0);
    const top = JSON.parse(result.stdout) as { totals: { cpuPercent: number }; programs: Array<{ cpuPercent: number }> };
    expect(top.totals.cpuPercent).toBeCloseTo(top.programs.reduce((s, p) => s + p.cpuPercent, 0), 6);
  });
});
