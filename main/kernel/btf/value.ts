// One value tree per map key or value: what the UI expands and charts, and what the bpftool
// JSON renderer (bpftool-json.ts) prints. Semantics follow bpftool's btf_dumper.c, so both
// renderings agree on which bytes mean what; `repr` says how bpftool prints a node.

import type { Btf } from './btf.js';
import { type BtfType, type Enum, type KindName, type Member, MAX_RESOLVE_DEPTH } from './types.js';
import { TypeNamer } from './type-name.js';

export type Repr =
  | 'dec'      // integer printed in decimal
  | 'hex'      // bitfield, 128-bit or odd-width integer: bpftool prints "0x…" as a string
  | 'char'     // CHAR-encoded integer
  | 'bool'
  | 'enum'     // value is the enumerator name, or the number when none matches
  | 'string'   // char array holding a NUL-terminated printable string
  | 'ptr'
  | 'float'    // bpftool 7.1 cannot print floats: "(unsupported-kind" and stops
  | 'struct' | 'union' | 'array' | 'datasec' | 'var'
  | 'void'     // bpftool prints (unknown)
  | 'fwd'      // bpftool prints (fwd-kind-invalid) and stops
  | 'unsupported' // functions and other kinds bpftool does not print
  | 'badint'   // integer or enum encoding bpftool rejects without printing anything
  | 'error';   // bytes missing or BTF broken: the hex of what is there

export interface ValueNode {
  /** Member or variable name, `[i]` for array elements, the caller's name for the root. */
  name: string;
  /** Declared type (before typedefs and qualifiers are skipped). */
  typeId: number;
  /** C spelling of the declared type: `u32`, `struct flags`, `char[16]`. */
  typeName: string;
  /** Kind of the resolved type ('error' when it could not be decoded). */
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
  /** Why this node fell back to hex. */
  error?: string;
}

interface Plan {
  resolved: BtfType;
  typeName: string;
  /** Size in bytes, or -1 when the type has none. */
  size: number;
  /** Enumerator names keyed as bpftool compares them. */
  enumNames?: Map<bigint, string>;
  /** For arrays: whether bpftool may print it as a string. */
  charArray?: boolean;
  error?: string;
}

export interface FormatOptions {
  /** Upper bound on nodes per formatted value; the rest become error nodes. */
  maxNodes?: number;
}

const DEFAULT_MAX_NODES = 1 << 20;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Formats values of one BTF; keeps per-type layout plans, so reuse it across values. */
export class ValueFormatter {
  private readonly plans = new Map<number, Plan>();
  private readonly namer: TypeNamer;
  private readonly maxNodes: number;
  private bytes: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(new ArrayBuffer(0));
  private budget = 0;

  constructor(private readonly btf: Btf, options: FormatOptions = {}) {
    this.namer = new TypeNamer(btf);
    this.maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  }

  /** The value of type `typeId` stored at `offset` in `bytes`. Never throws for bad data. */
  format(typeId: number, bytes: Uint8Array, offset = 0, name = ''): ValueNode {
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.budget = this.maxNodes;
    return this.node(typeId, name, offset, 0, 0);
  }

  private plan(id: number): Plan {
    let p = this.plans.get(id);
    if (p) return p;
    try {
      const resolved = this.btf.resolve(id);
      let size = -1;
      try {
        size = this.btf.sizeOf(id);
      } catch {
        size = -1;
      }
      p = { resolved, typeName: this.namer.name(id), size };
      if (resolved.kind === 'enum' || resolved.kind === 'enum64') p.enumNames = enumNames(resolved);
      if (resolved.kind === 'array') p.charArray = this.isCharElement(resolved.type);
    } catch (e) {
      p = { resolved: { id: 0, kind: 'void', name: '' }, typeName: `type ${id}`, size: -1, error: (e as Error).message };
    }
    this.plans.set(id, p);
    return p;
  }

  /** bpftool skips qualifiers but not typedefs, then wants a 1-byte CHAR int or one named char. */
  private isCharElement(id: number): boolean {
    let t = this.btf.type(id);
    for (let depth = 0; t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'type_tag'; depth++) {
      if (depth >= MAX_RESOLVE_DEPTH) return false;
      t = this.btf.type(t.type);
    }
    return t.kind === 'int' && t.size === 1 && (t.encoding === 2 || t.name === 'char');
  }

