// The listing of `bpftool btf dump … format raw` (bpftool 7.1), byte for byte, written from
// the type records straight into a reused buffer.
//
// vmlinux makes 12 MB of it in a process that lives ~100 ms, much of it before V8 has
// optimized the code, and the btf verb runs without V8's inlining (bin/bpfscope.js): few calls
// per line (a label and its number in one, a name scanned and copied in one), the buffer's room
// made at a line's start and once more for its name, literals copied from prebuilt bytes, and
// what follows the name in a function per kind, so that a kind first met late in the listing
// does not throw away the main loop's optimized code.

import type { Btf } from './btf.js';
import type { BtfRecords } from './records.js';
import { writeI64, writeInt, writeU32, writeU64 } from './decimal-bytes.js';
import { joinChunks } from './text-out.js';
import * as Kind from './kind.js';
import { KIND_NAMES } from './wire.js';

/** Output is handed out once this much has gathered after a type. */
const CHUNK_BYTES = 1 << 16;
/** Names up to this long are copied in one pass; longer ones are measured first. */
const SHORT_NAME = 64;
/** More than any line holds before its name (a datasec entry: 3 numbers and a kind), or after it. */
const LINE_ROOM = 128;

// Local bindings: the bundler reads an import from another chunk through a getter at every use.
const u32 = writeU32;
const int = writeInt;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** `] KIND ` after a type's id, by kind number. */
const HEAD = KIND_NAMES.map((k) => ascii(`] ${k} `));
/** ` (KIND ` before the name of a datasec entry's type. */
const SECINFO_KIND = KIND_NAMES.map((k) => ascii(` (${k} `));
const INT_ENCODINGS = Array.from({ length: 16 }, (_, e) =>
  ascii(` encoding=${({ 0: '(none)', 1: 'SIGNED', 2: 'CHAR', 4: 'BOOL' } as Record<number, string>)[e] ?? 'UNKN'}`));
const LINKAGES = Array.from({ length: 4 }, (_, l) => ['static', 'global', 'extern'][l] ?? '(unknown)');
const FUNC_LINKAGES = LINKAGES.map((l) => ascii(` linkage=${l}`));
const VAR_LINKAGES = LINKAGES.map((l) => ascii(`, linkage=${l}`));

const ANON = ascii('(anon)');
const INVALID = ascii('(invalid)');
const SIZE = ascii(' size=');
const BITS_OFFSET = ascii(' bits_offset=');
const NR_BITS = ascii(' nr_bits=');
const TYPE_ID = ascii(' type_id=');
const INDEX_TYPE_ID = ascii(' index_type_id=');
const NR_ELEMS = ascii(' nr_elems=');
const VLEN = ascii(' vlen=');
const BITFIELD_SIZE = ascii(' bitfield_size=');
const SIGNED_SIZE = ascii(' encoding=SIGNED size=');
const UNSIGNED_SIZE = ascii(' encoding=UNSIGNED size=');
const VAL = ascii(' val=');
const LL = ascii('LL');
const ULL = ascii('ULL');
const FWD_UNION = ascii(' fwd_kind=union');
const FWD_STRUCT = ascii(' fwd_kind=struct');
const RET_TYPE_ID = ascii(' ret_type_id=');
const SECINFO = ascii('\n\ttype_id=');
const OFFSET = ascii(' offset=');
const COMPONENT_IDX = ascii(' component_idx=');

const QUOTE = 0x27;
const NEWLINE = 0x0a;
const TAB = 0x09;

function lit(buf: Uint8Array, p: number, bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; i++) buf[p + i] = bytes[i]!;
  return p + n;
}

/** `label` then v in [0, 2^32) in decimal: one call for most of a line's fields. */
function field(buf: Uint8Array, p: number, label: Uint8Array, v: number): number {
  const n = label.length;
  for (let i = 0; i < n; i++) buf[p + i] = label[i]!;
  return u32(buf, p + n, v);
}

class RawPrinter {
  readonly w: Uint32Array;
  readonly start: Uint32Array;
  readonly strings: Uint8Array;
  readonly typeCount: number;
  buf: Uint8Array;
  pos = 0;

  constructor(records: BtfRecords, capacity: number) {
    this.w = records.words;
    this.start = records.start;
    this.strings = records.strings;
    this.typeCount = records.typeCount;
    this.buf = new Uint8Array(capacity);
  }

  /** The buffer, with room for `n` more bytes from `p`. */
  room(p: number, n: number): Uint8Array {
    let buf = this.buf;
    if (p + n > buf.length) {
      let capacity = buf.length * 2;
      while (capacity < p + n) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(buf.subarray(0, p));
      this.buf = buf = grown;
    }
    return buf;
  }

