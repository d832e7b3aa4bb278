// The packed run-stats sample of every program (native/src/prog_info_all.h): fixed-size
// records read in place by index, so a sampler reads only the numbers it needs and builds
// strings (name, tag) only for programs it has not seen before.

/*
 * header   +0 u64 monotonic ns before the walk   +8 u64 after
 *          +16 u32 record count   +20 u32 truncated (1: stopped at the limit)
 *          +24 u32 record size    +28 u32 zero
 *
 * record   +0  u32 id              +4  u32 type
 *          +8  u64 run_time_ns     +16 u64 run_cnt     +24 u64 recursion_misses
 *          +32 u32 verified_insns  +36 u32 fields the kernel wrote (PROG_STATS_FIELD bits)
 *          +40 u8 tag[8]           +48 char name[16]
 */
export const PROG_STATS_HEADER_SIZE = 32;
export const PROG_STATS_RECORD_SIZE = 64;
/** Older kernels write a shorter bpf_prog_info: which counters a record really has. */
export const PROG_STATS_FIELD = {
  /** run_time_ns and run_cnt, Linux 5.1. */
  runTime: 1,
  /** Linux 5.12. */
  recursionMisses: 2,
  /** Linux 5.16. */
  verifiedInsns: 4,
} as const;

const RECORD = {
  id: 0, type: 4, runTimeNs: 8, runCnt: 16, recursionMisses: 24, verifiedInsns: 32, fields: 36, tag: 40, name: 48,
} as const;
const NAME_LEN = 16;
const TWO_32 = 2 ** 32;
/** Bound on records, as in the native walk (BS_PROG_INFO_ALL_MAX). */
const MAX_RECORDS = 1_000_000;

export interface ProgStatsRecord {
  id: number;
  type: number;
  /** The kernel's name, at most 15 characters, '' for unnamed programs. */
  name: string;
  /** bpf_prog_info.tag as 16 hex digits: with id, tells a reloaded program apart. */
  tag: string;
  /**
   * Cumulative while stats are on; undefined when the kernel's info is too short. Linux 5.1.
   * Numbers, not bigints (a sample decodes thousands): exact below 2^53, and beyond that
   * off by less than a microsecond, far below what a rate over ≥ 250 ms can show.
   */
  runTimeNs?: number;
  runCnt?: number;
  /** Linux 5.12. */
  recursionMisses?: number;
  /** Linux 5.16. */
  verifiedInsns?: number;
}

export interface ProgStatsWalk {
  /** Host CLOCK_MONOTONIC before and after the walk, ns. */
  startNs: number;
  endNs: number;
  truncated: boolean;
  records: readonly ProgStatsRecord[];
}

