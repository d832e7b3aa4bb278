// C definitions of BTF types (structs and unions with their padding and packing, enums,
// typedefs, forward declarations), spelled as libbpf's btf_dump spells them for bpftool's
// `format c` (Debian's bpftool 7.1: the libbpf of Linux 6.1 with its stable fixes — padding
// by the natural alignment of long/int/short/char, `struct x {}` on one line, `(void)` for a
// prototype without parameters, no mode() attribute on odd-sized enums).

import { Declarators, MAX_NESTING, type InlineDefinitions } from './c-declarator.js';
import { CLayout } from './c-layout.js';
import { CNames } from './c-names.js';
import type { BtfRecords } from './records.js';
import type { TextOut } from './text-out.js';
import * as Kind from './kind.js';

/** libbpf's indentation string holds 13 tabs; deeper levels print 13. */
const MAX_INDENT = 13;

/** Holes in a struct larger than this (1 MiB) are not padded but reported. */
const MAX_HOLE_BITS = 8 << 20;

/** Padding types from the widest: what a gap is filled with. */
const PAD_NAMES = ['long', 'int', 'short', 'char'];

/** GCC's ARM SIMD polynomial types, aliased to standard integers as libbpf does. */
const MISSING_BASE_TYPES = new Map([
  ['__Poly8_t', 'unsigned char'],
  ['__Poly16_t', 'unsigned short'],
  ['__Poly64_t', 'unsigned long long'],
  ['__Poly128_t', 'unsigned __int128'],
]);

export class CDeclarations implements InlineDefinitions {
  private readonly w: Uint32Array;
  private readonly start: Uint32Array;
  readonly layout: CLayout;
  private readonly names: CNames;
  private readonly padBits: readonly number[];
  readonly declarators: Declarators;
  private nesting = 0;

  constructor(records: BtfRecords, private readonly out: TextOut) {
    this.w = records.words;
    this.start = records.start;
    this.layout = new CLayout(records);
    this.names = new CNames(records, out);
    this.declarators = new Declarators(records, out, this.names, this);
    this.padBits = [this.layout.ptrSize * 8, 32, 16, 8];
  }

  /** __builtin_va_list is the compiler's own: never redefined. */
  isBlacklisted(id: number): boolean {
    const off = this.nameOff(id);
    return off !== 0 && this.names.is(off, '__builtin_va_list');
  }

  kind(id: number): number {
    return (this.w[this.start[id]! + 1]! >>> 24) & 0x1f;
  }

  nameOff(id: number): number {
    return this.w[this.start[id]!]!;
  }

  /** Type id `id` refers to (ptr, typedef, modifiers, func, var: the size/type field). */
  ref(id: number): number {
    return this.w[this.start[id]! + 2]!;
  }

  private newlineIndent(lvl: number): void {
    this.out.newline(Math.min(lvl, MAX_INDENT));
  }

  /**
   * Unnamed bitfields filling the gap from `cur` to `next` (bits) that the compiler would not
   * leave by itself given the next member's alignment.
   */
  private bitPadding(id: number, cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): void {
    if (cur >= next) return;
    // bpftool would print a line per 8 bytes of a hole of gigabytes (a corrupt size or offset).
    if (next - cur > MAX_HOLE_BITS) throw new Error(`struct (id ${id}): its members leave a hole of ${Math.ceil((next - cur) / 8)} bytes (bad BTF?)`);
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
      this.names.typeName(id);
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
    const isStruct = ((info >>> 24) & 0x1f) === Kind.Struct;
    const size = w[s + 2]!;
    const layout = this.layout;
    const align = layout.alignOf(id);
    const packed = isStruct && layout.isPacked(id);
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
      if (off < bitOff) this.bitPadding(id, off, bitOff, packed ? 1 : layout.alignOf(type), prevBitfield && bitSize !== 0, lvl + 1);
      this.newlineIndent(lvl + 1);
      this.declarators.decl(type, w[m]!, lvl + 1);
      if (bitSize !== 0) {
        out.ascii(': ');
        out.u32(bitSize);
        off = bitOff + bitSize;
        prevBitfield = true;
      } else {
        off = (bitOff + Math.imul(Math.max(0, layout.resolveSize(type)) | 0, 8)) | 0;
        prevBitfield = false;
      }
      out.byte(0x3b);
    }
    if (isStruct) this.bitPadding(id, off, Math.imul(size, 8), align, false, lvl + 1);
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
    const is64 = ((info >>> 24) & 0x1f) === Kind.Enum64;
    out.ascii('enum');
    if (w[s]! !== 0) {
      out.byte(0x20);
      this.names.typeName(id);
    }
    if (vlen === 0) return;
    out.ascii(' {');
    const step = is64 ? 3 : 2;
    for (let i = 0; i < vlen; i++) {
      const v = s + 3 + i * step;
      const off = w[v]!;
      // Enumerators share a namespace with typedefs.
      const n = this.names.claimEnumerator(off);
      this.newlineIndent(lvl + 1);
      this.names.write(off);
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
    this.names.typeName(id);
  }

  typedefDef(id: number, lvl: number): void {
    const target = this.ref(id);
    // The name is claimed before anything inside the declarator claims its own.
    const n = this.names.settleIdent(id);
    if (target === 0 && n === 1 && this.names.is(this.nameOff(id), '__gnuc_va_list')) {
      // Old GCC describes __gnuc_va_list as a typedef of void.
      this.out.ascii('typedef __builtin_va_list __gnuc_va_list');
      return;
    }
    this.out.ascii('typedef ');
    this.declarators.decl(target, -id, lvl);
  }

  /** An int named like one of GCC's ARM polynomial types gets a typedef to a standard type. */
  missingAliases(id: number): void {
    const off = this.nameOff(id);
    const n = this.names.settleType(id);
    if (off === 0 || n !== 1) return;
    const alias = MISSING_BASE_TYPES.get(this.names.text(off));
    if (alias === undefined) return;
    this.out.ascii(`typedef ${alias} `);
    this.names.typeName(id);
    this.out.ascii(';\n\n');
  }

}

function roundUp(x: number, y: number): number {
  return Math.floor((x + y - 1) / y) * y;
}
