// One host plus what is worth keeping per host: kallsyms (bpftool rereads it
// for every program; we index it once) and parsed BTF by id. The BTF parser and the
// kallsyms index load on first use: most one-shot commands need neither.
import type { Btf } from '../kernel/btf/index.js';
import { decodeBtfInfo } from '../kernel/info/index.js';
import type { KallsymsIndex, KallsymsQuery, KallsymsScan, KernelSymbols } from '../kernel/proc/kallsyms.js';
import type { Host, RawOwnerFd } from './host.js';
import { HostError } from './host-error.js';

// Both are ~10 MB on large kernels; the agent refuses a read limit above half its frame cap.
export const KALLSYMS_LIMIT = 64 << 20;
export const VMLINUX_BTF_LIMIT = 64 << 20;
/** Program and module BTF objects kept parsed; vmlinux is kept separately. */
const BTF_CACHE_SIZE = 64;
/** An owner walk answers the questions asked while it runs and this long after. */
const OWNERS_REUSE_MS = 1000;

export class HostSession {
  readonly host: Host;
  private kallsymsIndex?: Promise<KallsymsIndex>;
  /** The first query read from kallsyms in pieces, and its answer: a caller asking the same shares it. */
  private firstScan?: { key: string; symbols: Promise<KernelSymbols> };
  private ownerWalk?: { at: number; fds: Promise<RawOwnerFd[]> };
  private vmlinux?: Promise<Btf>;
  private bpfFunctionsListed?: Promise<boolean>;
  private readonly btfById = new Map<number, Promise<Btf>>();

  constructor(host: Host) {
    this.host = host;
  }

  get label(): string {
    return this.host.label;
  }

  kallsyms(): Promise<KallsymsIndex> {
    this.kallsymsIndex ??= Promise.all([this.host.readFile('/proc/kallsyms', KALLSYMS_LIMIT), import('../kernel/proc/kallsyms.js')]).then(([bytes, { KallsymsIndex }]) =>
      KallsymsIndex.parse(new TextDecoder().decode(bytes)),
    );
    this.kallsymsIndex.catch(() => (this.kallsymsIndex = undefined));
    return this.kallsymsIndex;
  }

  /**
   * Every bpf fd of every process (a walk of /proc): the walk under way or finished within
   * OWNERS_REUSE_MS answers, so one command's list, show, attach points and summary read
   * /proc once.
   */
  owners(now: number = Date.now()): Promise<RawOwnerFd[]> {
    const walk = this.ownerWalk;
    if (walk && now - walk.at < OWNERS_REUSE_MS) return walk.fds;
    const fds = this.host.owners();
    const started = { at: now, fds };
    this.ownerWalk = started;
    fds.catch(() => {
      if (this.ownerWalk === started) this.ownerWalk = undefined;
    });
    return fds;
  }

  /**
   * The kernel symbols a query names. The first time, kallsyms is read only up to the last of
   * them (a program that calls nothing reads none of it): a one-shot command pays for what it
   * prints; the same query again shares that read. After that, or on a host that cannot read a
   * file in pieces, from the index, which the session then keeps.
   */
  async kernelSymbols(query: KallsymsQuery): Promise<KernelSymbols> {
    const { KallsymsScan } = await import('../kernel/proc/kallsyms.js');
    const scan = new KallsymsScan(query);
    if (scan.done) return scan.result();
    const key = `${query.addresses.map(String).sort().join()}/${query.callBaseOffsets.map(String).sort().join()}`;
    if (this.firstScan?.key === key) return this.firstScan.symbols;
    if (this.kallsymsIndex || !this.host.readChunks || this.firstScan) return this.kallsyms();
    const symbols = this.scanKallsyms(scan, this.host.readChunks('/proc/kallsyms', KALLSYMS_LIMIT));
    this.firstScan = { key, symbols };
    return symbols;
  }

  private async scanKallsyms(scan: KallsymsScan, chunks: AsyncIterable<Uint8Array>): Promise<KernelSymbols> {
    for await (const chunk of chunks) {
      if (scan.push(chunk)) return scan.result();
    }
    return scan.result();
  }

  /**
   * Whether kallsyms lists JIT-ed BPF functions now (bpf_jit_kallsyms_enabled: net.core.bpf_jit_kallsyms
   * on and bpf_jit_harden off); false where either cannot be read. Read once per session.
   */
  bpfFunctionsInKallsyms(): Promise<boolean> {
    const sysctl = (name: string) => this.host.readFile(`/proc/sys/net/core/${name}`, 64).then((bytes) => Number(new TextDecoder().decode(bytes).trim()));
    this.bpfFunctionsListed ??= Promise.all([sysctl('bpf_jit_kallsyms'), sysctl('bpf_jit_harden')]).then(
      ([listed, harden]) => listed === 1 && harden === 0,
      () => false,
    );
    return this.bpfFunctionsListed;
  }

  vmlinuxBtf(): Promise<Btf> {
    this.vmlinux ??= Promise.all([this.host.readFile('/sys/kernel/btf/vmlinux', VMLINUX_BTF_LIMIT), import('../kernel/btf/btf.js')]).then(([bytes, { parseBtf }]) =>
      parseBtf(bytes),
    );
    this.vmlinux.catch(() => (this.vmlinux = undefined));
    return this.vmlinux;
  }

  /** BTF object by id; module BTF is split over vmlinux, program BTF stands alone. */
  btf(id: number): Promise<Btf> {
    let cached = this.btfById.get(id);
    if (!cached) {
      cached = this.loadBtf(id);
      cached.catch(() => this.btfById.delete(id));
      if (this.btfById.size >= BTF_CACHE_SIZE) this.btfById.delete(this.btfById.keys().next().value as number);
      this.btfById.set(id, cached);
    }
    return cached;
  }

  private async loadBtf(id: number): Promise<Btf> {
    const raw = await this.host.btfInfo(id);
    if (!raw) throw new HostError({ code: 'EGONE', message: `btf ${id}: not loaded on ${this.label}`, id });
    const info = decodeBtfInfo(raw.info, raw.name);
    const { parseBtf } = await import('../kernel/btf/btf.js');
    if (info.kernelBtf && info.name !== 'vmlinux') return parseBtf(raw.data, await this.vmlinuxBtf());
    return parseBtf(raw.data, undefined, raw.zeroTail);
  }

  /** CLOCK_REALTIME − CLOCK_BOOTTIME, to show load times as wall-clock time. */
  async bootToWallNs(): Promise<bigint> {
    const clocks = await this.host.clocks();
    return clocks.realtimeNs - clocks.boottimeNs;
  }

  close(): Promise<void> {
    return this.host.close();
  }
}
