// The plan of one BTF type as a map value: what bpftool 7.1's btf_dumper.c prints at which
// byte, decided once per type and reused for every entry. Every rule of btf_dumper that
// depends only on the type is settled here (which integers print in decimal and which as
// hex bitfields, char arrays that may print as strings, enum name tables, where bpftool
// stops with an error), so the writers built from a plan (value-writer.ts: JSON and text;
// value-tree.ts: the UI's tree) only read bytes. Offsets are relative to the value's start,
// or to the element's start inside an array, so the plan of a type is built once and shared
// by every place that holds one (a plan is a DAG; `weight` bounds what it expands to).

import type { Btf } from './btf.js';
import { TypeNamer } from './type-name.js';
import type { BtfType, EnumValue } from './types.js';

/** What bpftool's btf__resolve_type and btf_dumper give up at (libbpf's MAX_RESOLVE_DEPTH). */
const RESOLVE_DEPTH = 32;
/** Containment deeper than this is not a type the kernel accepts (it resolves 32 deep): the value prints as hex. */
const MAX_NESTING = 64;
/** Plan nodes per type: a bound for hostile BTF (real value types stay far below: array elements are planned once). */
export const MAX_PLAN_NODES = 1 << 14;

export type IntLeaf = 'u8' | 's8' | 'u16' | 's16' | 'u32' | 's32' | 'u64' | 's64';

export type Leaf =
  | { kind: IntLeaf }
  | { kind: 'char' }
  /** bpftool reads one byte: `*(bool *)data`. */
  | { kind: 'bool' }
  | { kind: 'ptr' }
  /** ENUM of 1, 2, 4 or 8 bytes: read signed, names matched against the s32 enumerator values. */
  | { kind: 'enum'; size: 1 | 2 | 4 | 8; names: ReadonlyMap<number, string> }
  /** ENUM64: 8 bytes matched exactly, printed as s64 when no name matches. */
  | { kind: 'enum64'; names: ReadonlyMap<bigint, string> }
  /** Bitfields, odd-width and 128-bit integers: bits [bitOffset, bitOffset + bits) as unsigned hex. */
  | { kind: 'bits'; bitOffset: number; bits: number };

interface Typed {
  /** Declared type id and its C spelling, for the UI. */
  typeId: number;
  typeName: string;
  /** Nodes this one expands to (arrays count their element once): bounds writers and trees. */
  weight: number;
  /** Longest path to a leaf: bounds the recursion of writers and trees. */
  height: number;
}

export type PlanNode = Typed & (
  /** `at`: bytes from the type's start (an int's own bit offset can move it). */
  | { node: 'leaf'; at: number; leaf: Leaf }
  | { node: 'struct'; union: boolean; members: PlanMember[] }
  /** Elements `stride` bytes apart; a failing element stops the array after it (count is then 1). */
  | { node: 'array'; count: number; stride: number; element: PlanNode }
  /** A char array: printed as a string when the bytes hold a printable NUL-terminated one. */
  | { node: 'chars'; length: number; array: PlanNode & { node: 'array' } }
  /** Variables at their section offsets (members with empty names). */
  | { node: 'datasec'; name: string; vars: PlanMember[] }
  | { node: 'var'; name: string; value: PlanNode }
  /** Text bpftool prints in place of a value: `(unknown)` for void. */
  | { node: 'literal'; text: string }
  /**
   * Where bpftool's dumper returns an error: it prints `text` (maybe nothing) and stops the
   * entry's remaining members, elements and CPUs.
   */
  | { node: 'stop'; text: string; why: string }
);

export interface PlanMember {
  name: string;
  /** Byte offset from the enclosing type's start. */
  at: number;
  value: PlanNode;
}

export interface ValuePlan {
  root: PlanNode;
  /** Bytes the plan reads from the value's start. */
  extent: number;
  /** True when bpftool stops inside this value (the rest of its entry is cut). */
  stops: boolean;
}

