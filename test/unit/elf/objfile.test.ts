// Every fixture object opens, and what we read from it agrees with llvm-objdump (LLVM 14):
// the same functions at the same places, the same instructions byte for byte, relocations
// naming the same symbols, and source lines that are the lines of the fixture's C file.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hexBytes } from '../../../main/kernel/isa/index.js';
import { parseBpfObject, programListing, type BpfObject, type CodeReference } from '../../../main/kernel/objfile/index.js';
import { buildFixtures, FIXTURE_BUILD_DIR } from '../../helpers/fixtures.js';

const SOURCE_DIR = join(FIXTURE_BUILD_DIR, '..', 'bpf');

interface ObjdumpInsn {
  index: number;
  bytes: string;
  relocation?: string;
  /** The last `; source` line printed before this instruction in its function. */
  source?: string;
}

interface ObjdumpFunction {
  section: string;
  name: string;
  insns: ObjdumpInsn[];
}

const objdumpCache = new Map<string, ObjdumpFunction[]>();

function objdump(path: string): ObjdumpFunction[] {
  let functions = objdumpCache.get(path);
  if (!functions) objdumpCache.set(path, (functions = parseObjdump(path)));
  return functions;
}

function parseObjdump(path: string): ObjdumpFunction[] {
  const out = execFileSync('llvm-objdump', ['-d', '-r', '-S', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const functions: ObjdumpFunction[] = [];
  let section = '';
  let current: ObjdumpFunction | undefined;
  let source: string | undefined;
  for (const line of out.split('\n')) {
    const sec = /^Disassembly of section (.+):$/.exec(line);
    if (sec) { section = sec[1]; continue; }
    const fn = /^[0-9a-f]{16} <(.+)>:$/.exec(line);
    // Branch labels (LBB…) that the compiler kept as symbols continue the function.
    if (fn && /^LBB\d+_\d+$/.test(fn[1])) continue;
    if (fn) { functions.push((current = { section, name: fn[1], insns: [] })); source = undefined; continue; }
    if (line.startsWith('; ')) { source = line.slice(2).trim(); continue; }
    const reloc = /^\t\t[0-9a-f]{16}:  (R_BPF_\w+)\t(.+)$/.exec(line);
    if (reloc && current) { current.insns[current.insns.length - 1].relocation = reloc[2]; continue; }
    const insn = /^ +(\d+):\t([0-9a-f]{2}(?: [0-9a-f]{2})*)\t/.exec(line);
    if (insn && current) current.insns.push({ index: Number(insn[1]), bytes: insn[2], ...(source ? { source } : {}) });
  }
  return functions;
}

function referenceName(ref: CodeReference): string | undefined {
  switch (ref.kind) {
    case 'map': case 'extern': return ref.name;
    case 'data': return ref.variable ?? ref.section;
    case 'subprog': return ref.name ?? ref.section;
  }
}

const objects = (): string[] => readdirSync(FIXTURE_BUILD_DIR).filter((f) => f.endsWith('.bpf.o')).sort();

describe('fixture objects against llvm-objdump', () => {
  const parsed = new Map<string, BpfObject>();
  beforeAll(() => {
    buildFixtures();
    for (const file of objects()) parsed.set(file, parseBpfObject(new Uint8Array(readFileSync(join(FIXTURE_BUILD_DIR, file)))));
  });

  it('opens every fixture object with its programs, maps and license', () => {
    expect([...parsed.keys()]).toContain('maps.bpf.o');
    for (const [file, obj] of parsed) {
      // big.bpf.o holds only a map.
      expect(obj.programs.length + obj.maps.length, file).toBeGreaterThan(0);
      expect(obj.license, file).toBe('GPL');
      for (const p of obj.programs) expect(p.progType, `${file} ${p.section}`).not.toBe('');
    }
    const maps = parsed.get('maps.bpf.o')!;
    const hash = maps.maps.find((m) => m.name === 'hash_map');
    expect(hash).toMatchObject({ typeName: 'hash', keyType: '__u32', valueType: 'struct fixture_value', maxEntries: 128, keySize: 4 });
    const data = maps.globals.find((g) => g.name === '.data')!;
    expect(data.variables.find((v) => v.name === 'data_label')?.value.value).toBe('bpfscope-data');
    expect(maps.globals.find((g) => g.name === '.rodata')!.variables.map((v) => v.name)).toEqual(['rodata_version', 'rodata_name']);
  });

  it('lists every instruction llvm-objdump lists, byte for byte, with the same relocation symbols', () => {
    let compared = 0;
    let references = 0;
    for (const [file, obj] of parsed) {
      const theirs = objdump(join(FIXTURE_BUILD_DIR, file));
      const ours = [...obj.programs, ...obj.subprograms];
      expect(ours.map((p) => `${p.section} ${p.name}`).sort(), file).toEqual(theirs.map((f) => `${f.section} ${f.name}`).sort());
      for (const fn of theirs) {
        const prog = ours.find((p) => p.name === fn.name && p.section === fn.section)!;
        const entries = programListing(obj, prog).entries;
        expect(entries.map((e) => e.index + prog.insnOffset), `${file} ${fn.name}`).toEqual(fn.insns.map((i) => i.index));
        for (const [i, insn] of fn.insns.entries()) {
          const entry = entries[i];
          expect(`${fn.name} ${insn.index}: ${hexBytes(entry.bytes)}`).toBe(`${fn.name} ${insn.index}: ${insn.bytes}`);
          if (insn.relocation === undefined) continue;
          expect(entry.reference, `${file} ${fn.name} ${insn.index}`).toBeDefined();
          const name = referenceName(entry.reference!);
          // Section-symbol relocations (static data) name the section in objdump, the variable in ours.
          if (insn.relocation !== entry.reference!.kind && !insn.relocation.startsWith('.')) expect(name).toBe(insn.relocation);
          references++;
        }
        compared += fn.insns.length;
      }
    }
    expect(compared).toBeGreaterThan(400);
    expect(references).toBeGreaterThan(30);
  });

  it('shows source lines that are the C file’s lines, agreeing with llvm-objdump -S', () => {
    let agree = 0;
    let both = 0;
    for (const [file, obj] of parsed) {
      const source = readFileSync(join(SOURCE_DIR, file.replace(/\.o$/, '.c')), 'utf8').split('\n');
      const theirs = objdump(join(FIXTURE_BUILD_DIR, file));
      for (const prog of obj.programs) {
        const fn = theirs.find((f) => f.name === prog.name && f.section === prog.section)!;
        for (const [i, entry] of programListing(obj, prog).entries.entries()) {
          if (!entry.source) continue;
          expect(entry.source.fileName).toMatch(new RegExp(`${file.replace(/\.o$/, '.c')}$`));
          expect(entry.source.text).toBe((source[entry.source.line - 1] ?? '').trim());
          if (fn.insns[i].source === undefined) continue;
          both++;
          if (fn.insns[i].source === entry.source.text) agree++;
        }
      }
    }
    // BTF line_info starts a function at its declaration where DWARF says `{`; the rest agree.
    expect(both).toBeGreaterThan(100);
    expect(agree / both).toBeGreaterThan(0.8);
  });
});
