// `bpfscope doctor` as root and with every capability dropped.
import { describe, expect, it } from 'vitest';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { bpfscope } from '../helpers/cli.js';

interface Report {
  host: string;
  findings: Array<{ id: string; severity: string; value: string; blocks: string; fix: string }>;
}

const skip = ensureKernelEnv();

describe.skipIf(skip)('doctor', () => {
  it('as root: nothing blocks, and every setting is reported', async () => {
    const result = await bpfscope(['doctor', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    const ids = report.findings.map((f) => f.id);
    for (const id of ['capabilities', 'kernel.unprivileged_bpf_disabled', 'kernel.kptr_restrict', 'net.core.bpf_jit_harden', 'net.core.bpf_jit_enable', 'kernel.bpf_stats_enabled', 'lockdown', 'btf', 'bpffs', 'tracefs']) {
      expect(ids).toContain(id);
    }
    expect(report.findings.filter((f) => f.severity === 'block')).toEqual([]);
    expect(report.findings.find((f) => f.id === 'lockdown')?.value).toBe('integrity');
  });

  it('with capabilities dropped: says that enumeration is blocked and what to change', async () => {
    const result = await bpfscope(['doctor', '--json'], ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    const caps = report.findings.find((f) => f.id === 'capabilities')!;
    expect(caps.severity).toBe('block');
    expect(caps.blocks).toMatch(/EPERM/);
    expect(caps.fix).toMatch(/root|CAP_SYS_ADMIN/);
    const text = await bpfscope(['doctor'], ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--']);
    expect(text.stdout).toMatch(/BLOCK capabilities/);
  });
});
