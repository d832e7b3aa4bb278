// A program's metadata (`bpf_metadata_*` in its .rodata), found as bpftool finds it: the first of
// its maps shaped like .rodata, value read at key 0, variables decoded with the map's BTF.
// A listing asks for every program's: map shapes are kept per session (they never change while
// a map lives), and with them the metadata of frozen maps (libbpf freezes .rodata) and of maps
// whose BTF declares none.
import { parseFdinfo } from '../kernel/info/index.js';
import type { MetadataEntry } from '../kernel/info/metadata.js';
import { isMetadataMap, metadataVars } from '../kernel/info/metadata-map.js';
import type { HostSession } from './host-session.js';
import { mapShape } from './map-shape.js';

/** Maps remembered per session; past this the memory starts over (ids of unloaded maps linger). */
const MAX_REMEMBERED_MAPS = 65_536;

/** A map that may hold metadata, and what it holds once that cannot change. */
interface MapMemo {
  candidate: boolean;
  /** Set when the map is frozen (libbpf freezes .rodata) or its BTF declares no metadata. */
  settled?: MetadataEntry[];
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

/**
 * The metadata in map `mapId`'s value. The map reader and the value decoder load only for a
 * .rodata whose BTF declares metadata variables; for most, its BTF alone answers.
 */
async function readMetadata(session: HostSession, mapId: number, btfId: number, valueTypeId: number): Promise<{ entries: MetadataEntry[]; lasting: boolean } | null> {
  const btf = await session.btf(btfId);
  const vars = metadataVars(btf, valueTypeId);
  if (vars.length === 0) return { entries: [], lasting: true };
  const [{ MapStream }, { decodeProgMetadata }] = await Promise.all([import('./map-stream.js'), import('../kernel/info/metadata.js')]);
  const stream = await MapStream.open(session.host, mapId, { mode: 'next' });
  if (!stream) return null;
  const step = await stream.next();
  if (step.state !== 'page' || step.page.count === 0) return null;
  const value = step.page.values.subarray(0, stream.layout.valueSize);
  const entries = decodeProgMetadata(btf, vars, value);
  const raw = await session.host.mapInfo(mapId);
  return { entries, lasting: !!raw && !!parseFdinfo(raw.fdinfo).frozen };
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
    if (known?.settled) return known.settled.length > 0 ? known.settled : undefined;
    const info = await mapShape(session.host, mapId);
    if (!info) return undefined;
    const candidate = isMetadataMap(info);
    memo.set(mapId, { candidate });
    if (!candidate) continue;
    // bpftool stops at the first .rodata-shaped map, whatever it holds.
    const read = await readMetadata(session, mapId, info.btfId ?? 0, info.btfValueTypeId ?? 0);
    if (!read) return undefined;
    if (read.lasting) memo.set(mapId, { candidate, settled: read.entries });
    return read.entries.length > 0 ? read.entries : undefined;
  }
  return undefined;
}
