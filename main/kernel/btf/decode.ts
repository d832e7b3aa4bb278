// Decode one type record of the wire format into the friendly model.

import type { Btf } from './btf.js';
import type { BtfType, EnumValue, FuncLinkage, Member, Param, VarSecinfo } from './types.js';
import {
  INT_BOOL, INT_CHAR, INT_SIGNED, KIND, KIND_NAMES, TYPE_RECORD_LEN, infoKind, infoKindFlag, infoVlen,
  memberBitOffset, memberBitfieldSize,
} from './wire.js';

const LINKAGES: readonly FuncLinkage[] = ['static', 'global', 'extern'];

function linkage(raw: number): FuncLinkage {
  return LINKAGES[raw] ?? 'unknown';
}

export function decodeType(btf: Btf, id: number, off: number): BtfType {
  const view = btf.view;
  const le = btf.littleEndian;
  const info = view.getUint32(off + 4, le);
  const kind = infoKind(info);
  const vlen = infoVlen(info);
  const kflag = infoKindFlag(info);
  const sizeOrType = view.getUint32(off + 8, le);
  const owner = `${KIND_NAMES[kind]?.toLowerCase() ?? 'kind ' + kind} (id ${id})`;
  const name = btf.name(view.getUint32(off, le), owner);
  const data = off + TYPE_RECORD_LEN;
  switch (kind) {
    case KIND.INT: {
      const v = view.getUint32(data, le);
      const encoding = (v >>> 24) & 0x0f;
      const bits = v & 0xff;
      const bitOffset = (v >>> 16) & 0xff;
      if (sizeOrType === 0 || sizeOrType > 16) throw new Error(`int ${name} (id ${id}): bad size ${sizeOrType}`);
      if (bits === 0 || bits > 128 || bitOffset + bits > sizeOrType * 8) {
        throw new Error(`int ${name} (id ${id}): bad bits ${bits} at offset ${bitOffset}`);
      }
      return {
        id, kind: 'int', name, size: sizeOrType, encoding, bitOffset, bits,
        signed: (encoding & INT_SIGNED) !== 0, char: (encoding & INT_CHAR) !== 0, bool: (encoding & INT_BOOL) !== 0,
      };
    }
    case KIND.PTR:
      return { id, kind: 'ptr', name, type: sizeOrType };
    case KIND.ARRAY:
      return {
        id, kind: 'array', name, type: view.getUint32(data, le), indexType: view.getUint32(data + 4, le),
        nelems: view.getUint32(data + 8, le),
      };
    case KIND.STRUCT:
    case KIND.UNION: {
      const members: Member[] = new Array<Member>(vlen);
      for (let i = 0; i < vlen; i++) {
        const m = data + i * 12;
        const rawOffset = view.getUint32(m + 8, le);
        members[i] = {
          name: btf.name(view.getUint32(m, le), `${owner} member ${i}`),
          type: view.getUint32(m + 4, le),
          bitOffset: kflag ? memberBitOffset(rawOffset) : rawOffset,
          bitfieldSize: kflag ? memberBitfieldSize(rawOffset) : 0,
        };
      }
      return { id, kind: kind === KIND.STRUCT ? 'struct' : 'union', name, size: sizeOrType, kindFlag: kflag, members };
    }
    case KIND.ENUM: {
      const values: EnumValue[] = new Array<EnumValue>(vlen);
      for (let i = 0; i < vlen; i++) {
        const e = data + i * 8;
        const value = kflag ? BigInt(view.getInt32(e + 4, le)) : BigInt(view.getUint32(e + 4, le));
        values[i] = { name: btf.name(view.getUint32(e, le), `${owner} value ${i}`), value };
      }
      return { id, kind: 'enum', name, size: sizeOrType, signed: kflag, values };
    }
    case KIND.ENUM64: {
      const values: EnumValue[] = new Array<EnumValue>(vlen);
      for (let i = 0; i < vlen; i++) {
        const e = data + i * 12;
        const raw = (BigInt(view.getUint32(e + 8, le)) << 32n) | BigInt(view.getUint32(e + 4, le));
        values[i] = {
          name: btf.name(view.getUint32(e, le), `${owner} value ${i}`),
          value: kflag ? BigInt.asIntN(64, raw) : raw,
        };
      }
      return { id, kind: 'enum64', name, size: sizeOrType, signed: kflag, values };
    }
    case KIND.FWD:
      return { id, kind: 'fwd', name, union: kflag };
    case KIND.TYPEDEF:
      return { id, kind: 'typedef', name, type: sizeOrType };
    case KIND.VOLATILE:
      return { id, kind: 'volatile', name, type: sizeOrType };
    case KIND.CONST:
      return { id, kind: 'const', name, type: sizeOrType };
    case KIND.RESTRICT:
      return { id, kind: 'restrict', name, type: sizeOrType };
    case KIND.FUNC:
      return { id, kind: 'func', name, type: sizeOrType, linkage: linkage(vlen), linkageRaw: vlen };
    case KIND.FUNC_PROTO: {
      const params: Param[] = new Array<Param>(vlen);
      for (let i = 0; i < vlen; i++) {
        const p = data + i * 8;
        params[i] = { name: btf.name(view.getUint32(p, le), `${owner} param ${i}`), type: view.getUint32(p + 4, le) };
      }
      return { id, kind: 'func_proto', name, returnType: sizeOrType, params };
    }
    case KIND.VAR: {
      const raw = view.getUint32(data, le);
      return { id, kind: 'var', name, type: sizeOrType, linkage: linkage(raw), linkageRaw: raw };
    }
    case KIND.DATASEC: {
      const vars: VarSecinfo[] = new Array<VarSecinfo>(vlen);
      for (let i = 0; i < vlen; i++) {
        const v = data + i * 12;
        vars[i] = { type: view.getUint32(v, le), offset: view.getUint32(v + 4, le), size: view.getUint32(v + 8, le) };
      }
      return { id, kind: 'datasec', name, size: sizeOrType, vars };
    }
    case KIND.FLOAT:
      return { id, kind: 'float', name, size: sizeOrType };
    case KIND.DECL_TAG:
      return { id, kind: 'decl_tag', name, type: sizeOrType, componentIdx: view.getInt32(data, le) };
    case KIND.TYPE_TAG:
      return { id, kind: 'type_tag', name, type: sizeOrType };
    default:
      throw new Error(`type ${id}: unknown kind ${kind}`);
  }
}
