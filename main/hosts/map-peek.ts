// The head of a queue or stack map, read without taking it: the kernel's peek
// (BPF_MAP_LOOKUP_ELEM without a key). Pop is never issued: the element stays for its owner.
import type { MapInfo } from '../kernel/info/index.js';
import { MapType } from '../kernel/maps/map-kind.js';
import { mapTypeName } from '../kernel/names/index.js';
import { HostError } from './host-error.js';
import type { HostSession } from './host-session.js';
import { mapShape } from './map-shape.js';

export interface MapHead {
  info: MapInfo;
  /** The head element's value_size bytes; null when the map holds nothing. */
  value: Uint8Array | null;
}

/** Queues and stacks: the map types whose head a peek reads. */
function isPeekable(type: number): boolean {
  return type === MapType.queue || type === MapType.stack;
}

/** The map's head element; null when the map is gone (before or while it is read). */
export async function peekMap(session: HostSession, id: number): Promise<MapHead | null> {
  const { host } = session;
  const info = await mapShape(host, id);
  if (!info) return null;
  if (!isPeekable(info.type)) {
    const type = mapTypeName(info.type) ?? `type ${info.type}`;
    throw new HostError({ code: 'EINVAL', message: `map ${id}: peek reads the head of a queue or stack; this map is a ${type}`, hint: `bpfscope dump map ${id} lists its entries`, id });
  }
  if (!host.mapPeek) throw new HostError({ code: 'ENOTSUP', message: `map ${id}: ${session.label} cannot peek at maps`, id });
  const head = await host.mapPeek(id);
  return head && { info, value: head.value };
}
