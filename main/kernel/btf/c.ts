// BTF as a C header, byte for byte what `bpftool btf dump … format c` prints (Debian's
// bpftool 7.1), by libbpf's btf_dump algorithm:
//
//  1. order: for each type id in turn, a depth-first walk finds the definitions it needs
//     first. A link from X to Y is strong (Y defined before X) when Y is embedded by value,
//     weak (a forward declaration will do) when a pointer and a named type lie between them.
//     Named structs, unions, enums, typedefs and fwds join the emit queue once ordered.
//  2. emit: each queued type is written with what it references: a named struct reached
//     again while it is being written gets a forward declaration (`struct x;`), a typedef
//     reached again is written early; anonymous types are written inline where used, and an
//     anonymous enum nothing references is written on its own (a set of constants).
//
// Here and in the c-*.ts modules a record's kind is read inline, `(info >>> 24) & 0x1f`
// (records.ts): the btf verb runs without V8's inlining, where a helper is a call per use.

import type { Btf } from './btf.js';
import { CDeclarations } from './c-decl.js';
import { EXTERNAL_NAME, MAX_NESTING } from './c-declarator.js';
import { IdList } from './id-list.js';
import type { BtfRecords } from './records.js';
import type { Func, Var } from './types.js';
import * as Kind from './kind.js';
import { joinChunks, TextOut } from './text-out.js';

const enum Order { None, Ordering, Ordered }
const enum Emit { None, Emitting, Emitted }

/** Output is handed out once this much has gathered after a top-level definition. */
const CHUNK_BYTES = 1 << 16;

const HEADER = '#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n' +
  '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n' +
  '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n';
const TRAILER = '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n';

export interface FormatCOptions {
  /** Only these types (and what they need); default: every type. */
  ids?: readonly number[];
}

/**
 * formatC's limit on its string. Real C stays far below (vmlinux: 3 MB), but a struct that
 * claims gigabytes prints as many padding lines (bpftool prints them all): the chunks stream
 * them, a string would hold them.
 */
const MAX_STRING_BYTES = 16 << 20;

class CDumper {
  private readonly w: Uint32Array;
  private readonly start: Uint32Array;
  private readonly typeCount: number;
  private readonly decls: CDeclarations;
  private readonly orderState: Uint8Array;
  private readonly emitState: Uint8Array;
  private readonly fwdEmitted: Uint8Array;
  private readonly referenced: Uint8Array;
  /** Definitions the current top-level type needs, in the order to write them. */
  private readonly queue = new IdList(64);

  constructor(records: BtfRecords, private readonly out: TextOut) {
    this.w = records.words;
    this.start = records.start;
    this.typeCount = records.typeCount;
    this.decls = new CDeclarations(records, out);
    this.orderState = new Uint8Array(this.typeCount);
    this.emitState = new Uint8Array(this.typeCount);
    this.fwdEmitted = new Uint8Array(this.typeCount);
    this.referenced = new Uint8Array(this.typeCount);
    this.orderState[0] = Order.Ordered;
    this.emitState[0] = Emit.Emitted;
    this.markReferenced();
  }

  /**
   * Which types something refers to: an anonymous enum nobody refers to is a top-level set of
   * constants, one that is referred to is written inline. Checks every reference on the way.
   */
  private markReferenced(): void {
    const w = this.w;
    const start = this.start;
    const referenced = this.referenced;
    const count = this.typeCount;
    for (let id = 1; id < count; id++) {
      const s = start[id]!;
      const info = w[s + 1]!;
      // The referenced ids of a record: `n` words `step` apart from word `first`, and word `one` (0: none).
      let one = 0;
      let first = 0;
      let n = 0;
      let step = 0;
      switch ((info >>> 24) & 0x1f) {
        case Kind.Volatile: case Kind.Const: case Kind.Restrict: case Kind.Ptr: case Kind.Typedef: case Kind.Func:
        case Kind.Var: case Kind.DeclTag: case Kind.TypeTag:
          one = s + 2;
          break;
        case Kind.Array:
          one = s + 4;
          first = s + 3;
          n = 1;
          break;
        case Kind.Struct: case Kind.Union:
          first = s + 4;
          n = info & 0xffff;
          step = 3;
          break;
        case Kind.Datasec:
          first = s + 3;
          n = info & 0xffff;
          step = 3;
          break;
        case Kind.FuncProto:
          one = s + 2;
          first = s + 4;
          n = info & 0xffff;
          step = 2;
          break;
        default:
          break;
      }
      if (one !== 0) {
        const to = w[one]!;
        if (to >= count) throw pastLastType(id, to, count);
        referenced[to] = 1;
      }
      for (let i = 0, at = first; i < n; i++, at += step) {
        const to = w[at]!;
        if (to >= count) throw pastLastType(id, to, count);
        referenced[to] = 1;
      }
    }
  }

