// An object file as libbpf would load it (main/kernel/objfile/loaded.ts, link.ts, btf-fixup.ts):
// libbpf's map names, subprograms appended with calls re-pointed, func/line info moved with
// them, map loads relocated to ids, the tag input, DATASECs fixed up; damaged objects give our
// own errors, never a RangeError or TypeError. (The same against the kernel, after
// `bpftool prog loadall`: test/kernel/objfile-host.test.ts.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFuncInfo, decodeLineInfo, decodeMapInfo, decodeProgInfo, u32Array } from '../../../main/kernel/info/index.js';
import {
  internalMapName, libbpfObjectName, linkProgram, loadedForm, parseBpfObject, tagInput, type BpfObject,
} from '../../../main/kernel/objfile/index.js';
import { parseBtf } from '../../../main/kernel/btf/index.js';
import { buildFixtures, FIXTURE_BUILD_DIR } from '../../helpers/fixtures.js';
import { prng } from '../../helpers/prng.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfscope-loaded-'));
const noTag = () => new Uint8Array(8);
let programs: BpfObject;
let maps: Uint8Array;

beforeAll(() => {
  buildFixtures();
  maps = new Uint8Array(readFileSync(join(FIXTURE_BUILD_DIR, 'maps.bpf.o')));
  const out = join(dir, 'programs.o');
  execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-I/usr/include/x86_64-linux-gnu',
    '-c', join(FIXTURE_BUILD_DIR, '..', 'isa', 'programs.c'), '-o', out]);
  programs = parseBpfObject(new Uint8Array(readFileSync(out)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("libbpf's names", () => {
  it.each([
    ['maps.bpf.o', 'maps'],
    ['/a/b/struct_ops.bpf.o', 'struct_ops'],
    ['noext', 'noext'],
  ])('object name of %s is %s', (file, name) => expect(libbpfObjectName(file)).toBe(name));

  it.each([
    ['maps', '.data', 'maps.data'],
    ['maps', '.rodata', 'maps.rodata'],
    ['struct_ops', '.rodata', 'struct_o.rodata'],
    ['struct_ops', '.bss', 'struct_o.bss'],
    ['maps', '.rodata.cst16', '.rodata.cst16'],
    ['maps', '.rodata.str1.1', '.rodata.str1.1'],
    ['a-b', '.bss', 'a_b.bss'],
    ['x', '.data.a_very_long_name', '.data.a_very_lo'],
  ])('internal map of %s %s is %s', (object, section, name) => expect(internalMapName(object, section)).toBe(name));
});

describe('linking a program', () => {
  const ids = { map: (name: string) => ({ counts: 11, jumps: 12 })[name], dataSection: (s: string) => ({ '.bss': 21, '.data': 22 })[s] };

  it('appends the .text subprogram it calls and points the call at the copy, with its func/line info', () => {
    const entry = programs.programs.find((p) => p.name === 'count_packets')!;
    const classify = programs.subprograms.find((p) => p.name === 'classify')!;
    const linked = linkProgram(programs, entry, ids);
    expect(linked.insns.length).toBe((entry.insnCount + classify.insnCount) * 8);
    const view = new DataView(linked.insns.buffer);
    const calls = [...Array(entry.insnCount).keys()].filter((i) => linked.insns[i * 8] === 0x85 && linked.insns[i * 8 + 1]! >> 4 === 1);
    expect(calls).toHaveLength(1);
    expect(calls[0]! + 1 + view.getInt32(calls[0]! * 8 + 4, true)).toBe(entry.insnCount);
    // The appended copy is the subprogram's code (its global data load relocated like any other).
    const text = programs.elf.sections[classify.sectionIndex]!.data;
    const opcodes = (bytes: Uint8Array) => bytes.filter((_, i) => i % 8 === 0);
    expect(opcodes(linked.insns.subarray(entry.insnCount * 8))).toEqual(opcodes(text.subarray(classify.insnOffset * 8, (classify.insnOffset + classify.insnCount) * 8)));
    expect(linked.funcInfo.map((f) => f.insnOff)).toEqual([0, entry.insnCount]);
    expect(linked.funcInfo.map((f) => programs.btf!.type(f.typeId).name)).toEqual(['count_packets', 'classify']);
    const offsets = linked.lineInfo.map((l) => l.insnOff);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(offsets.some((o) => o >= entry.insnCount)).toBe(true);
    expect(linked.mapIds).toEqual(expect.arrayContaining([11]));
  });

  it('turns map loads into map_fd and global data loads into map_value with the offset', () => {
    const entry = programs.programs.find((p) => p.name === 'count_packets')!;
    const linked = linkProgram(programs, entry, ids);
    const view = new DataView(linked.insns.buffer);
    const loads = [];
    for (let at = 0; at < linked.insns.length; at += 8) {
      if (linked.insns[at] !== 0x18) continue;
      loads.push({ src: linked.insns[at + 1]! >> 4, imm: view.getInt32(at + 4, true), next: view.getInt32(at + 12, true) });
      at += 8;
    }
    expect(loads).toContainEqual({ src: 1, imm: 11, next: 0 });
    expect(loads.filter((l) => l.src === 2).every((l) => l.imm === 21 || l.imm === 22)).toBe(true);
    expect(linked.mapIds[0]).toBeDefined();
  });

  it('the tag input zeroes map references as the kernel does', () => {
    const insns = Uint8Array.of(0x18, 0x21, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0xb7, 0, 0, 0, 5, 0, 0, 0);
    expect([...tagInput(insns)]).toEqual([0x18, 0x21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xb7, 0, 0, 0, 5, 0, 0, 0]);
  });
});

describe('the loaded form', () => {
  it('info records decode to what the object defines; globals hold their section', () => {
    const obj = parseBpfObject(maps);
    const loaded = loadedForm(obj, 'maps.bpf.o', noTag);
    expect(loaded.programs.map((p) => decodeProgInfo(p.info).name)).toEqual(obj.programs.map((p) => p.name.slice(0, 15)));
    for (const p of loaded.programs) {
      const info = decodeProgInfo(p.info);
      expect(info.xlatedProgLen).toBe(p.xlated.length);
      expect(decodeFuncInfo(p.funcInfo, info.funcInfoRecSize!)).toHaveLength(info.nrFuncInfo!);
      expect(decodeLineInfo(p.lineInfo, info.lineInfoRecSize!)).toHaveLength(info.nrLineInfo!);
      expect(u32Array(p.mapIds).every((id) => loaded.maps.some((m) => m.id === id))).toBe(true);
    }
    const data = loaded.maps.find((m) => decodeMapInfo(m.info).name === 'maps.data')!;
    expect(data.data?.bytes).toEqual(obj.elf.sections.find((s) => s.name === '.data')!.data);
    expect(decodeMapInfo(data.info)).toMatchObject({ type: 2, keySize: 4, maxEntries: 1, mapFlags: 0x400, btfId: 1 });
    // The DATASEC now has the section's size and each variable its symbol's offset.
    const btf = parseBtf(loaded.btf!.data);
    const sec = btf.type(decodeMapInfo(data.info).btfValueTypeId!);
    expect(sec).toMatchObject({ kind: 'datasec', name: '.data', size: data.valueSize });
    const offsets = sec.kind === 'datasec' ? sec.vars.map((v) => v.offset) : [];
    expect(new Set(offsets).size).toBe(offsets.length);
  });

  it('mutated objects load fully or fail with our own error', () => {
    const files = readdirSync(FIXTURE_BUILD_DIR).filter((f) => f.endsWith('.bpf.o'));
    const inputs = files.map((f) => new Uint8Array(readFileSync(join(FIXTURE_BUILD_DIR, f)))).filter((b) => b.length < 64 << 10);
    const random = prng(23);
    const outcomes = { ok: 0, error: 0 };
    for (let round = 0; round < 1500; round++) {
      const source = inputs[round % inputs.length]!;
      const obj = parseBpfObject(source);
      // Aim at what loading reads: code, relocations, symbols, .BTF and .BTF.ext.
      const targets = obj.elf.sections.filter((s) => s.type === 2 || s.type === 9 || s.name.startsWith('.BTF') || (s.flags & 4) !== 0);
      const bytes = source.slice();
      for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
        const t = targets[Math.floor(random() * targets.length)]!;
        bytes[t.offset + Math.floor(random() * t.size)] = Math.floor(random() * 256);
      }
      try {
        loadedForm(parseBpfObject(bytes), 'fuzz.bpf.o', noTag);
        outcomes.ok++;
      } catch (e) {
        expect(e, (e as Error).stack).not.toBeInstanceOf(RangeError);
        expect(e, (e as Error).stack).not.toBeInstanceOf(TypeError);
        outcomes.error++;
      }
    }
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.error).toBeGreaterThan(0);
  });
});
