// A program's instructions as libbpf submits them to the kernel (`bpf_object__reloc_code` and
// `bpf_object__relocate_data` in libbpf.c): the entry function, then every .text subprogram it
// calls appended in first-call order, depth first; calls re-pointed at the appended copies; map
// loads turned into BPF_PSEUDO_MAP_FD and global data loads into BPF_PSEUDO_MAP_VALUE carrying
// the map's id where libbpf would put its fd (which is how the kernel dumps them: by id);
// func_info and line_info of each copied function moved with it. Kfunc calls are marked as such
// with no BTF id, ksym loads left as the object has them (libbpf resolves both against the
// running kernel).

import { SHF } from '../elf/index.js';
import type { BpfObject, ObjectProgram } from './object.js';
import { type CodeReference, sectionReferences } from './references.js';

const INSN_SIZE = 8;
const OP_CALL = 0x85;
const OP_LD_IMM64 = 0x18;
const PSEUDO_CALL = 1;
const PSEUDO_KFUNC_CALL = 2;
const PSEUDO_FUNC = 4;
const PSEUDO_MAP_FD = 1;
const PSEUDO_MAP_VALUE = 2;

/** bpf_func_info with insn_off counted in instructions of the linked program. */
export interface LinkedFuncInfo {
  readonly insnOff: number;
  readonly typeId: number;
}

/** bpf_line_info with insn_off counted in instructions of the linked program. */
export interface LinkedLineInfo {
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  readonly line: number;
  readonly col: number;
}

export interface LinkedProgram {
  readonly insns: Uint8Array;
  readonly funcInfo: readonly LinkedFuncInfo[];
  readonly lineInfo: readonly LinkedLineInfo[];
  /** Maps the code loads, each once, in the order the kernel's used_maps lists them. */
  readonly mapIds: readonly number[];
}

/** Map ids by what a relocation names: `.maps` variables by name, data sections by section name. */
export interface MapIdLookup {
  map(name: string): number | undefined;
  dataSection(section: string): number | undefined;
}

class ProgramLinker {
  private readonly out: Uint8Array;
  private readonly view: DataView;
  private length = 0;
  /** Where each appended .text function starts, by its first instruction in .text. */
  private readonly placed = new Map<number, number>();
  private readonly refsBySection = new Map<number, Map<number, CodeReference>>();
  readonly funcInfo: LinkedFuncInfo[] = [];
  readonly lineInfo: LinkedLineInfo[] = [];

  constructor(private readonly obj: BpfObject, private readonly maps: MapIdLookup, entry: ObjectProgram) {
    const slots = entry.insnCount + obj.subprograms.reduce((n, s) => n + s.insnCount, 0);
    this.out = new Uint8Array(slots * INSN_SIZE);
    this.view = new DataView(this.out.buffer);
  }

  private refs(sectionIndex: number): Map<number, CodeReference> {
    let refs = this.refsBySection.get(sectionIndex);
    if (!refs) {
      refs = sectionReferences(this.obj.elf, this.obj.elf.sections[sectionIndex]!);
      this.refsBySection.set(sectionIndex, refs);
    }
    return refs;
  }

  /** The .text subprogram whose instructions contain `insn` (a .text instruction index). */
  private subprogramAt(insn: number): ObjectProgram | undefined {
    return this.obj.subprograms.find((s) => insn >= s.insnOffset && insn < s.insnOffset + s.insnCount);
  }

  /** Copies `fn` to the end, relocates it, and appends what it calls; depth is bounded by the subprogram count. */
  append(fn: ObjectProgram, depth: number): number {
    if (depth > this.obj.subprograms.length) throw new Error(`program '${fn.name}': subprogram calls nest deeper than there are subprograms`);
    const start = this.length;
    const section = this.obj.elf.sections[fn.sectionIndex]!;
    this.out.set(section.data.subarray(fn.insnOffset * INSN_SIZE, (fn.insnOffset + fn.insnCount) * INSN_SIZE), start * INSN_SIZE);
    this.length += fn.insnCount;
    if (section.name === '.text') this.placed.set(fn.insnOffset, start);
    this.moveExtInfo(fn, start);
    const refs = this.refs(fn.sectionIndex);
    for (let i = 0; i < fn.insnCount; i++) {
      const at = start + i;
      const code = this.out[at * INSN_SIZE]!;
      const src = this.out[at * INSN_SIZE + 1]! >> 4;
      const ref = refs.get(fn.insnOffset + i);
      if ((code === OP_CALL && src === PSEUDO_CALL) || (code === OP_LD_IMM64 && (src === PSEUDO_FUNC || ref?.kind === 'subprog'))) {
        // A function's address (a callback) becomes BPF_PSEUDO_FUNC, as libbpf marks it.
        if (code === OP_LD_IMM64) this.out[at * INSN_SIZE + 1] = (this.out[at * INSN_SIZE + 1]! & 0x0f) | (PSEUDO_FUNC << 4);
        this.relocateCall(fn, i, at, ref, depth);
      } else if (code === OP_LD_IMM64 && ref) {
        this.relocateLoad(at, ref);
      }
    }
    return start;
  }

