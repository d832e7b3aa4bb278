// Arena maps (BPF_MAP_TYPE_ARENA, Linux 6.9): a sparse region of pages shared by BPF programs and
// the user processes that mmap it, at the same addresses in both. Its map info says how big it is
// (max_entries pages), where user space sees it (map_extra: the start fixed at creation, or 0
// until the first mmap picks one) and how it behaves (flags). How many pages are in use the kernel
// does not say (its memory use reads 0); what a process that mapped the arena has of it, its
// pages present there, can be read from that process (kern_read.h).

import type { MapInfo } from '../info/map-info.js';

export const BPF_MAP_TYPE_ARENA = 33;
const BPF_F_MMAPABLE = 1 << 10;
const BPF_F_SEGV_ON_FAULT = 1 << 17;
const BPF_F_NO_USER_CONV = 1 << 18;

export interface ArenaInfo {
  pages: number;
  /** pages × the host's page size. */
  bytes: number;
  /** Where user space sees page 0; undefined until a process maps the arena (map_extra 0). */
  userVmStart?: bigint;
  /** A user-space access to a page no program allocated faults (SIGSEGV) instead of allocating it. */
  segvOnFault: boolean;
  /** Programs keep arena pointers as 32-bit offsets, not user addresses. */
  noUserConv: boolean;
  mmapable: boolean;
}

export function arenaOf(info: MapInfo, pageSize: number): ArenaInfo | undefined {
  if (info.type !== BPF_MAP_TYPE_ARENA) return undefined;
  const flags = info.mapFlags ?? 0;
  const pages = info.maxEntries ?? 0;
  const arena: ArenaInfo = {
    pages,
    bytes: pages * pageSize,
    segvOnFault: (flags & BPF_F_SEGV_ON_FAULT) !== 0,
    noUserConv: (flags & BPF_F_NO_USER_CONV) !== 0,
    mmapable: (flags & BPF_F_MMAPABLE) !== 0,
  };
  if (info.mapExtra) arena.userVmStart = info.mapExtra;
  return arena;
}

export interface Mapping {
  start: bigint;
  end: bigint;
}

/** The BPF map mappings (anon_inode:bpf-map) of a process's /proc/PID/maps. */
export function bpfMapMappings(mapsText: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of mapsText.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s+anon_inode:bpf-map$/.exec(line.trimEnd());
    if (m) out.push({ start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`) });
  }
  return out;
}

/** The arena's mapping in a process's /proc/PID/maps: a bpf-map mapping starting where the arena does. */
export function mapsArenaAt(mapsText: string, start: bigint): Mapping | undefined {
  return bpfMapMappings(mapsText).find((m) => m.start === start);
}

/**
 * The kernel reports an arena's user address only when it was fixed at creation (map_extra): the
 * address the first mmap picked is not in bpf_map_info. Such an arena is found among a process's
 * BPF map mappings by its size, which every mapping of it has (the kernel refuses any other).
 */
export function mapsOfSize(mapsText: string, bytes: bigint): Mapping[] {
  return bpfMapMappings(mapsText).filter((m) => m.end - m.start === bytes);
}

export interface HexRow {
  address: bigint;
  hex: string;
  ascii: string;
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A page as hexdump -C shows it: 16 bytes a row, two groups of 8, printable ASCII beside. */
export function hexRows(bytes: Uint8Array, base: bigint): HexRow[] {
  const rows: HexRow[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const chunk = bytes.subarray(at, at + 16);
    const hex = Array.from(chunk, (b, i) => (i === 8 ? ' ' : '') + HEX2[b]!).join(' ');
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    rows.push({ address: base + BigInt(at), hex, ascii });
  }
  return rows;
}

/** A row of a hexdump, or a run of rows equal to the one before it (hexdump -C's `*`). */
export type HexdumpLine = HexRow | { repeated: number };

/** hexdump -C's lines for a page: a run of rows equal to the row before it is one entry. */
export function hexdumpLines(bytes: Uint8Array, base: bigint): HexdumpLine[] {
  const lines: HexdumpLine[] = [];
  let previous: string | undefined;
  for (const row of hexRows(bytes, base)) {
    if (row.hex !== previous) {
      previous = row.hex;
      lines.push(row);
      continue;
    }
    const last = lines[lines.length - 1]!;
    if ('repeated' in last) last.repeated++;
    else lines.push({ repeated: 1 });
  }
  return lines;
}

/** hexdump -C's text for a page (the address column 16 digits wide). */
export function hexdumpText(bytes: Uint8Array, base: bigint): string {
  let out = '';
  for (const line of hexdumpLines(bytes, base)) {
    out += 'repeated' in line ? '*\n' : `${line.address.toString(16).padStart(16, '0')}  ${line.hex.padEnd(48)}  |${line.ascii}|\n`;
  }
  return out;
}
