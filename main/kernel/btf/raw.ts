// The listing of `bpftool btf dump … format raw` (bpftool 7.1), byte for byte, written from
// the type records straight into a reused buffer.

import type { Btf } from './btf.js';
import type { BtfRecords } from './records.js';
import { joinChunks, TextOut } from './text-out.js';
import { infoKind, Kind, KIND_NAMES } from './wire.js';

/** Output is handed out once this much has gathered after a type. */
const CHUNK_BYTES = 1 << 16;

const INT_ENCODINGS: Record<number, string> = { 0: '(none)', 1: 'SIGNED', 2: 'CHAR', 4: 'BOOL' };
const LINKAGES = ['static', 'global', 'extern'];

function linkage(raw: number): string {
  return LINKAGES[raw] ?? '(unknown)';
}

class RawPrinter {
  private readonly w: Uint32Array;
  private readonly start: Uint32Array;
  private readonly strings: Uint8Array;

  constructor(private readonly records: BtfRecords, private readonly out: TextOut) {
    this.w = records.words;
    this.start = records.start;
    this.strings = records.strings;
  }

  /** `'name'`, `'(anon)'` for offset 0, `'(invalid)'` past the string table. */
  private quoted(off: number): void {
    const out = this.out;
    out.byte(0x27);
    if (off === 0) out.ascii('(anon)');
    else if (off >= this.strings.length) out.ascii('(invalid)');
    else out.cstring(this.strings, off);
    out.byte(0x27);
  }

  type(id: number): void {
    const out = this.out;
    const w = this.w;
    const s = this.start[id]!;
    const info = w[s + 1]!;
    const kind = infoKind(info);
    const vlen = info & 0xffff;
    const kflag = info >>> 31 !== 0;
    const sizeOrType = w[s + 2]!;
    out.byte(0x5b);
    out.u32(id);
    out.ascii('] ');
    out.ascii(KIND_NAMES[kind]!);
    out.byte(0x20);
    this.quoted(w[s]!);
    switch (kind) {
      case Kind.Int: {
        const v = w[s + 3]!;
        out.ascii(' size=');
        out.u32(sizeOrType);
        out.ascii(' bits_offset=');
        out.u32((v >>> 16) & 0xff);
        out.ascii(' nr_bits=');
        out.u32(v & 0xff);
        out.ascii(' encoding=');
        out.ascii(INT_ENCODINGS[(v >>> 24) & 0x0f] ?? 'UNKN');
        break;
      }
      case Kind.Ptr: case Kind.Const: case Kind.Volatile: case Kind.Restrict: case Kind.Typedef: case Kind.TypeTag:
        out.ascii(' type_id=');
        out.u32(sizeOrType);
        break;
      case Kind.Array:
        out.ascii(' type_id=');
        out.u32(w[s + 3]!);
        out.ascii(' index_type_id=');
        out.u32(w[s + 4]!);
        out.ascii(' nr_elems=');
        out.u32(w[s + 5]!);
        break;
      case Kind.Struct: case Kind.Union:
        out.ascii(' size=');
        out.u32(sizeOrType);
        out.ascii(' vlen=');
        out.u32(vlen);
        for (let i = 0; i < vlen; i++) {
          const m = s + 3 + i * 3;
          const raw = w[m + 2]!;
          out.ascii('\n\t');
          this.quoted(w[m]!);
          out.ascii(' type_id=');
          out.u32(w[m + 1]!);
          out.ascii(' bits_offset=');
          out.u32(kflag ? raw & 0xffffff : raw);
          if (kflag && raw >>> 24 !== 0) {
            out.ascii(' bitfield_size=');
            out.u32(raw >>> 24);
          }
        }
        break;
      case Kind.Enum: case Kind.Enum64: {
        out.ascii(kflag ? ' encoding=SIGNED size=' : ' encoding=UNSIGNED size=');
        out.u32(sizeOrType);
        out.ascii(' vlen=');
        out.u32(vlen);
        const is64 = kind === Kind.Enum64;
        for (let i = 0; i < vlen; i++) {
          const v = s + 3 + i * (is64 ? 3 : 2);
          out.ascii('\n\t');
          this.quoted(w[v]!);
          out.ascii(' val=');
          if (is64) {
            out.u64(w[v + 1]!, w[v + 2]!, kflag);
            out.ascii(kflag ? 'LL' : 'ULL');
          } else {
            out.int(kflag ? w[v + 1]! | 0 : w[v + 1]!);
          }
        }
        break;
      }
      case Kind.Fwd:
        out.ascii(kflag ? ' fwd_kind=union' : ' fwd_kind=struct');
        break;
      case Kind.Func:
        out.ascii(' type_id=');
        out.u32(sizeOrType);
        out.ascii(' linkage=');
        out.ascii(linkage(vlen));
        break;
      case Kind.FuncProto:
        out.ascii(' ret_type_id=');
        out.u32(sizeOrType);
        out.ascii(' vlen=');
        out.u32(vlen);
        for (let i = 0; i < vlen; i++) {
          const p = s + 3 + i * 2;
          out.ascii('\n\t');
          this.quoted(w[p]!);
          out.ascii(' type_id=');
          out.u32(w[p + 1]!);
        }
        break;
      case Kind.Var:
        out.ascii(' type_id=');
        out.u32(sizeOrType);
        out.ascii(', linkage=');
        out.ascii(linkage(w[s + 3]!));
        break;
      case Kind.Datasec:
        out.ascii(' size=');
        out.u32(sizeOrType);
        out.ascii(' vlen=');
        out.u32(vlen);
        for (let i = 0; i < vlen; i++) {
          const v = s + 3 + i * 3;
          const type = w[v]!;
          out.ascii('\n\ttype_id=');
          out.u32(type);
          out.ascii(' offset=');
          out.u32(w[v + 1]!);
          out.ascii(' size=');
          out.u32(w[v + 2]!);
          if (type < this.records.typeCount) {
            const t = this.start[type]!;
            out.ascii(' (');
            out.ascii(KIND_NAMES[infoKind(w[t + 1]!)]!);
            out.byte(0x20);
            this.quoted(w[t]!);
            out.byte(0x29);
          }
        }
        break;
      case Kind.Float:
        out.ascii(' size=');
        out.u32(sizeOrType);
        break;
      case Kind.DeclTag:
        out.ascii(' type_id=');
        out.u32(sizeOrType);
        out.ascii(' component_idx=');
        out.int(w[s + 3]! | 0);
        break;
      default:
        break;
    }
    out.byte(0x0a);
  }
}

/**
 * The raw listing in chunks of about 64 KiB, each valid until the next is asked for. For
 * split BTF only the split's own types are listed, as bpftool does; `ids` lists those types.
 */
export function* formatRawChunks(btf: Btf, ids?: readonly number[]): Generator<Uint8Array, void, undefined> {
  const out = new TextOut(ids ? 4096 : CHUNK_BYTES * 2);
  const printer = new RawPrinter(btf.records(), out);
  const first = ids ? 0 : btf.firstId;
  const end = ids ? ids.length : btf.typeCount;
  for (let i = first; i < end; i++) {
    const id = ids ? ids[i]! : i;
    if (!btf.has(id)) throw new Error(`type id ${id} out of range (max ${btf.typeCount - 1})`);
    printer.type(id);
    if (out.pos >= CHUNK_BYTES) yield out.take();
  }
  yield out.take();
}

/** The whole listing as one string. */
export function formatRaw(btf: Btf, ids?: readonly number[]): string {
  return joinChunks(formatRawChunks(btf, ids));
}