  /** Writes type `id` with every definition it needs that is not written yet. */
  dumpType(id: number): void {
    if (!(id >= 0 && id < this.typeCount)) throw new Error(`type id ${id} out of range (max ${this.typeCount - 1})`);
    // Functions, variables, sections and decl tags declare nothing (half of vmlinux's types).
    const kind = (this.w[this.start[id]! + 1]! >>> 24) & 0x1f;
    if (kind === Kind.Func || kind === Kind.Var || kind === Kind.Datasec || kind === Kind.DeclTag) return;
    this.queue.length = 0;
    this.order(id, false, 0);
    for (let i = 0; i < this.queue.length; i++) this.emit(this.queue.ids[i]!, 0, 0);
  }

  /**
   * Types `ids[from]` … (or ids `from` … without a list) up to `end`, until a chunk's worth is
   * written; the next index. The loop lives here, not in the generator: V8 can optimize a
   * running loop in a plain function, never in a generator (vmlinux: 125,000 types).
   */
  dumpRange(from: number, end: number, ids: readonly number[] | undefined): number {
    const out = this.out;
    let i = from;
    while (i < end && out.pos < CHUNK_BYTES) this.dumpType(ids ? ids[i++]! : i++);
    return i;
  }

  /** 1 when `id` must be defined before its user (a strong link), 0 when a declaration will do. */
  private order(id: number, throughPtr: boolean, depth: number): number {
    if (depth > MAX_NESTING) throw new Error(`type ${id}: nested deeper than ${MAX_NESTING} (a loop?)`);
    const state = this.orderState[id]!;
    if (state === Order.Ordered) return 1;
    const w = this.w;
    const s = this.start[id]!;
    const info = w[s + 1]!;
    const kind = (info >>> 24) & 0x1f;
    const named = w[s]! !== 0;
    if (state === Order.Ordering) {
      // A loop through a pointer to a named struct is what forward declarations are for.
      if ((kind === Kind.Struct || kind === Kind.Union) && throughPtr && named) return 0;
      throw new Error(`unsatisfiable type cycle, id:[${id}]`);
    }
    switch (kind) {
      case Kind.Int: case Kind.Float:
        this.orderState[id] = Order.Ordered;
        return 0;
      case Kind.Ptr: {
        const strong = this.order(w[s + 2]!, true, depth + 1);
        this.orderState[id] = Order.Ordered;
        return strong;
      }
      case Kind.Array:
        return this.order(w[s + 3]!, false, depth + 1);
      case Kind.Struct: case Kind.Union: {
        // Through a pointer, a named struct needs only its declaration.
        if (throughPtr && named) return 0;
        this.orderState[id] = Order.Ordering;
        const vlen = info & 0xffff;
        for (let i = 0; i < vlen; i++) this.order(w[s + 4 + i * 3]!, false, depth + 1);
        if (named) this.queue.push(id);
        this.orderState[id] = Order.Ordered;
        return 1;
      }
      case Kind.Enum: case Kind.Enum64: case Kind.Fwd:
        if (named || !this.referenced[id]) this.queue.push(id);
        this.orderState[id] = Order.Ordered;
        return 1;
      case Kind.Typedef: {
        const strong = this.order(w[s + 2]!, throughPtr, depth + 1);
        if (throughPtr && !strong) return 0;
        this.queue.push(id);
        this.orderState[id] = Order.Ordered;
        return 1;
      }
      case Kind.Volatile: case Kind.Const: case Kind.Restrict: case Kind.TypeTag:
        return this.order(w[s + 2]!, throughPtr, depth + 1);
      case Kind.FuncProto: {
        let strong = this.order(w[s + 2]!, throughPtr, depth + 1);
        const vlen = info & 0xffff;
        for (let i = 0; i < vlen; i++) strong |= this.order(w[s + 4 + i * 2]!, throughPtr, depth + 1);
        return strong;
      }
      default:
        // func, var, datasec, decl_tag: nothing to declare.
        this.orderState[id] = Order.Ordered;
        return 0;
    }
  }

