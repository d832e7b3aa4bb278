// The BTF wire format (include/uapi/linux/btf.h): header, type records, string table.
// Only layout knowledge lives here; the friendly model is in types.ts.

import * as Kind from './kind.js';

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
export const HEADER_MIN_LEN = 24;

//  struct btf_header (24 bytes, offsets relative to the end of the header)
//  0      2       3      4         8          12         16        20        24
//  | magic | version | flags | hdr_len | type_off | type_len | str_off | str_len |
export interface BtfHeader {
  littleEndian: boolean;
  hdrLen: number;
  typeOff: number;
  typeLen: number;
  strOff: number;
  strLen: number;
}

//  struct btf_type (12 bytes), followed by kind-specific data
//  0          4                                        8
//  | name_off | info                                   | size / type |
//               31: kind_flag  28..24: kind  15..0: vlen
export const TYPE_RECORD_LEN = 12;

export const KIND = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;
export const KIND_MAX = KIND.ENUM64;


/** bpftool's names for kinds, indexed by kind number. */
export const KIND_NAMES: readonly string[] = [
  'UNKNOWN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE',
  'CONST', 'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG',
  'ENUM64',
];

export function infoKind(info: number): number {
  return (info >>> 24) & 0x1f;
}
export function infoVlen(info: number): number {
  return info & 0xffff;
}
export function infoKindFlag(info: number): boolean {
  return (info >>> 31) === 1;
}

//  INT trailing u32:  27..24 encoding (1 signed, 2 char, 4 bool)  23..16 offset  7..0 bits
export const INT_SIGNED = 1;
export const INT_CHAR = 2;
export const INT_BOOL = 4;

//  member offset with kind_flag set:  31..24 bitfield size  23..0 bit offset
export function memberBitfieldSize(offset: number): number {
  return offset >>> 24;
}
export function memberBitOffset(offset: number): number {
  return offset & 0xffffff;
}

export const VAR_STATIC = 0;
export const VAR_GLOBAL = 1;
export const VAR_EXTERN = 2;

/**
 * Bytes that follow the 12-byte record for a kind, by kind number: TRAILING_FIXED[kind] +
 * TRAILING_PER_VLEN[kind] · vlen. A fixed part of -1 is a kind this decoder does not know (its
 * length cannot be known, so nothing after it can be indexed).
 */
export const TRAILING_FIXED = Int8Array.from({ length: 32 }, (_, kind) => {
  switch (kind) {
    case Kind.Int: case Kind.Var: case Kind.DeclTag:
      return 4;
    case Kind.Array:
      return 12;
    case Kind.Struct: case Kind.Union: case Kind.Datasec: case Kind.Enum64: case Kind.Enum: case Kind.FuncProto:
    case Kind.Ptr: case Kind.Fwd: case Kind.Typedef: case Kind.Volatile: case Kind.Const: case Kind.Restrict:
    case Kind.Func: case Kind.Float: case Kind.TypeTag:
      return 0;
    default:
      return -1;
  }
});
export const TRAILING_PER_VLEN = Uint8Array.from({ length: 32 }, (_, kind) => {
  switch (kind) {
    case Kind.Struct: case Kind.Union: case Kind.Datasec: case Kind.Enum64:
      return 12;
    case Kind.Enum: case Kind.FuncProto:
      return 8;
    default:
      return 0;
  }
});

export function readHeader(bytes: Uint8Array): BtfHeader {
  if (bytes.length < HEADER_MIN_LEN) throw new Error(`header: ${bytes.length} bytes, need ${HEADER_MIN_LEN}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let littleEndian = true;
  if (view.getUint16(0, true) !== BTF_MAGIC) {
    if (view.getUint16(0, false) !== BTF_MAGIC) {
      throw new Error(`header: bad magic 0x${view.getUint16(0, true).toString(16).padStart(4, '0')}`);
    }
    littleEndian = false;
  }
  const version = view.getUint8(2);
  if (version !== BTF_VERSION) throw new Error(`header: unsupported version ${version}`);
  const hdrLen = view.getUint32(4, littleEndian);
  if (hdrLen < HEADER_MIN_LEN || hdrLen > bytes.length) throw new Error(`header: bad hdr_len ${hdrLen}`);
  // A longer header is allowed only if its unknown tail is zero (as the kernel requires).
  for (let i = HEADER_MIN_LEN; i < hdrLen; i++) {
    if (bytes[i] !== 0) throw new Error(`header: non-zero unknown header byte at ${i}`);
  }
  const header: BtfHeader = {
    littleEndian,
    hdrLen,
    typeOff: view.getUint32(8, littleEndian),
    typeLen: view.getUint32(12, littleEndian),
    strOff: view.getUint32(16, littleEndian),
    strLen: view.getUint32(20, littleEndian),
  };
  const dataLen = bytes.length - hdrLen;
  if (header.typeOff % 4 !== 0) throw new Error(`header: type_off ${header.typeOff} not 4-byte aligned`);
  if (header.typeOff + header.typeLen > dataLen) {
    throw new Error(`header: type section ${header.typeOff}+${header.typeLen} past end ${dataLen}`);
  }
  if (header.strOff + header.strLen > dataLen) {
    throw new Error(`header: string section ${header.strOff}+${header.strLen} past end ${dataLen}`);
  }
  if (header.typeLen % 4 !== 0) throw new Error(`header: type_len ${header.typeLen} not a multiple of 4`);
  const typeEnd = header.typeOff + header.typeLen;
  const strEnd = header.strOff + header.strLen;
  if (header.typeLen > 0 && header.strLen > 0 && header.typeOff < strEnd && header.strOff < typeEnd) {
    throw new Error('header: type and string sections overlap');
  }
  return header;
}
