// /proc/<pid>/fdinfo/<fd> of a BPF object: "key:\tvalue" lines. bpftool reads bytes_memlock,
// frozen and the prog_array owner from here, since bpf_*_info does not carry them.

/** Enough for any BPF fdinfo (about 20 lines); anything past it is ignored. */
const MAX_LINES = 512;

/** The fields of a BPF object's fdinfo, raw and typed. */
export interface Fdinfo {
  /** Every "key: value" line, value trimmed, first occurrence of a key wins. */
  fields: ReadonlyMap<string, string>;
  /** Bytes charged to memlock (progs and maps). */
  memlock?: bigint;
  /** Maps: BPF_MAP_FREEZE was applied. */
  frozen?: boolean;
  /** prog_array maps: type of the program that owns the array (first one inserted). */
  ownerProgType?: number;
  /** prog_array maps: whether the owner is jited. */
  ownerJited?: boolean;
  /** Maps: map_extra, printed in hex by the kernel. */
  mapExtra?: bigint;
  progId?: number;
  /** Programs: enum bpf_prog_type. */
  progType?: number;
  progTag?: string;
  mapId?: number;
  linkId?: number;
  /** The kernel's short link type name ("perf", "raw_tracepoint" …), not libbpf's. */
  linkType?: string;
}

function toBigInt(value: string | undefined): bigint | undefined {
  if (value === undefined || !/^(0x[0-9a-f]+|-?[0-9]+)$/i.test(value)) return undefined;
  return BigInt(value);
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?[0-9]+$/.test(value)) return undefined;
  return Number(value);
}

/** Parses fdinfo text; unknown or malformed lines are kept raw or skipped, never an error. */
export function parseFdinfo(text: string): Fdinfo {
  const fields = new Map<string, string>();
  const lines = text.split('\n', MAX_LINES);
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
  }
  const frozen = toNumber(fields.get('frozen'));
  const ownerJited = toNumber(fields.get('owner_jited'));
  return {
    fields,
    memlock: toBigInt(fields.get('memlock')),
    frozen: frozen === undefined ? undefined : frozen !== 0,
    ownerProgType: toNumber(fields.get('owner_prog_type')),
    ownerJited: ownerJited === undefined ? undefined : ownerJited !== 0,
    mapExtra: toBigInt(fields.get('map_extra')),
    progId: toNumber(fields.get('prog_id')),
    progType: toNumber(fields.get('prog_type')),
    progTag: fields.get('prog_tag'),
    mapId: toNumber(fields.get('map_id')),
    linkId: toNumber(fields.get('link_id')),
    linkType: fields.get('link_type'),
  };
}
