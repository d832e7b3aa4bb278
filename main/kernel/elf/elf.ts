// ELF64 little-endian relocatable objects, as clang and gcc emit them for BPF: section headers,
// the symbol table and REL/RELA relocations. Every offset and count is checked against the
// file before it is read, so a damaged object gives an error naming where, never a RangeError.
//
//   ELF header (64 bytes)        section header (64 bytes)      symbol (24 bytes)
//   0  magic 7f 'E' 'L' 'F'      0  name   4  type              0  name  4 info  5 other
//   4  class 2, data 1 (LE)      8  flags  16 addr  24 offset   6  shndx 8 value 16 size
//   16 type  18 machine          32 size   40 link  44 info
//   40 shoff 58 shentsize        48 addralign   56 entsize      REL 16 bytes: offset, info
//   60 shnum 62 shstrndx                                         RELA 24 bytes: + addend

export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9 } as const;
export const SHF = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4 } as const;
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
export const SHN_UNDEF = 0;
/** Section indexes from here up are reserved (ABS, COMMON, …), not real sections. */
export const SHN_LORESERVE = 0xff00;
export const EM_BPF = 247;
const ET_REL = 1;

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const REL_SIZE = 16;
const RELA_SIZE = 24;
/** Names longer than this are cut: a name without a NUL within it is damage, not a name. */
const MAX_NAME = 4096;

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** The section's bytes (a view); NOBITS sections have none. */
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly bind: number;
  readonly visibility: number;
  readonly sectionIndex: number;
  readonly value: number;
  readonly size: number;
}

export interface ElfRelocation {
  /** Byte offset in the section the relocations apply to. */
  readonly offset: number;
  readonly type: number;
  readonly symbol: number;
  /** RELA only; REL keeps its addend in the relocated bytes. */
  readonly addend?: bigint;
}

export interface ElfFile {
  readonly machine: number;
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
  /** Relocations by the index of the section they apply to. */
  readonly relocations: ReadonlyMap<number, readonly ElfRelocation[]>;
}

