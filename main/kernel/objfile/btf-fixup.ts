// The object's .BTF as libbpf hands it to the kernel: DATASECs of data sections get their
// section's size and each variable its symbol's offset (`btf_fixup_datasec` in libbpf.c), because
// compilers leave both at 0. Without this a global data map's value type would decode every
// variable at offset 0.
//
//   DATASEC record: btf_type (12 bytes: name_off, info, size) then vlen × btf_var_secinfo
//                   (12 bytes: type, offset, size)

import type { Btf } from '../btf/index.js';
import { STT, type ElfFile } from '../elf/index.js';

const TYPE_RECORD_LEN = 12;
const SECINFO_LEN = 12;

/** A copy of the object's BTF bytes with DATASEC sizes and variable offsets filled in. */
export function fixedUpBtf(elf: ElfFile, btf: Btf): Uint8Array {
  const bytes = btf.bytes.slice();
  const view = new DataView(bytes.buffer);
  const le = btf.littleEndian;
  for (let id = btf.firstId; id < btf.typeCount; id++) {
    const type = btf.type(id);
    if (type.kind !== 'datasec') continue;
    const section = elf.sections.find((s) => s.name === type.name);
    if (!section) continue;
    const offsets = new Map<string, number>();
    for (const s of elf.symbols) if (s.sectionIndex === section.index && s.type === STT.OBJECT) offsets.set(s.name, s.value);
    const record = btf.recordOffset(id);
    view.setUint32(record + 8, section.size, le);
    const vars = type.vars.map((v) => {
      const variable = btf.type(v.type);
      const offset = variable.kind === 'var' ? offsets.get(variable.name) ?? v.offset : v.offset;
      return { ...v, offset };
    });
    // libbpf sorts the variables by offset, as the kernel's BTF checker requires.
    vars.sort((a, b) => a.offset - b.offset);
    vars.forEach((v, i) => {
      const at = record + TYPE_RECORD_LEN + i * SECINFO_LEN;
      view.setUint32(at, v.type, le);
      view.setUint32(at + 4, v.offset, le);
      view.setUint32(at + 8, v.size, le);
    });
  }
  return bytes;
}
