// A map's bpf_map_info, decoded, read without its fdinfo where the host can: for callers that
// check the shape of many maps (which one is a .rodata, which ones are prog_arrays).
import { decodeMapInfo, type MapInfo } from '../kernel/info/index.js';
import { decodeMapBatch } from '../kernel/info/map-batch.js';
import { MAX_OBJECTS_PER_KIND, type Host } from './host.js';

/** Maps per batch: every map of a busy host in one trip through the thread pool (~0.5 MB). */
const MAP_BATCH = 1024;

/** null: the map is gone. */
export async function mapShape(host: Host, id: number): Promise<MapInfo | null> {
  const bytes = host.mapInfoBytes ? await host.mapInfoBytes(id) : ((await host.mapInfo(id))?.info ?? null);
  return bytes && decodeMapInfo(bytes);
}

/**
 * Every map's info, decoded, in id order; maps gone meanwhile are left out. Read in batches where
 * the host can (on the thread pool: a show walked 170 maps one addon call at a time on its own
 * thread, 1.5-7 ms), else a map at a time.
 */
export async function everyMapShape(host: Host): Promise<MapInfo[]> {
  const shapes: MapInfo[] = [];
  if (!host.mapInfoBatch) {
    for (const id of await host.listIds('map')) {
      const info = await mapShape(host, id);
      if (info) shapes.push(info);
    }
    return shapes;
  }
  for (let after = 0; ; ) {
    const batch = decodeMapBatch(await host.mapInfoBatch(after, Math.min(MAP_BATCH, MAX_OBJECTS_PER_KIND - shapes.length)));
    for (const record of batch.records) shapes.push(decodeMapInfo(record.info));
    const last = batch.records.at(-1);
    if (!batch.more || !last || shapes.length >= MAX_OBJECTS_PER_KIND) return shapes;
    after = last.id;
  }
}
