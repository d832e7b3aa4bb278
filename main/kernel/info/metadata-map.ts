// Which map holds a program's metadata (main/kernel/info/metadata.ts decodes it), apart from the
// decoder: a listing looks at the shape of every program's maps and rarely finds one.
import type { MapInfo } from './map-info.js';

const BPF_MAP_TYPE_ARRAY = 2;

/** bpftool's test for the map holding metadata: an array of one int-keyed value with BTF, named .rodata…. */
export function isMetadataMap(info: MapInfo): boolean {
  return info.type === BPF_MAP_TYPE_ARRAY && info.keySize === 4 && info.maxEntries === 1 && !!info.btfValueTypeId && (info.name ?? '').includes('.rodata');
}
