// Parsed BTF: the blob is indexed once (one offset per type), types are decoded when asked.
// Split BTF (module or program BTF over vmlinux) continues the base's type ids and string
// offsets, exactly as libbpf does.

import { decodeType } from './decode.js';
import { btfRecords, type BtfRecords } from './records.js';
import { type BtfType, MAX_RESOLVE_DEPTH, isModifier } from './types.js';
import { KIND, TRAILING_FIXED, TRAILING_PER_VLEN, infoKind, readHeader } from './wire.js';

const VOID: BtfType = { id: 0, kind: 'void', name: '' };
const POINTER_SIZE = 8;
const HOST_LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const asciiDecoder = new TextDecoder('utf-8');

export class Btf {
  readonly base: Btf | undefined;
  /** First type id stored in this blob (1 for a base BTF). */
  readonly firstId: number;
  /** Number of type ids, void and the base's types included: valid ids are 0 .. typeCount-1. */
  readonly typeCount: number;
  readonly littleEndian: boolean;
  /** @internal */ readonly view: DataView;
  /** @internal */ readonly bytes: Uint8Array;
  /** @internal Byte offset in `bytes` of each record of this blob, by id − firstId. */
  readonly offsets: Uint32Array;
  /** @internal The type records as 32-bit words in host order (a view of `bytes` where it can be). */
  readonly words: Uint32Array;
  /** @internal Byte range of the type records in `bytes`. */
  readonly typeStart: number;
  /** @internal */ readonly typeEnd: number;
  /** @internal Byte range of the string table in `bytes`. */
  readonly strStart: number;
  /** @internal */ readonly strEnd: number;
  /** @internal Zero bytes that follow `bytes` in its ArrayBuffer (parseBtf). */
  readonly zeroTail: number;
  /** String offsets below this belong to the base. */
  private readonly firstStrOff: number;
  private readonly decoded: (BtfType | undefined)[];
  private nameIndex: Map<string, number[]> | undefined;
  private recordsCopy: BtfRecords | undefined;

  private constructor(bytes: Uint8Array, base: Btf | undefined, zeroTail: number) {
    const header = readHeader(bytes);
    this.base = base;
    this.bytes = bytes;
    this.zeroTail = zeroTail;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.littleEndian = header.littleEndian;
    if (base && base.littleEndian !== header.littleEndian) throw new Error('split btf: endianness differs from base');
    this.strStart = header.hdrLen + header.strOff;
    this.strEnd = this.strStart + header.strLen;
    this.firstStrOff = base ? base.stringsEnd() : 0;
    if (header.strLen > 0 && bytes[this.strEnd - 1] !== 0) throw new Error('strings: table not NUL-terminated');
    if (!base && (header.strLen === 0 || bytes[this.strStart] !== 0)) {
      throw new Error('strings: table must start with an empty string');
    }
    this.firstId = base ? base.typeCount : 1;
    this.typeStart = header.hdrLen + header.typeOff;
    this.typeEnd = this.typeStart + header.typeLen;
    this.words = hostWords(bytes, this.typeStart, header.typeLen, header.littleEndian);
    this.offsets = this.index();
    this.typeCount = this.firstId + this.offsets.length;
    this.decoded = new Array<BtfType | undefined>(this.offsets.length);
  }

  static parse(bytes: Uint8Array, base?: Btf, zeroTail = 0): Btf {
    return new Btf(bytes, base, zeroTail);
  }

