// The function symbols of an executable or shared library (ELF64 little-endian, any machine),
// for naming user-space stack frames: .symtab, else .dynsym (what a stripped file keeps), the
// loadable segments that turn a file offset into the address symbols are given at, and the GNU
// build id. PLT stubs get binutils' synthetic `name@plt` symbols (plt-symbols.ts). Offsets and
// counts are checked against the file, as elf.ts does for objects.
//
//   program header (56 bytes): 0 type  4 flags  8 offset  16 vaddr  24 paddr  32 filesz  40 memsz
//   note: 0 namesz  4 descsz  8 type  12 name (padded to 4)  then desc (padded to 4)
import { ElfReader, elfString } from './elf.js';
import { namesGotSlot, pltSymbols, slotName, type PltSection, type SyntheticSymbol } from './plt-symbols.js';

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SYM_SIZE = 24;
const RELA_SIZE = 24;
const SHT_SYMTAB = 2;
const SHT_RELA = 4;
const SHT_NOTE = 7;
const SHT_NOBITS = 8;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const PT_LOAD = 1;
const NT_GNU_BUILD_ID = 3;
/** Symbols read from one file: a bound for damaged or absurd tables. */
const MAX_SYMBOLS = 4_000_000;
/** Dynamic relocations read from one file, for naming PLT stubs. */
const MAX_RELOCATIONS = 1_000_000;
const PLT_SECTIONS = new Set(['.plt', '.plt.sec', '.plt.got']);
const MAX_SEGMENTS = 256;

export interface LoadSegment {
  offset: number;
  vaddr: number;
  filesz: number;
}

export interface ProgramSymbols {
  /** Lower-case hex, when the file has a .note.gnu.build-id. */
  buildId?: string;
  /** Which table the names come from; `none` for a file stripped of both. */
  table: 'symtab' | 'dynsym' | 'none';
  segments: LoadSegment[];
  /** Function symbols sorted by address (virtual, as the file gives them). */
  starts: Float64Array;
  sizes: Float64Array;
  /**
   * Where a symbol without a size stops at the latest: the end of its section (an assembly
   * `_init` does not run on into the `.plt` after it).
   */
  limits: Float64Array;
  names: string[];
}

interface Section {
  name: string;
  type: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

function sectionsOf(r: ElfReader): Section[] {
  const shoff = r.u64(40, 'elf header: e_shoff');
  const shnum = r.u16(60);
  if (shoff === 0 || shnum === 0) return [];
  if (r.u16(58) !== SHDR_SIZE) throw new Error('elf header: unexpected section header size');
  r.check(shoff, shnum * SHDR_SIZE, `section headers (${shnum})`);
  const sections = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * SHDR_SIZE;
    return {
      nameOffset: r.u32(at), type: r.u32(at + 4), addr: r.u64(at + 16, `section ${i}: addr`), offset: r.u64(at + 24, `section ${i}: offset`),
      size: r.u64(at + 32, `section ${i}: size`), link: r.u32(at + 40), entsize: r.u64(at + 56, `section ${i}: entsize`),
    };
  });
  // Section names only pick out the PLT sections: a file whose names cannot be read has none.
  const strings = sections[r.u16(62)];
  const names = strings && strings.offset + strings.size <= r.bytes.length ? r.bytes.subarray(strings.offset, strings.offset + strings.size) : undefined;
  return sections.map(({ nameOffset, ...s }, i) => {
    let name = '';
    if (names) {
      try {
        name = elfString(names, nameOffset, `section ${i}`);
      } catch {
        // A damaged name: the section is still read by its type.
      }
    }
    return { name, ...s };
  });
}

