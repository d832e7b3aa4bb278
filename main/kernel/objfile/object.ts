// A compiled BPF object (.bpf.o) as libbpf sees it before loading: programs by section with
// the type the section name implies, BTF-defined maps, global data with initial values, BTF and
// BTF.ext, and per-program listings with relocations resolved to names.

import { type Btf, declarationC, parseBtf } from '../btf/index.js';
import { type BtfExt, EM_BPF, type ElfFile, type ElfSection, parseBtfExt, parseElf, SHF, SHT, STT } from '../elf/index.js';
import {
  buildListing, type FuncInfoRecord, type LineInfoRecord, type ListingEntry, type ListingRows,
} from '../isa/index.js';
import { globalDataSections, objectMaps, type GlobalDataSection, type ObjectMap } from './maps.js';
import { type CodeReference, functionAt, sectionReferences } from './references.js';
import { sectionDef } from './section-def.js';

const INSN_SIZE = 8;

export interface ObjectProgram {
  readonly name: string;
  readonly section: string;
  readonly sectionIndex: number;
  /** libbpf's program type for the section ('' when libbpf does not know the section). */
  readonly progType: string;
  readonly attachType?: string;
  /** First instruction within the section, and the number of instruction slots. */
  readonly insnOffset: number;
  readonly insnCount: number;
  readonly global: boolean;
}

export type SectionRole = 'program' | 'subprograms' | 'maps' | 'data' | 'license' | 'version' | 'btf' | 'btf_ext'
  | 'relocations' | 'symbols' | 'strings' | 'debug' | 'other';

export interface ObjectSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly size: number;
  readonly flags: number;
  readonly role: SectionRole;
}

export interface BpfObject {
  readonly elf: ElfFile;
  readonly btf?: Btf;
  readonly btfExt?: BtfExt;
  readonly license?: string;
  readonly kernelVersion?: number;
  readonly sections: readonly ObjectSection[];
  /** Entry points: functions of program sections. */
  readonly programs: readonly ObjectProgram[];
  /** Functions of `.text`, called by programs (libbpf appends them when it loads). */
  readonly subprograms: readonly ObjectProgram[];
  readonly maps: readonly ObjectMap[];
  readonly globals: readonly GlobalDataSection[];
}

/** A listing entry with what its relocation refers to. */
export interface ObjectListingEntry extends ListingEntry {
  readonly reference?: CodeReference;
}

/** An object program's listing; its entries are all made (object programs are small). */
export interface ObjectListing extends ListingRows {
  readonly entries: readonly ObjectListingEntry[];
  entry(position: number): ObjectListingEntry;
}

function sectionRole(s: ElfSection): SectionRole {
  if (s.type === SHT.REL || s.type === SHT.RELA) return 'relocations';
  if (s.type === SHT.SYMTAB) return 'symbols';
  if (s.type === SHT.STRTAB) return 'strings';
  if ((s.flags & SHF.EXECINSTR) !== 0) return s.name === '.text' ? 'subprograms' : 'program';
  if (s.name === '.maps') return 'maps';
  if (s.name === 'license') return 'license';
  if (s.name === 'version') return 'version';
  if (s.name === '.BTF') return 'btf';
  if (s.name === '.BTF.ext') return 'btf_ext';
  if (/^\.(data|bss|rodata)(\..+)?$/.test(s.name)) return 'data';
  if (s.name.startsWith('.debug_')) return 'debug';
  return 'other';
}

function functionsOf(elf: ElfFile, section: ElfSection): ObjectProgram[] {
  const def = section.name === '.text' ? undefined : sectionDef(section.name);
  const slots = Math.floor(section.size / INSN_SIZE);
  return elf.symbols
    .filter((s) => s.sectionIndex === section.index && s.type === STT.FUNC)
    .sort((a, b) => a.value - b.value)
    .map((s) => {
      if (s.value % INSN_SIZE !== 0 || s.size % INSN_SIZE !== 0 || s.value + s.size > section.size) {
        throw new Error(`function '${s.name}': bytes ${s.value}..${s.value + s.size} not within section '${section.name}' (${section.size})`);
      }
      const insnOffset = s.value / INSN_SIZE;
      return {
        name: s.name,
        section: section.name,
        sectionIndex: section.index,
        progType: def?.progType ?? '',
        ...(def?.attachType === undefined ? {} : { attachType: def.attachType }),
        insnOffset,
        // Some compilers leave st_size 0: the function then runs to the section's end.
        insnCount: s.size === 0 ? slots - insnOffset : s.size / INSN_SIZE,
        global: s.bind !== 0,
      };
    });
}

function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/** Parses a .bpf.o; throws `object: …` chains on damage. */
export function parseBpfObject(bytes: Uint8Array): BpfObject {
  const elf = parseElf(bytes);
  try {
    if (elf.machine !== EM_BPF) throw new Error(`machine ${elf.machine}: not a BPF object (expected ${EM_BPF})`);
    const find = (name: string) => elf.sections.find((s) => s.name === name);
    const btfSection = find('.BTF');
    const btf = btfSection ? parseBtf(btfSection.data) : undefined;
    const extSection = find('.BTF.ext');
    const btfExt = extSection && btf ? parseBtfExt(extSection.data, (off) => btf.stringAt(off)) : undefined;
    const code = elf.sections.filter((s) => (s.flags & SHF.EXECINSTR) !== 0 && s.type === SHT.PROGBITS && s.size > 0);
    const license = find('license');
    const version = find('version');
    return {
      elf,
      ...(btf ? { btf } : {}),
      ...(btfExt ? { btfExt } : {}),
      ...(license ? { license: cString(license.data) } : {}),
      ...(version && version.size >= 4 ? { kernelVersion: new DataView(version.data.buffer, version.data.byteOffset).getUint32(0, true) } : {}),
      sections: elf.sections.filter((s) => s.index > 0).map((s) => ({
        index: s.index, name: s.name, type: s.type, size: s.size, flags: s.flags, role: sectionRole(s),
      })),
      programs: code.filter((s) => s.name !== '.text').flatMap((s) => functionsOf(elf, s)),
      subprograms: code.filter((s) => s.name === '.text').flatMap((s) => functionsOf(elf, s)),
      maps: objectMaps(elf, btf),
      globals: globalDataSections(elf, btf),
    };
  } catch (error) {
    throw new Error(`object: ${(error as Error).message}`, { cause: error });
  }
}

