import {
  ATTACH_TYPE_NAMES,
  BPFTOOL_7_1_KNOWN,
  CGROUP_ITER_ORDER_NAMES,
  LINK_TYPE_NAMES,
  MAP_TYPE_NAMES,
  PERF_EVENT_LINK_TYPE_NAMES,
  PERF_HW_CACHE_NAMES,
  PERF_HW_CACHE_OP_NAMES,
  PERF_HW_CACHE_RESULT_NAMES,
  PERF_HW_EVENT_NAMES,
  PERF_SW_EVENT_NAMES,
  PERF_TYPE_NAMES,
  PROG_TYPE_NAMES,
} from './tables.js';

export {
  ATTACH_TYPE_NAMES,
  BPFTOOL_7_1_KNOWN,
  LINK_TYPE_NAMES,
  MAP_TYPE_NAMES,
  PROG_TYPE_NAMES,
} from './tables.js';

/** Which enums a name lookup is about. */
export type TypeKind = 'prog' | 'map' | 'attach' | 'link';

/**
 * Whose names to use: `linux-6.18` knows every type up to Linux 6.18; `bpftool-7.1` knows only
 * what Debian 12's bpftool knows and renders the rest as bare numbers, exactly like it.
 */
export type NameStyle = 'linux-6.18' | 'bpftool-7.1';

const TABLES: Record<TypeKind, readonly string[]> = {
  prog: PROG_TYPE_NAMES,
  map: MAP_TYPE_NAMES,
  attach: ATTACH_TYPE_NAMES,
  link: LINK_TYPE_NAMES,
};

const BPFTOOL_LIMITS: Record<TypeKind, number> = {
  prog: BPFTOOL_7_1_KNOWN.progTypes,
  map: BPFTOOL_7_1_KNOWN.mapTypes,
  attach: BPFTOOL_7_1_KNOWN.attachTypes,
  link: BPFTOOL_7_1_KNOWN.linkTypes,
};

function lookup(table: readonly string[], value: number): string | undefined {
  return Number.isInteger(value) && value >= 0 && value < table.length ? table[value] : undefined;
}

/** libbpf's name of a `bpf_prog_type`, e.g. 3 → "sched_cls"; undefined if unknown. */
export function progTypeName(value: number): string | undefined {
  return lookup(PROG_TYPE_NAMES, value);
}

/** libbpf's name of a `bpf_map_type`, e.g. 4 → "perf_event_array"; undefined if unknown. */
export function mapTypeName(value: number): string | undefined {
  return lookup(MAP_TYPE_NAMES, value);
}

/** libbpf's name of a `bpf_attach_type`, e.g. 46 → "tcx_ingress"; undefined if unknown. */
export function attachTypeName(value: number): string | undefined {
  return lookup(ATTACH_TYPE_NAMES, value);
}

/** libbpf's name of a `bpf_link_type`, e.g. 8 → "kprobe_multi"; undefined if unknown. */
export function linkTypeName(value: number): string | undefined {
  return lookup(LINK_TYPE_NAMES, value);
}

/** Name of a `bpf_link_info.perf_event.type`, e.g. 4 → "kretprobe". */
export function perfEventLinkTypeName(value: number): string | undefined {
  return lookup(PERF_EVENT_LINK_TYPE_NAMES, value);
}

/** bpftool's word for a cgroup iterator order; "unknown" past the table, as bpftool. */
export function cgroupIterOrderName(value: number): string {
  return lookup(CGROUP_ITER_ORDER_NAMES, value) ?? 'unknown';
}

/** Name of the type in the given style, or undefined where that style has none. */
export function typeName(kind: TypeKind, value: number, style: NameStyle): string | undefined {
  const name = lookup(TABLES[kind], value);
  if (style === 'bpftool-7.1' && value >= BPFTOOL_LIMITS[kind]) return undefined;
  return name;
}

/**
 * The JSON value bpftool emits for a type: its name when known, else the bare number
 * (bpftool 7.1: `jsonw_uint_field(wtr, "type", info->type)`).
 */
export function typeJsonValue(kind: TypeKind, value: number, style: NameStyle): string | number {
  return typeName(kind, value, style) ?? value;
}

/** perf_event_attr.type as bpftool names it ("hardware", "hw-cache" …). */
export function perfTypeName(type: number): string | undefined {
  return lookup(PERF_TYPE_NAMES, type);
}

const PERF_TYPE_HARDWARE = 0;
const PERF_TYPE_SOFTWARE = 1;
const PERF_TYPE_HW_CACHE = 3;

/**
 * perf_event_attr.config as bpftool names it (`perf_config_str` in link.c), e.g. software 9 →
 * "dummy", hw-cache 0x10000 → "L1-dcache-load-misses"; undefined for other types.
 */
export function perfConfigName(type: number, config: bigint): string | undefined {
  const small = config < 0x100000000n ? Number(config) : -1;
  switch (type) {
    case PERF_TYPE_HARDWARE:
      return lookup(PERF_HW_EVENT_NAMES, small);
    case PERF_TYPE_SOFTWARE:
      return lookup(PERF_SW_EVENT_NAMES, small);
    case PERF_TYPE_HW_CACHE: {
      // config = cache id | op << 8 | result << 16; bpftool prints unknown parts as numbers.
      const cache = config & 0xffn;
      const op = (config >> 8n) & 0xffn;
      const result = config >> 16n;
      const part = (table: readonly string[], v: bigint): string =>
        (v < BigInt(table.length) ? table[Number(v)] : undefined) ?? v.toString();
      return `${part(PERF_HW_CACHE_NAMES, cache)}-${part(PERF_HW_CACHE_OP_NAMES, op)}-${part(PERF_HW_CACHE_RESULT_NAMES, result)}`;
    }
    default:
      return undefined;
  }
}
