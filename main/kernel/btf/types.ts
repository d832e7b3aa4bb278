// The friendly BTF model callers use. References between types are type ids (resolved with
// Btf.type(id)) so that decoding stays lazy and cyclic graphs need no special casing.

export type KindName =
  | 'void' | 'int' | 'ptr' | 'array' | 'struct' | 'union' | 'enum' | 'fwd' | 'typedef'
  | 'volatile' | 'const' | 'restrict' | 'func' | 'func_proto' | 'var' | 'datasec' | 'float'
  | 'decl_tag' | 'type_tag' | 'enum64';

interface Named {
  id: number;
  /** '' for anonymous types. */
  name: string;
}

export interface Void extends Named { kind: 'void' }
export interface Int extends Named {
  kind: 'int';
  size: number;
  signed: boolean;
  char: boolean;
  bool: boolean;
  /** Raw encoding bits, kept for the raw listing (unknown combinations included). */
  encoding: number;
  bitOffset: number;
  bits: number;
}
export interface Ptr extends Named { kind: 'ptr'; type: number }
export interface ArrayType extends Named { kind: 'array'; type: number; indexType: number; nelems: number }
export interface Member {
  name: string;
  type: number;
  /** Offset from the start of the struct, in bits. */
  bitOffset: number;
  /** Non-zero only for bitfields described with kind_flag. */
  bitfieldSize: number;
}
export interface Composite extends Named {
  kind: 'struct' | 'union';
  size: number;
  /** kind_flag: member offsets carry bitfield sizes. */
  kindFlag: boolean;
  members: readonly Member[];
}
export interface EnumValue {
  name: string;
  /** Exact value; signedness follows the enum's `signed`. */
  value: bigint;
}
export interface Enum extends Named {
  kind: 'enum' | 'enum64';
  size: number;
  signed: boolean;
  values: readonly EnumValue[];
}
export interface Fwd extends Named { kind: 'fwd'; union: boolean }
export interface Typedef extends Named { kind: 'typedef'; type: number }
export interface Qualifier extends Named { kind: 'volatile' | 'const' | 'restrict'; type: number }
export type FuncLinkage = 'static' | 'global' | 'extern' | 'unknown';
export interface Func extends Named { kind: 'func'; type: number; linkage: FuncLinkage; linkageRaw: number }
export interface Param { name: string; type: number }
export interface FuncProto extends Named { kind: 'func_proto'; returnType: number; params: readonly Param[] }
export interface Var extends Named { kind: 'var'; type: number; linkage: FuncLinkage; linkageRaw: number }
export interface VarSecinfo { type: number; offset: number; size: number }
export interface Datasec extends Named { kind: 'datasec'; size: number; vars: readonly VarSecinfo[] }
export interface Float extends Named { kind: 'float'; size: number }
export interface DeclTag extends Named { kind: 'decl_tag'; type: number; componentIdx: number }
export interface TypeTag extends Named { kind: 'type_tag'; type: number }

export type BtfType =
  | Void | Int | Ptr | ArrayType | Composite | Enum | Fwd | Typedef | Qualifier | Func | FuncProto
  | Var | Datasec | Float | DeclTag | TypeTag;

/** Kinds that only qualify or rename another type. */
export function isModifier(t: BtfType): t is Typedef | Qualifier | TypeTag {
  return t.kind === 'typedef' || t.kind === 'volatile' || t.kind === 'const' || t.kind === 'restrict' ||
    t.kind === 'type_tag';
}

/** Resolve loops and recursive walks stop here; deeper chains are reported as cycles. */
export const MAX_RESOLVE_DEPTH = 32;
