// A map value's plan (value-plan.ts) turned into one generated function that writes the
// value as bpftool prints it, JSON (`map dump -j`) or text (`map dump`, json_writer in
// pretty mode). bpftool's json_writer keeps a depth and a separator flag; both follow
// from the type alone, so they are replayed here once, at build time (JsonwReplay), and
// what is left for each entry is straight-line code: constant bytes (names, braces,
// commas, indentation) and one call per scalar, with loops for arrays. The generated
// source holds only numbers and fixed identifiers: names and tables are passed in arrays.

import type { Btf } from './btf.js';
import { jsonwString, putBytes } from './value-leaves.js';
import * as decimal from './decimal-bytes.js';
import * as leaves from './value-leaves.js';
import { PlanError, ValuePlanner, type Leaf, type PlanNode } from './value-plan.js';

/**
 * Writes the value at src[offset…] into out from `at` and returns the end; `out` has maxBytes
 * of room; `view` and `srcView` are DataViews of out's and src's bytes at the same offsets
 * (decimal-bytes viewOf).
 */
export type ValueWriteFn = (out: Uint8Array, at: number, src: Uint8Array, offset: number, view: DataView, srcView: DataView) => number;

export interface ValueWriter {
  write: ValueWriteFn;
  /** The most bytes one value can take. */
  maxBytes: number;
  /** bpftool stops the entry inside this value (nothing after it is printed). */
  stops: boolean;
  /** json_writer's separator after the value: false when the value printed nothing. */
  sepAfter: boolean;
  /** Set when the type could not be planned and the value is written as hex bytes. */
  error?: string;
}

export interface WriterStyle {
  /** bpftool's plain-text mode: pretty json_writer, bare hex, %p pointers. */
  text: boolean;
  /** json_writer depth where the value starts (text mode indentation). */
  depth: number;
}

type Op =
  | { op: 'text'; bytes: number[] }
  | { op: 'leaf'; leaf: Leaf; at: number }
  /** Elements after the first are preceded by a comma (json_writer's separator). */
  | { op: 'loop'; at: number; count: number; stride: number; body: Op[] }
  /** A string (after `prefix`) when the bytes hold one, else the array ops. */
  | { op: 'chars'; at: number; length: number; prefix: number; array: Op[] };

const encoder = new TextEncoder();
const COMMA = 0x2c;
/** Constant bytes up to this many are stored by the generated code itself, longer ones copied from a table. */
const MAX_INLINE_CONSTANT = 32;
/** Enums with more enumerators than this look their names up in a table instead of a switch. */
const MAX_SWITCH_CASES = 64;

/** json_writer.c's state machine, run on the type instead of on each value. */
export class JsonwReplay {
  readonly ops: Op[] = [];
  sep = false;

  constructor(
    public depth: number,
    readonly pretty: boolean,
  ) {}

  text(s: string): void {
    const last = this.ops[this.ops.length - 1];
    const bytes = Array.from(encoder.encode(s));
    if (last?.op === 'text') last.bytes.push(...bytes);
    else this.ops.push({ op: 'text', bytes });
  }

  eor(): void {
    if (this.sep) this.text(',');
    this.sep = true;
  }

  eol(): void {
    if (this.pretty) this.text('\n' + '    '.repeat(this.depth));
  }

  begin(c: string): void {
    this.eor();
    this.text(c);
    this.depth++;
    this.sep = false;
  }

  end(c: string): void {
    this.depth--;
    if (this.sep) this.eol();
    this.text(c);
    this.sep = true;
  }

  name(name: string): void {
    this.eor();
    this.eol();
    this.sep = false;
    this.text(jsonwString(name) + (this.pretty ? ': ' : ':'));
  }

  printf(s: string): void {
    this.eor();
    this.text(s);
  }

  /** The constant bytes written since the last call (the frame around values). */
  take(): Uint8Array {
    const bytes: number[] = [];
    for (const op of this.ops) {
      if (op.op !== 'text') throw new Error('frame: a value was written through the replay');
      bytes.push(...op.bytes);
    }
    this.ops.length = 0;
    return Uint8Array.from(bytes);
  }

  /** A replay of the same state for a nested stretch (a loop body, a branch). */
  fork(sep: boolean): JsonwReplay {
    const r = new JsonwReplay(this.depth, this.pretty);
    r.sep = sep;
    return r;
  }