/** A type bpftool's dumper cannot follow here: the value is shown as hex with this reason. */
export class PlanError extends Error {}

function isModifier(t: BtfType): t is BtfType & { kind: 'const' | 'volatile' | 'restrict' | 'type_tag'; type: number } {
  return t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'type_tag';
}

/** Builds (and caches) plans for the types of one BTF. */
export class ValuePlanner {
  private readonly cache = new Map<number, ValuePlan | PlanError>();
  /** Plans of types as held somewhere, by id and bit offset. */
  private readonly nodes = new Map<string, PlanNode>();
  /** Types being planned: meeting one again is a type that contains itself. */
  private readonly open = new Set<string>();
  private readonly namer: TypeNamer;

  constructor(
    private readonly btf: Btf,
    private readonly maxNodes = MAX_PLAN_NODES,
  ) {
    this.namer = new TypeNamer(btf);
  }

  /** The plan of type `id`, or the reason it has none. */
  plan(id: number): ValuePlan | PlanError {
    let p = this.cache.get(id);
    if (!p) {
      try {
        const root = this.node(id, 0);
        if (root.weight > this.maxNodes) throw new PlanError(`type ${id}: more than ${this.maxNodes} parts`);
        p = { root, extent: extentOf(root), stops: stops(root) };
      } catch (e) {
        p = e instanceof PlanError ? e : new PlanError(`type ${id}: ${(e as Error).message}`);
      }
      this.cache.set(id, p);
    }
    return p;
  }

  private typed(id: number, weight = 1, height = 0): Typed {
    let typeName: string;
    try {
      typeName = this.namer.name(id);
    } catch {
      typeName = `type ${id}`;
    }
    if (height > MAX_NESTING) throw new PlanError(`type ${id}: nested more than ${MAX_NESTING} deep`);
    return { typeId: id, typeName, weight: Math.min(weight, this.maxNodes + 1), height };
  }

  /** btf_dumper_do_type: the value of type `id`, `bitOffset` bits into its first byte (0..7); shared. */
  private node(id: number, bitOffset: number): PlanNode {
    const key = `${id}/${bitOffset}`;
    const known = this.nodes.get(key);
    if (known) return known;
    if (this.open.has(key)) throw new PlanError(`type ${id}: contains itself`);
    // Modifier chains add to the path, so allow them room beyond the nesting bound.
    if (this.open.size > 2 * MAX_NESTING) throw new PlanError(`type ${id}: nested more than ${MAX_NESTING} deep`);
    this.open.add(key);
    try {
      const n = this.build(id, bitOffset);
      this.nodes.set(key, n);
      return n;
    } finally {
      this.open.delete(key);
    }
  }

