// The C printer on hand-built BTF, one corner case each, against the text bpftool 7.1
// prints for it: kept here, and checked against the installed bpftool as well.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseBtf } from '../../../main/kernel/btf/btf.js';
import { declarationC, formatC, formatCChunks } from '../../../main/kernel/btf/c.js';
import { KIND } from '../../../main/kernel/btf/wire.js';
import { BtfBuilder } from './builder.js';
import { CASES } from './c-golden-cases.js';
import { bpftool, compileFixtureBtf, readBytes, writeBuildFile } from './helpers.js';

const HEADER = '#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n' +
  '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n';
const TRAILER = '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n';

/** What bpftool 7.1 prints between its header and trailer, line by line. */
const EXPECTED: Record<string, string[]> = {
  dedup_names: [
    'struct dup {',
    '\tint a;',
    '};',
    '',
    'struct dup___2 {',
    '\tlong b;',
    '};',
    '',
    'typedef int dup_t;',
    '',
    'typedef long dup_t___2;',
    '',
    'enum e1 {',
    '\tA = 0,',
    '\tB = 1,',
    '};',
    '',
    'enum e2 {',
    '\tA___2 = 5,',
    '\tC = 6,',
    '};',
    '',
    'struct user {',
    '\tstruct dup___2 y;',
    '\tstruct dup x;',
    '\tdup_t___2 t2;',
    '\tdup_t t1;',
    '\tenum e2 f;',
    '\tenum e1 g;',
    '};',
  ],
  type_tag_kflag: [
    'struct s {',
    '\tint __attribute__((btf_type_tag("user"))) *p;',
    '\tint __attribute__((btf_type_tag("percpu"))) *q;',
    '};',
  ],
  compiler_builtins: [
    'typedef __builtin_va_list __gnuc_va_list;',
    '',
    'typedef unsigned char __Poly8_t;',
    '',
    'struct s {',
    '\t__gnuc_va_list *a;',
    '\t__builtin_va_list *b;',
    '\t__Poly8_t c;',
    '};',
  ],
  pointer_size_4: [
    'struct s {',
    '\tchar c;',
    '\tchar *p;',
    '\tlong: 32;',
    '\tlong: 32;',
    '\tlong int l;',
    '\tlong: 32;',
    '};',
  ],
  declarations_only: [
    'struct fs;',
    '',
    'union fu;',
    '',
    'enum ee;',
    '',
    'struct s {',
    '\tstruct fs *a;',
    '\tunion fu *b;',
    '\tenum ee *c;',
    '};',
  ],
  prototypes: [
    'typedef int fn_t(void);',
    '',
    'struct ops {',
    '\tint (* (*get)(int))(void);',
    '\tint (*table[3])(int fmt, ...);',
    '\tfn_t *fn;',
    '\tint (*v)(void);',
    '};',
  ],
  forward_cycles: [
    'struct b;',
    '',
    'struct a {',
    '\tstruct b *p;',
    '};',
    '',
    'struct b {',
    '\tstruct a x;',
    '};',
    '',
    'struct c;',
    '',
    'typedef struct c c_t;',
    '',
    'struct c {',
    '\tc_t *self;',
    '};',
  ],
  anonymous_enums: [
    'enum {',
    '\tK_ONE = 1,',
    '\tK_TWO = 2,',
    '};',
    '',
    'struct s {',
    '\tenum {',
    '\t\tM_NEG = -1,',
    '\t\tM_POS = 1,',
    '\t} mode;',
    '};',
    '',
    'enum {',
    '\tBIG = 9223372036854775808ULL,',
    '\tSMALL = 1ULL,',
    '};',
    '',
    'enum {',
    '\tNEG = -2LL,',
    '};',
  ],
  long_names: [
    `struct ${'n'.repeat(260)} {`,
    '\tint a;',
    '};',
    '',
    `struct ${'n'.repeat(255)} {`,
    '\tint b;',
    '};',
  ],
  non_ascii: [
    'struct café {',
    '\tint größe;',
    '};',
  ],
  bitfield_padding: [
    'struct bits {',
    '\tunsigned int a: 3;',
    '\tint: 29;',
    '\tchar: 8;',
    '\tunsigned int b: 5;',
    '\tint: 32;',
    '\tunsigned int c;',
    '\tchar: 8;',
    '\tchar d;',
    '\tlong: 0;',
    '\tchar: 8;',
    '\tlong long unsigned int e: 20;',
    '\tlong: 0;',
    '\tchar f;',
    '};',
  ],
  packed: [
    'struct odd_size {',
    '\tint a;',
    '\tchar b;',
    '} __attribute__((packed));',
    '',
    'struct odd_offset {',
    '\tchar c;',
    '\tint i;',
    '\tlong: 0;',
    '} __attribute__((packed));',
    '',
    'struct outer {',
    '\tchar c;',
    '\tstruct odd_size o;',
    '\tlong: 0;',
    '\tstruct odd_offset x;',
    '};',
  ],
  qualifiers: [
    'struct s {',
    '\tconst char * const * volatile restrict names;',
    '\tchar tag[4];',
    '\tvoid (*die)(void);',
    '\tchar grid[2][4];',
    '};',
  ],
  big_endian: [
    'struct be {',
    '\tunsigned int hi: 4;',
    '\tunsigned int lo;',
    '};',
  ],
};