  /** do_dump_btf's calls for one plan node starting `base` bytes into the current frame. */
  value(n: PlanNode, base: number): void {
    switch (n.node) {
      case 'leaf':
        this.eor();
        this.ops.push({ op: 'leaf', leaf: n.leaf, at: base + n.at });
        return;
      case 'literal':
        this.printf(n.text);
        return;
      case 'stop':
        if (n.text) this.printf(n.text);
        return;
      case 'struct':
        this.begin('{');
        for (const m of n.members) {
          this.name(m.name);
          this.value(m.value, base + m.at);
        }
        this.end('}');
        return;
      case 'array':
        this.begin('[');
        this.elements(n, base);
        this.end(']');
        return;
      case 'chars': {
        const array = this.fork(this.sep);
        array.value(n.array, base);
        this.ops.push({ op: 'chars', at: base, length: n.length, prefix: this.sep ? COMMA : 0, array: array.ops });
        this.sep = true;
        return;
      }
      case 'datasec':
        this.begin('{');
        this.name(n.name);
        this.begin('[');
        for (const v of n.vars) this.value(v.value, base + v.at);
        this.end(']');
        this.end('}');
        return;
      case 'var':
        this.begin('{');
        this.name(n.name);
        this.value(n.value, base);
        this.end('}');
        return;
    }
  }

  private elements(n: PlanNode & { node: 'array' }, base: number): void {
    if (n.count === 0) return;
    // Every element starts with the separator step: the first prints nothing, the rest a comma.
    const body = this.fork(false);
    if (n.count === 1) {
      body.value(n.element, base);
      this.ops.push(...body.ops);
    } else {
      body.value(n.element, 0);
      this.ops.push({ op: 'loop', at: base, count: n.count, stride: n.stride, body: body.ops });
    }
    this.sep = true;
  }
}

/** Most bytes a leaf writes. */
function leafMaxBytes(leaf: Leaf, names: (leaf: Leaf) => number): number {
  switch (leaf.kind) {
    // A u8's three digits are stored as a word.
    case 'u8': return 4;
    case 's8': return 4;
    case 'u16': return 5;
    case 's16': return 6;
    case 'u32': return 10;
    case 's32': return 11;
    case 'u64': case 's64': case 'ptr': return 20;
    case 'char': return 8;
    case 'bool': return 5;
    case 'enum': case 'enum64': return Math.max(20, names(leaf));
    case 'bits': return 4 + Math.ceil(leaf.bits / 4);
  }
}

/**
 * Generated statements writing constant bytes at `at` (into `out`, through its DataView `dv`)
 * and advancing it: stored one by one when short, else copied by `P` from `C[n]`, the index
 * of `bytes` pushed onto `consts`.
 */
export function constantSource(bytes: ArrayLike<number>, consts: Uint8Array[]): string {
  if (bytes.length === 0) return '';
  if (bytes.length > MAX_INLINE_CONSTANT) return `at=P(out,at,C[${consts.push(Uint8Array.from(bytes)) - 1}]);`;
  let src = '';
  let i = 0;
  // Four bytes a store (little-endian words through the output's DataView), then the rest one by one.
  for (; i + 4 <= bytes.length; i += 4) {
    const word = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
    src += `dv.setUint32(at${i ? '+' + i : ''},${word},true);`;
  }
  for (; i < bytes.length; i++) src += `out[at${i ? '+' + i : ''}]=${bytes[i]!};`;
  return `${src}at+=${bytes.length};`;
}

/** Builds the generated function from ops; tables and constants go to arrays it closes over. */
class Generator {
  readonly consts: Uint8Array[] = [];
  readonly tables: ReadonlyMap<unknown, Uint8Array>[] = [];
  private readonly tableOf = new Map<Leaf, number>();

  constructor(
    private readonly le: boolean,
    private readonly text: boolean,
  ) {}

  /** Source of the ops, reading at `base` (a variable name) plus each op's offset. */
  code(ops: readonly Op[], base: string, depth: number): string {
    let src = '';
    for (const op of ops) {
      switch (op.op) {
        case 'text':
          src += this.constant(op.bytes);
          break;
        case 'leaf':
          src += this.leaf(op.leaf, base, op.at);
          break;
        case 'loop': {
          const i = `i${depth}`;
          const b = `b${depth + 1}`;
          src += `for(let ${i}=0,${b}=${base}+${op.at};${i}<${op.count};${i}++,${b}+=${op.stride}){if(${i}>0)out[at++]=44;${this.code(op.body, b, depth + 1)}}`;
          break;
        }
        case 'chars':
          src += `{const r=L.writeLeafString(out,at,s,${base}+${op.at},${op.length},${op.prefix});if(r>=0)at=r;else{${this.code(op.array, base, depth)}}}`;
          break;
      }
    }
    return src;
  }

  private constant(bytes: ArrayLike<number>): string {
    return constantSource(bytes, this.consts);
  }