  /**
   * `'name'` for the name at string offset `off`, with room made for it and the rest of its
   * line; the line's start made its own room (LINE_ROOM) for what comes before the name.
   */
  quoted(p: number, off: number): number {
    const strings = this.strings;
    const n = strings.length;
    let buf = p + SHORT_NAME + LINE_ROOM > this.buf.length ? this.room(p, SHORT_NAME + LINE_ROOM) : this.buf;
    buf[p++] = QUOTE;
    if (off === 0) p = lit(buf, p, ANON);
    else if (off >= n) p = lit(buf, p, INVALID);
    else {
      // Copied as the NUL is looked for, in one pass, up to SHORT_NAME bytes (nearly every name).
      let i = off;
      for (const stop = Math.min(n, off + SHORT_NAME); i < stop; i++) {
        const c = strings[i]!;
        if (c === 0) break;
        buf[p++] = c;
      }
      if (i === off + SHORT_NAME) {
        let end = i;
        while (end < n && strings[end] !== 0) end++;
        buf = this.room(p, end - i + LINE_ROOM);
        buf.set(strings.subarray(i, end), p);
        p += end - i;
      }
    }
    buf[p] = QUOTE;
    return p + 1;
  }

  /** `\n\t'name'` starting a member, parameter or enumerator line. */
  entry(p: number, off: number): number {
    const buf = p + LINE_ROOM > this.buf.length ? this.room(p, LINE_ROOM) : this.buf;
    buf[p] = NEWLINE;
    buf[p + 1] = TAB;
    return this.quoted(p + 2, off);
  }

  /** Types `ids[from]` … (or ids `from` … without a list) up to `end`, until a chunk's worth is written; the next index. */
  print(from: number, end: number, ids: readonly number[] | undefined): number {
    const w = this.w;
    const start = this.start;
    let p = this.pos;
    let i = from;
    for (; i < end && p < CHUNK_BYTES; i++) {
      const id = ids ? ids[i]! : i;
      if (!(id >= 0 && id < this.typeCount && Number.isInteger(id))) {
        throw new Error(`type id ${id} out of range (max ${this.typeCount - 1})`);
      }
      const s = start[id]!;
      const kind = (w[s + 1]! >>> 24) & 0x1f;
      let buf = p + LINE_ROOM > this.buf.length ? this.room(p, LINE_ROOM) : this.buf;
      buf[p] = 0x5b;
      p = u32(buf, p + 1, id);
      p = lit(buf, p, HEAD[kind] ?? HEAD[0]!);
      p = this.quoted(p, w[s]!);
      buf = this.buf;
      // One call site for every kind (soon megamorphic): a kind first met late in the
      // listing (vmlinux's first FUNC is type 44,881) starts cold on its own instead of
      // throwing the loop's optimized code away.
      p = KIND_TAILS[kind]!(this, buf, p, s);
      this.buf[p++] = NEWLINE;
    }
    this.pos = p;
    return i;
  }

  /** The bytes written since the last take (valid until the next print), and a start over. */
  take(): Uint8Array {
    const chunk = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return chunk;
  }
}

/**
 * What follows a type's name on its line (and its member lines), given the record's first
 * word `s`; the end. `buf` has room for a line; member lines make their own.
 */
type KindTail = (pr: RawPrinter, buf: Uint8Array, p: number, s: number) => number;

const none: KindTail = (_pr, _buf, p) => p;

const intTail: KindTail = (pr, buf, p, s) => {
  const v = pr.w[s + 3]!;
  p = field(buf, p, SIZE, pr.w[s + 2]!);
  p = field(buf, p, BITS_OFFSET, (v >>> 16) & 0xff);
  p = field(buf, p, NR_BITS, v & 0xff);
  return lit(buf, p, INT_ENCODINGS[(v >>> 24) & 0x0f]!);
};

const typeTail: KindTail = (pr, buf, p, s) => field(buf, p, TYPE_ID, pr.w[s + 2]!);

const arrayTail: KindTail = (pr, buf, p, s) => {
  const w = pr.w;
  p = field(buf, p, TYPE_ID, w[s + 3]!);
  p = field(buf, p, INDEX_TYPE_ID, w[s + 4]!);
  return field(buf, p, NR_ELEMS, w[s + 5]!);
};

const compositeTail: KindTail = (pr, buf, p, s) => {
  const w = pr.w;
  const info = w[s + 1]!;
  const vlen = info & 0xffff;
  const kflag = info >>> 31 !== 0;
  p = field(buf, field(buf, p, SIZE, w[s + 2]!), VLEN, vlen);
  for (let m = s + 3, last = s + 3 + vlen * 3; m < last; m += 3) {
    const raw = w[m + 2]!;
    p = pr.entry(p, w[m]!);
    buf = pr.buf;
    p = field(buf, p, TYPE_ID, w[m + 1]!);
    p = field(buf, p, BITS_OFFSET, kflag ? raw & 0xffffff : raw);
    if (kflag && raw >>> 24 !== 0) p = field(buf, p, BITFIELD_SIZE, raw >>> 24);
  }
  return p;
};

