// Privilege findings from hand-written /proc texts.
import { describe, expect, it } from 'vitest';
import { diagnose, lockdownMode } from '../../../main/kernel/diagnostics/index.js';

const ROOT_STATUS = 'Name:\tx\nCapEff:\t000001ffffffffff\n';
const NO_CAPS = 'Name:\tx\nCapEff:\t0000000000000000\n';
const MOUNTS = 'bpf /sys/fs/bpf bpf rw 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n';

describe('diagnose', () => {
  it('blocks without CAP_SYS_ADMIN and says what to change', () => {
    const findings = diagnose({ status: NO_CAPS, sysctls: {}, vmlinuxBtf: true, mounts: MOUNTS, enumerateError: 'EPERM' });
    expect(findings[0]).toMatchObject({ id: 'capabilities', severity: 'block' });
    expect(findings[0]!.blocks).toMatch(/EPERM/);
    expect(findings[0]!.fix).toMatch(/root|CAP_SYS_ADMIN/);
  });

  it('names each blocking setting with its fix', () => {
    const findings = diagnose({
      status: ROOT_STATUS,
      sysctls: { 'kernel.kptr_restrict': '2\n', 'net.core.bpf_jit_enable': '0\n', 'kernel.bpf_stats_enabled': '0\n' },
      lockdown: 'none integrity [confidentiality]\n',
      mounts: MOUNTS,
      vmlinuxBtf: false,
    });
    const byId = new Map(findings.map((f) => [f.id, f]));
    expect(byId.get('capabilities')?.severity).toBe('ok');
    expect(byId.get('lockdown')).toMatchObject({ severity: 'block', value: 'confidentiality' });
    expect(byId.get('kernel.kptr_restrict')).toMatchObject({ severity: 'warn', fix: expect.stringMatching(/kptr_restrict=1/) });
    expect(byId.get('net.core.bpf_jit_enable')?.fix).toMatch(/bpf_jit_enable=1/);
    expect(byId.get('btf')?.severity).toBe('warn');
    expect(byId.get('tracefs')).toMatchObject({ severity: 'warn', fix: 'mount -t tracefs nodev /sys/kernel/tracing' });
    expect(byId.get('bpffs')?.severity).toBe('ok');
    // Most severe first.
    expect(findings[0]!.severity).toBe('block');
  });

  it('reads the bracketed lockdown mode', () => {
    expect(lockdownMode('none [integrity] confidentiality')).toBe('integrity');
  });
});
