// The dashboard's view of a queue or stack: its head element, read without taking it and
// decoded as the map view decodes values, and how many elements the map holds at most.
import { ApiError } from '../api/errors.js';
import type { MapHead } from '../api/view-records.js';
import { MapType } from '../kernel/maps/map-kind.js';
import type { HostSession } from '../hosts/host-session.js';
import { mapValueBtf } from '../hosts/map-dump.js';
import { peekMap } from '../hosts/map-peek.js';
import { MapRowBuilder } from './map-rows.js';

const NO_KEY = new Uint8Array(0);

export async function mapHeadOf(session: HostSession, id: number): Promise<MapHead> {
  const peeked = await peekMap(session, id);
  if (!peeked) throw new ApiError({ code: 'EGONE', message: `map ${id}: not loaded on ${session.label}`, id });
  const { info, value } = peeked;
  const btf = await mapValueBtf(session, info);
  const valueSize = info.valueSize ?? 0;
  const layout = { info, keySize: 0, valueSize, stride: valueSize, cpus: 1, perCpu: false };
  const rows = new MapRowBuilder(layout, btf ? { btf, valueTypeId: info.btfValueTypeId } : {});
  const head: MapHead = { mapId: id, kind: info.type === MapType.stack ? 'stack' : 'queue', capacity: info.maxEntries ?? 0, valueType: rows.valueType, empty: value === null };
  const tree = value && rows.row(NO_KEY, value).values?.[0];
  if (tree) head.head = tree;
  return head;
}