  private errorNode(typeId: number, typeName: string, name: string, offset: number, size: number, error: string): ValueNode {
    const end = Math.min(this.bytes.length, offset + Math.max(0, size));
    let display = '';
    for (let i = offset; i < end; i++) display += (i > offset ? ' ' : '') + HEX[this.bytes[i]!];
    return {
      name, typeId, typeName, kind: 'error', repr: 'error', offset, size: Math.max(0, end - offset), bitOffset: 0,
      bitSize: Math.max(0, end - offset) * 8, value: undefined, display, children: undefined, error,
    };
  }

  private node(id: number, name: string, offset: number, bitOffset: number, depth: number): ValueNode {
    const p = this.plan(id);
    if (p.error !== undefined) return this.errorNode(id, p.typeName, name, offset, 0, p.error);
    if (--this.budget < 0) return this.errorNode(id, p.typeName, name, offset, 0, 'too many nodes');
    if (depth > MAX_RESOLVE_DEPTH) return this.errorNode(id, p.typeName, name, offset, 0, 'nested too deep (cycle?)');
    const t = p.resolved;
    if (p.size >= 0 && offset + p.size > this.bytes.length && t.kind !== 'datasec') {
      return this.errorNode(id, p.typeName, name, offset, p.size, `value truncated: need ${p.size} bytes at ${offset}`);
    }
    switch (t.kind) {
      case 'int':
        return this.intNode(id, p, t, name, offset, bitOffset);
      case 'ptr': {
        const v = this.u64(offset);
        return this.leaf(id, p, name, offset, 8, 'ptr', v, '0x' + v.toString(16));
      }
      case 'enum': case 'enum64':
        return this.enumNode(id, p, t, name, offset);
      case 'float':
        return this.leaf(id, p, name, offset, t.size, 'float', undefined, this.floatText(offset, t.size));
      case 'struct': case 'union':
        return this.compositeNode(id, p, t.kind, t.members, name, offset, depth);
      case 'array':
        return this.arrayNode(id, p, t.type, t.nelems, name, offset, depth);
      case 'datasec': {
        const children: ValueNode[] = [];
        for (const v of t.vars) children.push(this.node(v.type, '', offset + v.offset, 0, depth + 1));
        const node = this.container(id, p, name, offset, Math.max(0, p.size), 'datasec', children, '{…}');
        node.value = t.name;
        return node;
      }
      case 'var': {
        const child = this.node(t.type, t.name, offset, bitOffset, depth + 1);
        const node = this.container(id, p, t.name, offset, child.size, 'var', [child], child.display);
        node.value = child.value;
        return node;
      }
      case 'void':
        return this.leaf(id, p, name, offset, 0, 'void', undefined, '(unknown)');
      case 'fwd':
        return this.leaf(id, p, name, offset, 0, 'fwd', undefined, `${t.union ? 'union' : 'struct'} ${t.name} (incomplete)`);
      default:
        return this.leaf(id, p, name, offset, 0, 'unsupported', undefined, `(${t.kind})`);
    }
  }

  private leaf(id: number, p: Plan, name: string, offset: number, size: number, repr: Repr,
    value: ValueNode['value'], display: string): ValueNode {
    return {
      name, typeId: id, typeName: p.typeName, kind: p.resolved.kind, repr, offset, size, bitOffset: 0,
      bitSize: size * 8, value, display, children: undefined,
    };
  }

  private container(id: number, p: Plan, name: string, offset: number, size: number, repr: Repr,
    children: ValueNode[], display: string): ValueNode {
    return {
      name, typeId: id, typeName: p.typeName, kind: p.resolved.kind, repr, offset, size, bitOffset: 0,
      bitSize: size * 8, value: undefined, display, children,
    };
  }

  private intNode(id: number, p: Plan, t: BtfType & { kind: 'int' }, name: string, offset: number, bitOffset: number): ValueNode {
    const bits = t.bits;
    if (bitOffset || t.bitOffset || (bits & 7) || !(bits === 8 || bits === 16 || bits === 32 || bits === 64)) {
      if (bits === 128 && !bitOffset && !t.bitOffset) {
        const v = this.bits(offset, 0, 128, t.signed);
        return this.leaf(id, p, name, offset, 16, 'hex', v, v.toString());
      }
      const total = bitOffset + t.bitOffset;
      return this.bitfieldNode(id, p, name, offset + (total >> 3), total & 7, bits, t.signed);
    }
    const size = bits >> 3;
    if (t.encoding === 2) {
      const c = this.bytes[offset]!;
      return this.leaf(id, p, name, offset, 1, 'char', c, charDisplay(c));
    }
    if (t.encoding === 4) {
      const b = this.bytes[offset] !== 0;
      return this.leaf(id, p, name, offset, size, 'bool', b, b ? 'true' : 'false');
    }
    const v = this.readInt(offset, size, t.signed);
    return this.leaf(id, p, name, offset, size, t.encoding <= 1 ? 'dec' : 'badint', v, String(v));
  }

