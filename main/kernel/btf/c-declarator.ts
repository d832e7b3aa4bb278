// C declarators as libbpf's btf_dump builds them: the chain of types from the outside in
// (typedef → array → ptr → const → int) is pushed on a stack, then popped from the terminal
// type out, so that qualifiers land right of pointers and left of other types, and arrays
// and function pointers get their parentheses: `const char * const *names`,
// `int (*table[4])(int, ...)`, `void (* (*get)(int))(char *)`.

import type { CNames } from './c-names.js';
import { IdList } from './id-list.js';
import type { BtfRecords } from './records.js';
import type { TextOut } from './text-out.js';
import * as Kind from './kind.js';

/** Declarator chains and nested anonymous types deeper than this are loops. */
export const MAX_NESTING = 1024;

/**
 * A declarator's name: a string offset (≥ 0), the deduplicated name of typedef `-fname`, or
 * EXTERNAL_NAME for a name given by the caller.
 */
export type Fname = number;
export const EXTERNAL_NAME = -0x80000000;
/** Offset 0 of a string table is always the empty string. */
const EMPTY_NAME = 0;

/** The text before the name, per type whose declarator is pointers and qualifiers over a named type. */
class DeclPrefixes {
  /** 0: not seen yet; -1: not such a type; else start in `arena` + 1. */
  readonly start: Int32Array;
  readonly end: Uint32Array;
  readonly endsInPointer: Uint8Array;
  arena: Uint8Array;
  private used = 0;

  constructor(typeCount: number) {
    // About 2 bytes per type is what vmlinux needs.
    this.arena = new Uint8Array(Math.max(1 << 12, typeCount * 2));
    this.start = new Int32Array(typeCount);
    this.end = new Uint32Array(typeCount);
    this.endsInPointer = new Uint8Array(typeCount);
  }

  keep(id: number, from: Uint8Array, start: number, end: number, endsInPointer: boolean): void {
    const n = end - start;
    if (this.used + n > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.used + n));
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
    this.arena.set(from.subarray(start, end), this.used);
    this.start[id] = this.used + 1;
    this.used += n;
    this.end[id] = this.used;
    this.endsInPointer[id] = endsInPointer ? 1 : 0;
  }
}

/** Where a declarator meets a definition: anonymous types are written inline, named ones by name. */
export interface InlineDefinitions {
  structDef(id: number, lvl: number): void;
  structFwd(id: number): void;
  enumDef(id: number, lvl: number): void;
  fwdDef(id: number): void;
}

export class Declarators {
  private readonly w: Uint32Array;
  private readonly start: Uint32Array;
  private readonly stack = new IdList(256);
  /** The declarator being written: its part of the stack, from frameBase, frameCnt entries left. */
  private frameBase = 0;
  private frameCnt = 0;
  /** Whether the last declarator chain ended in a pointer (the name then follows without a space). */
  private lastWasPtr = false;
  private readonly prefixes: DeclPrefixes;
  /** The name EXTERNAL_NAME stands for. */
  externalName = '';

  constructor(records: BtfRecords, private readonly out: TextOut, private readonly names: CNames, private readonly defs: InlineDefinitions) {
    this.w = records.words;
    this.start = records.start;
    this.prefixes = new DeclPrefixes(records.typeCount);
  }

  private isEmptyFname(fname: Fname): boolean {
    if (fname >= 0) return this.names.isEmpty(fname);
    if (fname === EXTERNAL_NAME) return this.externalName === '';
    const off = this.w[this.start[-fname]!]!;
    return off === 0 || this.names.isEmpty(off);
  }

  private writeFname(fname: Fname): void {
    if (fname >= 0) this.names.write(fname);
    else if (fname === EXTERNAL_NAME) this.out.text(this.externalName);
    else this.names.identName(-fname);
  }