function blob(build: (b: BtfBuilder) => void, bigEndian = false): Uint8Array {
  const b = new BtfBuilder();
  build(b);
  return b.build(bigEndian);
}

function bpftoolC(name: string, bytes: Uint8Array): string {
  const path = writeBuildFile(`${name}.btf`, bytes);
  return bpftool(['btf', 'dump', 'file', path, 'format', 'c']);
}

describe('C printing of corner cases, as bpftool 7.1 prints them', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.what}`, () => {
      const bytes = blob(c.build, c.bigEndian);
      const expected = HEADER + EXPECTED[c.name]!.join('\n') + '\n\n' + TRAILER;
      expect(formatC(parseBtf(bytes))).toBe(expected);
      expect(bpftoolC(c.name, bytes)).toBe(expected);
    });
  }

  it('a struct that holds itself by value: what came before is printed, then the error names the type', () => {
    const bytes = blob((b) => {
      b.type('int', KIND.INT, 0, 4, [(1 << 24) | 32]);
      b.type('ok', KIND.STRUCT, 1, 4, [b.str('i'), 1, 0]);
      b.type('a', KIND.STRUCT, 1, 4, [b.str('x'), 3, 0]);
    });
    const printed: string[] = [];
    expect(() => {
      for (const chunk of formatCChunks(parseBtf(bytes))) printed.push(new TextDecoder().decode(chunk));
    }).toThrow('unsatisfiable type cycle, id:[3]');
    expect(printed.join('')).toBe(HEADER + 'struct ok {\n\tint i;\n};\n\n');
    const path = writeBuildFile('loop.btf', bytes);
    expect(() => execFileSync('bpftool', ['btf', 'dump', 'file', path, 'format', 'c'], { stdio: 'pipe' })).toThrow(/unsatisfiable type cycle, id:\[3\]/);
  });

  it('a member of unknown alignment (typedef of void): bpftool 7.1 dies of SIGFPE, we pad as if byte-aligned', () => {
    const bytes = blob((b) => {
      b.type('__gnuc_va_list', KIND.TYPEDEF, 0, 0);
      b.type('', KIND.PTR, 0, 0);
      b.type('s', KIND.STRUCT, 2, 24, [b.str('a'), 1, 0, b.str('p'), 2, 64]);
    });
    expect(formatC(parseBtf(bytes))).toBe(HEADER + 'typedef __builtin_va_list __gnuc_va_list;\n\n' +
      'struct s {\n\t__gnuc_va_list a;\n\tlong: 64;\n\tvoid *p;\n\tlong: 64;\n};\n\n' + TRAILER);
  });

  it('a struct with a hole of gigabytes is an error naming it, not a line of padding per 8 bytes (bpftool prints them)', () => {
    const bytes = blob((b) => {
      b.type('int', KIND.INT, 0, 4, [(1 << 24) | 32]);
      b.type('huge', KIND.STRUCT, 1, 0x8000000, [b.str('i'), 1, 0]);
    });
    expect(() => formatC(parseBtf(bytes))).toThrow('struct (id 2): its members leave a hole of 134217724 bytes (bad BTF?)');
  });

  it('split BTF: the base types first, then the split\'s own, as bpftool -B prints a module', () => {
    const basePath = compileFixtureBtf('kinds');
    const base = parseBtf(readBytes(basePath));
    const b = new BtfBuilder(base.stringsEnd());
    const first = base.typeCount;
    b.type('mod_s', KIND.STRUCT, 2, 16, [b.str('v'), first + 1, 0, b.str('self'), first + 2, 64]);
    b.type('', KIND.PTR, 0, base.findByName('value', 'struct')[0]!.id);
    b.type('', KIND.PTR, 0, first);
    const bytes = b.build();
    const splitPath = writeBuildFile('split-c.btf', bytes);
    const c = formatC(parseBtf(bytes, base));
    expect(c).toContain('struct mod_s {\n\tstruct value *v;\n\tstruct mod_s *self;\n};');
    expect(c).toBe(bpftool(['-B', basePath, 'btf', 'dump', 'file', splitPath, 'format', 'c']));
  });

  it('one declaration with a name of the caller\'s', () => {
    const btf = parseBtf(blob(CASES.find((c) => c.name === 'prototypes')!.build));
    expect(declarationC(btf, 4, 'log')).toBe('int log(int fmt, ...)');
    expect(declarationC(btf, 7, 'getter')).toBe('int (* (*getter)(int))(void)');
    expect(declarationC(btf, 9)).toBe('int (*[3])(int fmt, ...)');
  });
});