  /** The unsigned integer of `bytes` (1 to 4) bytes at base + at, read in the BTF's byte order (an expression). */
  private read(base: string, at: number, bytes: number): string {
    // Two and four bytes in one load of the source's DataView (a u64 was eight byte loads).
    if (bytes === 2 || bytes === 4) return `sv.getUint${bytes * 8}(${base}+${at},${this.le})`;
    const parts: string[] = [];
    for (let i = 0; i < bytes; i++) parts.push(`s[${base}+${at + (this.le ? i : bytes - 1 - i)}]${i ? `<<${8 * i}` : ''}`);
    return `(${parts.join('|')})`;
  }

  /** The statement writing one leaf: integers read inline, the rest by their leaf functions. */
  private leaf(leaf: Leaf, base: string, at: number): string {
    const le = String(this.le);
    const o = `${base}+${at}`;
    // 64-bit integers as their low and high halves.
    const halves = () => (this.le ? `${this.read(base, at, 4)},${this.read(base, at + 4, 4)}` : `${this.read(base, at + 4, 4)},${this.read(base, at, 4)}`);
    switch (leaf.kind) {
      // The digits as one word from a table, and their count (decimal-bytes.ts U8_WORDS).
      case 'u8': return `{const b=s[${o}];dv.setUint32(at,U8W[b],true);at+=U8N[b];}`;
      case 's8': return `{const b=s[${o}];dv.setUint32(at,S8W[b],true);at+=S8N[b];}`;
      case 'u16': return `at=D.writeU32(out,at,${this.read(base, at, 2)});`;
      case 's16': return `at=D.writeInt(out,at,(${this.read(base, at, 2)}<<16)>>16);`;
      case 'u32': return `at=D.writeU32(out,at,${this.read(base, at, 4)});`;
      case 's32': return `at=D.writeInt(out,at,${this.read(base, at, 4)}|0);`;
      case 'u64': return `at=D.writeU64(out,at,${halves()},dv);`;
      case 's64': return `at=D.writeI64(out,at,${halves()},dv);`;
      case 'char': return `at=L.writeLeafChar(out,at,s,${o},${this.text});`;
      case 'bool': return `at=L.writeLeafBool(out,at,s,${o});`;
      // JSON prints a pointer as %lu.
      case 'ptr': return this.text ? `at=L.writeLeafPtr(out,at,s,${o},${le},true);` : `at=D.writeU64(out,at,${halves()},dv);`;
      case 'enum': return leaf.size === 8 || leaf.names.size > MAX_SWITCH_CASES
        ? `at=L.writeLeafEnum(out,at,s,${o},${le},${leaf.size},T[${this.table(leaf)}],dv);`
        : this.enumSwitch(leaf, base, at);
      case 'enum64': return `at=L.writeLeafEnum64(out,at,s,${o},${le},T[${this.table(leaf)}],dv);`;
      case 'bits': return this.bits(leaf, base, at);
    }
  }

  /** An enum of up to 4 bytes: a switch over its values writing the names, the number otherwise. */
  private enumSwitch(leaf: Leaf & { kind: 'enum' }, base: string, at: number): string {
    const shift = 32 - 8 * leaf.size;
    const value = shift ? `(${this.read(base, at, leaf.size)}<<${shift})>>${shift}` : `${this.read(base, at, 4)}|0`;
    let cases = '';
    for (const [v, name] of leaf.names) cases += `case ${v}:${this.constant(encoder.encode(jsonwString(name)))}break;`;
    return `{const v=${value};switch(v){${cases}default:at=D.writeInt(out,at,v);}}`;
  }

  /** Bitfields within 4 bytes (little-endian): shifted and masked inline; others by the leaf function. */
  private bits(leaf: Leaf & { kind: 'bits' }, base: string, at: number): string {
    const nbytes = (leaf.bitOffset + leaf.bits + 7) >>> 3;
    if (!this.le || nbytes > 4) return `at=L.writeLeafBits(out,at,s,${base}+${at},${this.le},${leaf.bitOffset},${leaf.bits},${this.text});`;
    let value = this.read(base, at, nbytes);
    if (leaf.bitOffset) value = `(${value}>>>${leaf.bitOffset})`;
    if (leaf.bits < 32) value = `(${value}&${2 ** leaf.bits - 1})`;
    const quote = this.text ? '' : '"';
    // Up to 4 bits: one hex digit, from the table, stored with the "0x before it in one word.
    if (leaf.bits <= 4) {
      return this.text
        ? `dv.setUint16(at,${0x7830},true);out[at+2]=HX[${value}];at+=3;`
        : `dv.setUint32(at,${0x783022}|(HX[${value}]<<24),true);out[at+4]=34;at+=5;`;
    }
    return `${this.constant(encoder.encode(`${quote}0x`))}at=L.writeHex32(out,at,${value}>>>0);${quote ? this.constant([0x22]) : ''}`;
  }