  /** Writes `id` (at top level when contId is 0), or what it needs inside container contId. */
  private emit(id: number, contId: number, depth: number): void {
    if (depth > MAX_NESTING) throw new Error(`type ${id}: nested deeper than ${MAX_NESTING} (a loop?)`);
    const state = this.emitState[id]!;
    if (state === Emit.Emitted) return;
    const w = this.w;
    const s = this.start[id]!;
    const info = w[s + 1]!;
    const kind = (info >>> 24) & 0x1f;
    const d = this.decls;
    if (state === Emit.Emitting) {
      if (this.fwdEmitted[id]) return;
      if (kind === Kind.Struct || kind === Kind.Union) {
        // Inside itself a struct needs no declaration; an anonymous loop cannot have one.
        if (id === contId || w[s]! === 0) return;
        d.structFwd(id);
        this.out.ascii(';\n\n');
        this.fwdEmitted[id] = 1;
      } else if (kind === Kind.Typedef) {
        // Reached again through a pointer: the typedef itself serves as the declaration.
        if (!d.isBlacklisted(id)) {
          d.typedefDef(id, 0);
          this.out.ascii(';\n\n');
        }
        this.fwdEmitted[id] = 1;
      }
      return;
    }
    switch (kind) {
      case Kind.Int:
        d.missingAliases(id);
        this.emitState[id] = Emit.Emitted;
        return;
      case Kind.Enum: case Kind.Enum64:
        if (contId === 0) {
          d.enumDef(id, 0);
          this.out.ascii(';\n\n');
        }
        this.emitState[id] = Emit.Emitted;
        return;
      case Kind.Ptr: case Kind.Volatile: case Kind.Const: case Kind.Restrict: case Kind.TypeTag:
        this.emit(w[s + 2]!, contId, depth + 1);
        return;
      case Kind.Array:
        this.emit(w[s + 3]!, contId, depth + 1);
        return;
      case Kind.Fwd:
        d.fwdDef(id);
        this.out.ascii(';\n\n');
        this.emitState[id] = Emit.Emitted;
        return;
      case Kind.Typedef:
        this.emitState[id] = Emit.Emitting;
        this.emit(w[s + 2]!, id, depth + 1);
        if (!this.fwdEmitted[id] && !d.isBlacklisted(id)) {
          d.typedefDef(id, 0);
          this.out.ascii(';\n\n');
        }
        this.emitState[id] = Emit.Emitted;
        return;
      case Kind.Struct: case Kind.Union: {
        this.emitState[id] = Emit.Emitting;
        const topLevel = contId === 0;
        const anonymous = w[s]! === 0;
        if (topLevel || anonymous) {
          // Its members are written out here, so what they reference must be declared first.
          const inner = anonymous ? contId : id;
          const vlen = info & 0xffff;
          for (let i = 0; i < vlen; i++) this.emit(w[s + 4 + i * 3]!, inner, depth + 1);
        } else if (!this.fwdEmitted[id] && id !== contId) {
          d.structFwd(id);
          this.out.ascii(';\n\n');
          this.fwdEmitted[id] = 1;
        }
        if (topLevel) {
          d.structDef(id, 0);
          this.out.ascii(';\n\n');
          this.emitState[id] = Emit.Emitted;
        } else {
          this.emitState[id] = Emit.None;
        }
        return;
      }
      case Kind.FuncProto: {
        this.emit(w[s + 2]!, contId, depth + 1);
        const vlen = info & 0xffff;
        for (let i = 0; i < vlen; i++) this.emit(w[s + 4 + i * 2]!, contId, depth + 1);
        return;
      }
      default:
        return;
    }
  }
}

function pastLastType(from: number, id: number, count: number): Error {
  return new Error(`type ${from}: refers to type ${id}, past the last type ${count - 1}`);
}

/**
 * The C header of a BTF (or of some of its types, with what they need), in chunks of about
 * 64 KiB; each chunk is valid until the next is asked for. A type loop C cannot express
 * throws after the chunks written before it, as bpftool stops there.
 */
export function* formatCChunks(btf: Btf, options: FormatCOptions = {}): Generator<Uint8Array, void, undefined> {
  // All of a BTF fills chunks: room for one from the start (growing mid-run costs the JIT a deopt).
  const out = new TextOut(options.ids ? 4096 : CHUNK_BYTES * 2);
  const dumper = new CDumper(btf.records(), out);
  out.ascii(HEADER);
  const ids = options.ids;
  const count = ids ? ids.length : btf.typeCount;
  for (let i = ids ? 0 : 1; i < count;) {
    try {
      i = dumper.dumpRange(i, count, ids);
    } catch (error) {
      // What was written before stays written, as with bpftool.
      yield out.take();
      throw error;
    }
    if (out.pos >= CHUNK_BYTES) yield out.take();
  }
  out.ascii(TRAILER);
  yield out.take();
}

/** BTF (or some of its types, with what they need) as a C header. */
export function formatC(btf: Btf, options: FormatCOptions = {}): string {
  return joinChunks(formatCChunks(btf, options), MAX_STRING_BYTES);
}

/** A single type's declaration as C text (`struct foo *`, `int (*)(int, char *)`), named `name`. */
export function declarationC(btf: Btf, id: number, name = ''): string {
  if (!btf.has(id)) throw new Error(`type id ${id} out of range (max ${btf.typeCount - 1})`);
  const out = new TextOut(256);
  const decls = new CDeclarations(btf.records(), out);
  decls.declarators.externalName = name;
  decls.declarators.decl(id, EXTERNAL_NAME, 0);
  return joinChunks([out.take()]);
}

