// Specialised writers of bpftool's `formatted` JSON for the common value shapes (whole-byte
// integers, pointers, enums, structs, unions and arrays of them). A type is compiled once
// into a flat program: runs of constant bytes (names, braces, commas) merged into one
// copy, and one integer op per leaf at its byte offset. Running it writes bytes straight
// from the map's bytes into the output buffer, without a value tree, a string, a DataView
// or a call per nesting level, which is what makes dumping a million entries cheap. Any
// other shape (bitfields, char arrays, floats, 128-bit integers, DATASEC, …) gets no writer
// and takes the general path; both must print the same text, and the tests hold them to it.
import type { Btf } from './btf.js';
import type { EnumValue } from './types.js';
import { bpftoolString } from './bpftool-json.js';
import { writeI64, writeInt, writeU32, writeU64 } from './decimal-bytes.js';

/** Writes the value at src[offset…] into out at `at` and returns the end. */
export type FastValueWriter = (out: Uint8Array, at: number, src: Uint8Array, offset: number) => number;

export interface FastWriter {
  write: FastValueWriter;
  /** The most bytes one value can take: the room to leave before calling write. */
  maxBytes: number;
}

/** Types nested deeper than this take the general path (it reports cycles). */
const MAX_DEPTH = 16;
/** Values needing more ops than this (huge arrays) take the general path. */
const MAX_OPS = 1 << 16;

const encoder = new TextEncoder();

// Ops: a constant, or an integer of some width and signedness (enums: signed, named).
const CONST = 0;
const U8 = 1;
const S8 = 2;
const U16 = 3;
const S16 = 4;
const U32 = 5;
const S32 = 6;
const U64 = 7;
const S64 = 8;
const ENUM8 = 9;
const ENUM16 = 10;
const ENUM32 = 11;
const ENUM64 = 12;

const INT_OPS: Record<number, [unsigned: number, signed: number, maxBytes: number]> = {
  1: [U8, S8, 4],
  2: [U16, S16, 6],
  4: [U32, S32, 11],
  8: [U64, S64, 20],
};
const ENUM_OPS: Record<number, number> = { 1: ENUM8, 2: ENUM16, 4: ENUM32, 8: ENUM64 };

/** Enum names by value as s32, quoted, as bytes. */
type EnumNames = Map<number, Uint8Array>;

/** Ops under construction; constant bytes are held back to merge with the next ones. */
class Program {
  ops: number[] = [];
  offsets: number[] = [];
  consts: (Uint8Array | undefined)[] = [];
  enums: (EnumNames | undefined)[] = [];
  private pending: number[] = [];

  text(s: string): void {
    this.bytes(encoder.encode(s));
  }

  bytes(bytes: Uint8Array): void {
    for (const b of bytes) this.pending.push(b);
  }

  op(op: number, offset: number, names?: EnumNames): void {
    this.flush();
    this.push(op, offset, undefined, names);
  }

  /** Appends another program's ops with their offsets moved by `shift`. */
  append(other: Program, shift: number): void {
    other.flush();
    for (let i = 0; i < other.ops.length; i++) {
      if (other.ops[i] === CONST) this.bytes(other.consts[i]!);
      else this.op(other.ops[i]!, other.offsets[i]! + shift, other.enums[i]);
    }
  }

  get length(): number {
    return this.ops.length;
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.push(CONST, 0, Uint8Array.from(this.pending), undefined);
    this.pending = [];
  }

  private push(op: number, offset: number, bytes: Uint8Array | undefined, names: EnumNames | undefined): void {
    this.ops.push(op);
    this.offsets.push(offset);
    this.consts.push(bytes);
    this.enums.push(names);
  }
}

/** The program as the runner reads it: ops and offsets as typed arrays. */
interface Compiled {
  ops: Uint8Array;
  offsets: Int32Array;
  consts: readonly (Uint8Array | undefined)[];
  enums: readonly (EnumNames | undefined)[];
  le: boolean;
}

function u16(s: Uint8Array, o: number, le: boolean): number {
  return le ? s[o]! | (s[o + 1]! << 8) : (s[o]! << 8) | s[o + 1]!;
}

function u32(s: Uint8Array, o: number, le: boolean): number {
  return (le ? s[o]! | (s[o + 1]! << 8) | (s[o + 2]! << 16) | (s[o + 3]! << 24) : (s[o]! << 24) | (s[o + 1]! << 16) | (s[o + 2]! << 8) | s[o + 3]!) >>> 0;
}

/** The enum's name for the signed value v, or v in decimal. */
function writeEnum(out: Uint8Array, at: number, v: number, names: EnumNames): number {
  const name = names.get(v);
  return name ? putBytes(out, at, name) : writeInt(out, at, v);
}

/** Copies a short constant (a loop beats set() below a few dozen bytes). */
export function putBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) out[at + i] = bytes[i]!;
  return at + bytes.length;
}

