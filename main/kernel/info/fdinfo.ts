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

/**
 * Each "key: value" line of the first MAX_LINES, in order: its trimmed key and where its value
 * lies (from after the colon to the line's end, untrimmed). Lines without a key are skipped.
 */
function eachField(text: string, visit: (key: string, valueStart: number, lineEnd: number) => void): void {
  let start = 0;
  for (let line = 0; line < MAX_LINES && start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) visit(text.slice(start, colon).trim(), colon + 1, end);
    start = end + 1;
  }
}

/** Every "key: value" line of the text, value trimmed, the first of a key kept. */
function fieldsOf(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  eachField(text, (key, valueStart, lineEnd) => {
    if (!fields.has(key)) fields.set(key, text.slice(valueStart, lineEnd).trim());
  });
  return fields;
}

/** The typed fields, set as they are found (declared once, in Fdinfo). */
interface ParsedFdinfo extends Omit<Fdinfo, 'fields'> {}

/**
 * The typed fields read as the text is parsed; the map of every line built only when asked for.
 * A listing keeps one per program until it prints them: a map of strings each would be most of
 * what its garbage collections copy.
 */
class ParsedFdinfo implements Fdinfo {
  private lines?: Map<string, string>;

  constructor(private readonly text: string) {}

  get fields(): ReadonlyMap<string, string> {
    this.lines ??= fieldsOf(this.text);
    return this.lines;
  }
}

/** The typed fields, by key: the first line of a key counts, as in the map of every line. */
const TYPED: Record<string, (out: ParsedFdinfo, value: string) => void> = {
  memlock: (out, value) => (out.memlock = toBigInt(value)),
  frozen: (out, value) => {
    const frozen = toNumber(value);
    if (frozen !== undefined) out.frozen = frozen !== 0;
  },
  owner_prog_type: (out, value) => (out.ownerProgType = toNumber(value)),
  owner_jited: (out, value) => {
    const jited = toNumber(value);
    if (jited !== undefined) out.ownerJited = jited !== 0;
  },
  map_extra: (out, value) => (out.mapExtra = toBigInt(value)),
  prog_id: (out, value) => (out.progId = toNumber(value)),
  prog_type: (out, value) => (out.progType = toNumber(value)),
  prog_tag: (out, value) => (out.progTag = value),
  map_id: (out, value) => (out.mapId = toNumber(value)),
  link_id: (out, value) => (out.linkId = toNumber(value)),
  link_type: (out, value) => (out.linkType = value),
};

/** Parses fdinfo text; unknown or malformed lines are kept raw or skipped, never an error. */
export function parseFdinfo(text: string): Fdinfo {
  const out = new ParsedFdinfo(text);
  let seen: string[] | undefined;
  eachField(text, (key, valueStart, lineEnd) => {
    const set = Object.hasOwn(TYPED, key) ? TYPED[key] : undefined;
    if (!set || seen?.includes(key)) return;
    (seen ??= []).push(key);
    set(out, text.slice(valueStart, lineEnd).trim());
  });
  return out;
}