const enumTail: KindTail = (pr, buf, p, s) => {
  const w = pr.w;
  const info = w[s + 1]!;
  const vlen = info & 0xffff;
  const kflag = info >>> 31 !== 0;
  const is64 = ((info >>> 24) & 0x1f) === Kind.Enum64;
  const step = is64 ? 3 : 2;
  p = field(buf, field(buf, p, kflag ? SIGNED_SIZE : UNSIGNED_SIZE, w[s + 2]!), VLEN, vlen);
  for (let v = s + 3, last = s + 3 + vlen * step; v < last; v += step) {
    p = pr.entry(p, w[v]!);
    buf = pr.buf;
    p = lit(buf, p, VAL);
    if (!is64) p = int(buf, p, kflag ? w[v + 1]! | 0 : w[v + 1]!);
    else if (kflag) p = lit(buf, writeI64(buf, p, w[v + 1]!, w[v + 2]!), LL);
    else p = lit(buf, writeU64(buf, p, w[v + 1]!, w[v + 2]!), ULL);
  }
  return p;
};

const fwdTail: KindTail = (pr, buf, p, s) => lit(buf, p, pr.w[s + 1]! >>> 31 !== 0 ? FWD_UNION : FWD_STRUCT);

const funcTail: KindTail = (pr, buf, p, s) =>
  lit(buf, field(buf, p, TYPE_ID, pr.w[s + 2]!), FUNC_LINKAGES[Math.min(pr.w[s + 1]! & 0xffff, 3)]!);

const funcProtoTail: KindTail = (pr, buf, p, s) => {
  const w = pr.w;
  const vlen = w[s + 1]! & 0xffff;
  p = field(buf, field(buf, p, RET_TYPE_ID, w[s + 2]!), VLEN, vlen);
  for (let a = s + 3, last = s + 3 + vlen * 2; a < last; a += 2) {
    p = pr.entry(p, w[a]!);
    p = field(pr.buf, p, TYPE_ID, w[a + 1]!);
  }
  return p;
};

const varTail: KindTail = (pr, buf, p, s) =>
  lit(buf, field(buf, p, TYPE_ID, pr.w[s + 2]!), VAR_LINKAGES[Math.min(pr.w[s + 3]!, 3)]!);

const datasecTail: KindTail = (pr, buf, p, s) => {
  const w = pr.w;
  const vlen = w[s + 1]! & 0xffff;
  p = field(buf, field(buf, p, SIZE, w[s + 2]!), VLEN, vlen);
  for (let v = s + 3, last = s + 3 + vlen * 3; v < last; v += 3) {
    const type = w[v]!;
    const known = type < pr.typeCount;
    buf = pr.room(p, LINE_ROOM);
    p = field(buf, p, SECINFO, type);
    p = field(buf, p, OFFSET, w[v + 1]!);
    p = field(buf, p, SIZE, w[v + 2]!);
    if (known) {
      const t = pr.start[type]!;
      p = pr.quoted(lit(buf, p, SECINFO_KIND[(w[t + 1]! >>> 24) & 0x1f] ?? SECINFO_KIND[0]!), w[t]!);
      buf = pr.buf;
      buf[p++] = 0x29;
    }
  }
  return p;
};

const floatTail: KindTail = (pr, buf, p, s) => field(buf, p, SIZE, pr.w[s + 2]!);

const declTagTail: KindTail = (pr, buf, p, s) =>
  int(buf, lit(buf, field(buf, p, TYPE_ID, pr.w[s + 2]!), COMPONENT_IDX), pr.w[s + 3]! | 0);

/** By kind number (32 entries: the kind field's 5 bits). */
const KIND_TAILS: readonly KindTail[] = Array.from({ length: 32 }, (_, kind) => {
  switch (kind) {
    case Kind.Int: return intTail;
    case Kind.Ptr: case Kind.Const: case Kind.Volatile: case Kind.Restrict: case Kind.Typedef: case Kind.TypeTag:
      return typeTail;
    case Kind.Array: return arrayTail;
    case Kind.Struct: case Kind.Union: return compositeTail;
    case Kind.Enum: case Kind.Enum64: return enumTail;
    case Kind.Fwd: return fwdTail;
    case Kind.Func: return funcTail;
    case Kind.FuncProto: return funcProtoTail;
    case Kind.Var: return varTail;
    case Kind.Datasec: return datasecTail;
    case Kind.Float: return floatTail;
    case Kind.DeclTag: return declTagTail;
    default: return none;
  }
});

/**
 * The raw listing in chunks of about 64 KiB, each valid until the next is asked for. For
 * split BTF only the split's own types are listed, as bpftool does; `ids` lists those types.
 */
export function* formatRawChunks(btf: Btf, ids?: readonly number[]): Generator<Uint8Array, void, undefined> {
  const printer = new RawPrinter(btf.records(), ids ? 4096 : CHUNK_BYTES + 4096);
  const end = ids ? ids.length : btf.typeCount;
  for (let i = ids ? 0 : btf.firstId; i < end;) {
    i = printer.print(i, end, ids);
    if (printer.pos >= CHUNK_BYTES) yield printer.take();
  }
  yield printer.take();
}

/** The whole listing as one string. */
export function formatRaw(btf: Btf, ids?: readonly number[]): string {
  return joinChunks(formatRawChunks(btf, ids));
}
