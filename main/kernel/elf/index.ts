// Public API of the ELF and BTF.ext readers (object files, before anything is loaded).

export { EM_BPF, parseElf, SHF, SHN_LORESERVE, SHN_UNDEF, SHT, STB, STT } from './elf.js';
export type { ElfFile, ElfRelocation, ElfSection, ElfSymbol } from './elf.js';
export { parseBtfExt } from './btf-ext.js';
export type { BtfExt, BtfStringLookup, ExtCoreRelo, ExtFuncInfo, ExtLineInfo } from './btf-ext.js';
