// Specialised writers of bpftool's `formatted` JSON for the common value shapes (whole-byte
// integers, pointers, enums, structs, unions and arrays of them): compiled once per type,
// they write text straight from the bytes without building a value tree, which is what
// makes dumping a million entries cheap. Any other shape (bitfields, char arrays, floats,
// 128-bit integers, DATASEC, …) returns undefined and takes the general path; both must
// print the same text, and the tests hold them to it.
import type { Btf } from './btf.js';
import { bpftoolString } from './bpftool-json.js';

export type FastValueWriter = (view: DataView, offset: number) => string;

/** Types nested deeper than this take the general path (it reports cycles). */
const MAX_DEPTH = 16;
/** Arrays longer than this take the general path, which bounds the nodes it builds. */
const MAX_FAST_ELEMENTS = 4096;

interface Compiled {
  write: FastValueWriter;
  size: number;
}

function intWriter(size: number, signed: boolean, le: boolean): FastValueWriter | undefined {
  switch (size) {
    case 1: return signed ? (v, o) => String(v.getInt8(o)) : (v, o) => String(v.getUint8(o));
    case 2: return signed ? (v, o) => String(v.getInt16(o, le)) : (v, o) => String(v.getUint16(o, le));
    case 4: return signed ? (v, o) => String(v.getInt32(o, le)) : (v, o) => String(v.getUint32(o, le));
    case 8: return signed ? (v, o) => String(v.getBigInt64(o, le)) : (v, o) => String(v.getBigUint64(o, le));
    default: return undefined;
  }
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

function compile(btf: Btf, id: number, depth: number): Compiled | undefined {
  if (depth > MAX_DEPTH || id === 0) return undefined;
  const le = btf.littleEndian;
  const t = btf.type(id);
  switch (t.kind) {
    case 'typedef':
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'type_tag':
      return compile(btf, t.type, depth + 1);
    case 'int': {
      // Only plain signed/unsigned whole-byte integers; chars and bools print differently.
      if (t.bitOffset !== 0 || t.encoding > 1 || t.bits !== t.size * 8) return undefined;
      const write = intWriter(t.size, t.signed, le);
      return write && { write, size: t.size };
    }
    case 'ptr':
      return { write: (v, o) => String(v.getBigUint64(o, le)), size: 8 };
    case 'enum': {
      if (t.size !== 1 && t.size !== 2 && t.size !== 4 && t.size !== 8) return undefined;
      // bpftool reads the value signed and prints the first name whose value (as s32) matches.
      const names = new Map<bigint, string>();
      for (const m of t.values) {
        const key = BigInt.asIntN(32, m.value);
        if (!names.has(key)) names.set(key, bpftoolString(m.name));
      }
      const read = intWriter(t.size, true, le)!;
      return {
        write: (v, o) => {
          const text = read(v, o);
          return names.get(BigInt(text)) ?? text;
        },
        size: t.size,
      };
    }
    case 'struct':
    case 'union': {
      const parts: { prefix: string; at: number; write: FastValueWriter }[] = [];
      for (const m of t.members) {
        if (m.bitfieldSize !== 0 || (m.bitOffset & 7) !== 0) return undefined;
        const member = compile(btf, m.type, depth + 1);
        if (!member || (m.bitOffset >>> 3) + member.size > t.size) return undefined;
        parts.push({ prefix: `${parts.length ? ',' : ''}${bpftoolString(m.name)}:`, at: m.bitOffset >>> 3, write: member.write });
      }
      return {
        write: (v, o) => {
          let out = '{';
          for (const p of parts) out += p.prefix + p.write(v, o + p.at);
          return out + '}';
        },
        size: t.size,
      };
    }
    case 'array': {
      if (t.nelems > MAX_FAST_ELEMENTS || isCharElement(btf, t.type)) return undefined;
      const elem = compile(btf, t.type, depth + 1);
      if (!elem) return undefined;
      const { nelems } = t;
      const step = elem.size;
      return {
        write: (v, o) => {
          let out = '[';
          for (let i = 0; i < nelems; i++) out += (i ? ',' : '') + elem.write(v, o + i * step);
          return out + ']';
        },
        size: nelems * step,
      };
    }
    default:
      return undefined;
  }
}

/**
 * A writer for values of type `id` holding at least `available` bytes, or undefined when
 * the type needs the general formatter (or would read past the bytes).
 */
export function compileBpftoolWriter(btf: Btf, id: number, available: number): FastValueWriter | undefined {
  try {
    const compiled = compile(btf, id, 0);
    return compiled && compiled.size <= available && compiled.size === btf.sizeOf(id) ? compiled.write : undefined;
  } catch {
    return undefined;
  }
}
