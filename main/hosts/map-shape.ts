// A map's bpf_map_info, decoded, read without its fdinfo where the host can: for callers that
// check the shape of many maps (which one is a .rodata, which ones are prog_arrays).
import { decodeMapInfo, type MapInfo } from '../kernel/info/index.js';
import type { Host } from './host.js';

/** null: the map is gone. */
export async function mapShape(host: Host, id: number): Promise<MapInfo | null> {
  const bytes = host.mapInfoBytes ? await host.mapInfoBytes(id) : ((await host.mapInfo(id))?.info ?? null);
  return bytes && decodeMapInfo(bytes);
}
