// Decodes the packed run-stats sample of every program (native/src/prog_info_all.h):
// only the fields a live view needs, read by offset from each bpf_prog_info.
import { PROG_INFO as O } from '../info/layout.js';

/*
 * header   +0 u64 monotonic ns before the walk   +8 u64 after
 *          +16 u32 record count                  +20 u32 truncated (1: stopped at the limit)
 * record   +0 u32 id  +4 u32 info_len  +8 info bytes, zero-padded to a multiple of 8
 */
const HEADER_SIZE = 24;
const RECORD_HEAD = 8;
const NAME_LEN = 16;

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

export interface ProgStatsSample {
  /** Host CLOCK_MONOTONIC, the midpoint of the walk: rates use the host's own clock. */
  monotonicNs: number;
  /** How long the walk took on the host. */
  walkNs: number;
  truncated: boolean;
  records: ProgStatsRecord[];
}

const TWO_32 = 2 ** 32;

function u64(view: DataView, at: number, end: number): number | undefined {
  return at + 8 <= end ? view.getUint32(at, true) + view.getUint32(at + 4, true) * TWO_32 : undefined;
}

/** Eight bytes in memory order as hex: two big-endian u32 reads, not eight byte formats. */
function hex8(view: DataView, at: number): string {
  return view.getUint32(at, false).toString(16).padStart(8, '0') + view.getUint32(at + 4, false).toString(16).padStart(8, '0');
}

function cString(bytes: Uint8Array, at: number, len: number): string {
  let end = at;
  while (end < at + len && bytes[end] !== 0) end++;
  let s = '';
  for (let i = at; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

export function decodeProgStatsSample(bytes: Uint8Array): ProgStatsSample {
  if (bytes.byteLength < HEADER_SIZE) throw new Error(`prog stats sample: ${bytes.byteLength} bytes, need ${HEADER_SIZE}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = u64(view, 0, HEADER_SIZE)!;
  const end = u64(view, 8, HEADER_SIZE)!;
  const count = view.getUint32(16, true);
  const records: ProgStatsRecord[] = [];
  let at = HEADER_SIZE;
  // Bounded by count and by the buffer: each record takes at least RECORD_HEAD bytes.
  for (let i = 0; i < count; i++) {
    if (at + RECORD_HEAD > bytes.byteLength) throw new Error(`prog stats sample: record ${i} of ${count} truncated`);
    const id = view.getUint32(at, true);
    const infoLen = view.getUint32(at + 4, true);
    const info = at + RECORD_HEAD;
    const infoEnd = info + infoLen;
    if (infoEnd > bytes.byteLength || infoLen < O.name + NAME_LEN) {
      throw new Error(`prog stats sample: record ${i} (id ${id}): bad info_len ${infoLen}`);
    }
    const record: ProgStatsRecord = {
      id,
      type: view.getUint32(info + O.type, true),
      name: cString(bytes, info + O.name, NAME_LEN),
      tag: hex8(view, info + O.tag),
    };
    const runTimeNs = u64(view, info + O.runTimeNs, infoEnd);
    if (runTimeNs !== undefined) record.runTimeNs = runTimeNs;
    const runCnt = u64(view, info + O.runCnt, infoEnd);
    if (runCnt !== undefined) record.runCnt = runCnt;
    const misses = u64(view, info + O.recursionMisses, infoEnd);
    if (misses !== undefined) record.recursionMisses = misses;
    if (info + O.verifiedInsns + 4 <= infoEnd) record.verifiedInsns = view.getUint32(info + O.verifiedInsns, true);
    records.push(record);
    at = info + ((infoLen + 7) & ~7);
  }
  return { monotonicNs: start + (end - start) / 2, walkNs: end - start, truncated: view.getUint32(20, true) === 1, records };
}
