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

/**
 * The trimmed value of the first line whose trimmed key is `key`, among the first MAX_LINES, as
 * eachField finds it; undefined where no line has it. Found by searching the text for the key:
 * each program of a listing needs one field of its fdinfo (memlock), and visiting every line
 * of a thousand programs' fdinfo was ~4 ms of a listing's thread.
 */
function fieldValue(text: string, key: string): string | undefined {
  for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + 1)) {
    const lineStart = text.lastIndexOf('\n', at) + 1;
    let keyStart = lineStart;
    while (keyStart < at && isTrimmed(text.charCodeAt(keyStart))) keyStart++;
    if (keyStart !== at) continue;
    let lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) lineEnd = text.length;
    // The line's key ends at its first colon.
    const colon = text.indexOf(':', lineStart);
    const after = at + key.length;
    if (colon < after || colon >= lineEnd) continue;
    let keyEnd = colon;
    while (keyEnd > after && isTrimmed(text.charCodeAt(keyEnd - 1))) keyEnd--;
    if (keyEnd !== after) continue;
    // Lines past MAX_LINES are not read (one needs at least as many characters before it).
    if (lineStart >= MAX_LINES && linesBefore(text, lineStart) >= MAX_LINES) return undefined;
    return text.slice(colon + 1, lineEnd).trim();
  }
  return undefined;
}

/** How many lines end before `end`, counted up to MAX_LINES. */
function linesBefore(text: string, end: number): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < end && lines < MAX_LINES; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

function flag(value: string | undefined): boolean | undefined {
  const n = toNumber(value);
  return n === undefined ? undefined : n !== 0;
}

/**
 * Each typed field read from the text when asked for; the map of every line built only when asked
 * for. A listing keeps one per program until it prints them: a map of strings each would be most
 * of what its garbage collections copy.
 */
class ParsedFdinfo implements Fdinfo {
  private lines?: Map<string, string>;

  constructor(private readonly text: string) {}

  get fields(): ReadonlyMap<string, string> {
    this.lines ??= fieldsOf(this.text);
    return this.lines;
  }

  get memlock(): bigint | undefined {
    return toBigInt(fieldValue(this.text, 'memlock'));
  }

  get frozen(): boolean | undefined {
    return flag(fieldValue(this.text, 'frozen'));
  }

  get ownerProgType(): number | undefined {
    return toNumber(fieldValue(this.text, 'owner_prog_type'));
  }

  get ownerJited(): boolean | undefined {
    return flag(fieldValue(this.text, 'owner_jited'));
  }

  get mapExtra(): bigint | undefined {
    return toBigInt(fieldValue(this.text, 'map_extra'));
  }

  get progId(): number | undefined {
    return toNumber(fieldValue(this.text, 'prog_id'));
  }

  get progType(): number | undefined {
    return toNumber(fieldValue(this.text, 'prog_type'));
  }

  get progTag(): string | undefined {
    return fieldValue(this.text, 'prog_tag');
  }

  get mapId(): number | undefined {
    return toNumber(fieldValue(this.text, 'map_id'));
  }

  get linkId(): number | undefined {
    return toNumber(fieldValue(this.text, 'link_id'));
  }

  get linkType(): string | undefined {
    return fieldValue(this.text, 'link_type');
  }
}

/** Parses fdinfo text; unknown or malformed lines are kept raw or skipped, never an error. */
export function parseFdinfo(text: string): Fdinfo {
  return new ParsedFdinfo(text);
}
