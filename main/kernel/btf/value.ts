// One value tree per map key or value: what the UI expands and charts. The tree follows the
// type's plan (value-plan.ts), the same one the dump writers are built from, and each
// scalar's display is what `bpfscope dump map` (and bpftool) prints for it in text mode,
// written by the same leaf functions, so the dashboard, watch and dumps never disagree.

import type { Btf } from './btf.js';
import type { KindName } from './types.js';
import * as leaves from './value-leaves.js';
import { leafWidth, MAX_PLAN_NODES, PlanError, ValuePlanner, type Leaf, type PlanNode } from './value-plan.js';

export type Repr =
  | 'dec'      // integer printed in decimal
  | 'hex'      // bitfield, 128-bit or odd-width integer: bpftool prints it as hex
  | 'char'     // CHAR-encoded integer
  | 'bool'
  | 'enum'     // value is the enumerator name, or the number when none matches
  | 'string'   // char array holding a NUL-terminated printable string
  | 'ptr'
  | 'struct' | 'union' | 'array' | 'datasec' | 'var'
  | 'void'     // bpftool prints (unknown)
  | 'unsupported' // where bpftool stops: floats, functions, forward declarations, bad encodings
  | 'error';   // bytes missing or BTF broken: the hex of what is there

export interface ValueNode {
  /** Member or variable name, `[i]` for array elements, the caller's name for the root. */
  name: string;
  /** Declared type (before typedefs and qualifiers are skipped). */
  typeId: number;
  /** C spelling of the declared type: `u32`, `struct flags`, `char[16]`. */
  typeName: string;
  /** Kind of what is shown ('error' when it could not be decoded). */
  kind: KindName | 'error';
  repr: Repr;
  /** Raw byte range: bytes [offset, offset + size) of the buffer. */
  offset: number;
  size: number;
  /** First bit within the byte at `offset` (bitfields), else 0. */
  bitOffset: number;
  /** Width in bits: the bitfield width, else size * 8. */
  bitSize: number;
  /** Scalar value: number or bigint for integers and pointers, string for strings and enumerators. */
  value: number | bigint | boolean | string | undefined;
  display: string;
  children: ValueNode[] | undefined;
  /** Why this node fell back to hex, or why bpftool stops here. */
  error?: string;
}

export interface FormatOptions {
  /** Upper bound on nodes per formatted value; past it the rest of the value is left out. */
  maxNodes?: number;
}

const DEFAULT_MAX_NODES = 1 << 20;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const decoder = new TextDecoder();
const LEAF_KIND: Record<Leaf['kind'], KindName> = {
  u8: 'int', s8: 'int', u16: 'int', s16: 'int', u32: 'int', s32: 'int', u64: 'int', s64: 'int',
  char: 'int', bool: 'int', bits: 'int', ptr: 'ptr', enum: 'enum', enum64: 'enum64',
};

/** Formats values of one BTF; keeps per-type plans, so reuse it across values. */
export class ValueFormatter {
  private readonly planner: ValuePlanner;
  private readonly maxNodes: number;
  private readonly le: boolean;
  private readonly scratch = new Uint8Array(256);
  private bytes: Uint8Array = new Uint8Array(0);
  private budget = 0;
  /** Names of the enum leaves' quoted names, per leaf. */
  private readonly names = new Map<Leaf, ReadonlyMap<unknown, Uint8Array>>();

  constructor(btf: Btf, options: FormatOptions = {}) {
    this.maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
    this.planner = new ValuePlanner(btf, Math.min(this.maxNodes, MAX_PLAN_NODES));
    this.le = btf.littleEndian;
  }

  /** The value of type `typeId` stored at `offset` in `bytes`. Never throws for bad data. */
  format(typeId: number, bytes: Uint8Array, offset = 0, name = ''): ValueNode {
    this.bytes = bytes;
    this.budget = this.maxNodes;
    const plan = this.planner.plan(typeId);
    if (plan instanceof PlanError) return this.errorNode(typeId, `type ${typeId}`, name, offset, bytes.length - offset, plan.message);
    if (offset + plan.extent > bytes.length) {
      return this.errorNode(typeId, plan.root.typeName, name, offset, bytes.length - offset, `value truncated: need ${plan.extent} bytes at ${offset}`);
    }
    return this.node(plan.root, name, offset);
  }