function run(p: Compiled, out: Uint8Array, at: number, s: Uint8Array, base: number): number {
  const { ops, offsets, le } = p;
  for (let i = 0; i < ops.length; i++) {
    const o = base + offsets[i]!;
    switch (ops[i]) {
      case CONST: at = putBytes(out, at, p.consts[i]!); break;
      case U8: at = writeU32(out, at, s[o]!); break;
      case S8: at = writeInt(out, at, (s[o]! << 24) >> 24); break;
      case U16: at = writeU32(out, at, u16(s, o, le)); break;
      case S16: at = writeInt(out, at, (u16(s, o, le) << 16) >> 16); break;
      case U32: at = writeU32(out, at, u32(s, o, le)); break;
      case S32: at = writeInt(out, at, u32(s, o, le) | 0); break;
      case U64: at = le ? writeU64(out, at, u32(s, o, true), u32(s, o + 4, true)) : writeU64(out, at, u32(s, o + 4, false), u32(s, o, false)); break;
      case S64: at = le ? writeI64(out, at, u32(s, o, true), u32(s, o + 4, true)) : writeI64(out, at, u32(s, o + 4, false), u32(s, o, false)); break;
      case ENUM8: at = writeEnum(out, at, (s[o]! << 24) >> 24, p.enums[i]!); break;
      case ENUM16: at = writeEnum(out, at, (u16(s, o, le) << 16) >> 16, p.enums[i]!); break;
      case ENUM32: at = writeEnum(out, at, u32(s, o, le) | 0, p.enums[i]!); break;
      case ENUM64: {
        const lo = le ? u32(s, o, true) : u32(s, o + 4, false);
        const hi = le ? u32(s, o + 4, true) : u32(s, o, false);
        // Only a sign-extended 32-bit value can equal a name's s32 value.
        at = hi === (lo >= 0x80000000 ? 0xffffffff : 0) ? writeEnum(out, at, lo | 0, p.enums[i]!) : writeI64(out, at, lo, hi);
        break;
      }
    }
  }
  return at;
}

/** bpftool's char-array test: a 1-byte CHAR int or a type named char, behind qualifiers only. */
function isCharElement(btf: Btf, id: number): boolean {
  let t = btf.type(id);
  for (let depth = 0; t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'type_tag'; depth++) {
    if (depth >= MAX_DEPTH) return true;
    t = btf.type(t.type);
  }
  return t.kind === 'int' && t.size === 1 && (t.encoding === 2 || t.name === 'char');
}

function enumNames(values: readonly EnumValue[]): { names: EnumNames; maxBytes: number } {
  // bpftool reads the value signed and prints the first name whose value (as s32) matches.
  const names: EnumNames = new Map();
  let maxBytes = 20;
  for (const m of values) {
    const key = Number(BigInt.asIntN(32, m.value));
    if (names.has(key)) continue;
    const name = encoder.encode(bpftoolString(m.name));
    names.set(key, name);
    maxBytes = Math.max(maxBytes, name.length);
  }
  return { names, maxBytes };
}

interface Shape {
  size: number;
  maxBytes: number;
}

/** Emits the ops of type `id` at byte offset `at` into `p`; undefined when it has no fast form. */
function compile(btf: Btf, id: number, at: number, p: Program, depth: number): Shape | undefined {
  if (depth > MAX_DEPTH || id === 0 || p.length > MAX_OPS) return undefined;
  const t = btf.type(id);
  switch (t.kind) {
    case 'typedef':
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'type_tag':
      return compile(btf, t.type, at, p, depth + 1);
    case 'int': {
      // Only plain signed/unsigned whole-byte integers; chars and bools print differently.
      const ops = INT_OPS[t.size];
      if (!ops || t.bitOffset !== 0 || t.encoding > 1 || t.bits !== t.size * 8) return undefined;
      p.op(t.signed ? ops[1] : ops[0], at);
      return { size: t.size, maxBytes: ops[2] };
    }
    case 'ptr':
      p.op(U64, at);
      return { size: 8, maxBytes: 20 };
    case 'enum': {
      const op = ENUM_OPS[t.size];
      if (op === undefined) return undefined;
      const { names, maxBytes } = enumNames(t.values);
      p.op(op, at, names);
      return { size: t.size, maxBytes };
    }
    case 'struct':
    case 'union': {
      let maxBytes = 2;
      p.text('{');
      for (const [i, m] of t.members.entries()) {
        if (m.bitfieldSize !== 0 || (m.bitOffset & 7) !== 0) return undefined;
        const prefix = `${i ? ',' : ''}${bpftoolString(m.name)}:`;
        p.text(prefix);
        const member = compile(btf, m.type, at + (m.bitOffset >>> 3), p, depth + 1);
        if (!member || (m.bitOffset >>> 3) + member.size > t.size) return undefined;
        maxBytes += encoder.encode(prefix).length + member.maxBytes;
      }
      p.text('}');
      return { size: t.size, maxBytes };
    }
    case 'array': {
      if (isCharElement(btf, t.type)) return undefined;
      const element = new Program();
      const shape = compile(btf, t.type, 0, element, depth + 1);
      element.flush();
      if (!shape || (element.length + 1) * t.nelems > MAX_OPS) return undefined;
      p.text('[');
      for (let i = 0; i < t.nelems; i++) {
        if (i) p.text(',');
        p.append(element, at + i * shape.size);
      }
      p.text(']');
      return { size: t.nelems * shape.size, maxBytes: 2 + t.nelems * (shape.maxBytes + 1) };
    }
    default:
      return undefined;
  }
}

/**
 * A writer for values of type `id` holding at least `available` bytes, or undefined when
 * the type needs the general formatter (or would read past the bytes).
 */
export function compileBpftoolWriter(btf: Btf, id: number, available: number): FastWriter | undefined {
  try {
    const p = new Program();
    const shape = compile(btf, id, 0, p, 0);
    if (!shape || shape.size > available || shape.size !== btf.sizeOf(id) || p.length > MAX_OPS) return undefined;
    p.flush();
    const compiled: Compiled = {
      ops: Uint8Array.from(p.ops),
      offsets: Int32Array.from(p.offsets),
      consts: p.consts,
      enums: p.enums,
      le: btf.littleEndian,
    };
    return { write: (out, at, src, offset) => run(compiled, out, at, src, offset), maxBytes: shape.maxBytes };
  } catch {
    return undefined;
  }
}
