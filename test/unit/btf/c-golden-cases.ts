// Hand-built BTF blobs for the C printer's corner cases; c-golden.test.ts holds the text
// bpftool 7.1 prints for each (and checks bpftool still prints it where bpftool is installed).

import { KIND } from '../../../main/kernel/btf/wire.js';
import { BtfBuilder } from './builder.js';

const INT_SIGNED = 1 << 24;
const INT_CHAR = 2 << 24;

/** A kind_flag member offset: bitfield size in the top byte, bit offset below. */
function bitfield(size: number, offset: number): number {
  return ((size << 24) | offset) >>> 0;
}

export interface GoldenCase {
  name: string;
  what: string;
  build(b: BtfBuilder): void;
  bigEndian?: boolean;
}

export const CASES: GoldenCase[] = [
  {
    name: 'dedup_names',
    what: 'types and enumerators sharing a name get ___2 in the order they are printed',
    build: (b) => {
      b.type('int', KIND.INT, 0, 4, [INT_SIGNED | 32]); // 1
      b.type('long', KIND.INT, 0, 8, [INT_SIGNED | 64]); // 2
      b.type('dup', KIND.STRUCT, 1, 4, [b.str('a'), 1, 0]); // 3
      b.type('dup', KIND.STRUCT, 1, 8, [b.str('b'), 2, 0]); // 4
      b.type('dup_t', KIND.TYPEDEF, 0, 1); // 5
      b.type('dup_t', KIND.TYPEDEF, 0, 2); // 6
      b.type('e1', KIND.ENUM, 2, 4, [b.str('A'), 0, b.str('B'), 1]); // 7
      b.type('e2', KIND.ENUM, 2, 4, [b.str('A'), 5, b.str('C'), 6]); // 8
      b.type('user', KIND.STRUCT, 6, 40, [
        b.str('y'), 4, 0, b.str('x'), 3, 64, b.str('t2'), 6, 128, b.str('t1'), 5, 192, b.str('f'), 8, 224, b.str('g'), 7, 256,
      ]); // 9
    },
  },
  {
    name: 'type_tag_kflag',
    what: 'a type tag prints as btf_type_tag, kind_flag or not (bpftool 7.1 predates attribute tags)',
    build: (b) => {
      b.type('int', KIND.INT, 0, 4, [INT_SIGNED | 32]); // 1
      b.type('user', KIND.TYPE_TAG, 0, 1, [], true); // 2
      b.type('', KIND.PTR, 0, 2); // 3
      b.type('percpu', KIND.TYPE_TAG, 0, 1); // 4
      b.type('', KIND.PTR, 0, 4); // 5
      b.type('s', KIND.STRUCT, 2, 16, [b.str('p'), 3, 0, b.str('q'), 5, 64]); // 6
    },
  },
  {
    name: 'compiler_builtins',
    what: "old GCC's __gnuc_va_list of void becomes __builtin_va_list; __builtin_va_list is never defined; __Poly8_t gets an alias",
    build: (b) => {
      b.type('__gnuc_va_list', KIND.TYPEDEF, 0, 0); // 1
      b.type('char', KIND.INT, 0, 1, [INT_CHAR | 8]); // 2
      b.type('__builtin_va_list', KIND.TYPEDEF, 0, 2); // 3
      b.type('__Poly8_t', KIND.INT, 0, 1, [8]); // 4
      b.type('', KIND.PTR, 0, 1); // 5
      b.type('', KIND.PTR, 0, 3); // 6
      b.type('s', KIND.STRUCT, 3, 24, [b.str('a'), 5, 0, b.str('b'), 6, 64, b.str('c'), 4, 128]); // 7
    },
  },
  {
    name: 'pointer_size_4',
    what: "a BTF whose long is 4 bytes pads with 32-bit longs and aligns pointers to 4",
    build: (b) => {
      b.type('long int', KIND.INT, 0, 4, [INT_SIGNED | 32]); // 1
      b.type('char', KIND.INT, 0, 1, [INT_CHAR | 8]); // 2
      b.type('', KIND.PTR, 0, 2); // 3
      b.type('s', KIND.STRUCT, 3, 24, [b.str('c'), 2, 0, b.str('p'), 3, 32, b.str('l'), 1, 128]); // 4
    },
  },
  {
    name: 'declarations_only',
    what: 'fwd structs and unions, an enum without values, pointers to them',
    build: (b) => {
      b.type('fs', KIND.FWD, 0, 0); // 1
      b.type('fu', KIND.FWD, 0, 0, [], true); // 2
      b.type('ee', KIND.ENUM, 0, 4); // 3
      b.type('', KIND.PTR, 0, 1); // 4
      b.type('', KIND.PTR, 0, 2); // 5
      b.type('', KIND.PTR, 0, 3); // 6
      b.type('s', KIND.STRUCT, 3, 24, [b.str('a'), 4, 0, b.str('b'), 5, 64, b.str('c'), 6, 128]); // 7
    },
  },
  {
    name: 'prototypes',
    what: '(void) for no parameters and for clang\'s single void one, varargs, prototypes returning pointers to prototypes, arrays of function pointers, a typedef of a prototype',
    build: (b) => {
      b.type('int', KIND.INT, 0, 4, [INT_SIGNED | 32]); // 1
      b.type('', KIND.FUNC_PROTO, 0, 1); // 2: int (void), no params
      b.type('', KIND.FUNC_PROTO, 1, 1, [0, 0]); // 3: int (void), one void param
      b.type('', KIND.FUNC_PROTO, 2, 1, [b.str('fmt'), 1, 0, 0]); // 4: int (int fmt, ...)
      b.type('', KIND.PTR, 0, 2); // 5
      b.type('', KIND.FUNC_PROTO, 1, 5, [0, 1]); // 6: int (*(int))(void)
      b.type('', KIND.PTR, 0, 6); // 7
      b.type('', KIND.PTR, 0, 4); // 8
      b.type('', KIND.ARRAY, 0, 0, [8, 1, 3]); // 9: array of 3 pointers to 4
      b.type('fn_t', KIND.TYPEDEF, 0, 3); // 10
      b.type('', KIND.PTR, 0, 10); // 11
      b.type('', KIND.PTR, 0, 3); // 12
      b.type('ops', KIND.STRUCT, 4, 48, [b.str('get'), 7, 0, b.str('table'), 9, 64, b.str('fn'), 11, 256, b.str('v'), 12, 320]); // 13
      b.type('main', KIND.FUNC, 0, 2); // 14: never printed
    },
  },
  {
    name: 'forward_cycles',
    what: 'a pointer back to a struct being written gets a forward declaration; a typedef reached through a pointer is written early',
    build: (b) => {
      b.type('a', KIND.STRUCT, 1, 8, [b.str('p'), 3, 0]); // 1
      b.type('b', KIND.STRUCT, 1, 8, [b.str('x'), 1, 0]); // 2
      b.type('', KIND.PTR, 0, 2); // 3
      b.type('c_t', KIND.TYPEDEF, 0, 5); // 4
      b.type('c', KIND.STRUCT, 1, 8, [b.str('self'), 6, 0]); // 5
      b.type('', KIND.PTR, 0, 4); // 6
    },
  },
  {
    name: 'anonymous_enums',
    what: 'an anonymous enum nothing refers to is a set of constants on its own; one a member uses is written inline',
    build: (b) => {
      b.type('', KIND.ENUM, 2, 4, [b.str('K_ONE'), 1, b.str('K_TWO'), 2]); // 1
      b.type('', KIND.ENUM, 2, 4, [b.str('M_NEG'), 0xffffffff, b.str('M_POS'), 1], true); // 2
      b.type('s', KIND.STRUCT, 1, 4, [b.str('mode'), 2, 0]); // 3
      b.type('', KIND.ENUM64, 2, 8, [b.str('BIG'), 0, 0x80000000, b.str('SMALL'), 1, 0]); // 4
      b.type('', KIND.ENUM64, 1, 8, [b.str('NEG'), 0xfffffffe, 0xffffffff], true); // 5
    },
  },
  {
    name: 'long_names',
    what: 'a deduplicated name is cut to 255 bytes, as libbpf formats it into a 256-byte buffer',
    build: (b) => {
      const long = 'n'.repeat(260);
      b.type('int', KIND.INT, 0, 4, [INT_SIGNED | 32]); // 1
      b.type(long, KIND.STRUCT, 1, 4, [b.str('a'), 1, 0]); // 2
      b.type(long, KIND.STRUCT, 1, 4, [b.str('b'), 1, 0]); // 3
    },
  },
  {
    name: 'non_ascii',
    what: 'names are copied byte for byte',
    build: (b) => {
      b.type('int', KIND.INT, 0, 4, [INT_SIGNED | 32]); // 1
      b.type('café', KIND.STRUCT, 1, 4, [b.str('größe'), 1, 0]); // 2
    },
  },
  {
    name: 'bitfield_padding',
    what: 'gaps between bitfields, before a member and at the end are filled only where the compiler would not',
    build: (b) => {
      b.type('unsigned int', KIND.INT, 0, 4, [32]); // 1
      b.type('char', KIND.INT, 0, 1, [INT_CHAR | 8]); // 2
      b.type('long long unsigned int', KIND.INT, 0, 8, [64]); // 3
      b.type('bits', KIND.STRUCT, 6, 40, [
        b.str('a'), 1, bitfield(3, 0), b.str('b'), 1, bitfield(5, 40), b.str('c'), 1, bitfield(0, 96), b.str('d'), 2, bitfield(0, 136),
        b.str('e'), 3, bitfield(20, 200), b.str('f'), 2, bitfield(0, 256),
      ], true); // 4
    },
  },
  {
    name: 'packed',
    what: 'a struct is packed when a member is off its alignment or its size is not a multiple of it',
    build: (b) => {
      b.type('int', KIND.INT, 0, 4, [INT_SIGNED | 32]); // 1
      b.type('char', KIND.INT, 0, 1, [INT_CHAR | 8]); // 2
      b.type('odd_size', KIND.STRUCT, 2, 5, [b.str('a'), 1, 0, b.str('b'), 2, 32]); // 3
      b.type('odd_offset', KIND.STRUCT, 2, 8, [b.str('c'), 2, 0, b.str('i'), 1, 8]); // 4
      b.type('outer', KIND.STRUCT, 3, 16, [b.str('c'), 2, 0, b.str('o'), 3, 8, b.str('x'), 4, 64]); // 5
    },
  },
  {
    name: 'qualifiers',
    what: 'qualifiers left of base types and right of pointers; on arrays and prototypes they are dropped',
    build: (b) => {
      b.type('char', KIND.INT, 0, 1, [INT_CHAR | 8]); // 1
      b.type('', KIND.CONST, 0, 1); // 2 const char
      b.type('', KIND.PTR, 0, 2); // 3 const char *
      b.type('', KIND.CONST, 0, 3); // 4 const char * const
      b.type('', KIND.PTR, 0, 4); // 5 const char * const *
      b.type('', KIND.VOLATILE, 0, 5); // 6
      b.type('', KIND.RESTRICT, 0, 6); // 7
      b.type('', KIND.ARRAY, 0, 0, [1, 1, 4]); // 8 char[4]
      b.type('', KIND.CONST, 0, 8); // 9 const on an array
      b.type('', KIND.FUNC_PROTO, 0, 0); // 10 void (void)
      b.type('', KIND.VOLATILE, 0, 10); // 11 volatile on a prototype
      b.type('', KIND.PTR, 0, 11); // 12
      b.type('', KIND.ARRAY, 0, 0, [8, 1, 2]); // 13 char[2][4]
      b.type('s', KIND.STRUCT, 4, 32, [b.str('names'), 7, 0, b.str('tag'), 9, 64, b.str('die'), 12, 128, b.str('grid'), 13, 192]); // 14
    },
  },
  {
    name: 'big_endian',
    what: "a big-endian target's BTF prints as the little-endian one does",
    bigEndian: true,
    build: (b) => {
      b.type('unsigned int', KIND.INT, 0, 4, [32]); // 1
      b.type('be', KIND.STRUCT, 2, 8, [b.str('hi'), 1, bitfield(4, 0), b.str('lo'), 1, bitfield(0, 32)], true); // 2
    },
  },
];
