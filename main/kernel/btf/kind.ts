// BTF kind numbers (include/uapi/linux/btf.h) as plain constants, imported as a namespace
// (`import * as Kind from './kind.js'`, read `Kind.Struct`): the bundler inlines each use as its
// number, so a switch over kinds compares literals (a const enum imported from another chunk
// was a getter call per case, in code that mostly runs unoptimized).

export const Void = 0;
export const Int = 1;
export const Ptr = 2;
export const Array = 3;
export const Struct = 4;
export const Union = 5;
export const Enum = 6;
export const Fwd = 7;
export const Typedef = 8;
export const Volatile = 9;
export const Const = 10;
export const Restrict = 11;
export const Func = 12;
export const FuncProto = 13;
export const Var = 14;
export const Datasec = 15;
export const Float = 16;
export const DeclTag = 17;
export const TypeTag = 18;
export const Enum64 = 19;

