// Which map holds a program's metadata (main/kernel/info/metadata.ts decodes it), apart from the
// decoder: a listing looks at the shape of every program's maps and rarely finds one.
import type { Btf } from '../btf/btf.js';
import type { MapInfo } from './map-info.js';

export const METADATA_PREFIX = 'bpf_metadata_';

const BPF_MAP_TYPE_ARRAY = 2;

/** bpftool's test for the map holding metadata: an array of one int-keyed value with BTF, named .rodata…. */
export function isMetadataMap(info: MapInfo): boolean {
  return info.type === BPF_MAP_TYPE_ARRAY && info.keySize === 4 && info.maxEntries === 1 && !!info.btfValueTypeId && (info.name ?? '').includes('.rodata');
}

/** A `bpf_metadata_*` variable of a .rodata: its name without the prefix, its type, its bytes in the value. */
export interface MetadataVar {
  name: string;
  type: number;
  offset: number;
  size: number;
}

/**
 * The `bpf_metadata_*` variables a .rodata's value type (its DATASEC) declares, in order; none
 * for a type that is no DATASEC. Most .rodata maps declare none: then there is nothing to read.
 */
export function metadataVars(btf: Btf, valueTypeId: number): MetadataVar[] {
  const datasec = btf.type(valueTypeId);
  if (datasec.kind !== 'datasec') return [];
  const vars: MetadataVar[] = [];
  for (const secinfo of datasec.vars) {
    const variable = btf.type(secinfo.type);
    if (variable.kind !== 'var' || !variable.name.startsWith(METADATA_PREFIX)) continue;
    vars.push({ name: variable.name.slice(METADATA_PREFIX.length), type: variable.type, offset: secinfo.offset, size: secinfo.size });
  }
  return vars;
}
