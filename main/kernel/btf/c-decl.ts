// C declarations of BTF types, spelled as libbpf's btf_dump spells them for bpftool's
// `format c` (Debian's bpftool 7.1: the libbpf of Linux 6.1 with its stable fixes — padding
// by the natural alignment of long/int/short/char, `struct x {}` on one line, `(void)` for a
// prototype without parameters, no mode() attribute on odd-sized enums).
//
// Declarators are built the way btf_dump builds them: the chain of types from the outside in
// (typedef → array → ptr → const → int) is pushed on a stack, then popped from the terminal
// type out, so that qualifiers land right of pointers and left of other types, and arrays
// and function pointers get their parentheses.
//
// Names that several types share get ___2, ___3 … in the order they are first printed:
// struct/union/enum tags in one namespace, typedefs and enumerators in another.

import { Kind, recordKind, type BtfRecords } from './records.js';
import { NameCounts } from './name-counts.js';
import type { TextOut } from './text-out.js';

/** libbpf's indentation string holds 13 tabs; deeper levels print 13. */
const MAX_INDENT = 13;
/** A deduplicated name is formatted into a 256-byte buffer (255 bytes and the NUL). */
const MAX_DEDUP_NAME = 255;
/** btf__resolve_size follows at most this many typedefs/modifiers/arrays. */
const MAX_RESOLVE_DEPTH = 32;
/** Declarator chains, nested anonymous types and alignment walks deeper than this are loops. */
export const MAX_NESTING = 1024;

/**
 * A declarator's name: a string offset (≥ 0), the deduplicated name of typedef `-fname`, or
 * EXTERNAL_NAME for a name given by the caller.
 */
export type Fname = number;
export const EXTERNAL_NAME = -0x80000000;

/** Padding types from the widest: what a gap is filled with. */
const PAD_NAMES = ['long', 'int', 'short', 'char'];

const LONG_NAMES = new Set([
  'long', 'long int', 'int long', 'unsigned long', 'long unsigned', 'unsigned long int', 'unsigned int long',
  'long unsigned int', 'long int unsigned', 'int unsigned long', 'int long unsigned',
]);

/** GCC's ARM SIMD polynomial types, aliased to standard integers as libbpf does. */
const MISSING_BASE_TYPES = new Map([
  ['__Poly8_t', 'unsigned char'],
  ['__Poly16_t', 'unsigned short'],
  ['__Poly64_t', 'unsigned long long'],
  ['__Poly128_t', 'unsigned __int128'],
]);

export class CDeclarations {
  private readonly w: Uint32Array;
  private readonly start: Uint32Array;
  private readonly strings: Uint8Array;
  readonly ptrSize: number;
  private readonly padBits: readonly number[];
  /** Per type: 0 unresolved, 1 its own name, n its name with ___n. */
  private readonly typeDup: Uint32Array;
  private readonly identDup: Uint32Array;
  private readonly typeNames: NameCounts;
  private readonly identNames: NameCounts;
  /** btf__align_of + 1 per type, 0 while not computed. */
  private readonly alignCache: Int32Array;
  private stack = new Uint32Array(256);
  private stackLen = 0;
  /** The declarator being written: its part of the stack, from frameBase, frameCnt entries left. */
  private frameBase = 0;
  private frameCnt = 0;
  private nesting = 0;
  /** The name EXTERNAL_NAME stands for. */
  externalName = '';

  constructor(records: BtfRecords, private readonly out: TextOut) {
    this.w = records.words;
    this.start = records.start;
    this.strings = records.strings;
    this.typeNames = new NameCounts(records.strings);
    this.identNames = new NameCounts(records.strings);
    this.typeDup = new Uint32Array(records.typeCount);
    this.identDup = new Uint32Array(records.typeCount);
    this.alignCache = new Int32Array(records.typeCount);
    this.ptrSize = this.findPointerSize(records.typeCount);
    this.padBits = [this.ptrSize * 8, 32, 16, 8];
  }

  /** The size of `long` in this BTF, as libbpf guesses it; 8 when it has no long. */
  private findPointerSize(typeCount: number): number {
    const w = this.w;
    for (let id = 1; id < typeCount; id++) {
      const s = this.start[id]!;
      if (recordKind(w[s + 1]!) !== Kind.Int) continue;
      const size = w[s + 2]!;
      if ((size === 4 || size === 8) && LONG_NAMES.has(this.nameString(w[s]!))) return size;
    }
    return 8;
  }