/** bpftool's func_info header: the function's prototype. */
function prototypeText(btf: Btf, funcTypeId: number): string {
  const func = btf.type(funcTypeId);
  if (func.kind !== 'func') return '';
  return declarationC(btf, func.type, func.name);
}

function funcInfoOf(obj: BpfObject, prog: ObjectProgram): FuncInfoRecord[] {
  const { btf, btfExt } = obj;
  if (!btf || !btfExt) return [];
  const end = prog.insnOffset + prog.insnCount;
  return (btfExt.funcInfo.get(prog.section) ?? [])
    .map((r) => ({ insn: r.insnOff / INSN_SIZE, typeId: r.typeId }))
    .filter((r) => r.insn >= prog.insnOffset && r.insn < end)
    .map((r) => ({ insnOff: r.insn - prog.insnOffset, text: prototypeText(btf, r.typeId) }));
}

function lineInfoOf(obj: BpfObject, prog: ObjectProgram): LineInfoRecord[] {
  const { btf, btfExt } = obj;
  if (!btf || !btfExt) return [];
  const end = prog.insnOffset + prog.insnCount;
  return (btfExt.lineInfo.get(prog.section) ?? [])
    .filter((r) => r.insnOff / INSN_SIZE >= prog.insnOffset && r.insnOff / INSN_SIZE < end)
    .map((r) => ({
      insnOff: r.insnOff / INSN_SIZE - prog.insnOffset,
      fileName: btf.stringAt(r.fileNameOff) ?? '',
      lineText: btf.stringAt(r.lineOff) ?? '',
      line: r.line,
      col: r.col,
    }));
}

/** The instruction's text with the reference named, keeping bpftool's `(opcode) ` prefix. */
function referenceText(entry: ListingEntry, ref: CodeReference): string {
  return `${/^\(\w\w\) /.exec(entry.text)?.[0] ?? ''}${referenceBody(entry, ref)}`;
}

function referenceBody(entry: ListingEntry, ref: CodeReference): string {
  const insn = entry.instruction;
  const dst = insn.kind === 'ld_imm64' ? `r${insn.dst} = ` : '';
  switch (ref.kind) {
    case 'map':
      return `${dst}map[${ref.name}]`;
    case 'data':
      return `${dst}map[${ref.section}]+${ref.offset}${ref.variable ? ` <${ref.variable}>` : ''}`;
    case 'subprog':
      return insn.kind === 'call' ? `call ${ref.name ?? `${ref.section}+${ref.insn}`}` : `${dst}subprog[${ref.name ?? ref.insn}]`;
    case 'extern':
      return insn.kind === 'call' ? `call ${ref.name}` : `${dst}ksym[${ref.name}]`;
  }
}

/** A copy of a listing entry with some fields replaced (entries may keep fields in getters). */
function derivedEntry(entry: ListingEntry, changes: Partial<ObjectListingEntry>): ObjectListingEntry {
  return {
    index: entry.index, bytes: entry.bytes, opcodeClass: entry.opcodeClass, text: entry.text, instruction: entry.instruction,
    jumpTarget: entry.jumpTarget, call: entry.call, source: entry.source, map: entry.map, funcHeader: entry.funcHeader,
    problem: entry.problem, ...changes,
  };
}

/** The program's instructions with source lines, function headers and named references. */
export function programListing(obj: BpfObject, prog: ObjectProgram): ObjectListing {
  const section = obj.elf.sections[prog.sectionIndex];
  const start = prog.insnOffset * INSN_SIZE;
  const insns = section.data.subarray(start, start + prog.insnCount * INSN_SIZE);
  const listing = buildListing({ insns, origin: 'object', funcInfo: funcInfoOf(obj, prog), lineInfo: lineInfoOf(obj, prog) });
  const refs = sectionReferences(obj.elf, section);
  const entries = listing.rows().map((entry): ObjectListingEntry => {
    const ref = refs.get(prog.insnOffset + entry.index);
    if (ref) return derivedEntry(entry, { text: referenceText(entry, ref), reference: ref });
    if (entry.call?.callee !== 'subprog' || entry.call.target === undefined) return entry;
    // A call within the section: name the function it lands on.
    const fn = functionAt(obj.elf, prog.sectionIndex, (prog.insnOffset + entry.call.target) * INSN_SIZE);
    return fn ? derivedEntry(entry, { call: { ...entry.call, name: fn.name }, text: `${entry.text} <${fn.name}>` }) : entry;
  });
  return {
    origin: listing.origin,
    slotCount: listing.slotCount,
    length: entries.length,
    entries,
    entry: (position) => entries[position],
    text: (position) => entries[position].text,
    index: (position) => entries[position].index,
    funcHeader: (position) => entries[position].funcHeader,
    source: (position) => entries[position].source,
  };
}

/** A program or subprogram by name. */
export function findProgram(obj: BpfObject, name: string): ObjectProgram | undefined {
  return obj.programs.find((p) => p.name === name) ?? obj.subprograms.find((p) => p.name === name);
}