/** A packed sample, read in place: counters are numbers (see ProgStatsRecord), absent ones 0. */
export class ProgStatsTable {
  readonly count: number;
  /** Host CLOCK_MONOTONIC, the midpoint of the walk: rates use the host's own clock. */
  readonly monotonicNs: number;
  /** How long the walk took on the host. */
  readonly walkNs: number;
  readonly truncated: boolean;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    if (bytes.byteLength < PROG_STATS_HEADER_SIZE) throw new Error(`prog stats sample: ${bytes.byteLength} bytes, need ${PROG_STATS_HEADER_SIZE}`);
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const recordSize = this.view.getUint32(24, true);
    if (recordSize !== PROG_STATS_RECORD_SIZE) throw new Error(`prog stats sample: record size ${recordSize}, expected ${PROG_STATS_RECORD_SIZE}`);
    this.count = this.view.getUint32(16, true);
    if (this.count > MAX_RECORDS || PROG_STATS_HEADER_SIZE + this.count * PROG_STATS_RECORD_SIZE > bytes.byteLength) {
      throw new Error(`prog stats sample: ${this.count} records do not fit in ${bytes.byteLength} bytes`);
    }
    const start = this.u64(0);
    const end = this.u64(8);
    this.monotonicNs = start + (end - start) / 2;
    this.walkNs = end - start;
    this.truncated = this.view.getUint32(20, true) === 1;
  }

  id(i: number): number {
    return this.view.getUint32(at(i) + RECORD.id, true);
  }

  type(i: number): number {
    return this.view.getUint32(at(i) + RECORD.type, true);
  }

  /** PROG_STATS_FIELD bits. */
  fields(i: number): number {
    return this.view.getUint32(at(i) + RECORD.fields, true);
  }

  runTimeNs(i: number): number {
    return this.u64(at(i) + RECORD.runTimeNs);
  }

  runCnt(i: number): number {
    return this.u64(at(i) + RECORD.runCnt);
  }

  recursionMisses(i: number): number {
    return this.u64(at(i) + RECORD.recursionMisses);
  }

  verifiedInsns(i: number): number {
    return this.view.getUint32(at(i) + RECORD.verifiedInsns, true);
  }

  /** Half of the tag as a number (0: first four bytes, 1: last four): compares without a string. */
  tagWord(i: number, half: 0 | 1): number {
    return this.view.getUint32(at(i) + RECORD.tag + half * 4, false);
  }

  /** Eight bytes in memory order as hex: two big-endian u32 reads, not eight byte formats. */
  tag(i: number): string {
    return this.tagWord(i, 0).toString(16).padStart(8, '0') + this.tagWord(i, 1).toString(16).padStart(8, '0');
  }

  name(i: number): string {
    const start = at(i) + RECORD.name;
    let end = start;
    while (end < start + NAME_LEN && this.bytes[end] !== 0) end++;
    return String.fromCharCode(...this.bytes.subarray(start, end));
  }

  record(i: number): ProgStatsRecord {
    const record: ProgStatsRecord = { id: this.id(i), type: this.type(i), name: this.name(i), tag: this.tag(i) };
    const fields = this.fields(i);
    if (fields & PROG_STATS_FIELD.runTime) {
      record.runTimeNs = this.runTimeNs(i);
      record.runCnt = this.runCnt(i);
    }
    if (fields & PROG_STATS_FIELD.recursionMisses) record.recursionMisses = this.recursionMisses(i);
    if (fields & PROG_STATS_FIELD.verifiedInsns) record.verifiedInsns = this.verifiedInsns(i);
    return record;
  }

  /** Every record decoded: for one-off reads; samplers use the accessors above. */
  get records(): ProgStatsRecord[] {
    return Array.from({ length: this.count }, (_, i) => this.record(i));
  }

  private u64(offset: number): number {
    return this.view.getUint32(offset, true) + this.view.getUint32(offset + 4, true) * TWO_32;
  }
}

function at(i: number): number {
  return PROG_STATS_HEADER_SIZE + i * PROG_STATS_RECORD_SIZE;
}

export function decodeProgStatsSample(bytes: Uint8Array): ProgStatsTable {
  return new ProgStatsTable(bytes);
}

function putU64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value % TWO_32, true);
  view.setUint32(offset + 4, Math.floor(value / TWO_32), true);
}

/** The packed layout from records: for hosts that read one program at a time. */
export function encodeProgStatsSample(walk: ProgStatsWalk): Uint8Array {
  const bytes = new Uint8Array(PROG_STATS_HEADER_SIZE + walk.records.length * PROG_STATS_RECORD_SIZE);
  const view = new DataView(bytes.buffer);
  putU64(view, 0, walk.startNs);
  putU64(view, 8, walk.endNs);
  view.setUint32(16, walk.records.length, true);
  view.setUint32(20, walk.truncated ? 1 : 0, true);
  view.setUint32(24, PROG_STATS_RECORD_SIZE, true);
  walk.records.forEach((r, i) => {
    const base = at(i);
    let fields = 0;
    view.setUint32(base + RECORD.id, r.id, true);
    view.setUint32(base + RECORD.type, r.type, true);
    if (r.runTimeNs !== undefined && r.runCnt !== undefined) {
      putU64(view, base + RECORD.runTimeNs, r.runTimeNs);
      putU64(view, base + RECORD.runCnt, r.runCnt);
      fields |= PROG_STATS_FIELD.runTime;
    }
    if (r.recursionMisses !== undefined) {
      putU64(view, base + RECORD.recursionMisses, r.recursionMisses);
      fields |= PROG_STATS_FIELD.recursionMisses;
    }
    if (r.verifiedInsns !== undefined) {
      view.setUint32(base + RECORD.verifiedInsns, r.verifiedInsns, true);
      fields |= PROG_STATS_FIELD.verifiedInsns;
    }
    view.setUint32(base + RECORD.fields, fields, true);
    for (let b = 0; b < 8; b++) bytes[base + RECORD.tag + b] = Number.parseInt(r.tag.slice(b * 2, b * 2 + 2), 16) || 0;
    const name = r.name.slice(0, NAME_LEN - 1);
    for (let c = 0; c < name.length; c++) bytes[base + RECORD.name + c] = name.charCodeAt(c) & 0xff;
  });
  return bytes;
}