/** A type as a reader sees it: what it uses, then the type itself from line `definitionLine` on. */
export interface TypeViewC {
  c: string;
  /** The first line (from 0) of the type's own definition; absent when it prints nothing. */
  definitionLine?: number;
  /** How many lines the definition takes. */
  definitionLines?: number;
  /** The declarations before it (the types it uses, forward declarations included). */
  usedTypes?: number;
}

/** How deep anonymous structs and prototypes are followed for the types they use (corrupt BTF loops). */
const MAX_ANONYMOUS_DEPTH = 64;

/**
 * The named types a declaration of `id` needs defined before it: `struct sk_buff` for
 * `const struct sk_buff *[4]`; for an anonymous struct or a prototype, what its members or
 * parameters need, as those are written out in place. `opened` holds the anonymous types
 * already followed: each is followed once, however many times (or deep) it is used.
 */
function namedTypesUsed(btf: Btf, id: number, into: Set<number>, opened: Set<number>, depth = 0): void {
  for (let chain = 0; id !== 0 && chain <= MAX_NESTING; chain++) {
    const t = btf.type(id);
    if (t.kind === 'ptr' || t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'type_tag' || t.kind === 'array') {
      id = t.type;
      continue;
    }
    const anonymous = ((t.kind === 'struct' || t.kind === 'union') && !t.name) || t.kind === 'func_proto';
    if (!anonymous) into.add(id);
    else if (opened.has(id)) return;
    else if (depth > MAX_ANONYMOUS_DEPTH) throw new Error(`type ${id}: anonymous types nested deeper than ${MAX_ANONYMOUS_DEPTH}`);
    else {
      opened.add(id);
      const parts = t.kind === 'func_proto' ? [t.returnType, ...t.params.map((p) => p.type)] : t.kind === 'struct' || t.kind === 'union' ? t.members.map((m) => m.type) : [];
      for (const part of parts) namedTypesUsed(btf, part, into, opened, depth + 1);
    }
    return;
  }
}

/** `extern ` for what the object only declares (a kfunc or kernel variable in `.ksyms`). */
const storageClass = (t: Func | Var): string => (t.linkage === 'extern' ? 'extern ' : '');

const countLines = (text: string): number => text.split('\n').length - 1;
/** Declarations in a header's text: each ends in a blank line. */
const countDeclarations = (text: string): number => text.split('\n\n').length - 1;

/**
 * One type as C for reading, a header whose last definition is the type's own: its closure as
 * bpftool writes it, and for a function its prototype and for a data section its variables,
 * which a header leaves out (bpftool's C has neither).
 */
export function typeViewC(btf: Btf, id: number): TypeViewC {
  if (!btf.has(id)) throw new Error(`type id ${id} out of range (max ${btf.typeCount - 1})`);
  const t = btf.type(id);
  let uses: number[];
  let own: string[];
  if (t.kind === 'func') {
    const proto = btf.type(t.type);
    if (proto.kind !== 'func_proto') throw new Error(`func ${t.name}: type ${t.type} is not a prototype`);
    uses = [proto.returnType, ...proto.params.map((p) => p.type)];
    own = [`${storageClass(t)}${declarationC(btf, t.type, t.name)};`];
  } else if (t.kind === 'datasec') {
    const vars = t.vars.map((v) => btf.type(v.type));
    // A section's entries are variables, and in `.ksyms` also functions (kfuncs it calls).
    uses = vars.map((v) => (v.kind === 'var' || v.kind === 'func' ? v.type : 0));
    own = vars.map((v) => (v.kind === 'var' || v.kind === 'func' ? `${storageClass(v)}${declarationC(btf, v.type, v.name)};` : `/* ${v.kind} */`));
  } else {
    const c = formatC(btf, { ids: [id] });
    const body = c.slice(0, c.length - TRAILER.length);
    if (body === HEADER) return { c };
    const start = body.lastIndexOf('\n\n', body.length - 3) + 2;
    return { c, definitionLine: countLines(body.slice(0, start)), definitionLines: countLines(body.slice(start)) - 1, usedTypes: countDeclarations(body.slice(HEADER.length, start)) };
  }
  const named = new Set<number>();
  const opened = new Set<number>();
  for (const u of uses) namedTypesUsed(btf, u, named, opened);
  const closure = formatC(btf, { ids: [...named] });
  const body = closure.slice(0, closure.length - TRAILER.length);
  const definition = `${own.join('\n')}\n`;
  return { c: `${body}${definition}\n${TRAILER}`, definitionLine: countLines(body), definitionLines: countLines(definition), usedTypes: countDeclarations(body.slice(HEADER.length)) };
}
