// An in-memory Host for the live layer: programs with run counters the test advances,
// ring buffers with positions, and a count of stats fds held.
import type { Host, ObjectKind, RawOwnerFd, RawRingbufPositions, StatsHold } from '../../../main/hosts/host.js';
import { PROG_INFO } from '../../../main/kernel/info/index.js';
import { encodeProgStatsSample, type ProgStatsRecord } from '../../../main/kernel/live/index.js';

export interface FakeProgram {
  id: number;
  type: number;
  name: string;
  runCnt: bigint;
  runTimeNs: bigint;
  recursionMisses: bigint;
  verifiedInsns: number;
}

/** One bpf_prog_info as the kernel writes it (only the fields the live layer reads). */
export function progInfoBytes(p: FakeProgram): Uint8Array {
  const bytes = new Uint8Array(PROG_INFO.size);
  const view = new DataView(bytes.buffer);
  view.setUint32(PROG_INFO.type, p.type, true);
  view.setUint32(PROG_INFO.id, p.id, true);
  bytes.set([1, 2, 3, 4, 5, 6, 7, p.id & 0xff], PROG_INFO.tag);
  bytes.set(new TextEncoder().encode(p.name.slice(0, 15)), PROG_INFO.name);
  view.setBigUint64(PROG_INFO.runTimeNs, p.runTimeNs, true);
  view.setBigUint64(PROG_INFO.runCnt, p.runCnt, true);
  view.setBigUint64(PROG_INFO.recursionMisses, p.recursionMisses, true);
  view.setUint32(PROG_INFO.verifiedInsns, p.verifiedInsns, true);
  return bytes;
}

/** What the native progInfoAll reports for a program (native/src/prog_info_all.h). */
export function statsRecord(p: FakeProgram): ProgStatsRecord {
  return {
    id: p.id, type: p.type, name: p.name.slice(0, 15), tag: `01020304050607${(p.id & 0xff).toString(16).padStart(2, '0')}`,
    runTimeNs: Number(p.runTimeNs), runCnt: Number(p.runCnt), recursionMisses: Number(p.recursionMisses), verifiedInsns: p.verifiedInsns,
  };
}

export class FakeHost implements Host {
  readonly label = 'fake';
  programs = new Map<number, FakeProgram>();
  ringbufs = new Map<number, RawRingbufPositions>();
  /** Host monotonic clock, advanced by the test. */
  monotonicNs = 1_000_000_000n;
  statsFds = 0;
  statsEnables = 0;
  cpus = '0-1';

  addProgram(id: number, name = `prog_${id}`): FakeProgram {
    const p: FakeProgram = { id, type: 5, name, runCnt: 0n, runTimeNs: 0n, recursionMisses: 0n, verifiedInsns: 10 };
    this.programs.set(id, p);
    return p;
  }

  async listIds(kind: ObjectKind): Promise<number[]> {
    if (kind === 'prog') return [...this.programs.keys()];
    if (kind === 'map') return [...this.ringbufs.keys()];
    return [];
  }

  async progInfo(id: number) {
    const p = this.programs.get(id);
    if (!p) return null;
    const empty = new Uint8Array(0);
    return {
      id, info: progInfoBytes(p), fdinfo: '', mapIds: empty, xlated: empty, jited: empty, jitedKsyms: empty,
      jitedFuncLens: empty, funcInfo: empty, lineInfo: empty, jitedLineInfo: empty, progTags: empty,
    };
  }

  async mapInfo(id: number) {
    const ring = this.ringbufs.get(id);
    if (!ring) return null;
    const info = new Uint8Array(104);
    const view = new DataView(info.buffer);
    view.setUint32(0, ring.mapType, true);
    view.setUint32(4, id, true);
    view.setUint32(16, ring.dataSize, true);
    info.set(new TextEncoder().encode('ring'), 24);
    return { id, info, fdinfo: '' };
  }

  async linkInfo() {
    return null;
  }

  async btfInfo() {
    return null;
  }

  async owners(): Promise<RawOwnerFd[]> {
    const fds: RawOwnerFd[] = [...this.programs.keys()].map((id, fd) => ({
      pid: 4242, fd: fd + 3, comm: 'loader', target: 'anon_inode:bpf-prog', fdinfo: `prog_id:\t${id}\n`,
    }));
    for (let i = 0; i < this.statsFds; i++) fds.push({ pid: 1, fd: 100 + i, comm: 'bpfscope', target: 'anon_inode:bpf-stats', fdinfo: '' });
    return fds;
  }

  async readFile(path: string): Promise<Uint8Array> {
    if (path === '/sys/devices/system/cpu/online') return new TextEncoder().encode(`${this.cpus}\n`);
    if (path === '/proc/sys/kernel/bpf_stats_enabled') return new TextEncoder().encode('0\n');
    throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
  }

  async openMap() {
    return null;
  }

  async enableStats(): Promise<StatsHold> {
    this.statsFds++;
    this.statsEnables++;
    let open = true;
    return {
      release: async () => {
        if (open) this.statsFds--;
        open = false;
      },
    };
  }

  /** The knownIds of each progInfoAll call (the fake always walks everything). */
  readonly knownIdsSeen: Array<number[] | undefined> = [];

  async progInfoAll(maxProgs: number, knownIds?: Uint32Array): Promise<Uint8Array> {
    this.knownIdsSeen.push(knownIds && [...knownIds]);
    const records = [...this.programs.values()].slice(0, maxProgs).map(statsRecord);
    const ns = Number(this.monotonicNs);
    return encodeProgStatsSample({ startNs: ns, endNs: ns, truncated: this.programs.size > maxProgs, records });
  }

  async ringbufPositions(mapId: number): Promise<RawRingbufPositions | null> {
    return this.ringbufs.get(mapId) ?? null;
  }

  async clocks() {
    return { realtimeNs: 0n, boottimeNs: 0n };
  }

  async close(): Promise<void> {}
}