  kind(id: number): number {
    return recordKind(this.w[this.start[id]! + 1]!);
  }

  nameOff(id: number): number {
    return this.w[this.start[id]!]!;
  }

  /** Type id `id` refers to (ptr, typedef, modifiers, func, var: the size/type field). */
  ref(id: number): number {
    return this.w[this.start[id]! + 2]!;
  }

  private checkedName(off: number): number {
    if (off >= this.strings.length) throw new Error(`name offset ${off} past the string table`);
    return off;
  }

  /** The string at `off`, its bytes as Latin-1 characters (to compare with names libbpf knows). */
  nameString(off: number): string {
    const strings = this.strings;
    let s = '';
    for (let i = this.checkedName(off); i < strings.length && strings[i] !== 0; i++) s += String.fromCharCode(strings[i]!);
    return s;
  }

  private isEmptyName(off: number): boolean {
    return this.strings[this.checkedName(off)] === 0;
  }

  /** __builtin_va_list is the compiler's own: never redefined. */
  isBlacklisted(id: number): boolean {
    const off = this.nameOff(id);
    return off !== 0 && this.nameString(off) === '__builtin_va_list';
  }

  private resolveName(id: number, dup: Uint32Array, names: NameCounts): number {
    let n = dup[id]!;
    if (n !== 0) return n;
    const s = this.start[id]!;
    const off = this.w[s]!;
    const kind = recordKind(this.w[s + 1]!);
    if (off === 0 || kind === Kind.Fwd || (kind === Kind.Enum && (this.w[s + 1]! & 0xffff) === 0)) {
      n = 1;
    } else {
      n = names.claim(this.checkedName(off));
    }
    dup[id] = n;
    return n;
  }

  private writeDedupName(off: number, n: number): void {
    const out = this.out;
    if (n === 1) {
      out.cstring(this.strings, this.checkedName(off));
      return;
    }
    const from = out.pos;
    out.cstring(this.strings, this.checkedName(off), MAX_DEDUP_NAME);
    out.ascii('___');
    out.u32(n);
    if (out.pos - from > MAX_DEDUP_NAME) out.pos = from + MAX_DEDUP_NAME;
  }

  /** A struct/union/enum tag, deduplicated. */
  typeName(id: number): void {
    this.writeDedupName(this.nameOff(id), this.resolveName(id, this.typeDup, this.typeNames));
  }

  /** A typedef name, deduplicated. */
  identName(id: number): void {
    this.writeDedupName(this.nameOff(id), this.resolveName(id, this.identDup, this.identNames));
  }

