// Sizes and alignments of BTF types as libbpf computes them for its C dumper
// (btf__resolve_size, btf__align_of, btf_is_struct_packed), remembered per type: the C
// printer asks for the same member types over and over.

import type { BtfRecords } from './records.js';
import * as Kind from './kind.js';

/** btf__resolve_size follows at most this many typedefs/modifiers/arrays. */
const MAX_RESOLVE_DEPTH = 32;
/** Alignment walks through nested structs deeper than this are loops. */
const MAX_DEPTH = 1024;

const LONG_NAMES = new Set([
  'long', 'long int', 'int long', 'unsigned long', 'long unsigned', 'unsigned long int', 'unsigned int long',
  'long unsigned int', 'long int unsigned', 'int unsigned long', 'int long unsigned',
]);

export class CLayout {
  private readonly w: Uint32Array;
  private readonly start: Uint32Array;
  /** The size of a pointer (and of long): libbpf takes the size of the BTF's long, else 8. */
  readonly ptrSize: number;
  /** btf__align_of + 1 per type, 0 while not computed. */
  private readonly alignCache: Int32Array;
  /** btf__resolve_size + 2 per type, 0 while not computed. */
  private readonly sizeCache: Float64Array;

  constructor(records: BtfRecords) {
    this.w = records.words;
    this.start = records.start;
    this.alignCache = new Int32Array(records.typeCount);
    this.sizeCache = new Float64Array(records.typeCount);
    this.ptrSize = longSize(records) ?? 8;
  }

  alignOf(id: number, depth = 0): number {
    const cached = this.alignCache[id]!;
    if (cached !== 0) return cached - 1;
    if (depth > MAX_DEPTH) throw new Error(`type ${id}: nested deeper than ${MAX_DEPTH} (a loop?)`);
    const w = this.w;
    const s = this.start[id]!;
    const info = w[s + 1]!;
    let align = 0;
    switch ((info >>> 24) & 0x1f) {
      case Kind.Int: case Kind.Enum: case Kind.Enum64: case Kind.Float:
        align = Math.min(this.ptrSize, w[s + 2]!);
        break;
      case Kind.Ptr:
        align = this.ptrSize;
        break;
      case Kind.Typedef: case Kind.Volatile: case Kind.Const: case Kind.Restrict: case Kind.TypeTag:
        align = this.alignOf(w[s + 2]!, depth + 1);
        break;
      case Kind.Array:
        align = this.alignOf(w[s + 3]!, depth + 1);
        break;
      case Kind.Struct: case Kind.Union:
        align = this.compositeAlign(s, info, depth);
        break;
      default:
        align = 0;
    }
    this.alignCache[id] = align + 1;
    return align;
  }

  /** The largest member alignment; 1 for a packed struct (a member off its alignment, or an odd size). */
  private compositeAlign(s: number, info: number, depth: number): number {
    const w = this.w;
    const vlen = info & 0xffff;
    const kflag = info >>> 31 !== 0;
    let max = 1;
    for (let i = 0; i < vlen; i++) {
      const m = s + 3 + i * 3;
      const align = this.alignOf(w[m + 1]!, depth + 1);
      if (align <= 0) return 0;
      if (align > max) max = align;
      if ((!kflag || w[m + 2]! >>> 24 === 0) && w[m + 2]! % (8 * align) !== 0) return 1;
    }
    return w[s + 2]! % max === 0 ? max : 1;
  }

  /** Bytes of a type through typedefs, modifiers and arrays; -1 when it has none. */
  resolveSize(id: number): number {
    const cached = this.sizeCache[id]!;
    if (cached !== 0) return cached - 2;
    const size = this.computeSize(id);
    this.sizeCache[id] = size + 2;
    return size;
  }

  private computeSize(id: number): number {
    const w = this.w;
    let nelems = 1;
    for (let i = 0; i < MAX_RESOLVE_DEPTH && id !== 0; i++) {
      const s = this.start[id]!;
      switch ((w[s + 1]! >>> 24) & 0x1f) {
        case Kind.Int: case Kind.Struct: case Kind.Union: case Kind.Enum: case Kind.Enum64: case Kind.Datasec: case Kind.Float:
          return scaled(w[s + 2]!, nelems);
        case Kind.Ptr:
          return scaled(this.ptrSize, nelems);
        case Kind.Typedef: case Kind.Volatile: case Kind.Const: case Kind.Restrict: case Kind.Var: case Kind.DeclTag:
        case Kind.TypeTag:
          id = w[s + 2]!;
          break;
        case Kind.Array: {
          const n = w[s + 5]!;
          if (nelems !== 0 && n > Math.floor(0xffffffff / nelems)) return -1;
          nelems *= n;
          id = w[s + 3]!;
          break;
        }
        default:
          return -1;
      }
    }
    return -1;
  }

  /** A struct whose members sit off their natural alignment, or whose size is not a multiple of it. */
  isPacked(id: number): boolean {
    const w = this.w;
    const s = this.start[id]!;
    const info = w[s + 1]!;
    const vlen = info & 0xffff;
    const kflag = info >>> 31 !== 0;
    let maxAlign = 1;
    for (let i = 0; i < vlen; i++) {
      const m = s + 3 + i * 3;
      const align = this.alignOf(w[m + 1]!);
      const bitSize = kflag ? w[m + 2]! >>> 24 : 0;
      if (align !== 0 && bitSize === 0 && w[m + 2]! % (8 * align) !== 0) return true;
      if (align > maxAlign) maxAlign = align;
    }
    return w[s + 2]! % maxAlign !== 0;
  }
}

/** size × nelems, or -1 past 32 bits. */
function scaled(size: number, nelems: number): number {
  if (nelems !== 0 && size > Math.floor(0xffffffff / nelems)) return -1;
  return nelems * size;
}

/** The size of the first 4- or 8-byte int named like `long` (libbpf's guess at the pointer size). */
function longSize(records: BtfRecords): number | undefined {
  const { words: w, start, strings } = records;
  for (let id = 1; id < records.typeCount; id++) {
    const s = start[id]!;
    if (((w[s + 1]! >>> 24) & 0x1f) !== Kind.Int) continue;
    const size = w[s + 2]!;
    if ((size === 4 || size === 8) && LONG_NAMES.has(latin1At(strings, w[s]!))) return size;
  }
  return undefined;
}

/** The NUL-terminated string at `off`, its bytes as Latin-1 characters ('' past the table). */
export function latin1At(strings: Uint8Array, off: number): string {
  let s = '';
  for (let i = off; i < strings.length && strings[i] !== 0; i++) s += String.fromCharCode(strings[i]!);
  return s;
}
