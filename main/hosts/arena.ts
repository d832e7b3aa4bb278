// An arena map read on a host: its info, and its pages as a process that mapped it sees them. The
// kernel keeps no count of an arena's pages in use, and reading one through a mapping of our own
// would allocate every page it touches (an arena fault allocates a zeroed page unless the map
// has BPF_F_SEGV_ON_FAULT). So bpfscope reads through a holder of the map that mmapped it: the
// pages present in that process (its pagemap), copied from its memory (procMapPages). Pages the
// BPF programs allocated and that process never touched are not seen; the count is a floor.
import { arenaOf, hexdumpLines, mapsArenaAt, mapsOfSize, type ArenaInfo, type Mapping } from '../kernel/maps/arena.js';
import { HostError, toHostError } from './host-error.js';
import type { HostSession } from './host-session.js';
import { getMap } from './inventory.js';

/** Pages walked per call (the native bound) and per read at most (1 GiB at 4 KiB pages). */
const CHUNK_PAGES = 256;
const MAX_SCAN_PAGES = 1 << 18;
/** Page size assumed until a read through a holder says the host's. */
const DEFAULT_PAGE_SIZE = 4096;

export interface ArenaPage {
  index: number;
  address: bigint;
  bytes: Uint8Array;
}

export interface ArenaRead {
  id: number;
  name: string;
  arena: ArenaInfo;
  /** The process read through, when one mapped the arena. */
  holder?: { pid: number; comm: string };
  /** Where the holder has the arena mapped, and how that was found (the kernel reports an address only when it was fixed at creation). */
  mapped?: { start: bigint; by: 'map_extra' | 'size' };
  /** Why no pages could be read. */
  note?: string;
  scannedPages: number;
  presentPages: number;
  /** The first present pages, up to the number asked for. */
  pages: ArenaPage[];
}

export async function readArena(session: HostSession, id: number, maxPages: number): Promise<ArenaRead> {
  const show = await getMap(session, id);
  if (!show) throw new HostError({ code: 'EGONE', message: `map ${id}: not loaded on ${session.label}`, id });
  const arena = arenaOf(show.info, DEFAULT_PAGE_SIZE);
  if (!arena) throw new HostError({ code: 'EINVAL', message: `map ${id} is not an arena` });
  const read: ArenaRead = { id, name: show.info.name ?? '', arena, scannedPages: 0, presentPages: 0, pages: [] };
  if (!session.host.procMapPages) return { ...read, note: `${session.label} cannot read a process's mapping (an object file or an older agent)` };
  let unreadable: string | undefined;
  const seen = new Set<number>();
  for (const owner of show.owners ?? []) {
    if (seen.has(owner.pid)) continue;
    seen.add(owner.pid);
    // A holder that exited meanwhile is passed over; any other failure (a snapshot taken before
    // arenas were recorded, no permission) is said if no holder has the arena mapped.
    const maps = await session.host.readFile(`/proc/${owner.pid}/maps`, 64 << 20).then((b) => new TextDecoder().decode(b), (error: unknown) => {
      const e = toHostError(error);
      if (e.code !== 'ENOENT' && e.code !== 'ESRCH') unreadable = `reading pid ${owner.pid}'s mappings: ${e.message}`;
      return '';
    });
    const mapping = arena.userVmStart === undefined ? mappingBySize(maps, BigInt(arena.bytes), owner.pid) : mapsArenaAt(maps, arena.userVmStart);
    if (typeof mapping === 'string') {
      unreadable = mapping;
      continue;
    }
    if (!mapping) continue;
    read.holder = { pid: owner.pid, comm: owner.comm };
    read.mapped = { start: mapping.start, by: arena.userVmStart === undefined ? 'size' : 'map_extra' };
    try {
      await scan(session, owner.pid, mapping.start, mapping.end, read, maxPages);
    } catch (error) {
      read.note = `reading pid ${owner.pid}'s mapping: ${toHostError(error).message}`;
    }
    return read;
  }
  const none = arena.userVmStart === undefined ? 'no process holding the map has it mapped (an arena created without an address gets one at its first mmap)' : 'no process holding the map has it mapped now';
  return { ...read, note: unreadable ?? none };
}

/** An arena created without an address in a holder's mappings: the one BPF map mapping of its size, or why not. */
function mappingBySize(maps: string, bytes: bigint, pid: number): Mapping | string | undefined {
  const found = mapsOfSize(maps, bytes);
  if (found.length > 1) return `pid ${pid} maps ${found.length} BPF maps of the arena's size (${bytes} bytes) and the kernel does not say where the arena is (it was created without an address)`;
  return found[0];
}

async function scan(session: HostSession, pid: number, start: bigint, end: bigint, read: ArenaRead, maxPages: number): Promise<void> {
  let pageSize = DEFAULT_PAGE_SIZE;
  for (let index = 0; index < MAX_SCAN_PAGES; ) {
    const at = start + BigInt(index * pageSize);
    if (at >= end) break;
    const pages = Math.min(CHUNK_PAGES, Number((end - at) / BigInt(pageSize)));
    if (pages === 0) break;
    const chunk = await session.host.procMapPages!(pid, at, pages);
    if (chunk.pageSize !== pageSize) {
      // Another page size: the arena's size in bytes and the walk follow the host's.
      pageSize = chunk.pageSize;
      read.arena = { ...read.arena, bytes: read.arena.pages * pageSize };
      if (index > 0) throw new HostError({ code: 'EPROTO', message: 'the page size changed during the walk' });
      continue;
    }
    let copied = 0;
    chunk.present.forEach((present, i) => {
      if (!present) return;
      read.presentPages++;
      if (read.pages.length < maxPages) {
        read.pages.push({ index: index + i, address: at + BigInt(i * pageSize), bytes: chunk.bytes.slice(copied * pageSize, (copied + 1) * pageSize) });
      }
      copied++;
    });
    index += pages;
    read.scannedPages = index;
  }
}


export const hex = (n: bigint): string => `0x${n.toString(16)}`;

export function arenaInfoJson(arena: ArenaInfo): Record<string, unknown> {
  return { pages: arena.pages, bytes: arena.bytes, user_vm_start: arena.userVmStart === undefined ? null : hex(arena.userVmStart), segv_on_fault: arena.segvOnFault, no_user_conv: arena.noUserConv };
}

/**
 * A read as `dump map ID --json` prints it: each page's bytes as one hex string, or (for the
 * dashboard, which does not decode bytes) as hexdump -C's lines.
 */
export function arenaReadJson(read: ArenaRead, pageForm: 'hex' | 'lines'): Record<string, unknown> {
  return {
    id: read.id, name: read.name, arena: arenaInfoJson(read.arena), holder: read.holder ?? null,
    mapped_at: read.mapped ? { address: hex(read.mapped.start), found_by: read.mapped.by } : null,
    pages_scanned: read.scannedPages, pages_present: read.presentPages,
    pages: read.pages.map((p) => ({
      index: p.index, address: hex(p.address),
      ...(pageForm === 'hex'
        ? { bytes: Buffer.from(p.bytes).toString('hex') }
        : { lines: hexdumpLines(p.bytes, p.address).map((l) => ('repeated' in l ? l : { address: hex(l.address), hex: l.hex, ascii: l.ascii })) }),
    })),
    ...(read.note ? { note: read.note } : {}),
  };
}