  alignOf(id: number, depth = 0): number {
    const cached = this.alignCache[id]!;
    if (cached !== 0) return cached - 1;
    if (depth > MAX_NESTING) throw new Error(`type ${id}: nested deeper than ${MAX_NESTING} (a loop?)`);
    const w = this.w;
    const s = this.start[id]!;
    const info = w[s + 1]!;
    let align = 0;
    switch (recordKind(info)) {
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

  /** btf__resolve_size: bytes of a type through typedefs, modifiers and arrays; -1 when it has none. */
  resolveSize(id: number): number {
    const w = this.w;
    let nelems = 1;
    for (let i = 0; i < MAX_RESOLVE_DEPTH && id !== 0; i++) {
      const s = this.start[id]!;
      switch (recordKind(w[s + 1]!)) {
        case Kind.Int: case Kind.Struct: case Kind.Union: case Kind.Enum: case Kind.Enum64: case Kind.Datasec: case Kind.Float:
          return this.scaled(w[s + 2]!, nelems);
        case Kind.Ptr:
          return this.scaled(this.ptrSize, nelems);
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

  private scaled(size: number, nelems: number): number {
    if (nelems !== 0 && size > Math.floor(0xffffffff / nelems)) return -1;
    return nelems * size;
  }

  /** A struct whose members sit off their natural alignment, or whose size is not a multiple of it. */
  private isPacked(s: number): boolean {
    const w = this.w;
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

  private newlineIndent(lvl: number): void {
    this.out.byte(0x0a);
    this.out.tabs(Math.min(lvl, MAX_INDENT));
  }

  /**
   * Unnamed bitfields filling the gap from `cur` to `next` (bits) that the compiler would not
   * leave by itself given the next member's alignment.
   */
  private bitPadding(cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): void {
    if (cur >= next) return;
    const out = this.out;
    let i = 0;
    let padBits = 0;
    let newOff = 0;
    for (; i < 4; i++) {
      padBits = this.padBits[i]!;
      newOff = roundUp(cur, padBits);
      if (newOff <= next) break;
    }
    let padType = PAD_NAMES[Math.min(i, 3)]!;
    if (newOff > cur && newOff <= next) {
      // An unknown alignment (a member of type void) counts as 1; libbpf divides by zero there.
      if (inBitfield || (newOff === next && roundUp(cur, Math.max(nextAlign, 1) * 8) !== newOff) ||
        (newOff !== next && next - newOff <= newOff - cur)) {
        this.newlineIndent(lvl);
        out.ascii(padType);
        out.ascii(': ');
        out.int(inBitfield ? newOff - cur : 0);
        out.byte(0x3b);
      }
      cur = newOff;
    }
    while (cur !== next) {
      const bits = Math.min(next - cur, padBits);
      if (bits === padBits) {
        this.padLine(padType, padBits, lvl);
        cur += bits;
        continue;
      }
      // The remainder: the smallest type that holds it.
      for (let j = 3; j >= 0; j--) {
        padType = PAD_NAMES[j]!;
        padBits = this.padBits[j]!;
        if (padBits < bits) continue;
        this.padLine(padType, bits, lvl);
        cur += bits;
        break;
      }
    }
  }

  private padLine(type: string, bits: number, lvl: number): void {
    this.newlineIndent(lvl);
    this.out.ascii(type);
    this.out.ascii(': ');
    this.out.int(bits);
    this.out.byte(0x3b);
  }

  /** `struct name` / `union name`. */
  structFwd(id: number): void {
    this.out.ascii(this.kind(id) === Kind.Struct ? 'struct' : 'union');
    if (this.nameOff(id) !== 0) {
      this.out.byte(0x20);
      this.typeName(id);
    }
  }

  structDef(id: number, lvl: number): void {
    if (++this.nesting > MAX_NESTING) throw new Error(`type ${id}: anonymous types nested deeper than ${MAX_NESTING}`);
    const out = this.out;
    const w = this.w;
    const s = this.start[id]!;
    const info = w[s + 1]!;
    const vlen = info & 0xffff;
    const kflag = info >>> 31 !== 0;
    const isStruct = recordKind(info) === Kind.Struct;
    const size = w[s + 2]!;
    const align = this.alignOf(id);
    const packed = isStruct && this.isPacked(s);
    this.structFwd(id);
    out.ascii(' {');
    let off = 0;
    let prevBitfield = false;
    for (let i = 0; i < vlen; i++) {
      const m = s + 3 + i * 3;
      const type = w[m + 1]!;
      const raw = w[m + 2]!;
      const bitSize = kflag ? raw >>> 24 : 0;
      const bitOff = kflag ? raw & 0xffffff : raw | 0;
      const memberAlign = packed ? 1 : this.alignOf(type);
      this.bitPadding(off, bitOff, memberAlign, prevBitfield && bitSize !== 0, lvl + 1);
      this.newlineIndent(lvl + 1);
      this.decl(type, w[m]!, lvl + 1);
      if (bitSize !== 0) {
        out.ascii(': ');
        out.u32(bitSize);
        off = bitOff + bitSize;
        prevBitfield = true;
      } else {
        off = (bitOff + Math.imul(Math.max(0, this.resolveSize(type)) | 0, 8)) | 0;
        prevBitfield = false;
      }
      out.byte(0x3b);
    }
    if (isStruct) this.bitPadding(off, Math.imul(size, 8), align, false, lvl + 1);
    if (vlen !== 0 || size !== 0) this.newlineIndent(lvl);
    out.byte(0x7d);
    if (packed) out.ascii(' __attribute__((packed))');
    this.nesting--;
  }

  enumDef(id: number, lvl: number): void {
    const out = this.out;
    const w = this.w;
    const s = this.start[id]!;
    const info = w[s + 1]!;
    const vlen = info & 0xffff;
    const signed = info >>> 31 !== 0;
    const is64 = recordKind(info) === Kind.Enum64;
    out.ascii('enum');
    if (w[s]! !== 0) {
      out.byte(0x20);
      this.typeName(id);
    }
    if (vlen === 0) return;
    out.ascii(' {');
    const step = is64 ? 3 : 2;
    for (let i = 0; i < vlen; i++) {
      const v = s + 3 + i * step;
      const off = w[v]!;
      // Enumerators share a namespace with typedefs.
      const n = this.identNames.claim(this.checkedName(off));
      this.newlineIndent(lvl + 1);
      out.cstring(this.strings, off);
      if (n > 1) {
        out.ascii('___');
        out.u32(n);
      }
      out.ascii(' = ');
      if (is64) {
        out.u64(w[v + 1]!, w[v + 2]!, signed);
        out.ascii(signed ? 'LL,' : 'ULL,');
      } else {
        out.int(signed ? w[v + 1]! | 0 : w[v + 1]!);
        out.byte(0x2c);
      }
    }
    this.newlineIndent(lvl);
    out.byte(0x7d);
  }

  /** `struct name` / `union name` for a forward declaration (never deduplicated). */
  fwdDef(id: number): void {
    this.out.ascii(this.w[this.start[id]! + 1]! >>> 31 !== 0 ? 'union ' : 'struct ');
    this.typeName(id);
  }

  typedefDef(id: number, lvl: number): void {
    const target = this.ref(id);
    // The name is claimed before anything inside the declarator claims its own.
    const n = this.resolveName(id, this.identDup, this.identNames);
    if (target === 0 && n === 1 && this.nameString(this.nameOff(id)) === '__gnuc_va_list') {
      // Old GCC describes __gnuc_va_list as a typedef of void.
      this.out.ascii('typedef __builtin_va_list __gnuc_va_list');
      return;
    }
    this.out.ascii('typedef ');
    this.decl(target, -id, lvl);
  }

  /** An int named like one of GCC's ARM polynomial types gets a typedef to a standard type. */
  missingAliases(id: number): void {
    const off = this.nameOff(id);
    const n = this.resolveName(id, this.typeDup, this.typeNames);
    if (off === 0 || n !== 1) return;
    const alias = MISSING_BASE_TYPES.get(this.nameString(off));
    if (alias === undefined) return;
    this.out.ascii(`typedef ${alias} `);
    this.typeName(id);
    this.out.ascii(';\n\n');
  }

  private isEmptyFname(fname: Fname): boolean {
    if (fname >= 0) return this.isEmptyName(fname);
    if (fname === EXTERNAL_NAME) return this.externalName === '';
    const off = this.nameOff(-fname);
    return off === 0 || this.isEmptyName(off);
  }

  private writeFname(fname: Fname): void {
    if (fname >= 0) this.out.cstring(this.strings, this.checkedName(fname));
    else if (fname === EXTERNAL_NAME) this.out.text(this.externalName);
    else this.identName(-fname);
  }

  private emitName(fname: Fname, lastWasPtr: boolean): void {
    if (this.isEmptyFname(fname)) return;
    if (!lastWasPtr) this.out.byte(0x20);
    this.writeFname(fname);
  }

  private push(id: number): void {
    if (this.stackLen === this.stack.length) {
      const grown = new Uint32Array(this.stack.length * 2);
      grown.set(this.stack);
      this.stack = grown;
    }
    this.stack[this.stackLen++] = id;
  }

  /** The declaration of `fname` with type `id`: `const char *name`, `int (*cb)(void)`, `long a[4]`. */
  decl(id: number, fname: Fname, lvl: number): void {
    const base = this.stackLen;
    const w = this.w;
    for (let n = 0; ; n++) {
      if (n > MAX_NESTING) throw new Error(`type ${id}: declarator chain longer than ${MAX_NESTING} (a loop?)`);
      this.push(id);
      if (id === 0) break;
      const s = this.start[id]!;
      const kind = recordKind(w[s + 1]!);
      if (kind === Kind.Ptr || kind === Kind.Volatile || kind === Kind.Const || kind === Kind.Restrict ||
        kind === Kind.FuncProto || kind === Kind.TypeTag) {
        id = w[s + 2]!;
      } else if (kind === Kind.Array) {
        id = w[s + 3]!;
      } else {
        break;
      }
    }
    const outerBase = this.frameBase;
    const outerCnt = this.frameCnt;
    this.frameBase = base;
    this.frameCnt = this.stackLen - base;
    this.chain(fname, lvl);
    this.frameBase = outerBase;
    this.frameCnt = outerCnt;
    this.stackLen = base;
  }

  private top(): number {
    return this.kind(this.stack[this.frameBase + this.frameCnt - 1]!);
  }

  /** Qualifiers written left of the type they qualify: `const volatile int`. */
  private emitMods(): void {
    while (this.frameCnt > 0) {
      const kind = this.top();
      if (kind === Kind.Volatile) this.out.ascii('volatile ');
      else if (kind === Kind.Const) this.out.ascii('const ');
      else if (kind === Kind.Restrict) this.out.ascii('restrict ');
      else return;
      this.frameCnt--;
    }
  }

  /** Qualifiers of arrays and function prototypes mean nothing in C (GCC emits them anyway). */
  private dropMods(): void {
    while (this.frameCnt > 0) {
      const kind = this.top();
      if (kind !== Kind.Volatile && kind !== Kind.Const && kind !== Kind.Restrict && kind !== Kind.TypeTag) return;
      this.frameCnt--;
    }
  }

  private chain(fname: Fname, lvl: number): void {
    const out = this.out;
    const w = this.w;
    // `int ***p`, not `int * * *p`; a lone pointer before a prototype prints as (*name).
    let lastWasPtr = true;
    while (this.frameCnt > 0) {
      const id = this.stack[this.frameBase + --this.frameCnt]!;
      if (id === 0) {
        this.emitMods();
        out.ascii('void');
        lastWasPtr = false;
        continue;
      }
      const s = this.start[id]!;
      const info = w[s + 1]!;
      const kind = recordKind(info);
      switch (kind) {
        case Kind.Int: case Kind.Float:
          this.emitMods();
          out.cstring(this.strings, this.checkedName(w[s]!));
          break;
        case Kind.Struct: case Kind.Union:
          this.emitMods();
          if (w[s]! === 0) this.structDef(id, lvl);
          else this.structFwd(id);
          break;
        case Kind.Enum: case Kind.Enum64:
          this.emitMods();
          if (w[s]! === 0) {
            this.enumDef(id, lvl);
          } else {
            out.ascii('enum ');
            this.typeName(id);
          }
          break;
        case Kind.Fwd:
          this.emitMods();
          this.fwdDef(id);
          break;
        case Kind.Typedef:
          this.emitMods();
          this.identName(id);
          break;
        case Kind.Ptr:
          out.ascii(lastWasPtr ? '*' : ' *');
          break;
        case Kind.Volatile:
          out.ascii(' volatile');
          break;
        case Kind.Const:
          out.ascii(' const');
          break;
        case Kind.Restrict:
          out.ascii(' restrict');
          break;
        case Kind.TypeTag:
          this.emitMods();
          out.ascii(' __attribute__((btf_type_tag("');
          out.cstring(this.strings, this.checkedName(w[s]!));
          out.ascii('")))');
          break;
        case Kind.Array: {
          this.dropMods();
          if (this.frameCnt === 0) {
            this.emitName(fname, lastWasPtr);
          } else {
            const multidim = this.top() === Kind.Array;
            if (!lastWasPtr && !this.isEmptyFname(fname)) out.byte(0x20);
            if (!multidim) out.byte(0x28);
            this.chain(fname, lvl);
            if (!multidim) out.byte(0x29);
          }
          out.byte(0x5b);
          out.u32(w[s + 5]!);
          out.byte(0x5d);
          return;
        }
        case Kind.FuncProto:
          this.dropMods();
          if (this.frameCnt > 0) {
            out.ascii(' (');
            this.chain(fname, lvl);
            out.byte(0x29);
          } else {
            this.emitName(fname, lastWasPtr);
          }
          this.params(s, info & 0xffff, lvl);
          return;
        default:
          // Not a type a declarator can hold (func, var, datasec, decl_tag): libbpf stops here.
          return;
      }
      lastWasPtr = kind === Kind.Ptr;
    }
    this.emitName(fname, lastWasPtr);
  }

  private params(s: number, vlen: number, lvl: number): void {
    const out = this.out;
    const w = this.w;
    out.byte(0x28);
    // No parameters, or clang's single void one: (void).
    if (vlen === 0 || (vlen === 1 && w[s + 4]! === 0)) {
      out.ascii('void)');
      return;
    }
    for (let i = 0; i < vlen; i++) {
      const p = s + 3 + i * 2;
      if (i > 0) out.ascii(', ');
      // A last parameter of type void is the ellipsis.
      if (i === vlen - 1 && w[p + 1]! === 0) {
        out.ascii('...');
        break;
      }
      this.decl(w[p + 1]!, w[p]!, lvl);
    }
    out.byte(0x29);
  }
}

function roundUp(x: number, y: number): number {
  return Math.floor((x + y - 1) / y) * y;
}
