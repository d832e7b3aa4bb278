// Names for PLT stubs, which no symbol table lists: a stack sampled in a stub (a call on its way
// to another library) would otherwise be named after whatever symbol precedes the .plt (`_init`).
// Like binutils' synthetic symbols (`objdump -d` prints `<free@plt>`), each stub is named by the
// GOT slot it jumps through: the dynamic relocation of that slot names the function, or, for an
// IRELATIVE one, its resolver (`*ABS*+0x9f550@plt`). Stubs are decoded, not counted, so lazy,
// non-lazy (.plt.got), IBT (.plt.sec) and BTI layouts all read the same way.
//
//   x86-64 stub: [endbr64 f3 0f 1e fa] [bnd f2] jmp *disp32(%rip)  ff 25 <disp32>   slot = next insn + disp32
//   arm64 stub:  [bti c] adrp x16, page ; ldr x17, [x16, #off] ; add x16, x16, #off ; br x17
//                slot = page of the adrp + off

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

/** A section holding PLT stubs, with its load address and bytes. */
export interface PltSection {
  addr: number;
  bytes: Uint8Array;
  /** Bytes per stub as the section header gives it (x86-64); 0 when it gives none. */
  entsize: number;
}

export interface SyntheticSymbol {
  start: number;
  size: number;
  name: string;
}

/** Dynamic relocations that fill a GOT slot a stub may jump through. */
const SLOT_RELOCATIONS: Record<number, ReadonlySet<number>> = {
  // R_X86_64_GLOB_DAT, JUMP_SLOT, IRELATIVE
  [EM_X86_64]: new Set([6, 7, 37]),
  // R_AARCH64_GLOB_DAT, JUMP_SLOT, IRELATIVE
  [EM_AARCH64]: new Set([1025, 1026, 1032]),
};

/** Whether a dynamic relocation of this type may name a PLT stub on this machine. */
export function namesGotSlot(machine: number, type: number): boolean {
  return SLOT_RELOCATIONS[machine]?.has(type) ?? false;
}

/** The name of a GOT slot's relocation, as binutils spells a stub through it (without `@plt`). */
export function slotName(symbolName: string | undefined, addend: bigint): string {
  return symbolName || `*ABS*+0x${BigInt.asUintN(64, addend).toString(16)}`;
}

const X86_DEFAULT_STUB = 16;

function x86Stubs(section: PltSection, names: ReadonlyMap<number, string>): SyntheticSymbol[] {
  const size = section.entsize > 0 ? section.entsize : X86_DEFAULT_STUB;
  const view = new DataView(section.bytes.buffer, section.bytes.byteOffset, section.bytes.byteLength);
  const out: SyntheticSymbol[] = [];
  for (let at = 0; at + size <= section.bytes.length; at += size) {
    for (let i = at; i + 6 <= at + size; i++) {
      if (section.bytes[i] !== 0xff || section.bytes[i + 1] !== 0x25) continue;
      const name = names.get(section.addr + i + 6 + view.getInt32(i + 2, true));
      if (name !== undefined) out.push({ start: section.addr + at, size, name: `${name}@plt` });
      break;
    }
  }
  return out;
}

const ARM64_BTI_C = 0xd503245f;

function arm64Stubs(section: PltSection, names: ReadonlyMap<number, string>): SyntheticSymbol[] {
  const view = new DataView(section.bytes.buffer, section.bytes.byteOffset, section.bytes.byteLength);
  const found: Array<{ start: number; name: string }> = [];
  for (let at = 0; at + 8 <= section.bytes.length; at += 4) {
    const adrp = view.getUint32(at, true);
    const ldr = view.getUint32(at + 4, true);
    // adrp x16 (1 immlo:2 10000 immhi:19 Rd=16); ldr x17, [x16, #imm12*8] (11 111 0 01 01 imm12 Rn=16 Rt=17).
    if ((adrp & 0x9f00001f) >>> 0 !== 0x90000010 || (ldr & 0xffc003ff) >>> 0 !== 0xf9400211) continue;
    const immlo = (adrp >>> 29) & 3;
    const immhi = (adrp >>> 5) & 0x7ffff;
    const pages = ((immhi << 2) | immlo) << 11 >> 11; // 21-bit signed
    const pc = section.addr + at;
    const slot = (pc - (pc % 4096)) + pages * 4096 + ((ldr >>> 10) & 0xfff) * 8;
    const name = names.get(slot);
    if (name === undefined) continue;
    const start = at >= 4 && view.getUint32(at - 4, true) === ARM64_BTI_C ? at - 4 : at;
    found.push({ start: section.addr + start, name: `${name}@plt` });
  }
  // A stub runs up to the next one; the last is as long as the one before it.
  return found.map((stub, i) => {
    const next = found[i + 1]?.start;
    const previous = i > 0 ? stub.start - found[i - 1]!.start : 16;
    return { ...stub, size: next !== undefined ? next - stub.start : Math.min(previous, section.addr + section.bytes.length - stub.start) };
  });
}

/**
 * The stubs of PLT sections named by the GOT slots they jump through (`slots`: GOT address →
 * function name); stubs whose slot no relocation names (PLT0, the lazy resolver's) are left out.
 */
export function pltSymbols(machine: number, sections: readonly PltSection[], slots: ReadonlyMap<number, string>): SyntheticSymbol[] {
  if (slots.size === 0) return [];
  const decode = machine === EM_X86_64 ? x86Stubs : machine === EM_AARCH64 ? arm64Stubs : undefined;
  return decode ? sections.flatMap((s) => decode(s, slots)) : [];
}
