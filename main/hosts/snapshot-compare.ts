// Reads what a comparison needs from any host (a snapshot or the live host, through the same
// Host operations) and renders keys and values with the map's BTF where it has one.
import { ValueWriters } from '../kernel/btf/index.js';
import { decodeMapInfo, decodeProgInfo, progFullName } from '../kernel/info/index.js';
import { hexBytes } from '../kernel/isa/index.js';
import { isPerCpuMap } from '../kernel/maps/map-kind.js';
import { MapSnapshot } from '../kernel/maps/snapshot.js';
import { mapTypeName, progTypeName } from '../kernel/names/index.js';
import type { EntryRenderer, HostState, MapState, Side } from '../kernel/snapshot/diff.js';
import type { HostSession } from './host-session.js';
import { MapStream } from './map-stream.js';
import { SnapshotHost } from './snapshot-host.js';

interface TypedMap {
  writers: ValueWriters;
  keyTypeId: number;
  valueTypeId: number;
}

/**
 * Reads programs, maps and (up to maxEntries per map, totalEntries over all maps) contents of
 * the session's host; maps read short or not at all for the total are marked partial.
 */
export async function readHostState(session: HostSession, maxEntries: number, totalEntries = Infinity): Promise<HostState> {
  let left = totalEntries;
  const { host } = session;
  const state: HostState = { label: session.label, programs: [], maps: [], contents: new Map(), partial: new Set() };
  for (const id of await host.listIds('prog')) {
    const raw = await host.progInfo(id, false);
    if (!raw) continue;
    const info = decodeProgInfo(raw.info);
    state.programs.push({ id, name: progFullName(info), type: progTypeName(info.type) ?? String(info.type), tag: info.tag ?? '' });
  }
  for (const id of await host.listIds('map')) {
    const raw = await host.mapInfo(id);
    if (!raw) continue;
    const info = decodeMapInfo(raw.info);
    const map: MapState = {
      id, name: info.name ?? '', type: mapTypeName(info.type) ?? String(info.type),
      keySize: info.keySize ?? 0, valueSize: info.valueSize ?? 0, maxEntries: info.maxEntries ?? 0,
    };
    state.maps.push(map);
    if (left <= 0) {
      state.partial!.add(id);
      continue;
    }
    const contents = await readContents(session, id, Math.min(maxEntries, left));
    if (!contents) continue;
    left -= contents.snapshot.size;
    state.contents.set(id, contents.snapshot);
    // A snapshot recorded under --max-entries holds part of the map even when read whole.
    const recorded = host instanceof SnapshotHost ? host.manifest.mapContents[String(id)] : undefined;
    if (!contents.complete || recorded?.complete === false) state.partial!.add(id);
  }
  return state;
}

async function readContents(session: HostSession, id: number, maxEntries: number): Promise<{ snapshot: MapSnapshot; complete: boolean } | undefined> {
  try {
    const stream = await MapStream.open(session.host, id);
    if (!stream) return undefined;
    const snapshot = new MapSnapshot(stream.layout.keySize, stream.layout.stride);
    for await (const page of stream.pages()) {
      snapshot.add(page);
      if (snapshot.size >= maxEntries) return { snapshot, complete: false };
    }
    return { snapshot, complete: true };
  } catch (error) {
    // A snapshot's recorded contents that cannot be read are damage, which a diff must not hide.
    if (session.host instanceof SnapshotHost && session.host.manifest.mapContents[String(id)]) throw error;
    // Contents not recorded in a snapshot, or a map type without readable entries: compare the rest.
    return undefined;
  }
}

/** Keys and values as bpftool -j prints them (BTF maps), else as hex bytes. */
export class BtfEntryRenderer implements EntryRenderer {
  private readonly typed: Record<Side, Map<number, TypedMap>> = { before: new Map(), after: new Map() };

  /** Loads the BTF of every map with contents on each side. */
  static async load(sides: Record<Side, [HostSession, HostState]>): Promise<BtfEntryRenderer> {
    const renderer = new BtfEntryRenderer();
    for (const side of ['before', 'after'] as const) {
      const [session, state] = sides[side];
      for (const id of state.contents.keys()) {
        const typed = await typedMap(session, id);
        if (typed) renderer.typed[side].set(id, typed);
      }
    }
    return renderer;
  }

  private render(side: Side, mapId: number, which: 'keyTypeId' | 'valueTypeId', bytes: Uint8Array): string {
    const typed = this.typed[side].get(mapId);
    if (typed && typed[which] !== 0) {
      const w = typed.writers.writer(typed[which], bytes.length, { text: false, depth: 0 });
      if (!w.stops && !w.error) return typed.writers.format(typed[which], bytes);
    }
    return hexBytes(bytes);
  }

  key(side: Side, mapId: number, bytes: Uint8Array): string {
    return this.render(side, mapId, 'keyTypeId', bytes);
  }

  value(side: Side, mapId: number, bytes: Uint8Array): string {
    return this.render(side, mapId, 'valueTypeId', bytes);
  }
}

async function typedMap(session: HostSession, id: number): Promise<TypedMap | undefined> {
  const raw = await session.host.mapInfo(id);
  if (!raw) return undefined;
  const info = decodeMapInfo(raw.info);
  // Per-CPU values are one slot per CPU: shown as bytes.
  if (!info.btfId || !info.btfValueTypeId || isPerCpuMap(info.type)) return undefined;
  try {
    const btf = await session.btf(info.btfId);
    return { writers: new ValueWriters(btf), keyTypeId: info.btfKeyTypeId ?? 0, valueTypeId: info.btfValueTypeId };
  } catch {
    return undefined;
  }
}
