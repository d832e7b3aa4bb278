// Preconditions of kernel tests: privilege, tools, BTF, and the bpffs/tracefs/securityfs mounts the
// fixtures need. Mounts what is missing; reports (or, in CI, throws) what cannot be fixed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;
const CAP_NET_ADMIN = 12n;

const REQUIRED_TOOLS: ReadonlyArray<readonly [string, string[]]> = [
  ['clang', ['--version']],
  ['gcc', ['--version']],
  ['bpftool', ['version']],
  ['ip', ['-V']],
];

const MOUNTS: ReadonlyArray<{ type: string; source: string; target: string }> = [
  { type: 'bpf', source: 'bpf', target: '/sys/fs/bpf' },
  { type: 'tracefs', source: 'nodev', target: '/sys/kernel/tracing' },
  // doctor reads the lockdown mode and the active LSMs from here.
  { type: 'securityfs', source: 'securityfs', target: '/sys/kernel/security' },
];

let cached: { reason: string | undefined } | undefined;

function effectiveCapabilities(): bigint {
  const status = readFileSync('/proc/self/status', 'utf8');
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return match ? BigInt(`0x${match[1]}`) : 0n;
}

function missingCapabilities(): string[] {
  const caps = effectiveCapabilities();
  const wanted: Array<[string, bigint]> = [
    ['CAP_BPF', CAP_BPF],
    ['CAP_PERFMON', CAP_PERFMON],
    ['CAP_SYS_ADMIN', CAP_SYS_ADMIN],
    ['CAP_NET_ADMIN', CAP_NET_ADMIN],
  ];
  return wanted.filter(([, bit]) => (caps & (1n << bit)) === 0n).map(([name]) => name);
}

function isMounted(type: string, target: string): boolean {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .some((line) => {
      const [, mountTarget, mountType] = line.split(' ');
      return mountTarget === target && mountType === type;
    });
}

function mountIfAbsent(type: string, source: string, target: string): string | undefined {
  if (isMounted(type, target)) return undefined;
  const result = spawnSync('mount', ['-t', type, source, target], { encoding: 'utf8' });
  if (result.status !== 0) {
    return `mount -t ${type} ${source} ${target} failed: ${(result.stderr || String(result.error)).trim()}`;
  }
  return undefined;
}

function findProblem(): string | undefined {
  if (process.platform !== 'linux') return `kernel tests need Linux (this is ${process.platform})`;
  const missing = missingCapabilities();
  if (missing.length > 0) return `kernel tests need root or ${missing.join(', ')} (missing from CapEff)`;
  for (const [tool, args] of REQUIRED_TOOLS) {
    const result = spawnSync(tool, args, { encoding: 'utf8' });
    if (result.error || result.status !== 0) return `kernel tests need '${tool}' on PATH`;
  }
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'kernel tests need kernel BTF (/sys/kernel/btf/vmlinux)';
  if (!existsSync('/sys/fs/cgroup/unified') && !isMounted('cgroup2', '/sys/fs/cgroup')) {
    return 'kernel tests need cgroup v2 at /sys/fs/cgroup/unified';
  }
  for (const { type, source, target } of MOUNTS) {
    const problem = mountIfAbsent(type, source, target);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Makes the machine ready for kernel tests. Returns undefined when ready, otherwise the
 * reason to skip; with CI=true it throws instead, so CI fails rather than skips.
 */
export function ensureKernelEnv(): string | undefined {
  cached ??= { reason: findProblem() };
  if (cached.reason && process.env.CI === 'true') {
    throw new Error(`kernel test environment: ${cached.reason}`);
  }
  return cached.reason;
}

/**
 * ensureKernelEnv, and also the tools a test runs beyond the common ones (bpftrace, objdump …):
 * the reason to skip, or with CI=true a throw.
 */
export function ensureKernelEnvWith(tools: readonly string[]): string | undefined {
  const reason = ensureKernelEnv() ?? tools.map((tool) => {
    const result = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
    return result.status === 0 ? undefined : `this test needs '${tool}' on PATH`;
  }).find((r) => r !== undefined);
  if (reason && process.env.CI === 'true') throw new Error(`kernel test environment: ${reason}`);
  return reason;
}
