// Run statistics for one host, on only while someone watches. Stats are switched
// on with a BPF_ENABLE_STATS fd, never the kernel.bpf_stats_enabled sysctl: the fd
// dies with our process or the remote agent, so stats can never be left on by us.
// Leases are counted across every view and sampler of the host; the last release
// closes the fd. A sysctl someone else turned on is left alone (we never write it).
import type { Host, RawOwnerFd, StatsHold } from '../hosts/host.js';
import { LocalHost } from '../hosts/local-host.js';

const STATS_FD_TARGET = 'anon_inode:bpf-stats';
const SYSCTL_PATH = '/proc/sys/kernel/bpf_stats_enabled';

export interface RunStatsLease {
  /** Idempotent. */
  release(): Promise<void>;
}

export interface StatsHolder {
  pid: number;
  comm: string;
  fd: number;
  /** This process (local hosts only: a remote agent's pid is not known here). */
  self: boolean;
}

export interface RunStatsStatus {
  /** Stats are counting on the host: our fd, someone else's, or the sysctl. */
  on: boolean;
  /** We hold an ENABLE_STATS fd right now. */
  heldByUs: boolean;
  /** Our live leases (views and samplers that need stats). */
  leases: number;
  /** kernel.bpf_stats_enabled; it does not reflect fd-held stats. undefined: unreadable. */
  sysctl: boolean | undefined;
  /** Every process holding an `anon_inode:bpf-stats` fd, us included. */
  holders: StatsHolder[];
}

/** Processes holding a stats fd, from the owner scan. */
export function findStatsHolders(fds: readonly RawOwnerFd[], selfPid: number | undefined): StatsHolder[] {
  return fds
    .filter((fd) => fd.target === STATS_FD_TARGET)
    .map((fd) => ({ pid: fd.pid, comm: fd.comm, fd: fd.fd, self: fd.pid === selfPid }));
}

export class RunStatsSwitch {
  readonly host: Host;
  private readonly selfPid: number | undefined;
  private leaseCount = 0;
  private hold: StatsHold | undefined;
  /** Enabling and releasing run one after the other, never interleaved. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(host: Host, selfPid?: number) {
    this.host = host;
    this.selfPid = selfPid;
  }

  get leases(): number {
    return this.leaseCount;
  }

  get heldByUs(): boolean {
    return this.hold !== undefined;
  }

  /**
   * Resolves once stats are on. If the host refuses the fd (kernels before 5.8 lack
   * BPF_ENABLE_STATS) but kernel.bpf_stats_enabled is already 1, stats count anyway and
   * the lease holds nothing; otherwise the refusal is thrown.
   */
  acquire(): Promise<RunStatsLease> {
    return this.serialize(async () => {
      if (this.leaseCount === 0) {
        try {
          this.hold = await this.host.enableStats();
        } catch (error) {
          if ((await this.readSysctl()) !== true) throw error;
        }
      }
      this.leaseCount++;
      let released = false;
      return {
        release: () => {
          if (released) return Promise.resolve();
          released = true;
          return this.serialize(() => this.dropLease());
        },
      };
    });
  }

  /** Closes the fd whatever the lease count: the host session is going away. */
  releaseAll(): Promise<void> {
    return this.serialize(async () => {
      this.leaseCount = 0;
      await this.closeHold();
    });
  }

  async status(): Promise<RunStatsStatus> {
    return this.statusFrom(await this.host.owners());
  }

  /** status() from an owner scan already made (a sampler's). */
  async statusFrom(owners: readonly RawOwnerFd[]): Promise<RunStatsStatus> {
    const sysctl = await this.readSysctl();
    const holders = findStatsHolders(owners, this.selfPid);
    return {
      on: this.heldByUs || sysctl === true || holders.length > 0,
      heldByUs: this.heldByUs,
      leases: this.leaseCount,
      sysctl,
      holders,
    };
  }

  private async readSysctl(): Promise<boolean | undefined> {
    try {
      const text = new TextDecoder().decode(await this.host.readFile(SYSCTL_PATH, 16));
      return text.trim() !== '0';
    } catch {
      return undefined;
    }
  }

  private async dropLease(): Promise<void> {
    if (this.leaseCount === 0) return;
    this.leaseCount--;
    if (this.leaseCount === 0) await this.closeHold();
  }

  private async closeHold(): Promise<void> {
    const hold = this.hold;
    this.hold = undefined;
    await hold?.release();
  }

  private serialize<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step, step);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

const switches = new WeakMap<Host, RunStatsSwitch>();

/** The one switch of a host, shared by everything that samples it. */
export function runStatsSwitchFor(host: Host): RunStatsSwitch {
  let found = switches.get(host);
  if (!found) {
    found = new RunStatsSwitch(host, host instanceof LocalHost ? process.pid : undefined);
    switches.set(host, found);
  }
  return found;
}