  /** The byte offset of every type record, walked from record to record. */
  private index(): Uint32Array {
    const words = this.words;
    const end = words.length;
    const start = this.typeStart;
    const fixed = TRAILING_FIXED;
    const perVlen = TRAILING_PER_VLEN;
    // Every record is at least 12 bytes, which bounds the count.
    const offsets = new Uint32Array(Math.floor(end / 3));
    let count = 0;
    for (let w = 0; w < end; ) {
      if (w + 3 > end) throw new Error(`type ${this.firstId + count}: record truncated at byte ${start + w * 4}`);
      const info = words[w + 1]!;
      const kind = (info >>> 24) & 0x1f;
      const extra = fixed[kind]!;
      if (extra < 0) throw new Error(`type ${this.firstId + count}: unknown kind ${kind}`);
      const next = w + 3 + ((extra + perVlen[kind]! * (info & 0xffff)) >>> 2);
      if (next > end) throw new Error(`type ${this.firstId + count}: kind data truncated at byte ${start + w * 4}`);
      offsets[count++] = start + w * 4;
      w = next;
    }
    return offsets.slice(0, count);
  }

  /** @internal End of this BTF's string offset space (split BTF strings start here). */
  stringsEnd(): number {
    return this.firstStrOff + (this.strEnd - this.strStart);
  }

