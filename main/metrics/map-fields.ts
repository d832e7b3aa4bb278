// `--map-field MAP:FIELD` and `--map-field MAP[KEY]:FIELD`: a numeric field of a map's
// values, one gauge per key (or per chosen key), labelled with the key as bpftool prints
// it. MAP is a map name (every map of that name) or id; FIELD a path into the value's BTF
// type as the map view names it (`count`, `origin.x`, `path[2].y`; `value` for a map
// without BTF whose value is a plain integer). Per-CPU values are summed over the CPUs.
import { ValueWriters, type Btf } from '../kernel/btf/index.js';
import { numericFields, perCpuSpread, readField, type NumericField } from '../kernel/maps/fields.js';
import { parseMapKey } from '../kernel/maps/key-parse.js';
import type { HostSession } from '../hosts/host-session.js';
import { MapStream } from '../hosts/map-stream.js';
import { pageEntriesFor, type CountedMap } from './entry-counts.js';

/** Series per --map-field and map: the first keys in the map's order. */
export const MAX_FIELD_SERIES = 1000;
/** Entries read per --map-field and map when looking for chosen keys. */
export const MAX_FIELD_WALK = 65536;
/** Resolutions kept (map id and spec); maps come and go, so the table is bounded. */
const MAX_RESOLVED = 4096;

export interface MapFieldSpec {
  /** As typed, for messages. */
  text: string;
  map: { id: number } | { name: string };
  field: string;
  /** Chosen keys as typed (parsed once the map's key size is known); absent: every key. */
  keys?: string[];
}

export interface FieldReading {
  mapId: number;
  mapName: string;
  field: string;
  key: string;
  value: number;
}

const SPEC = /^([^:[\]]+)(?:\[([^\]]+)\])?:(.+)$/;

/** Parses one --map-field value; throws an Error saying what is wrong. */
export function parseMapFieldSpec(text: string): MapFieldSpec {
  const m = SPEC.exec(text.trim());
  if (!m) throw new Error(`--map-field '${text}': expected MAP:FIELD or MAP[KEY]:FIELD (e.g. counts:packets, counts[42]:bytes)`);
  const [, map, key, field] = m as unknown as [string, string, string | undefined, string];
  const spec: MapFieldSpec = { text, map: /^\d+$/.test(map) ? { id: Number(map) } : { name: map }, field };
  if (key !== undefined) spec.keys = [key];
  return spec;
}

/** Joins specs that name the same map and field, so each map is read once per field. */
export function mergeMapFieldSpecs(specs: readonly MapFieldSpec[]): MapFieldSpec[] {
  const merged = new Map<string, MapFieldSpec>();
  for (const spec of specs) {
    const id = `${'id' in spec.map ? `#${spec.map.id}` : spec.map.name}:${spec.field}`;
    const known = merged.get(id);
    if (!known) merged.set(id, { ...spec, ...(spec.keys && { keys: [...spec.keys] }) });
    else if (!known.keys || !spec.keys) delete known.keys;
    else known.keys.push(...spec.keys);
  }
  return [...merged.values()];
}

export function specMatches(spec: MapFieldSpec, id: number, name: string): boolean {
  return 'id' in spec.map ? spec.map.id === id : spec.map.name === name;
}

/** A spec resolved against one map: where the field is and how keys are labelled. */
interface Resolved {
  field: NumericField;
  keyLabel: (key: Uint8Array) => string;
  keys?: Set<string>;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function littleEndianInteger(bytes: Uint8Array): string {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v.toString();
}

/** The key as bpftool's JSON prints it (a string key without its quotes); bytes without BTF. */
function keyLabeller(btf: Btf | undefined, keyTypeId: number): (key: Uint8Array) => string {
  if (btf && keyTypeId) {
    const writers = new ValueWriters(btf);
    return (key) => {
      const text = writers.format(keyTypeId, key);
      if (!text.startsWith('"')) return text;
      try {
        return JSON.parse(text) as string;
      } catch {
        // bpftool's escapes are not all JSON's (a backslash prints as \n): keep its text.
        return text.slice(1, -1);
      }
    };
  }
  return (key) => ([1, 2, 4, 8].includes(key.length) ? littleEndianInteger(key) : hex(key));
}

/** Reads the fields of every matching map on one host, keeping resolutions per map id. */
export class MapFieldReader {
  private readonly resolved = new Map<string, Resolved | string>();

