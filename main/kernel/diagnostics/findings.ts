// Privilege diagnostics: from the texts a host's /proc and /sys give (read elsewhere), what
// bpfscope can and cannot show there, each finding naming the setting and what to change.
import { parseCapabilities } from '../proc/capabilities.js';

export type Severity = 'ok' | 'info' | 'warn' | 'block';

export interface Finding {
  /** Stable key: `capabilities`, `kernel.kptr_restrict`, `lockdown`, `bpffs` … */
  id: string;
  severity: Severity;
  /** The value observed, as read (`2`, `integrity`, `CAP_BPF CAP_PERFMON`, `missing`). */
  value: string;
  /** What bpfscope cannot show or do because of it (empty when nothing). */
  blocks: string;
  /** What to change; empty when nothing needs changing. */
  fix: string;
}

/** What a host's files said; undefined where the file could not be read. */
export interface DiagnosticInputs {
  status?: string;
  sysctls: Partial<Record<SysctlName, string>>;
  lockdown?: string;
  mounts?: string;
  vmlinuxBtf: boolean;
  /** errno code of listing program ids (undefined: it worked). */
  enumerateError?: string;
}

export const SYSCTLS = {
  'kernel.unprivileged_bpf_disabled': '/proc/sys/kernel/unprivileged_bpf_disabled',
  'kernel.kptr_restrict': '/proc/sys/kernel/kptr_restrict',
  'kernel.perf_event_paranoid': '/proc/sys/kernel/perf_event_paranoid',
  'kernel.bpf_stats_enabled': '/proc/sys/kernel/bpf_stats_enabled',
  'net.core.bpf_jit_enable': '/proc/sys/net/core/bpf_jit_enable',
  'net.core.bpf_jit_harden': '/proc/sys/net/core/bpf_jit_harden',
} as const;
export type SysctlName = keyof typeof SYSCTLS;

function capabilityFindings(status: string | undefined, enumerateError: string | undefined): Finding[] {
  if (status === undefined) return [{ id: 'capabilities', severity: 'warn', value: 'unknown', blocks: 'cannot tell what this process may do', fix: 'check that /proc is mounted' }];
  const caps = parseCapabilities(status);
  const names = caps.effective.filter((c) => ['CAP_SYS_ADMIN', 'CAP_BPF', 'CAP_PERFMON', 'CAP_NET_ADMIN', 'CAP_SYSLOG', 'CAP_SYS_PTRACE'].includes(c));
  const value = names.length ? names.join(' ') : 'none of CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, CAP_SYSLOG, CAP_SYS_PTRACE';
  const out: Finding[] = [];
  if (!caps.canEnumerate || enumerateError) {
    out.push({
      id: 'capabilities',
      severity: 'block',
      value,
      blocks: `listing programs, maps, links and BTF by id${enumerateError ? ` (the kernel answered ${enumerateError})` : ''}: every view is empty`,
      fix: 'run as root or with CAP_SYS_ADMIN (sudo bpfscope …); the desktop app offers pkexec',
    });
  } else {
    out.push({ id: 'capabilities', severity: 'ok', value, blocks: '', fix: '' });
  }
  const has = (c: string): boolean => caps.effective.includes(c);
  if (!has('CAP_PERFMON') && !has('CAP_SYS_ADMIN')) {
    out.push({ id: 'capabilities.perfmon', severity: 'warn', value: 'CAP_PERFMON missing', blocks: 'pointer values in maps and jited code', fix: 'grant CAP_PERFMON (or CAP_SYS_ADMIN)' });
  }
  if (!has('CAP_NET_ADMIN')) {
    out.push({ id: 'capabilities.net_admin', severity: 'warn', value: 'CAP_NET_ADMIN missing', blocks: 'some attachment queries in other network namespaces', fix: 'grant CAP_NET_ADMIN' });
  }
  if (!has('CAP_SYS_PTRACE') && !has('CAP_SYS_ADMIN')) {
    out.push({ id: 'capabilities.sys_ptrace', severity: 'warn', value: 'CAP_SYS_PTRACE missing', blocks: "other users' processes: owners of objects and perf-event attachments", fix: 'grant CAP_SYS_PTRACE (or run as root)' });
  }
  return out;
}