  private build(id: number, bitOffset: number): PlanNode {
    const t = this.btf.type(id);
    switch (t.kind) {
      case 'int':
        return this.intNode(this.typed(id), t, bitOffset);
      case 'struct': case 'union': {
        const members: PlanMember[] = [];
        for (const m of t.members) {
          const value: PlanNode = m.bitfieldSize
            ? { ...this.typed(m.type), node: 'leaf', at: 0, leaf: { kind: 'bits', bitOffset: m.bitOffset & 7, bits: m.bitfieldSize } }
            : this.node(m.type, m.bitOffset & 7);
          members.push({ name: m.name, at: m.bitOffset >>> 3, value });
          if (stops(value)) break;
        }
        return { ...this.composite(id, members.map((m) => m.value)), node: 'struct', union: t.kind === 'union', members };
      }
      case 'array':
        return this.arrayNode(id, t.type, t.nelems);
      case 'enum': {
        const typed = this.typed(id);
        if (t.size !== 1 && t.size !== 2 && t.size !== 4 && t.size !== 8) return { ...typed, node: 'stop', text: '', why: `enum of ${t.size} bytes` };
        return { ...typed, node: 'leaf', at: 0, leaf: { kind: 'enum', size: t.size, names: enumNames(t.values) } };
      }
      case 'enum64':
        return { ...this.typed(id), node: 'leaf', at: 0, leaf: { kind: 'enum64', names: enum64Names(t.values) } };
      case 'ptr':
        return { ...this.typed(id), node: 'leaf', at: 0, leaf: { kind: 'ptr' } };
      case 'void':
        return { ...this.typed(id), node: 'literal', text: '(unknown)' };
      case 'fwd':
        return { ...this.typed(id), node: 'stop', text: '(fwd-kind-invalid)', why: 'forward declaration' };
      case 'typedef': case 'volatile': case 'const': case 'restrict': {
        const resolved = this.resolveType(id);
        if (resolved === undefined) return { ...this.typed(id), node: 'stop', text: '', why: 'resolves to void or too deep' };
        const inner = this.node(resolved, bitOffset);
        return { ...inner, typeId: id, typeName: this.typed(id).typeName };
      }
      case 'var': {
        const value = this.node(t.type, bitOffset);
        return { ...this.composite(id, [value]), node: 'var', name: t.name, value };
      }
      case 'datasec': {
        const vars: PlanMember[] = [];
        for (const v of t.vars) {
          const value = this.node(v.type, 0);
          vars.push({ name: '', at: v.offset, value });
          if (stops(value)) break;
        }
        return { ...this.composite(id, vars.map((v) => v.value)), node: 'datasec', name: t.name, vars };
      }
      default:
        // float, func, func_proto, decl_tag, and a type_tag met directly.
        return { ...this.typed(id), node: 'stop', text: '(unsupported-kind', why: `${t.kind} is not printed by bpftool` };
    }
  }

  /** The Typed part of a node holding `parts`. */
  private composite(id: number, parts: readonly PlanNode[]): Typed {
    let weight = 1;
    let height = 0;
    for (const p of parts) {
      weight += p.weight;
      height = Math.max(height, p.height + 1);
    }
    return this.typed(id, weight, height);
  }

  /** btf_dumper_int. */
  private intNode(typed: Typed, t: BtfType & { kind: 'int' }, bitOffset: number): PlanNode {
    const bits = t.bits;
    const leaf = (l: Leaf, offset = 0): PlanNode => ({ ...typed, node: 'leaf', at: offset, leaf: l });
    if (bitOffset || t.bitOffset || bits & 7) {
      const total = bitOffset + t.bitOffset;
      return leaf({ kind: 'bits', bitOffset: total & 7, bits }, total >>> 3);
    }
    if (bits === 128) return leaf({ kind: 'bits', bitOffset: 0, bits: 128 });
    switch (t.encoding) {
      case 0: case 1: {
        const kind = INT_LEAVES[bits]?.[t.encoding];
        return leaf(kind ? { kind } : { kind: 'bits', bitOffset: 0, bits });
      }
      case 2:
        return leaf({ kind: 'char' });
      case 4:
        return leaf({ kind: 'bool' });
      default:
        return { ...typed, node: 'stop', text: '', why: `integer encoding ${t.encoding}` };
    }
  }

  /** btf_dumper_array: a string when is_str_array allows, else each element. */
  private arrayNode(id: number, elementId: number, nelems: number): PlanNode {
    const stride = this.resolveSize(elementId);
    if (stride === undefined) return { ...this.typed(id), node: 'stop', text: '', why: `array element type ${elementId} has no size` };
    if (nelems === 0) return { ...this.typed(id), node: 'array', count: 0, stride, element: { ...this.typed(id), node: 'literal', text: '' } };
    const element = this.node(elementId, 0);
    const typed = this.composite(id, [element]);
    const array: PlanNode & { node: 'array' } = { ...typed, node: 'array', count: stops(element) ? 1 : nelems, stride, element };
    return this.isCharElement(elementId) ? { ...typed, node: 'chars', length: nelems, array } : array;
  }