/** Bounds-checked little-endian reads of an ELF file. */
export class ElfReader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  check(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.bytes.length) {
      throw new Error(`${what}: bytes ${offset}..${offset + length} past end of file (${this.bytes.length})`);
    }
  }

  u16(off: number): number { return this.view.getUint16(off, true); }
  u32(off: number): number { return this.view.getUint32(off, true); }

  /** A u64 that must be a file-sized number. */
  u64(off: number, what: string): number {
    const value = this.view.getBigUint64(off, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${what}: value 0x${value.toString(16)} too large`);
    return Number(value);
  }
}

/** A NUL-terminated name from a string table; damage is an error naming `what`. */
export function elfString(table: Uint8Array, off: number, what: string): string {
  if (off >= table.length) throw new Error(`${what}: name offset ${off} past string table (${table.length})`);
  const limit = Math.min(table.length, off + MAX_NAME);
  let end = off;
  while (end < limit && table[end] !== 0) end++;
  if (end === limit) throw new Error(`${what}: name at ${off} not NUL-terminated`);
  return new TextDecoder().decode(table.subarray(off, end));
}

function readHeader(r: ElfReader): { machine: number; shoff: number; shnum: number; shstrndx: number } {
  if (r.bytes.length < EHDR_SIZE) throw new Error(`elf header: ${r.bytes.length} bytes, need ${EHDR_SIZE}`);
  const b = r.bytes;
  if (b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) throw new Error('elf header: bad magic (not an ELF file)');
  if (b[4] !== 2) throw new Error(`elf header: class ${b[4]}: only 64-bit objects are supported`);
  if (b[5] !== 1) throw new Error(`elf header: data encoding ${b[5]}: only little-endian objects are supported`);
  const type = r.u16(16);
  if (type !== ET_REL) throw new Error(`elf header: type ${type}: not a relocatable object (.o)`);
  const shoff = r.u64(40, 'elf header: e_shoff');
  const shentsize = r.u16(58);
  if (shentsize !== SHDR_SIZE) throw new Error(`elf header: section header size ${shentsize}, expected ${SHDR_SIZE}`);
  let shnum = r.u16(60);
  let shstrndx = r.u16(62);
  if (shoff === 0) throw new Error('elf header: no section headers');
  r.check(shoff, SHDR_SIZE, 'section header 0');
  // Extended numbering: the real counts live in section header 0.
  if (shnum === 0) shnum = r.u64(shoff + 32, 'section header 0: sh_size');
  if (shstrndx === 0xffff) shstrndx = r.u32(shoff + 40);
  r.check(shoff, shnum * SHDR_SIZE, `section headers (${shnum})`);
  if (shstrndx >= shnum) throw new Error(`elf header: section name table index ${shstrndx} out of range (${shnum} sections)`);
  return { machine: r.u16(18), shoff, shnum, shstrndx };
}

interface RawSection extends Omit<ElfSection, 'name' | 'data'> {
  nameOff: number;
}

function readSections(r: ElfReader, shoff: number, shnum: number, shstrndx: number): ElfSection[] {
  const raw: RawSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * SHDR_SIZE;
    const what = `section ${i}`;
    const section: RawSection = {
      index: i,
      nameOff: r.u32(at),
      type: r.u32(at + 4),
      flags: r.u64(at + 8, `${what}: flags`),
      offset: r.u64(at + 24, `${what}: offset`),
      size: r.u64(at + 32, `${what}: size`),
      link: r.u32(at + 40),
      info: r.u32(at + 44),
      addralign: r.u64(at + 48, `${what}: addralign`),
      entsize: r.u64(at + 56, `${what}: entsize`),
    };
    if (section.type !== SHT.NOBITS && section.type !== SHT.NULL) r.check(section.offset, section.size, what);
    raw.push(section);
  }
  const names = raw[shstrndx];
  if (names.type !== SHT.STRTAB) throw new Error(`section ${shstrndx}: name table is not a string table (type ${names.type})`);
  const nameTable = r.bytes.subarray(names.offset, names.offset + names.size);
  return raw.map(({ nameOff, ...s }) => ({
    ...s,
    name: s.index === 0 ? '' : elfString(nameTable, nameOff, `section ${s.index}`),
    data: s.type === SHT.NOBITS || s.type === SHT.NULL ? new Uint8Array(0) : r.bytes.subarray(s.offset, s.offset + s.size),
  }));
}

function stringTableOf(sections: readonly ElfSection[], link: number, what: string): Uint8Array {
  const table = sections[link];
  if (!table || table.type !== SHT.STRTAB) throw new Error(`${what}: linked string table ${link} missing or not a string table`);
  return table.data;
}

function readSymbols(r: ElfReader, sections: readonly ElfSection[]): ElfSymbol[] {
  const symtabs = sections.filter((s) => s.type === SHT.SYMTAB);
  if (symtabs.length === 0) return [];
  if (symtabs.length > 1) throw new Error(`symtab: ${symtabs.length} symbol tables`);
  const symtab = symtabs[0];
  const what = `symtab (section ${symtab.index})`;
  if (symtab.entsize !== SYM_SIZE) throw new Error(`${what}: entry size ${symtab.entsize}, expected ${SYM_SIZE}`);
  const strings = stringTableOf(sections, symtab.link, what);
  const count = Math.floor(symtab.size / SYM_SIZE);
  const symbols: ElfSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const at = symtab.offset + i * SYM_SIZE;
    const info = r.bytes[at + 4];
    const sectionIndex = r.u16(at + 6);
    if (sectionIndex < SHN_LORESERVE && sectionIndex >= sections.length) {
      throw new Error(`${what}: symbol ${i}: section index ${sectionIndex} out of range`);
    }
    let name = elfString(strings, r.u32(at), `${what}: symbol ${i}`);
    // Section symbols are unnamed; they stand for their section.
    if (name === '' && (info & 0xf) === STT.SECTION && sectionIndex < sections.length) name = sections[sectionIndex].name;
    symbols.push({
      index: i,
      name,
      type: info & 0xf,
      bind: info >> 4,
      visibility: r.bytes[at + 5] & 0x3,
      sectionIndex,
      value: r.u64(at + 8, `${what}: symbol ${i}: value`),
      size: r.u64(at + 16, `${what}: symbol ${i}: size`),
    });
  }
  return symbols;
}

function readRelocations(r: ElfReader, sections: readonly ElfSection[], symbolCount: number): Map<number, ElfRelocation[]> {
  const bySection = new Map<number, ElfRelocation[]>();
  for (const s of sections) {
    if (s.type !== SHT.REL && s.type !== SHT.RELA) continue;
    const rela = s.type === SHT.RELA;
    const entry = rela ? RELA_SIZE : REL_SIZE;
    const what = `relocations '${s.name}' (section ${s.index})`;
    if (s.info === 0 || s.info >= sections.length) throw new Error(`${what}: target section ${s.info} out of range`);
    if (s.size % entry !== 0) throw new Error(`${what}: size ${s.size} not a multiple of ${entry}`);
    const target = sections[s.info];
    const list = bySection.get(s.info) ?? [];
    for (let i = 0; i < s.size / entry; i++) {
      const at = s.offset + i * entry;
      const offset = r.u64(at, `${what}: entry ${i}: offset`);
      const type = r.u32(at + 8);
      const symbol = r.u32(at + 12);
      if (symbol >= symbolCount) throw new Error(`${what}: entry ${i}: symbol ${symbol} out of range (${symbolCount})`);
      if (target.type !== SHT.NOBITS && offset >= target.size) {
        throw new Error(`${what}: entry ${i}: offset ${offset} past section '${target.name}' (${target.size} bytes)`);
      }
      list.push(rela ? { offset, type, symbol, addend: r.view.getBigInt64(at + 16, true) } : { offset, type, symbol });
    }
    bySection.set(s.info, list);
  }
  return bySection;
}

/** Parses an ELF64 little-endian relocatable object; throws `elf …: what` on damage. */
export function parseElf(bytes: Uint8Array): ElfFile {
  const r = new ElfReader(bytes);
  try {
    const header = readHeader(r);
    const sections = readSections(r, header.shoff, header.shnum, header.shstrndx);
    const symbols = readSymbols(r, sections);
    const relocations = readRelocations(r, sections, symbols.length);
    return { machine: header.machine, sections, symbols, relocations };
  } catch (error) {
    throw new Error(`elf: ${(error as Error).message}`, { cause: error });
  }
}