function segmentsOf(r: ElfReader): LoadSegment[] {
  const phoff = r.u64(32, 'elf header: e_phoff');
  const phnum = Math.min(r.u16(56), MAX_SEGMENTS);
  if (phoff === 0 || phnum === 0) return [];
  if (r.u16(54) !== PHDR_SIZE) throw new Error('elf header: unexpected program header size');
  r.check(phoff, phnum * PHDR_SIZE, `program headers (${phnum})`);
  const out: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * PHDR_SIZE;
    if (r.u32(at) !== PT_LOAD) continue;
    out.push({ offset: r.u64(at + 8, `segment ${i}: offset`), vaddr: r.u64(at + 16, `segment ${i}: vaddr`), filesz: r.u64(at + 32, `segment ${i}: filesz`) });
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function buildIdOf(r: ElfReader, sections: readonly Section[]): string | undefined {
  for (const s of sections) {
    if (s.type !== SHT_NOTE) continue;
    r.check(s.offset, s.size, 'note section');
    for (let at = s.offset; at + 12 <= s.offset + s.size; ) {
      const namesz = r.u32(at);
      const descsz = r.u32(at + 4);
      const type = r.u32(at + 8);
      const desc = at + 12 + Math.ceil(namesz / 4) * 4;
      const next = desc + Math.ceil(descsz / 4) * 4;
      if (next > s.offset + s.size) break;
      const name = new TextDecoder().decode(r.bytes.subarray(at + 12, at + 12 + Math.max(0, namesz - 1)));
      if (type === NT_GNU_BUILD_ID && name === 'GNU') return hex(r.bytes.subarray(desc, desc + descsz));
      at = next;
    }
  }
  return undefined;
}

type Functions = Pick<ProgramSymbols, 'starts' | 'sizes' | 'limits' | 'names'>;
type FoundSymbol = SyntheticSymbol & { limit: number };

/** The string table a symbol table names its symbols in. */
function symbolNames(r: ElfReader, sections: readonly Section[], table: Section): Uint8Array {
  if (table.entsize !== SYM_SIZE) throw new Error(`symbol table: entry size ${table.entsize}`);
  r.check(table.offset, table.size, 'symbol table');
  const strings = sections[table.link];
  if (!strings) throw new Error('symbol table: no string table');
  r.check(strings.offset, strings.size, 'symbol string table');
  return r.bytes.subarray(strings.offset, strings.offset + strings.size);
}

function functionsOf(r: ElfReader, sections: readonly Section[], table: Section): FoundSymbol[] {
  const names = symbolNames(r, sections, table);
  const found: FoundSymbol[] = [];
  const count = Math.min(Math.floor(table.size / SYM_SIZE), MAX_SYMBOLS);
  for (let i = 0; i < count; i++) {
    const at = table.offset + i * SYM_SIZE;
    const type = r.bytes[at + 4]! & 0xf;
    if (type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
    const start = r.u64(at + 8, `symbol ${i}: value`);
    const shndx = r.u16(at + 6);
    if (start === 0 || shndx === 0) continue;
    const home = sections[shndx];
    const limit = home && start >= home.addr && start < home.addr + home.size ? home.addr + home.size : Infinity;
    found.push({ start, size: r.u64(at + 16, `symbol ${i}: size`), limit, name: elfString(names, r.u32(at), `symbol ${i}`) });
  }
  return found;
}

/**
 * GOT slot address → the function its dynamic relocation names, from the RELA sections that
 * refer to the dynamic symbol table (.rela.plt, .rela.dyn).
 */
function gotSlotNames(r: ElfReader, sections: readonly Section[], machine: number): Map<number, string> {
  const slots = new Map<number, string>();
  let budget = MAX_RELOCATIONS;
  for (const rela of sections) {
    const symbols = sections[rela.link];
    if (rela.type !== SHT_RELA || rela.entsize !== RELA_SIZE || symbols?.type !== SHT_DYNSYM) continue;
    r.check(rela.offset, rela.size, `relocations (${rela.name})`);
    const names = symbolNames(r, sections, symbols);
    const count = Math.min(Math.floor(rela.size / RELA_SIZE), budget);
    budget -= count;
    for (let i = 0; i < count; i++) {
      const at = rela.offset + i * RELA_SIZE;
      if (!namesGotSlot(machine, r.u32(at + 8))) continue;
      const symbol = r.u32(at + 12);
      const name = symbol === 0 ? undefined : symbol * SYM_SIZE < symbols.size ? elfString(names, r.u32(symbols.offset + symbol * SYM_SIZE), `${rela.name} ${i}`) : undefined;
      if (symbol !== 0 && name === undefined) continue;
      slots.set(r.u64(at, `${rela.name} ${i}: offset`), slotName(name, r.view.getBigInt64(at + 16, true)));
    }
  }
  return slots;
}

/** Named PLT stubs; none where the PLT or the relocations are damaged (the file's own symbols still count). */
function pltStubs(r: ElfReader, sections: readonly Section[], machine: number): FoundSymbol[] {
  try {
    const plts: PltSection[] = [];
    for (const s of sections) {
      if (!PLT_SECTIONS.has(s.name) || s.type === SHT_NOBITS) continue;
      r.check(s.offset, s.size, `section ${s.name}`);
      plts.push({ addr: s.addr, bytes: r.bytes.subarray(s.offset, s.offset + s.size), entsize: s.entsize });
    }
    if (plts.length === 0) return [];
    return pltSymbols(machine, plts, gotSlotNames(r, sections, machine)).map((stub) => ({ ...stub, limit: stub.start + stub.size }));
  } catch {
    return [];
  }
}

function sorted(found: FoundSymbol[]): Functions {
  found.sort((a, b) => a.start - b.start || b.size - a.size);
  return {
    starts: Float64Array.from(found, (f) => f.start),
    sizes: Float64Array.from(found, (f) => f.size),
    limits: Float64Array.from(found, (f) => f.limit),
    names: found.map((f) => f.name),
  };
}

/** The functions of an ELF executable or library; throws `elf …: what` on damage. */
export function programSymbols(bytes: Uint8Array): ProgramSymbols {
  const r = new ElfReader(bytes);
  try {
    if (bytes.length < EHDR_SIZE || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) throw new Error('not an ELF file');
    if (bytes[4] !== 2 || bytes[5] !== 1) throw new Error('only 64-bit little-endian files are read');
    const sections = sectionsOf(r);
    const table = sections.find((s) => s.type === SHT_SYMTAB && s.size > 0) ?? sections.find((s) => s.type === SHT_DYNSYM && s.size > 0);
    const functions = sorted([...(table ? functionsOf(r, sections, table) : []), ...pltStubs(r, sections, r.u16(18))]);
    const buildId = buildIdOf(r, sections);
    return {
      ...(buildId ? { buildId } : {}),
      table: !table ? 'none' : table.type === SHT_SYMTAB ? 'symtab' : 'dynsym',
      segments: segmentsOf(r),
      ...functions,
    };
  } catch (error) {
    throw new Error(`elf: ${(error as Error).message}`, { cause: error });
  }
}

/** The virtual address a file offset is loaded at, by the segment holding it. */
export function vaddrOfOffset(symbols: ProgramSymbols, offset: number): number | undefined {
  const segment = symbols.segments.find((s) => offset >= s.offset && offset < s.offset + s.filesz);
  return segment ? segment.vaddr + (offset - segment.offset) : undefined;
}

/** `function+0x1c` for a virtual address inside a function. */
export function functionAt(symbols: ProgramSymbols, vaddr: number): string | undefined {
  const { starts, sizes, limits, names } = symbols;
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= vaddr) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found < 0) return undefined;
  // A symbol without a size (hand-written assembly: _start, _fini) covers up to the next one or
  // the end of its section, never past the last.
  const start = starts[found]!;
  const size = sizes[found]!;
  const end = size > 0 ? start + size : Math.min(limits[found]!, found + 1 < starts.length ? starts[found + 1]! : start + 1);
  return vaddr < end ? `${names[found]}+0x${(vaddr - start).toString(16)}` : undefined;
}
