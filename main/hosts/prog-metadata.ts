// A program's metadata (`bpf_metadata_*` in its .rodata), found as bpftool finds it: the first of
// its maps shaped like .rodata, value read at key 0, variables decoded with the map's BTF.
// A listing asks for every program's: map shapes are kept per session (they never change while
// a map lives), and the metadata of frozen maps (libbpf freezes .rodata) with them.
import { parseFdinfo } from '../kernel/info/index.js';
import type { MetadataEntry } from '../kernel/info/metadata.js';
import { isMetadataMap } from '../kernel/info/metadata-map.js';
import type { HostSession } from './host-session.js';
import { mapShape } from './map-shape.js';

/** Maps remembered per session; past this the memory starts over (ids of unloaded maps linger). */
const MAX_REMEMBERED_MAPS = 65_536;

/** A map that may hold metadata, and what it held when frozen (it cannot change after). */
interface MapMemo {
  candidate: boolean;
  frozen?: MetadataEntry[];
}

const memos = new WeakMap<HostSession, Map<number, MapMemo>>();

function memoOf(session: HostSession): Map<number, MapMemo> {
  let memo = memos.get(session);
  if (!memo || memo.size >= MAX_REMEMBERED_MAPS) {
    memo = new Map();
    memos.set(session, memo);
  }
  return memo;
}

/** The map reader and the value decoder load only for a program that has a .rodata. */
async function readMetadata(session: HostSession, mapId: number, btfId: number, valueTypeId: number): Promise<MetadataEntry[] | null> {
  const [{ MapStream }, { decodeProgMetadata }] = await Promise.all([import('./map-stream.js'), import('../kernel/info/metadata.js')]);
  const stream = await MapStream.open(session.host, mapId, { mode: 'next' });
  if (!stream) return null;
  const step = await stream.next();
  if (step.state !== 'page' || step.page.count === 0) return null;
  const value = step.page.values.subarray(0, stream.layout.valueSize);
  return decodeProgMetadata(await session.btf(btfId), valueTypeId, value);
}

/**
 * The metadata of a program with these map ids (in the kernel's order); undefined when it has
 * none, or the map went away between the reads.
 */
export async function programMetadata(session: HostSession, mapIds: readonly number[]): Promise<MetadataEntry[] | undefined> {
  const memo = memoOf(session);
  for (const mapId of mapIds) {
    const known = memo.get(mapId);
    if (known && !known.candidate) continue;
    if (known?.frozen) return known.frozen.length > 0 ? known.frozen : undefined;
    const info = await mapShape(session.host, mapId);
    if (!info) return undefined;
    const candidate = isMetadataMap(info);
    memo.set(mapId, { candidate });
    if (!candidate) continue;
    // bpftool stops at the first .rodata-shaped map, whatever it holds.
    const entries = await readMetadata(session, mapId, info.btfId ?? 0, info.btfValueTypeId ?? 0);
    if (!entries) return undefined;
    const raw = await session.host.mapInfo(mapId);
    if (raw && parseFdinfo(raw.fdinfo).frozen) memo.set(mapId, { candidate, frozen: entries });
    return entries.length > 0 ? entries : undefined;
  }
  return undefined;
}