  /** The string at a string-table offset, or undefined when the offset is outside the table. */
  stringAt(off: number): string | undefined {
    if (off < this.firstStrOff) return this.base?.stringAt(off);
    const start = this.strStart + (off - this.firstStrOff);
    if (start >= this.strEnd) return undefined;
    const bytes = this.bytes;
    const nul = bytes.indexOf(0, start);
    const stop = nul < 0 || nul >= this.strEnd ? this.strEnd : nul;
    if (stop - start < 48) {
      let s = '';
      for (let i = start; i < stop; i++) {
        const c = bytes[i]!;
        if (c >= 0x80) return asciiDecoder.decode(bytes.subarray(start, stop));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return asciiDecoder.decode(bytes.subarray(start, stop));
  }

  /** @internal Like stringAt, but an invalid offset is an error naming its owner. */
  name(off: number, owner: string): string {
    const s = this.stringAt(off);
    if (s === undefined) throw new Error(`${owner}: name offset ${off} past string table`);
    return s;
  }

  /** @internal Byte offset of a type record of this blob. */
  recordOffset(id: number): number {
    return this.offsets[id - this.firstId]!;
  }

  has(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.typeCount;
  }

  /** The decoded type with this id (0 is void); throws for ids outside this BTF. */
  type(id: number): BtfType {
    if (id === 0) return VOID;
    if (id < this.firstId) {
      if (this.base && id > 0) return this.base.type(id);
      throw new Error(`type id ${id} out of range`);
    }
    const i = id - this.firstId;
    if (!(i < this.offsets.length) || !Number.isInteger(id)) throw new Error(`type id ${id} out of range (max ${this.typeCount - 1})`);
    let t = this.decoded[i];
    if (t === undefined) {
      t = decodeType(this, id, this.offsets[i]!);
      this.decoded[i] = t;
    }
    return t;
  }

  /** @internal The type records as host-order words with the base's (made on first use). */
  records(): BtfRecords {
    this.recordsCopy ??= btfRecords(this);
    return this.recordsCopy;
  }

  /** Raw kind number of a type without decoding it (0 for void). */
  kindNumber(id: number): number {
    if (id === 0) return KIND.UNKN;
    if (id < this.firstId) return this.base ? this.base.kindNumber(id) : KIND.UNKN;
    const off = this.offsets[id - this.firstId];
    if (off === undefined) throw new Error(`type id ${id} out of range`);
    return infoKind(this.view.getUint32(off + 4, this.littleEndian));
  }

  /** Types with this exact name (optionally of one kind), base types first. */
  findByName(name: string, kind?: BtfType['kind']): BtfType[] {
    const fromBase = this.base ? this.base.findByName(name, kind) : [];
    if (!this.nameIndex) this.nameIndex = this.buildNameIndex();
    const ids = this.nameIndex.get(name) ?? [];
    const own = ids.map((id) => this.type(id)).filter((t) => kind === undefined || t.kind === kind);
    return fromBase.concat(own);
  }

  private buildNameIndex(): Map<string, number[]> {
    const index = new Map<string, number[]>();
    for (let i = 0; i < this.offsets.length; i++) {
      const nameOff = this.view.getUint32(this.offsets[i]!, this.littleEndian);
      if (nameOff === 0) continue;
      const name = this.stringAt(nameOff);
      if (name === undefined || name === '') continue;
      const list = index.get(name);
      if (list) list.push(this.firstId + i);
      else index.set(name, [this.firstId + i]);
    }
    return index;
  }

  /** Skip typedefs, qualifiers and type tags; a chain longer than the limit is a cycle. */
  resolve(id: number): BtfType {
    let t = this.type(id);
    for (let depth = 0; isModifier(t); depth++) {
      if (depth >= MAX_RESOLVE_DEPTH) throw new Error(`type ${id}: cycle or chain too deep while resolving`);
      t = this.type(t.type);
    }
    return t;
  }

  /** Size in bytes of a type, through typedefs, modifiers, vars and arrays (like btf__resolve_size). */
  sizeOf(id: number): number {
    let t = this.type(id);
    let multiplier = 1;
    for (let depth = 0; ; depth++) {
      if (depth >= MAX_RESOLVE_DEPTH) throw new Error(`type ${id}: cycle or chain too deep while sizing`);
      switch (t.kind) {
        case 'int': case 'struct': case 'union': case 'enum': case 'enum64': case 'datasec': case 'float':
          return checkedSize(id, multiplier * t.size);
        case 'ptr':
          return checkedSize(id, multiplier * POINTER_SIZE);
        case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag': case 'var':
          t = this.type(t.type);
          break;
        case 'array':
          multiplier = checkedSize(id, multiplier * t.nelems);
          t = this.type(t.type);
          break;
        default:
          throw new Error(`type ${id}: ${t.kind} has no size`);
      }
    }
  }

  /** Natural alignment of a type (like btf__align_of); 1 for packed structs. */
  alignOf(id: number, depth = 0): number {
    if (depth >= MAX_RESOLVE_DEPTH) throw new Error(`type ${id}: cycle or chain too deep while aligning`);
    const t = this.type(id);
    switch (t.kind) {
      case 'int': case 'enum': case 'enum64': case 'float':
        return Math.max(1, Math.min(POINTER_SIZE, t.size));
      case 'ptr':
        return POINTER_SIZE;
      case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag': case 'var':
      case 'array':
        return this.alignOf(t.type, depth + 1);
      case 'struct': case 'union': {
        let align = 1;
        for (const m of t.members) {
          const a = this.alignOf(m.type, depth + 1);
          // A member placed off its natural alignment means the struct is packed.
          if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return 1;
          if (a > align) align = a;
        }
        return t.size % align === 0 ? align : 1;
      }
      default:
        throw new Error(`type ${id}: ${t.kind} has no alignment`);
    }
  }
}

function checkedSize(id: number, size: number): number {
  if (size > 0xffffffff) throw new Error(`type ${id}: size ${size} too large`);
  return size;
}

/** `len` bytes from `start` as 32-bit words in host order: a view where byte order and alignment allow, or a copy. */
function hostWords(bytes: Uint8Array, start: number, len: number, littleEndian: boolean): Uint32Array {
  const count = len >>> 2;
  if (littleEndian === HOST_LITTLE_ENDIAN) {
    if ((bytes.byteOffset + start) % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset + start, count);
    // A copy of its own: a Node Buffer's slice() is a view, whose .buffer is the whole message it came in.
    return new Uint32Array(new Uint8Array(bytes.subarray(start, start + count * 4)).buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, count * 4);
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) words[i] = view.getUint32(i * 4, littleEndian);
  return words;
}

/**
 * Parse a raw BTF blob; pass the base (usually vmlinux) for split BTF. `zeroTail`: how many zero
 * bytes follow the blob in its ArrayBuffer and stay zero; with 15 or more, its printers read the
 * type records in place (with a record of zeros after them as void's) instead of copying them.
 */
export function parseBtf(bytes: Uint8Array, base?: Btf, zeroTail = 0): Btf {
  return Btf.parse(bytes, base, zeroTail);
}
