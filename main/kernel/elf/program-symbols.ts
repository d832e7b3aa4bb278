// The function symbols of an executable or shared library (ELF64 little-endian, any machine),
// for naming user-space stack frames: .symtab, else .dynsym (what a stripped file keeps), the
// loadable segments that turn a file offset into the address symbols are given at, and the GNU
// build id. Offsets and counts are checked against the file, as elf.ts does for objects.
//
//   program header (56 bytes): 0 type  4 flags  8 offset  16 vaddr  24 paddr  32 filesz  40 memsz
//   note: 0 namesz  4 descsz  8 type  12 name (padded to 4)  then desc (padded to 4)
import { ElfReader, elfString } from './elf.js';

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SYM_SIZE = 24;
const SHT_SYMTAB = 2;
const SHT_NOTE = 7;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const PT_LOAD = 1;
const NT_GNU_BUILD_ID = 3;
/** Symbols read from one file: a bound for damaged or absurd tables. */
const MAX_SYMBOLS = 4_000_000;
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
  names: string[];
}

interface Section {
  type: number;
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
  return Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * SHDR_SIZE;
    return { type: r.u32(at + 4), offset: r.u64(at + 24, `section ${i}: offset`), size: r.u64(at + 32, `section ${i}: size`), link: r.u32(at + 40), entsize: r.u64(at + 56, `section ${i}: entsize`) };
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

function functionsOf(r: ElfReader, sections: readonly Section[], table: Section): { starts: Float64Array; sizes: Float64Array; names: string[] } {
  if (table.entsize !== SYM_SIZE) throw new Error(`symbol table: entry size ${table.entsize}`);
  r.check(table.offset, table.size, 'symbol table');
  const strings = sections[table.link];
  if (!strings) throw new Error('symbol table: no string table');
  r.check(strings.offset, strings.size, 'symbol string table');
  const names = r.bytes.subarray(strings.offset, strings.offset + strings.size);
  const found: Array<{ start: number; size: number; name: string }> = [];
  const count = Math.min(Math.floor(table.size / SYM_SIZE), MAX_SYMBOLS);
  for (let i = 0; i < count; i++) {
    const at = table.offset + i * SYM_SIZE;
    const type = r.bytes[at + 4]! & 0xf;
    if (type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
    const start = r.u64(at + 8, `symbol ${i}: value`);
    if (start === 0 || r.u16(at + 6) === 0) continue;
    found.push({ start, size: r.u64(at + 16, `symbol ${i}: size`), name: elfString(names, r.u32(at), `symbol ${i}`) });
  }
  found.sort((a, b) => a.start - b.start || b.size - a.size);
  return { starts: Float64Array.from(found, (f) => f.start), sizes: Float64Array.from(found, (f) => f.size), names: found.map((f) => f.name) };
}

/** The functions of an ELF executable or library; throws `elf …: what` on damage. */
export function programSymbols(bytes: Uint8Array): ProgramSymbols {
  const r = new ElfReader(bytes);
  try {
    if (bytes.length < EHDR_SIZE || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) throw new Error('not an ELF file');
    if (bytes[4] !== 2 || bytes[5] !== 1) throw new Error('only 64-bit little-endian files are read');
    const sections = sectionsOf(r);
    const table = sections.find((s) => s.type === SHT_SYMTAB && s.size > 0) ?? sections.find((s) => s.type === SHT_DYNSYM && s.size > 0);
    const functions = table ? functionsOf(r, sections, table) : { starts: new Float64Array(0), sizes: new Float64Array(0), names: [] };
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
  const { starts, sizes, names } = symbols;
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
  // A symbol without a size (hand-written assembly: _start, _fini) covers up to the next one, never past the last.
  const start = starts[found]!;
  const size = sizes[found]!;
  const end = size > 0 ? start + size : found + 1 < starts.length ? starts[found + 1]! : start + 1;
  return vaddr < end ? `${names[found]}+0x${(vaddr - start).toString(16)}` : undefined;
}