  /** is_str_array's element test: qualifiers skipped (typedefs not), a 1-byte CHAR int or one named char. */
  private isCharElement(id: number): boolean {
    let t = this.btf.type(id);
    for (let depth = 0; isModifier(t); depth++) {
      if (depth >= RESOLVE_DEPTH) return false;
      t = this.btf.type(t.type);
    }
    return t.kind === 'int' && t.size === 1 && (t.encoding === 2 || t.name === 'char');
  }

  /** libbpf's btf__resolve_type: through modifiers, typedefs and vars; undefined at void or too deep. */
  private resolveType(id: number): number | undefined {
    let t = this.btf.type(id);
    let depth = 0;
    while (depth < RESOLVE_DEPTH && (isModifier(t) || t.kind === 'typedef' || t.kind === 'var')) {
      id = t.type;
      t = this.btf.type(id);
      depth++;
    }
    return depth === RESOLVE_DEPTH || t.kind === 'void' ? undefined : id;
  }

  /** libbpf's btf__resolve_size, undefined where it fails. */
  private resolveSize(id: number): number | undefined {
    try {
      return this.btf.sizeOf(id);
    } catch {
      return undefined;
    }
  }
}

const INT_LEAVES: Record<number, [IntLeaf, IntLeaf]> = {
  8: ['u8', 's8'],
  16: ['u16', 's16'],
  32: ['u32', 's32'],
  64: ['u64', 's64'],
};

/** btf_dumper_enum compares the value read (signed) with each `__s32 val`; the first match wins. */
function enumNames(values: readonly EnumValue[]): Map<number, string> {
  const names = new Map<number, string>();
  for (const v of values) {
    const key = Number(BigInt.asIntN(32, v.value));
    if (!names.has(key)) names.set(key, v.name);
  }
  return names;
}

/** btf_dumper_enum64 compares both 32-bit halves. */
function enum64Names(values: readonly EnumValue[]): Map<bigint, string> {
  const names = new Map<bigint, string>();
  for (const v of values) {
    const key = BigInt.asUintN(64, v.value);
    if (!names.has(key)) names.set(key, v.name);
  }
  return names;
}

/** Bytes a leaf reads from its offset. */
export function leafWidth(leaf: Leaf): number {
  switch (leaf.kind) {
    case 'u8': case 's8': case 'char': case 'bool': return 1;
    case 'u16': case 's16': return 2;
    case 'u32': case 's32': return 4;
    case 'u64': case 's64': case 'ptr': case 'enum64': return 8;
    case 'enum': return leaf.size;
    case 'bits': return (leaf.bitOffset + leaf.bits + 7) >>> 3;
  }
}

/** True when bpftool stops inside this node. */
export function stops(n: PlanNode): boolean {
  switch (n.node) {
    case 'stop': return true;
    case 'struct': return n.members.length > 0 && stops(n.members[n.members.length - 1]!.value);
    case 'array': return n.count > 0 && stops(n.element);
    case 'chars': return false;
    case 'datasec': return n.vars.length > 0 && stops(n.vars[n.vars.length - 1]!.value);
    case 'var': return stops(n.value);
    default: return false;
  }
}

/** One past the last byte the node reads, from its start (memoised: plans are shared). */
const extents = new WeakMap<PlanNode, number>();
function extentOf(n: PlanNode): number {
  let e = extents.get(n);
  if (e !== undefined) return e;
  switch (n.node) {
    case 'leaf': e = n.at + leafWidth(n.leaf); break;
    case 'struct': e = n.members.reduce((end, m) => Math.max(end, m.at + extentOf(m.value)), 0); break;
    case 'array': e = n.count === 0 ? 0 : (n.count - 1) * n.stride + extentOf(n.element); break;
    case 'chars': e = Math.max(n.length, extentOf(n.array)); break;
    case 'datasec': e = n.vars.reduce((end, v) => Math.max(end, v.at + extentOf(v.value)), 0); break;
    case 'var': e = extentOf(n.value); break;
    default: e = 0;
  }
  extents.set(n, e);
  return e;
}