  private bitfieldNode(id: number, p: Plan, name: string, offset: number, bitOffset: number, bits: number, signed: boolean): ValueNode {
    const bytesNeeded = (bitOffset + bits + 7) >> 3;
    if (offset + bytesNeeded > this.bytes.length) {
      return this.errorNode(id, p.typeName, name, offset, bytesNeeded, 'bitfield past end of value');
    }
    const v = this.bits(offset, bitOffset, bits, signed);
    return {
      name, typeId: id, typeName: p.typeName, kind: p.resolved.kind, repr: 'hex', offset, size: bytesNeeded,
      bitOffset, bitSize: bits, value: v, display: v.toString(), children: undefined,
    };
  }

  private enumNode(id: number, p: Plan, t: Enum, name: string, offset: number): ValueNode {
    const size = t.size;
    if ((t.kind === 'enum' && size !== 1 && size !== 2 && size !== 4 && size !== 8) || (t.kind === 'enum64' && size !== 8)) {
      return this.leaf(id, p, name, offset, size, 'badint', undefined, `(enum of size ${size})`);
    }
    // bpftool reads ENUM values signed and ENUM64 values as 64 bits, then prints int64.
    const raw = t.kind === 'enum64' ? BigInt.asIntN(64, this.u64Big(offset)) : BigInt(this.readInt(offset, size, true));
    const match = p.enumNames!.get(raw);
    const value = match ?? (raw >= -0x1fffffffffffffn && raw <= 0x1fffffffffffffn ? Number(raw) : raw);
    return this.leaf(id, p, name, offset, size, 'enum', value, match ?? String(t.signed ? raw : BigInt.asUintN(size * 8, raw)));
  }