  /** The quoted-name table of an enum leaf (one per leaf object, shared by its uses). */
  table(leaf: Leaf & { kind: 'enum' | 'enum64' }): number {
    let i = this.tableOf.get(leaf);
    if (i === undefined) {
      const quoted = new Map<unknown, Uint8Array>();
      for (const [value, name] of leaf.names) quoted.set(value, encoder.encode(jsonwString(name)));
      i = this.tables.push(quoted) - 1;
      this.tableOf.set(leaf, i);
    }
    return i;
  }

  maxBytes(ops: readonly Op[]): number {
    let n = 0;
    for (const op of ops) {
      switch (op.op) {
        case 'text': n += op.bytes.length; break;
        case 'leaf': n += leafMaxBytes(op.leaf, (l) => this.longestName(l)); break;
        case 'loop': n += op.count * (1 + this.maxBytes(op.body)); break;
        case 'chars': n += Math.max(1 + 2 + 2 * op.length, this.maxBytes(op.array)); break;
      }
    }
    return n;
  }

  private longestName(leaf: Leaf): number {
    if (leaf.kind !== 'enum' && leaf.kind !== 'enum64') return 0;
    let longest = 0;
    for (const bytes of this.tables[this.table(leaf)]!.values()) longest = Math.max(longest, bytes.length);
    return longest;
  }
}

type Factory = (L: typeof leaves, D: typeof decimal, P: typeof putBytes, C: Uint8Array[], T: ReadonlyMap<unknown, Uint8Array>[]) => ValueWriteFn;

/** The writer of a plan node (the whole value), in one style. */
export function generateWriter(root: PlanNode, le: boolean, style: WriterStyle): { write: ValueWriteFn; maxBytes: number; sepAfter: boolean } {
  const replay = new JsonwReplay(style.depth, style.text);
  replay.value(root, 0);
  const gen = new Generator(le, style.text);
  const body = gen.code(replay.ops, 'o', 0);
  const factory = new Function('L', 'D', 'P', 'C', 'T', `"use strict";const U8W=D.U8_WORDS,U8N=D.U8_LENGTHS,S8W=D.S8_WORDS,S8N=D.S8_LENGTHS,HX=L.HEX_DIGITS;return function(out,at,s,o,dv,sv){${body}return at;};`) as Factory;
  return { write: factory(leaves, decimal, putBytes, gen.consts, gen.tables), maxBytes: gen.maxBytes(replay.ops), sepAfter: replay.sep };
}

const HEX_ITEM = Array.from({ length: 256 }, (_, b) => encoder.encode(`"0x${b.toString(16).padStart(2, '0')}"`));

/** Our fallback for a type that cannot be planned or needs more bytes than the value has: its bytes as hex. */
function hexWriter(available: number, error: string): ValueWriter {
  const write: ValueWriteFn = (out, at, src, offset) => {
    out[at++] = 0x5b;
    for (let i = 0; i < available; i++) {
      if (i) out[at++] = COMMA;
      at = putBytes(out, at, HEX_ITEM[src[offset + i]!]!);
    }
    out[at++] = 0x5d;
    return at;
  };
  return { write, maxBytes: 2 + available * 7, stops: false, sepAfter: true, error };
}

/**
 * Writers of one BTF's types, built once per (type, style) and kept: a map dump asks for
 * its key and value writers once and calls them for every entry.
 */
export class ValueWriters {
  readonly planner: ValuePlanner;
  private readonly cache = new Map<string, ValueWriter>();

  constructor(readonly btf: Btf) {
    this.planner = new ValuePlanner(btf);
  }

  /** The writer of type `id` for values of `available` bytes. */
  writer(id: number, available: number, style: WriterStyle): ValueWriter {
    const key = `${id}/${available}/${style.text ? 't' : 'j'}${style.depth}`;
    let w = this.cache.get(key);
    if (!w) {
      w = this.build(id, available, style);
      this.cache.set(key, w);
    }
    return w;
  }

  private build(id: number, available: number, style: WriterStyle): ValueWriter {
    const plan = this.planner.plan(id);
    if (plan instanceof PlanError) return hexWriter(available, plan.message);
    if (plan.extent > available) return hexWriter(available, `type ${id} needs ${plan.extent} bytes, the value has ${available}`);
    return { ...generateWriter(plan.root, this.btf.littleEndian, style), stops: plan.stops };
  }

  /** One value as text (bpftool JSON or text form), for callers formatting a few values. */
  format(id: number, bytes: Uint8Array, style: WriterStyle = { text: false, depth: 0 }): string {
    const w = this.writer(id, bytes.length, style);
    const out = new Uint8Array(w.maxBytes);
    return new TextDecoder().decode(out.subarray(0, w.write(out, 0, bytes, 0, decimal.viewOf(out), decimal.viewOf(bytes))));
  }
}