  private emitName(fname: Fname, lastWasPtr: boolean): void {
    if (fname >= 0) {
      // A member's or parameter's own name (most names), in two calls rather than seven.
      const strings = this.names.strings;
      if (strings[this.names.at(fname)] === 0) return;
      const out = this.out;
      if (!lastWasPtr) out.byte(0x20);
      out.cstring(strings, fname);
      return;
    }
    if (this.isEmptyFname(fname)) return;
    if (!lastWasPtr) this.out.byte(0x20);
    this.writeFname(fname);
  }

  /** The declaration of `fname` with type `id`: `const char *name`, `int (*cb)(void)`, `long a[4]`. */
  decl(id: number, fname: Fname, lvl: number): void {
    const known = this.prefixes.start[id]!;
    if (known > 0) {
      this.out.bytes(this.prefixes.arena, known - 1, this.prefixes.end[id]!);
      this.emitName(fname, this.prefixes.endsInPointer[id] === 1);
      return;
    }
    const base = this.stack.length;
    const w = this.w;
    // A chain of pointers and qualifiers down to a named type (or void) prints the same text
    // before the name every time: kept after the first time.
    let simple = known === 0;
    for (let n = 0, at = id; ; n++) {
      if (n > MAX_NESTING) throw new Error(`type ${id}: declarator chain longer than ${MAX_NESTING} (a loop?)`);
      this.stack.push(at);
      if (at === 0) break;
      const s = this.start[at]!;
      const kind = (w[s + 1]! >>> 24) & 0x1f;
      if (kind === Kind.Ptr || kind === Kind.Volatile || kind === Kind.Const || kind === Kind.Restrict || kind === Kind.TypeTag) {
        at = w[s + 2]!;
      } else if (kind === Kind.FuncProto) {
        simple = false;
        at = w[s + 2]!;
      } else if (kind === Kind.Array) {
        simple = false;
        at = w[s + 3]!;
      } else {
        if (w[s]! === 0 || kind === Kind.Func || kind === Kind.Var || kind === Kind.Datasec || kind === Kind.DeclTag) simple = false;
        break;
      }
    }
    const outerBase = this.frameBase;
    const outerCnt = this.frameCnt;
    this.frameBase = base;
    this.frameCnt = this.stack.length - base;
    if (simple) {
      const from = this.out.pos;
      this.chain(EMPTY_NAME, lvl);
      this.prefixes.keep(id, this.out.buf, from, this.out.pos, this.lastWasPtr);
      this.emitName(fname, this.lastWasPtr);
    } else {
      this.prefixes.start[id] = -1;
      this.chain(fname, lvl);
    }
    this.frameBase = outerBase;
    this.frameCnt = outerCnt;
    this.stack.length = base;
  }

  private top(): number {
    return (this.w[this.start[this.stack.ids[this.frameBase + this.frameCnt - 1]!]! + 1]! >>> 24) & 0x1f;
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
      const id = this.stack.ids[this.frameBase + --this.frameCnt]!;
      if (id === 0) {
        this.emitMods();
        out.ascii('void');
        lastWasPtr = false;
        continue;
      }
      const s = this.start[id]!;
      const info = w[s + 1]!;
      const kind = (info >>> 24) & 0x1f;
      switch (kind) {
        case Kind.Int: case Kind.Float:
          this.emitMods();
          this.names.write(w[s]!);
          break;
        case Kind.Struct: case Kind.Union:
          this.emitMods();
          if (w[s]! === 0) this.defs.structDef(id, lvl);
          else this.defs.structFwd(id);
          break;
        case Kind.Enum: case Kind.Enum64:
          this.emitMods();
          if (w[s]! === 0) {
            this.defs.enumDef(id, lvl);
          } else {
            out.ascii('enum ');
            this.names.typeName(id);
          }
          break;
        case Kind.Fwd:
          this.emitMods();
          this.defs.fwdDef(id);
          break;
        case Kind.Typedef:
          this.emitMods();
          this.names.identName(id);
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
          this.names.write(w[s]!);
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
    this.lastWasPtr = lastWasPtr;
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
