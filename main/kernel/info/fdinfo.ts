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

/** Whether String.prototype.trim removes this character (ECMAScript WhiteSpace and LineTerminator). */
function isTrimmed(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Each "key: value" line of the first MAX_LINES, in order: where its trimmed key lies and where
 * its value lies (from after the colon to the line's end, untrimmed). Lines without a key are
 * skipped. Bounds, not strings: a caller looking for a few keys cuts out none of the others.
 */
function eachField(text: string, visit: (keyStart: number, keyEnd: number, valueStart: number, lineEnd: number) => void): void {
  let start = 0;
  for (let line = 0; line < MAX_LINES && start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      let keyStart = start;
      let keyEnd = colon;
      while (keyStart < keyEnd && isTrimmed(text.charCodeAt(keyStart))) keyStart++;
      while (keyEnd > keyStart && isTrimmed(text.charCodeAt(keyEnd - 1))) keyEnd--;
      visit(keyStart, keyEnd, colon + 1, end);
    }
    start = end + 1;
  }
}

/** Every "key: value" line of the text, value trimmed, the first of a key kept. */
function fieldsOf(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  eachField(text, (keyStart, keyEnd, valueStart, lineEnd) => {
    const key = text.slice(keyStart, keyEnd);
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
const TYPED_KEYS = Object.keys(TYPED);

/** Typed keys by length and first character: a line's key is compared with at most two of them, in place. */
const TYPED_BY_SHAPE = new Map<number, number[]>();
for (const [i, key] of TYPED_KEYS.entries()) {
  const shape = key.length * 0x10000 + key.charCodeAt(0);
  TYPED_BY_SHAPE.set(shape, [...(TYPED_BY_SHAPE.get(shape) ?? []), i]);
}

/** Index in TYPED_KEYS of the key text[keyStart, keyEnd), or -1. */
function typedKeyAt(text: string, keyStart: number, keyEnd: number): number {
  const candidates = TYPED_BY_SHAPE.get((keyEnd - keyStart) * 0x10000 + text.charCodeAt(keyStart));
  if (!candidates) return -1;
  for (const i of candidates) if (text.startsWith(TYPED_KEYS[i]!, keyStart)) return i;
  return -1;
}

/** Parses fdinfo text; unknown or malformed lines are kept raw or skipped, never an error. */
export function parseFdinfo(text: string): Fdinfo {
  const out = new ParsedFdinfo(text);
  let seen = 0;
  eachField(text, (keyStart, keyEnd, valueStart, lineEnd) => {
    const i = typedKeyAt(text, keyStart, keyEnd);
    if (i < 0 || seen & (1 << i)) return;
    seen |= 1 << i;
    TYPED[TYPED_KEYS[i]!]!(out, text.slice(valueStart, lineEnd).trim());
  });
  return out;
}