  /** The C spelling of a type (as the tree's root would show it). */
  typeName(typeId: number): string {
    const plan = this.planner.plan(typeId);
    return plan instanceof PlanError ? `type ${typeId}` : plan.root.typeName;
  }

  private errorNode(typeId: number, typeName: string, name: string, offset: number, size: number, error: string): ValueNode {
    const end = Math.min(this.bytes.length, offset + Math.max(0, size));
    let display = '';
    for (let i = offset; i < end; i++) display += (i > offset ? ' ' : '') + HEX[this.bytes[i]!];
    const n = Math.max(0, end - offset);
    return { name, typeId, typeName, kind: 'error', repr: 'error', offset, size: n, bitOffset: 0, bitSize: n * 8, value: undefined, display, children: undefined, error };
  }

  private base(n: PlanNode, name: string, kind: ValueNode['kind'], repr: Repr, offset: number, size: number): ValueNode {
    return { name, typeId: n.typeId, typeName: n.typeName, kind, repr, offset, size, bitOffset: 0, bitSize: size * 8, value: undefined, display: '', children: undefined };
  }

  /** The node at `base` bytes into the buffer (plan offsets are relative to it). */
  private node(n: PlanNode, name: string, base: number): ValueNode {
    if (--this.budget < 0) {
      const out = this.base(n, name, 'error', 'unsupported', base, 0);
      out.error = 'too many nodes';
      out.display = '…';
      return out;
    }
    switch (n.node) {
      case 'leaf':
        return this.leafNode(n, n.leaf, name, base + n.at);
      case 'struct': {
        const out = this.base(n, name, n.union ? 'union' : 'struct', n.union ? 'union' : 'struct', base, 0);
        out.children = n.members.map((m) => this.node(m.value, m.name, base + m.at));
        out.size = out.children.reduce((end, c) => Math.max(end, c.offset + c.size), out.offset) - out.offset;
        out.display = '{…}';
        return out;
      }
      case 'array':
        return this.arrayNode(n, name, base);
      case 'chars': {
        const at = base;
        const text = this.scratchFor(n.length);
        const end = leaves.writeLeafString(text, 0, this.bytes, at, n.length, 0);
        if (end < 0) return this.arrayNode(n.array, name, base);
        const out = this.base(n, name, 'array', 'string', at, n.length);
        out.value = decoder.decode(this.bytes.subarray(at, this.bytes.indexOf(0, at)));
        out.display = decoder.decode(text.subarray(0, end));
        return out;
      }
      case 'datasec': {
        const out = this.base(n, name, 'datasec', 'datasec', base, 0);
        out.value = n.name;
        out.children = n.vars.map((v) => this.node(v.value, '', base + v.at));
        out.size = out.children.reduce((end, c) => Math.max(end, c.offset + c.size), out.offset) - out.offset;
        out.display = '{…}';
        return out;
      }
      case 'var': {
        const child = this.node(n.value, n.name, base);
        const out = this.base(n, n.name, 'var', 'var', child.offset, child.size);
        out.children = [child];
        out.value = child.value;
        out.display = child.display;
        return out;
      }
      case 'literal': {
        const out = this.base(n, name, 'void', 'void', base, 0);
        out.display = n.text;
        return out;
      }
      case 'stop': {
        const out = this.base(n, name, 'error', 'unsupported', base, 0);
        out.display = `(${n.why})`;
        out.error = `bpftool stops here: ${n.why}`;
        return out;
      }
    }
  }

  private arrayNode(n: PlanNode & { node: 'array' }, name: string, base: number): ValueNode {
    const at = base;
    const out = this.base(n, name, 'array', 'array', at, n.count * n.stride);
    out.children = [];
    for (let i = 0; i < n.count && this.budget > 0; i++) out.children.push(this.node(n.element, `[${i}]`, at + i * n.stride));
    out.display = `[${n.count}]`;
    return out;
  }