  private relocateCall(fn: ObjectProgram, i: number, at: number, ref: CodeReference | undefined, depth: number): void {
    if (ref?.kind === 'extern') {
      // A kfunc: libbpf marks the call BPF_PSEUDO_KFUNC_CALL and puts the kernel's BTF id in imm,
      // which only the running kernel knows; 0 stands for "not resolved".
      if (this.out[at * INSN_SIZE] === OP_CALL) {
        this.out[at * INSN_SIZE + 1] = (this.out[at * INSN_SIZE + 1]! & 0x0f) | (PSEUDO_KFUNC_CALL << 4);
        this.view.setInt32(at * INSN_SIZE + 4, 0, true);
      }
      return;
    }
    const text = this.obj.elf.sections[fn.sectionIndex]!;
    // Without a relocation the call is to a static function of the same section (libbpf: .text only).
    let target: number | undefined;
    if (ref?.kind === 'subprog' && this.obj.elf.sections[ref.sectionIndex]?.name === '.text') target = ref.insn;
    else if (!ref && text.name === '.text') target = fn.insnOffset + i + this.view.getInt32(at * INSN_SIZE + 4, true) + 1;
    const callee = target === undefined ? undefined : this.subprogramAt(target);
    if (!callee) return;
    const placedAt = this.placed.get(callee.insnOffset) ?? this.append(callee, depth + 1);
    this.view.setInt32(at * INSN_SIZE + 4, placedAt - at - 1, true);
  }

  private relocateLoad(at: number, ref: CodeReference): void {
    const regs = at * INSN_SIZE + 1;
    if (ref.kind === 'map') {
      const id = this.maps.map(ref.name);
      if (id === undefined) return;
      this.out[regs] = (this.out[regs]! & 0x0f) | (PSEUDO_MAP_FD << 4);
      this.view.setUint32(at * INSN_SIZE + 4, id, true);
    } else if (ref.kind === 'data') {
      const id = this.maps.dataSection(ref.section);
      if (id === undefined) return;
      this.out[regs] = (this.out[regs]! & 0x0f) | (PSEUDO_MAP_VALUE << 4);
      this.view.setUint32(at * INSN_SIZE + 4, id, true);
      this.view.setUint32((at + 1) * INSN_SIZE + 4, ref.offset, true);
    }
  }

  /** func_info and line_info records of `fn`'s instructions, re-based to where it now starts. */
  private moveExtInfo(fn: ObjectProgram, start: number): void {
    const ext = this.obj.btfExt;
    if (!ext) return;
    const first = fn.insnOffset;
    const end = fn.insnOffset + fn.insnCount;
    const inside = (insnOff: number) => insnOff / INSN_SIZE >= first && insnOff / INSN_SIZE < end;
    for (const r of ext.funcInfo.get(fn.section) ?? []) {
      if (inside(r.insnOff)) this.funcInfo.push({ insnOff: r.insnOff / INSN_SIZE - first + start, typeId: r.typeId });
    }
    for (const r of ext.lineInfo.get(fn.section) ?? []) {
      if (inside(r.insnOff)) this.lineInfo.push({ ...r, insnOff: r.insnOff / INSN_SIZE - first + start });
    }
  }

  /** The linked bytes, and the maps they load in first-use order. */
  finish(): { insns: Uint8Array; mapIds: number[] } {
    const insns = this.out.slice(0, this.length * INSN_SIZE);
    const mapIds: number[] = [];
    for (let at = 0; at + 1 < this.length; at++) {
      const src = insns[at * INSN_SIZE + 1]! >> 4;
      if (insns[at * INSN_SIZE] !== OP_LD_IMM64) continue;
      if (src === PSEUDO_MAP_FD || src === PSEUDO_MAP_VALUE) {
        const id = this.view.getUint32(at * INSN_SIZE + 4, true);
        if (!mapIds.includes(id)) mapIds.push(id);
      }
      at++;
    }
    return { insns, mapIds };
  }
}

/** `prog` with its subprograms appended and its references relocated, as libbpf loads it. */
export function linkProgram(obj: BpfObject, prog: ObjectProgram, maps: MapIdLookup): LinkedProgram {
  const section = obj.elf.sections[prog.sectionIndex];
  if (!section || (section.flags & SHF.EXECINSTR) === 0) throw new Error(`program '${prog.name}': section ${prog.sectionIndex} is not code`);
  const linker = new ProgramLinker(obj, maps, prog);
  linker.append(prog, 0);
  return { ...linker.finish(), funcInfo: linker.funcInfo, lineInfo: linker.lineInfo };
}
