// Effective capabilities from the CapEff line of /proc/<pid>/status.

const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

export interface Capabilities {
  /** Names of the effective capabilities, `cap_<n>` for numbers newer than this table. */
  effective: string[];
  /** Enumerating objects by id needs CAP_SYS_ADMIN (CAP_BPF alone is not enough). */
  canEnumerate: boolean;
  hasBpf: boolean;
  hasPerfmon: boolean;
}

/** Parses the text of /proc/<pid>/status. Throws when CapEff is missing. */
export function parseCapabilities(statusText: string): Capabilities {
  const match = /^CapEff:\s*([0-9a-fA-F]{1,16})\s*$/m.exec(statusText);
  if (!match) throw new Error('status: no CapEff line');
  const mask = BigInt(`0x${match[1]}`);
  const effective: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((mask >> BigInt(bit)) & 1n) effective.push(CAPABILITY_NAMES[bit] ?? `cap_${bit}`);
  }
  const has = (name: string) => effective.includes(name);
  return {
    effective,
    canEnumerate: has('CAP_SYS_ADMIN'),
    hasBpf: has('CAP_BPF') || has('CAP_SYS_ADMIN'),
    hasPerfmon: has('CAP_PERFMON') || has('CAP_SYS_ADMIN'),
  };
}