  private scratchFor(length: number): Uint8Array {
    return length * 2 + 3 <= this.scratch.length ? this.scratch : new Uint8Array(length * 2 + 3);
  }

  private leafNode(n: PlanNode, leaf: Leaf, name: string, at: number): ValueNode {
    const width = leafWidth(leaf);
    const out = this.base(n, name, LEAF_KIND[leaf.kind], 'dec', at, width);
    const display = this.leafText(leaf, at);
    out.display = display;
    switch (leaf.kind) {
      case 'char':
        out.repr = 'char';
        out.value = this.bytes[at]!;
        break;
      case 'bool':
        out.repr = 'bool';
        out.value = display === 'true';
        break;
      case 'ptr':
        out.repr = 'ptr';
        out.value = display === '(nil)' ? 0 : safe(BigInt(display));
        break;
      case 'bits':
        out.repr = 'hex';
        out.bitOffset = leaf.bitOffset;
        out.bitSize = leaf.bits;
        out.value = safe(BigInt(display));
        break;
      case 'enum': case 'enum64':
        out.repr = 'enum';
        out.value = display.startsWith('"') ? display.slice(1, -1) : safe(BigInt(display));
        break;
      default:
        out.value = safe(BigInt(display));
    }
    return out;
  }

  /** The leaf as `dump map` text prints it, by the writers' own leaf functions. */
  private leafText(leaf: Leaf, at: number): string {
    const out = this.scratch;
    const s = this.bytes;
    const le = this.le;
    let end: number;
    switch (leaf.kind) {
      case 'u8': end = leaves.writeLeafU8(out, 0, s, at); break;
      case 's8': end = leaves.writeLeafS8(out, 0, s, at); break;
      case 'u16': end = leaves.writeLeafU16(out, 0, s, at, le); break;
      case 's16': end = leaves.writeLeafS16(out, 0, s, at, le); break;
      case 'u32': end = leaves.writeLeafU32(out, 0, s, at, le); break;
      case 's32': end = leaves.writeLeafS32(out, 0, s, at, le); break;
      case 'u64': end = leaves.writeLeafU64(out, 0, s, at, le); break;
      case 's64': end = leaves.writeLeafS64(out, 0, s, at, le); break;
      case 'char': end = leaves.writeLeafChar(out, 0, s, at, true); break;
      case 'bool': end = leaves.writeLeafBool(out, 0, s, at); break;
      case 'ptr': end = leaves.writeLeafPtr(out, 0, s, at, le, true); break;
      case 'bits': end = leaves.writeLeafBits(out, 0, s, at, le, leaf.bitOffset, leaf.bits, true); break;
      case 'enum': end = leaves.writeLeafEnum(out, 0, s, at, le, leaf.size, this.quoted(leaf) as ReadonlyMap<number, Uint8Array>); break;
      case 'enum64': end = leaves.writeLeafEnum64(out, 0, s, at, le, this.quoted(leaf) as ReadonlyMap<bigint, Uint8Array>); break;
    }
    return decoder.decode(out.subarray(0, end));
  }

  private quoted(leaf: Leaf & { kind: 'enum' | 'enum64' }): ReadonlyMap<unknown, Uint8Array> {
    let names = this.names.get(leaf);
    if (!names) {
      const encoder = new TextEncoder();
      const m = new Map<unknown, Uint8Array>();
      for (const [value, name] of leaf.names) {
        const bytes = encoder.encode(leaves.jsonwString(name));
        // Names longer than the scratch buffer are shown cut (enumerators are short).
        m.set(value, bytes.length <= 250 ? bytes : bytes.subarray(0, 250));
      }
      this.names.set(leaf, m);
      names = m;
    }
    return names;
  }
}

/** A number when exact, else the bigint. */
function safe(v: bigint): number | bigint {
  return v >= -0x1fffffffffffffn && v <= 0x1fffffffffffffn ? Number(v) : v;
}

/** Format one value with a fresh formatter (reuse a ValueFormatter when formatting many). */
export function formatValue(btf: Btf, typeId: number, bytes: Uint8Array, offset = 0): ValueNode {
  return new ValueFormatter(btf).format(typeId, bytes, offset);
}