  constructor(
    private readonly session: HostSession,
    readonly specs: readonly MapFieldSpec[],
  ) {}

  /** Readings of `spec` in map `id`; problems (no such field, bad key) are returned as text. */
  async read(spec: MapFieldSpec, map: CountedMap & { name: string }): Promise<FieldReading[] | string> {
    const { id, name } = map;
    const stream = await MapStream.open(this.session.host, id, { pageEntries: pageEntriesFor(map.maxEntries, map.entryBytes, MAX_FIELD_WALK) });
    if (!stream) return [];
    const resolved = await this.resolve(spec, stream);
    if (typeof resolved === 'string') return resolved;
    const { keySize, stride, cpus, perCpu, valueSize } = stream.layout;
    const slot = perCpu ? stride / cpus : valueSize;
    const out: FieldReading[] = [];
    let walked = 0;
    for await (const page of stream.pages()) {
      const view = new DataView(page.values.buffer, page.values.byteOffset, page.values.byteLength);
      for (let i = 0; i < page.count && out.length < MAX_FIELD_SERIES; i++) {
        const keyBytes = page.keys.subarray(i * keySize, (i + 1) * keySize);
        if (resolved.keys && !resolved.keys.has(hex(keyBytes))) continue;
        const value = perCpu ? perCpuSpread(view, i * stride, slot, cpus, resolved.field).sum : readField(view, i * stride, resolved.field);
        out.push({ mapId: id, mapName: name, field: spec.field, key: resolved.keyLabel(keyBytes), value });
      }
      walked += page.count;
      if (out.length >= MAX_FIELD_SERIES || walked >= MAX_FIELD_WALK || (resolved.keys && out.length === resolved.keys.size)) break;
    }
    return out;
  }

  private async resolve(spec: MapFieldSpec, stream: MapStream): Promise<Resolved | string> {
    const { info, keySize, valueSize } = stream.layout;
    const cacheKey = `${info.id}:${spec.text}`;
    const known = this.resolved.get(cacheKey);
    if (known) return known;
    const where = `--map-field ${spec.text}: map ${info.name ?? ''} (id ${info.id})`;
    let btf: Btf | undefined;
    try {
      btf = info.btfId ? await this.session.btf(info.btfId) : undefined;
    } catch (error) {
      // Not kept: the next scrape tries again.
      return `${where}: its BTF: ${error instanceof Error ? error.message : String(error)}`;
    }
    let resolved: Resolved | string;
    const fields = numericFields(btf, info.btfValueTypeId ?? 0, valueSize);
    const field = fields.find((f) => f.path === spec.field);
    if (!field) {
      const names = fields.map((f) => f.path);
      const known = names.length > 0 ? `; its numeric fields: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}` : ' (its values have no integer fields)';
      resolved = `${where} has no numeric field '${spec.field}'${known}`;
    } else {
      try {
        const keys = spec.keys && new Set(spec.keys.map((k) => hex(parseMapKey(k, keySize))));
        resolved = { field, keyLabel: keyLabeller(btf, info.btfKeyTypeId ?? 0), ...(keys && { keys }) };
      } catch (error) {
        resolved = `${where}: ${(error as Error).message}`;
      }
    }
    if (this.resolved.size >= MAX_RESOLVED) this.resolved.clear();
    this.resolved.set(cacheKey, resolved);
    return resolved;
  }
}