function sysctlFinding(name: SysctlName, raw: string | undefined): Finding {
  const value = raw?.trim();
  const base = { id: name, value: value ?? 'unreadable' };
  if (value === undefined) return { ...base, severity: 'info', blocks: '', fix: `${SYSCTLS[name]} is not readable here` };
  const n = Number(value);
  switch (name) {
    case 'kernel.unprivileged_bpf_disabled':
      return n === 0
        ? { ...base, severity: 'warn', blocks: '', fix: 'unprivileged users may load programs: consider sysctl kernel.unprivileged_bpf_disabled=2' }
        : { ...base, severity: 'info', blocks: 'bpfscope without CAP_BPF/CAP_SYS_ADMIN (it needs privilege anyway)', fix: '' };
    case 'kernel.kptr_restrict':
      return n >= 2
        ? { ...base, severity: 'warn', blocks: 'kernel addresses: kallsyms reads as zeros, so jited dumps and link targets lose their symbols', fix: 'sysctl kernel.kptr_restrict=1 (and run with CAP_SYSLOG or as root)' }
        : { ...base, severity: 'ok', blocks: '', fix: '' };
    case 'kernel.perf_event_paranoid':
      return { ...base, severity: 'info', blocks: '', fix: '' };
    case 'kernel.bpf_stats_enabled':
      return n === 0
        ? { ...base, severity: 'info', blocks: 'run counts and run time until bpfscope turns statistics on (through an fd, for as long as a stats view is open)', fix: 'nothing: bpfscope enables them on demand; sysctl kernel.bpf_stats_enabled=1 keeps them on for everyone' }
        : { ...base, severity: 'info', blocks: '', fix: 'statistics are on for every program (costs ~20–80 ns per run)' };
    case 'net.core.bpf_jit_enable':
      return n === 0
        ? { ...base, severity: 'warn', blocks: 'jited code: programs run in the interpreter, there is nothing to disassemble', fix: 'sysctl net.core.bpf_jit_enable=1' }
        : { ...base, severity: 'ok', blocks: '', fix: '' };
    case 'net.core.bpf_jit_harden':
      return n > 0
        ? { ...base, severity: 'info', blocks: 'faithful jited code: constants are blinded, so it differs from the xlated program', fix: 'sysctl net.core.bpf_jit_harden=0 (for inspection only)' }
        : { ...base, severity: 'ok', blocks: '', fix: '' };
  }
}

/** The bracketed word of /sys/kernel/security/lockdown, e.g. `none [integrity] confidentiality`. */
export function lockdownMode(text: string): string | undefined {
  return /\[(\w+)\]/.exec(text)?.[1];
}

function lockdownFinding(text: string | undefined): Finding {
  if (text === undefined) return { id: 'lockdown', severity: 'info', value: 'unknown', blocks: '', fix: 'securityfs is not mounted or lockdown is not built in' };
  const mode = lockdownMode(text) ?? text.trim();
  if (mode === 'confidentiality') {
    return { id: 'lockdown', severity: 'block', value: mode, blocks: 'reading kernel memory: bpf() reads of maps and kallsyms addresses are refused', fix: 'boot with lockdown=integrity or none (this cannot be lowered at run time)' };
  }
  if (mode === 'integrity') return { id: 'lockdown', severity: 'info', value: mode, blocks: 'nothing bpfscope reads (it only refuses kernel writes)', fix: '' };
  return { id: 'lockdown', severity: 'ok', value: mode, blocks: '', fix: '' };
}

function mountedTypes(mounts: string | undefined): Map<string, string> {
  const byType = new Map<string, string>();
  for (const line of (mounts ?? '').split('\n')) {
    const [, target, type] = line.split(' ');
    if (type && target && !byType.has(type)) byType.set(type, target);
  }
  return byType;
}

function mountFindings(mounts: string | undefined): Finding[] {
  const types = mountedTypes(mounts);
  const bpffs = types.get('bpf');
  const tracefs = types.get('tracefs');
  const cgroup2 = types.get('cgroup2');
  return [
    bpffs
      ? { id: 'bpffs', severity: 'ok', value: bpffs, blocks: '', fix: '' }
      : { id: 'bpffs', severity: 'warn', value: 'not mounted', blocks: 'pinned objects: none can exist, and their paths cannot be shown', fix: 'mount -t bpf bpf /sys/fs/bpf' },
    tracefs
      ? { id: 'tracefs', severity: 'ok', value: tracefs, blocks: '', fix: '' }
      : { id: 'tracefs', severity: 'warn', value: 'not mounted', blocks: 'tracepoint attachment (for the tools that load programs) and trace_pipe output', fix: 'mount -t tracefs nodev /sys/kernel/tracing' },
    cgroup2
      ? { id: 'cgroup2', severity: 'ok', value: cgroup2, blocks: '', fix: '' }
      : { id: 'cgroup2', severity: 'warn', value: 'not mounted', blocks: 'the cgroup view: programs attached to cgroups cannot be found', fix: 'mount -t cgroup2 none /sys/fs/cgroup/unified' },
  ];
}

/** Every finding, most severe first (stable within a severity). */
export function diagnose(inputs: DiagnosticInputs): Finding[] {
  const findings: Finding[] = [
    ...capabilityFindings(inputs.status, inputs.enumerateError),
    ...(Object.keys(SYSCTLS) as SysctlName[]).map((name) => sysctlFinding(name, inputs.sysctls[name])),
    lockdownFinding(inputs.lockdown),
    inputs.vmlinuxBtf
      ? { id: 'btf', severity: 'ok', value: '/sys/kernel/btf/vmlinux', blocks: '', fix: '' }
      : { id: 'btf', severity: 'warn', value: 'missing', blocks: 'typed map dumps, struct_ops slots and names of kernel types', fix: 'use a kernel built with CONFIG_DEBUG_INFO_BTF=y' },
    ...mountFindings(inputs.mounts),
  ];
  const rank: Record<Severity, number> = { block: 0, warn: 1, info: 2, ok: 3 };
  return findings.map((f, i) => ({ f, i })).sort((a, b) => rank[a.f.severity] - rank[b.f.severity] || a.i - b.i).map(({ f }) => f);
}
