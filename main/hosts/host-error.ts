// Errors that cross every boundary (CLI, IPC, WebSocket, agent) as data.

export interface HostErrorData {
  /** errno name (`EPERM`) or one of ours (`ENOADDON`, `EPRIV`, `EGONE`, …). */
  code: string;
  message: string;
  hint?: string;
  syscall?: string;
  id?: number;
}

export class HostError extends Error implements HostErrorData {
  readonly code: string;
  readonly hint?: string;
  readonly syscall?: string;
  readonly id?: number;

  constructor(data: HostErrorData) {
    super(data.message);
    this.name = 'HostError';
    this.code = data.code;
    if (data.hint !== undefined) this.hint = data.hint;
    if (data.syscall !== undefined) this.syscall = data.syscall;
    if (data.id !== undefined) this.id = data.id;
  }

  toData(): HostErrorData {
    const data: HostErrorData = { code: this.code, message: this.message };
    if (this.hint !== undefined) data.hint = this.hint;
    if (this.syscall !== undefined) data.syscall = this.syscall;
    if (this.id !== undefined) data.id = this.id;
    return data;
  }
}

const HINTS: Record<string, string> = {
  EPERM: 'listing BPF objects needs CAP_SYS_ADMIN (reading them CAP_BPF): run as root, with sudo, or grant the capabilities',
  EACCES: 'the kernel refused access: check kernel.unprivileged_bpf_disabled, lockdown mode and LSM policy',
  ENOSYS: 'this kernel has no bpf() syscall (CONFIG_BPF_SYSCALL off)',
  EINVAL: 'the kernel rejected the request: it may predate this feature',
};

/** Wraps whatever a host operation threw into a HostError with a hint. */
export function toHostError(error: unknown): HostError {
  if (error instanceof HostError) return error;
  const e = error as { code?: unknown; message?: unknown; syscall?: unknown; id?: unknown; hint?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'EUNKNOWN';
  const data: HostErrorData = { code, message: typeof e?.message === 'string' ? e.message : String(error) };
  const hint = typeof e?.hint === 'string' ? e.hint : HINTS[code];
  if (hint) data.hint = hint;
  if (typeof e?.syscall === 'string') data.syscall = e.syscall;
  if (typeof e?.id === 'number' && e.id > 0) data.id = e.id;
  return new HostError(data);
}
