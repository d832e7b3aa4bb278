// What the relocations of a code section say each instruction refers to, resolved as libbpf
// resolves them at load time (bpf_program__record_reloc): a `.maps` symbol is a map, a data
// section symbol is a global variable (offset = symbol value + the instruction's imm), a code
// symbol is a subprogram (call target = symbol value / 8 + imm + 1), an undefined symbol is an
// extern (kfunc, ksym, kconfig).

import { type ElfFile, type ElfSection, type ElfSymbol, SHF, SHN_UNDEF, STT } from '../elf/index.js';

export type CodeReference =
  | { readonly kind: 'map'; readonly name: string }
  | { readonly kind: 'data'; readonly section: string; readonly offset: number; readonly variable?: string }
  | { readonly kind: 'subprog'; readonly section: string; readonly sectionIndex: number; readonly insn: number; readonly name?: string }
  | { readonly kind: 'extern'; readonly name: string };

const INSN_SIZE = 8;
const OP_CALL = 0x85;
const OP_LD_IMM64 = 0x18;
/** R_BPF_64_64 (ld_imm64), R_BPF_64_ABS64/32 (data), R_BPF_64_32 (call): all name a symbol. */
const CODE_RELOCATIONS = new Set([1, 2, 3, 10]);

/** The function symbol starting at `offset` in a section, if any. */
export function functionAt(elf: ElfFile, sectionIndex: number, offset: number): ElfSymbol | undefined {
  return elf.symbols.find((s) => s.sectionIndex === sectionIndex && s.type === STT.FUNC && s.value === offset);
}

function variableAt(elf: ElfFile, sectionIndex: number, offset: number): string | undefined {
  const v = elf.symbols.find((s) => s.sectionIndex === sectionIndex && s.type === STT.OBJECT && offset >= s.value && offset < s.value + Math.max(1, s.size));
  return v?.name;
}

function referenceOf(elf: ElfFile, code: ElfSection, at: number, symbol: ElfSymbol): CodeReference {
  const opcode = code.data[at];
  const view = new DataView(code.data.buffer, code.data.byteOffset + at, INSN_SIZE);
  const imm = view.getInt32(4, true);
  if (symbol.sectionIndex === SHN_UNDEF) return { kind: 'extern', name: symbol.name };
  const target = elf.sections[symbol.sectionIndex];
  if (!target) return { kind: 'extern', name: symbol.name };
  if (target.name === '.maps') {
    const name = symbol.type === STT.SECTION ? variableAt(elf, target.index, imm) ?? symbol.name : symbol.name;
    return { kind: 'map', name };
  }
  if ((target.flags & SHF.EXECINSTR) !== 0) {
    const insn = opcode === OP_CALL ? symbol.value / INSN_SIZE + imm + 1 : Math.floor((symbol.value + imm) / INSN_SIZE);
    const fn = functionAt(elf, target.index, insn * INSN_SIZE);
    return { kind: 'subprog', section: target.name, sectionIndex: target.index, insn, ...(fn ? { name: fn.name } : {}) };
  }
  const offset = symbol.value + (opcode === OP_LD_IMM64 ? imm : 0);
  const variable = symbol.type === STT.SECTION ? variableAt(elf, target.index, offset) : symbol.name;
  return { kind: 'data', section: target.name, offset, ...(variable ? { variable } : {}) };
}

/** References by instruction index within the section. */
export function sectionReferences(elf: ElfFile, code: ElfSection): Map<number, CodeReference> {
  const refs = new Map<number, CodeReference>();
  for (const r of elf.relocations.get(code.index) ?? []) {
    if (!CODE_RELOCATIONS.has(r.type)) continue;
    if (r.offset % INSN_SIZE !== 0 || r.offset + INSN_SIZE > code.data.length) {
      throw new Error(`section '${code.name}': relocation at ${r.offset} not on an instruction`);
    }
    refs.set(r.offset / INSN_SIZE, referenceOf(elf, code, r.offset, elf.symbols[r.symbol]));
  }
  return refs;
}