  private compositeNode(id: number, p: Plan, kind: 'struct' | 'union', members: readonly Member[],
    name: string, offset: number, depth: number): ValueNode {
    const children = new Array<ValueNode>(members.length);
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      const at = offset + (m.bitOffset >>> 3);
      if (m.bitfieldSize) {
        const mp = this.plan(m.type);
        const signed = mp.resolved.kind === 'int' ? mp.resolved.signed : mp.resolved.kind === 'enum' && mp.resolved.signed;
        const child = this.bitfieldNode(m.type, mp, m.name, at, m.bitOffset & 7, m.bitfieldSize, signed);
        children[i] = child;
      } else {
        children[i] = this.node(m.type, m.name, at, m.bitOffset & 7, depth + 1);
      }
    }
    return this.container(id, p, name, offset, Math.max(0, p.size), kind, children, '{…}');
  }

  private arrayNode(id: number, p: Plan, elemId: number, nelems: number, name: string, offset: number, depth: number): ValueNode {
    const size = Math.max(0, p.size);
    if (p.charArray && nelems > 0) {
      const s = this.cString(offset, nelems);
      if (s !== undefined) {
        const display = s.includes('"') || s.includes('\\') ? JSON.stringify(s) : '"' + s + '"';
        const node = this.container(id, p, name, offset, size, 'string', [], display);
        node.children = undefined;
        node.value = s;
        return node;
      }
    }
    const ep = this.plan(elemId);
    const elemSize = ep.size;
    if (elemSize < 0) return this.errorNode(id, p.typeName, name, offset, size, `array element type ${elemId} has no size`);
    if (nelems > this.budget) return this.errorNode(id, p.typeName, name, offset, size, `array of ${nelems} elements too large`);
    const children = new Array<ValueNode>(nelems);
    for (let i = 0; i < nelems; i++) children[i] = this.node(elemId, `[${i}]`, offset + i * elemSize, 0, depth + 1);
    return this.container(id, p, name, offset, size, 'array', children, `[${nelems}]`);
  }

  /** The string bpftool would print: printable bytes up to a NUL within the array, else undefined. */
  private cString(offset: number, n: number): string | undefined {
    const bytes = this.bytes;
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = bytes[offset + i]!;
      if (c === 0) return s;
      if (c <= 0x1f || c >= 0x7f) return undefined;
      s += String.fromCharCode(c);
    }
    return undefined;
  }

  private readInt(offset: number, size: number, signed: boolean): number | bigint {
    const view = this.view;
    const le = this.btf.littleEndian;
    switch (size) {
      case 1: return signed ? view.getInt8(offset) : view.getUint8(offset);
      case 2: return signed ? view.getInt16(offset, le) : view.getUint16(offset, le);
      case 4: return signed ? view.getInt32(offset, le) : view.getUint32(offset, le);
      default: {
        const v = signed ? view.getBigInt64(offset, le) : view.getBigUint64(offset, le);
        return v >= -0x1fffffffffffffn && v <= 0x1fffffffffffffn ? Number(v) : v;
      }
    }
  }

  private u64Big(offset: number): bigint {
    return this.view.getBigUint64(offset, this.btf.littleEndian);
  }

  private u64(offset: number): number | bigint {
    const v = this.u64Big(offset);
    return v <= 0x1fffffffffffffn ? Number(v) : v;
  }

  /** `bits` bits starting `bitOffset` bits into the byte at `offset` (little-endian bit order). */
  private bits(offset: number, bitOffset: number, bits: number, signed: boolean): number | bigint {
    const nbytes = (bitOffset + bits + 7) >> 3;
    if (nbytes <= 4 && this.btf.littleEndian) {
      const b = this.bytes;
      let acc = b[offset]!;
      if (nbytes > 1) acc |= b[offset + 1]! << 8;
      if (nbytes > 2) acc |= b[offset + 2]! << 16;
      if (nbytes > 3) acc |= b[offset + 3]! << 24;
      const shift = 32 - bitOffset - bits;
      return signed ? (acc << shift) >> (32 - bits) : ((acc << shift) >>> (32 - bits));
    }
    if (nbytes <= 6) {
      // Up to 48 bits: exact in a double, far cheaper than BigInt.
      let acc = 0;
      if (this.btf.littleEndian) {
        for (let i = nbytes - 1; i >= 0; i--) acc = acc * 256 + this.bytes[offset + i]!;
        acc = Math.floor(acc / 2 ** bitOffset) % 2 ** bits;
      } else {
        for (let i = 0; i < nbytes; i++) acc = acc * 256 + this.bytes[offset + i]!;
        acc = Math.floor(acc / 2 ** (nbytes * 8 - bitOffset - bits)) % 2 ** bits;
      }
      return signed && acc >= 2 ** (bits - 1) ? acc - 2 ** bits : acc;
    }
    let raw = 0n;
    if (this.btf.littleEndian) {
      for (let i = nbytes - 1; i >= 0; i--) raw = (raw << 8n) | BigInt(this.bytes[offset + i]!);
      raw = (raw >> BigInt(bitOffset)) & ((1n << BigInt(bits)) - 1n);
    } else {
      for (let i = 0; i < nbytes; i++) raw = (raw << 8n) | BigInt(this.bytes[offset + i]!);
      raw = (raw >> BigInt(nbytes * 8 - bitOffset - bits)) & ((1n << BigInt(bits)) - 1n);
    }
    const v = signed ? BigInt.asIntN(bits, raw) : raw;
    return bits <= 53 ? Number(v) : v;
  }

  private floatText(offset: number, size: number): string {
    const le = this.btf.littleEndian;
    if (size === 4) return String(this.view.getFloat32(offset, le));
    if (size === 8) return String(this.view.getFloat64(offset, le));
    let s = '0x';
    for (let i = size - 1; i >= 0; i--) s += HEX[this.bytes[offset + i]!];
    return s;
  }
}

function enumNames(t: Enum): Map<bigint, string> {
  const names = new Map<bigint, string>();
  for (const v of t.values) {
    // ENUM values are compared as s32 promoted to s64, ENUM64 values as s64.
    const key = t.kind === 'enum' ? BigInt.asIntN(32, v.value) : BigInt.asIntN(64, v.value);
    if (!names.has(key)) names.set(key, v.name);
  }
  return names;
}

function charDisplay(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `'\\x${HEX[c]}'`;
}

/** Format one value with a fresh formatter (reuse a ValueFormatter when formatting many). */
export function formatValue(btf: Btf, typeId: number, bytes: Uint8Array, offset = 0): ValueNode {
  return new ValueFormatter(btf).format(typeId, bytes, offset);
}
