// C printing: byte for byte bpftool's `format c` on clang-built BTF and on vmlinux; clang
// must accept it, and struct layouts must match BTF sizes where bpftool's C can express them.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBtf, type Btf } from '../../../main/kernel/btf/btf.js';
import { formatC, typeViewC } from '../../../main/kernel/btf/c.js';
import { bpftool, compileFixtureBtf, readBytes, writeBuildFile } from './helpers.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';

/**
 * Whether a type holds by value what bpftool 7.1's C cannot lay out: the compiler's va_list
 * (its size differs between targets) or an enum of other than 4 bytes (`enum rw_hint : u8`,
 * which that libbpf prints without a mode() attribute, so clang makes it an int).
 */
function holdsUnspellable(btf: Btf, id: number, depth = 0): boolean {
  if (depth > 64) return false;
  const t = btf.type(id);
  if (t.name === '__builtin_va_list') return true;
  if ((t.kind === 'enum' || t.kind === 'enum64') && t.size !== 4) return true;
  if (t.kind === 'struct' || t.kind === 'union') return t.members.some((m) => holdsUnspellable(btf, m.type, depth + 1));
  if (t.kind === 'typedef' || t.kind === 'array' || t.kind === 'const' || t.kind === 'volatile') return holdsUnspellable(btf, t.type, depth + 1);
  return false;
}

/** The header plus _Static_asserts that every named struct/union has its BTF size. */
function withLayoutChecks(btf: Btf, header: string): string {
  const seen = new Set<string>();
  let asserts = '';
  for (let id = 1; id < btf.typeCount; id++) {
    const t = btf.type(id);
    if ((t.kind === 'struct' || t.kind === 'union') && t.name !== '' && !seen.has(t.name) && header.includes(`${t.kind} ${t.name} {`) &&
      !holdsUnspellable(btf, id)) {
      seen.add(t.name);
      asserts += `_Static_assert(sizeof(${t.kind} ${t.name}) == ${t.size}, "${t.name}");\n`;
    }
  }
  return header + asserts;
}

function clangAccepts(name: string, text: string, ...flags: string[]): void {
  const path = writeBuildFile(name, text);
  execFileSync('clang', ['-target', 'bpf', '-fsyntax-only', '-Werror', ...flags, '-x', 'c', path], { stdio: 'pipe' });
}

describe('C printing equals bpftool format c', () => {
  for (const name of ['kinds', 'maps', 'fast-shapes', 'c-shapes']) {
    it(`${name}.c compiled by clang`, () => {
      const path = compileFixtureBtf(name);
      const c = formatC(parseBtf(readBytes(path)));
      expect(c.split('\n').length).toBeGreaterThan(20);
      expect(c).toBe(bpftool(['btf', 'dump', 'file', path, 'format', 'c']));
      clangAccepts(`${name}.h`, c);
    });
  }

  it.runIf(existsSync(VMLINUX))('the whole vmlinux BTF (what users make vmlinux.h from)', () => {
    expect(formatC(parseBtf(readBytes(VMLINUX))) === bpftool(['btf', 'dump', 'file', VMLINUX, 'format', 'c'])).toBe(true);
  });
});

describe('C printing', () => {
  it('prints the fixture so that clang accepts it with the same layouts', () => {
    const btf = parseBtf(readBytes(compileFixtureBtf('kinds')));
    const c = formatC(btf);
    expect(c).toContain('} __attribute__((packed));');
    expect(c).toContain('unsigned long long wide: 40;');
    expect(c).toContain('int (*cb)(int, const char *);');
    expect(c).toContain('volatile const int * restrict ptr;');
    clangAccepts('kinds.h', withLayoutChecks(btf, c));
  });

  it('prints one type with what it needs', () => {
    const btf = parseBtf(readBytes(compileFixtureBtf('kinds')));
    const c = formatC(btf, { ids: [btf.findByName('inner', 'struct')[0]!.id] });
    expect(c).toContain('struct inner {');
    expect(c).not.toContain('struct value {');
    clangAccepts('inner.h', c);
  });

  it('shows each struct, function and data section of an object as C that clang accepts, the type itself last', () => {
    const btf = parseBtf(readBytes(compileFixtureBtf('maps')));
    const seen = new Set<string>();
    for (let id = 1; id < btf.typeCount; id++) {
      const t = btf.type(id);
      if ((t.kind !== 'struct' && t.kind !== 'func' && t.kind !== 'datasec') || !t.name) continue;
      seen.add(t.kind);
      const { c, definitionLine, definitionLines } = typeViewC(btf, id);
      const own = c.split('\n').slice(definitionLine).join('\n');
      if (t.kind === 'struct') expect(own.startsWith(`struct ${t.name} {\n`)).toBe(true);
      // The definition's last line ends it, and a blank line follows.
      expect(c.split('\n').slice(definitionLine! + definitionLines! - 1, definitionLine! + definitionLines! + 1)).toEqual([t.kind === 'struct' ? '};' : expect.stringMatching(/;$/), '']);
      if (t.kind === 'func') expect(own).toMatch(new RegExp(`^[^\\n]*\\b${t.name}\\([^\\n]*\\);\\n\\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX`));
      if (t.kind === 'datasec') {
        const names = t.vars.map((v) => btf.type(v.type).name);
        expect(names.length).toBeGreaterThan(0);
        for (const name of names) expect(own).toMatch(new RegExp(`\\b${name}(\\[\\d+\\])*;\\n`));
      }
      // A function of scalars alone leaves the header's preserve_access_index with no struct to mark.
      clangAccepts(`view-${id}.c`, c, '-Wno-pragma-clang-attribute');
    }
    expect([...seen].sort()).toEqual(['datasec', 'func', 'struct']);
  });

  it('shows a .ksyms section\'s kfuncs with the types their prototypes use, as C that clang accepts', () => {
    const btf = parseBtf(readBytes(compileFixtureBtf('ksyms')));
    const ksyms = btf.findByName('.ksyms', 'datasec')[0]!;
    const { c, definitionLine } = typeViewC(btf, ksyms.id);
    const own = c.split('\n').slice(definitionLine).join('\n');
    expect(own.startsWith('extern int fixture_kfunc(struct kfunc_arg *, const struct task_like *);\nextern const int fixture_ksym_var;\n\n')).toBe(true);
    // What the prototype uses is declared before it: the struct in full, the opaque one forward.
    const before = c.split('\n').slice(0, definitionLine).join('\n');
    expect(before).toContain('struct kfunc_arg {\n');
    expect(before).toContain('struct task_like;\n');
    clangAccepts('view-ksyms.c', c, '-Wno-pragma-clang-attribute');
  });

  it.runIf(existsSync(VMLINUX))('every vmlinux type: clang -fsyntax-only accepts, sizes match', () => {
    const btf = parseBtf(readBytes(VMLINUX));
    clangAccepts('vmlinux.h', withLayoutChecks(btf, formatC(btf)));
  });
});
