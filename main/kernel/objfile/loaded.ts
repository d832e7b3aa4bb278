// An object file in the form a host answers with, as if libbpf had loaded it into an empty
// kernel: the same info records (bpf_prog_info, bpf_map_info, bpf_btf_info), xlated code with
// func/line info, and global data maps holding their initial values. Nothing here was loaded:
// ids are positions, chosen so the same file always gets the same ones:
//   programs  1…P  in libbpf's order (code sections in file order, functions by offset);
//   maps      1…M  in libbpf's creation order: `.maps` definitions, then global data sections
//                  (.data, .bss, .rodata, … in file order, empty ones skipped), then struct_ops;
//   btf       1    the object's .BTF (with DATASECs fixed up as libbpf does), when it has one.
// Times, uids, JIT images, run statistics and links do not exist and are zero or empty.

import { BTF_INFO, MAP_INFO, PROG_INFO } from '../info/layout.js';
import { MapType } from '../maps/map-kind.js';
import { PROG_TYPE_NAMES } from '../names/index.js';
import type { Datasec } from '../btf/index.js';
import { fixedUpBtf } from './btf-fixup.js';
import { linkProgram, type LinkedProgram, type MapIdLookup } from './link.js';
import type { GlobalDataSection, ObjectMap } from './maps.js';
import type { BpfObject, ObjectProgram } from './object.js';

export const OBJECT_BTF_ID = 1;
const OBJ_NAME_LEN = 16;
const FUNC_INFO_REC_SIZE = 8;
const LINE_INFO_REC_SIZE = 16;
const BPF_MAP_TYPE_ARRAY = 2;
const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
const BPF_MAP_TYPE_HASH_OF_MAPS = 13;
const BPF_MAP_TYPE_STRUCT_OPS = 26;
const BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
const BPF_F_RDONLY_PROG = 1 << 7;
const BPF_F_MMAPABLE = 1 << 10;
/** license_is_gpl_compatible() in include/linux/license.h. */
const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

export interface LoadedProgram {
  readonly id: number;
  readonly program: ObjectProgram;
  readonly info: Uint8Array;
  readonly xlated: Uint8Array;
  readonly mapIds: Uint8Array;
  readonly funcInfo: Uint8Array;
  readonly lineInfo: Uint8Array;
}

export interface LoadedMap {
  readonly id: number;
  readonly info: Uint8Array;
  /** fdinfo lines bpftool reads: libbpf freezes read-only data maps after setting their values. */
  readonly fdinfo: string;
  readonly keySize: number;
  readonly valueSize: number;
  /** Global data: the section, whose bytes are the one value (key 0). Absent for `.maps` and struct_ops maps. */
  readonly data?: GlobalDataSection;
  readonly definition?: ObjectMap;
}

export interface LoadedBtf {
  readonly id: number;
  readonly info: Uint8Array;
  readonly data: Uint8Array;
}

export interface LoadedObject {
  readonly programs: readonly LoadedProgram[];
  readonly maps: readonly LoadedMap[];
  readonly btf?: LoadedBtf;
}

/**
 * The kernel's value type of a struct_ops map of `struct NAME` (`struct bpf_struct_ops_NAME` in
 * the BTF of the kernel it would load on): its size is the map's value size, its id the map's
 * btf_vmlinux_value_type_id. Undefined where that kernel has no such type (or none is known).
 */
export type StructOpsValueLookup = (structName: string) => { id: number; size: number } | undefined;

/** The 8-byte program tag of linked instructions (the caller hashes; kernel/ does no crypto). */
export type ProgramTagger = (tagInput: Uint8Array) => Uint8Array;

/** libbpf's object name: the file's base name up to its first dot (`maps.bpf.o` → `maps`). */
export function libbpfObjectName(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return (dot < 0 ? base : base.slice(0, dot)).slice(0, OBJ_NAME_LEN - 1);
}

/** libbpf's internal_map_name(): up to 8 characters of the object name, then the section name. */
export function internalMapName(objectName: string, section: string): string {
  const suffixLen = Math.max(7, section.length);
  const prefixLen = section.indexOf('.', 1) >= 0 ? 0 : Math.min(OBJ_NAME_LEN - suffixLen - 1, objectName.length);
  const name = `${objectName.slice(0, Math.max(0, prefixLen))}${section}`.slice(0, OBJ_NAME_LEN - 1);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

/** The instructions the kernel hashes for the tag: map references' immediates zeroed (bpf_prog_calc_tag). */
export function tagInput(insns: Uint8Array): Uint8Array {
  const copy = insns.slice();
  const view = new DataView(copy.buffer);
  for (let at = 0; at + 16 <= copy.length; at += 8) {
    const src = copy[at + 1]! >> 4;
    if (copy[at] !== 0x18 || (src !== 1 && src !== 2)) continue;
    view.setInt32(at + 4, 0, true);
    const next = at + 8;
    if (copy[next] === 0 && copy[next + 1] === 0 && view.getInt16(next + 2, true) === 0) view.setInt32(next + 4, 0, true);
    at = next;
  }
  return copy;
}

/**
 * The linked code as the listing shows it: a subprogram call's pc-relative offset is copied into
 * `off`, where the kernel's xlated dump carries it and bpftool prints it (`call pc+N`).
 */
function xlatedForm(insns: Uint8Array): Uint8Array {
  const copy = insns.slice();
  const view = new DataView(copy.buffer);
  for (let at = 0; at + 8 <= copy.length; at += 8) {
    if (copy[at] !== 0x85 || copy[at + 1]! >> 4 !== 1) continue;
    const relative = view.getInt32(at + 4, true);
    if (relative >= -0x8000 && relative <= 0x7fff) view.setInt16(at + 2, relative, true);
  }
  return copy;
}

function writeName(bytes: Uint8Array, offset: number, name: string): void {
  const encoded = new TextEncoder().encode(name).subarray(0, OBJ_NAME_LEN - 1);
  bytes.set(encoded, offset);
}

function records(count: number, size: number, write: (view: DataView, at: number, i: number) => void): Uint8Array {
  const bytes = new Uint8Array(count * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) write(view, i * size, i);
  return bytes;
}

function progInfo(obj: BpfObject, id: number, prog: ObjectProgram, linked: LinkedProgram, tag: Uint8Array, btf: boolean): Uint8Array {
  const info = new Uint8Array(PROG_INFO.size);
  const view = new DataView(info.buffer);
  const set = (offset: number, value: number) => view.setUint32(offset, value, true);
  set(PROG_INFO.type, Math.max(0, PROG_TYPE_NAMES.indexOf(prog.progType)));
  set(PROG_INFO.id, id);
  info.set(tag.subarray(0, 8), PROG_INFO.tag);
  set(PROG_INFO.xlatedProgLen, linked.insns.length);
  set(PROG_INFO.nrMapIds, linked.mapIds.length);
  writeName(info, PROG_INFO.name, prog.name);
  set(PROG_INFO.gplCompatible, GPL_COMPATIBLE.has(obj.license ?? '') ? 1 : 0);
  if (btf) {
    set(PROG_INFO.btfId, OBJECT_BTF_ID);
    set(PROG_INFO.funcInfoRecSize, FUNC_INFO_REC_SIZE);
    set(PROG_INFO.nrFuncInfo, linked.funcInfo.length);
    set(PROG_INFO.lineInfoRecSize, LINE_INFO_REC_SIZE);
    set(PROG_INFO.nrLineInfo, linked.lineInfo.length);
  }
  return info;
}

/**
 * libbpf binds every read-only data map to each program (BPF_PROG_BIND_MAP), so the kernel lists
 * them after the maps the code loads.
 */
function withBoundMaps(linked: LinkedProgram, readOnlyData: readonly number[]): LinkedProgram {
  return { ...linked, mapIds: [...linked.mapIds, ...readOnlyData.filter((id) => !linked.mapIds.includes(id))] };
}

function loadProgram(obj: BpfObject, id: number, prog: ObjectProgram, maps: MapIdLookup, readOnlyData: readonly number[], tagger: ProgramTagger): LoadedProgram {
  const linked = withBoundMaps(linkProgram(obj, prog, maps), readOnlyData);
  const btf = obj.btf !== undefined;
  return {
    id,
    program: prog,
    info: progInfo(obj, id, prog, linked, tagger(tagInput(linked.insns)), btf),
    xlated: xlatedForm(linked.insns),
    mapIds: records(linked.mapIds.length, 4, (v, at, i) => v.setUint32(at, linked.mapIds[i]!, true)),
    funcInfo: btf
      ? records(linked.funcInfo.length, FUNC_INFO_REC_SIZE, (v, at, i) => {
        v.setUint32(at, linked.funcInfo[i]!.insnOff, true);
        v.setUint32(at + 4, linked.funcInfo[i]!.typeId, true);
      })
      : new Uint8Array(0),
    lineInfo: btf
      ? records(linked.lineInfo.length, LINE_INFO_REC_SIZE, (v, at, i) => {
        const r = linked.lineInfo[i]!;
        v.setUint32(at, r.insnOff, true);
        v.setUint32(at + 4, r.fileNameOff, true);
        v.setUint32(at + 8, r.lineOff, true);
        v.setUint32(at + 12, ((r.line << 10) | (r.col & 0x3ff)) >>> 0, true);
      })
      : new Uint8Array(0),
  };
}

interface MapFields {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
  keyTypeId: number;
  valueTypeId: number;
  vmlinuxValueTypeId: number;
  mapExtra: number;
}

function mapInfo(id: number, m: MapFields): Uint8Array {
  const info = new Uint8Array(MAP_INFO.size);
  const view = new DataView(info.buffer);
  const set = (offset: number, value: number) => view.setUint32(offset, value, true);
  set(MAP_INFO.type, m.type);
  set(MAP_INFO.id, id);
  set(MAP_INFO.keySize, m.keySize);
  set(MAP_INFO.valueSize, m.valueSize);
  set(MAP_INFO.maxEntries, m.maxEntries);
  set(MAP_INFO.mapFlags, m.flags);
  writeName(info, MAP_INFO.name, m.name);
  // The kernel keeps a map's BTF only when a key or value type is given.
  if (m.keyTypeId !== 0 || m.valueTypeId !== 0 || m.vmlinuxValueTypeId !== 0) set(MAP_INFO.btfId, OBJECT_BTF_ID);
  set(MAP_INFO.btfKeyTypeId, m.keyTypeId);
  set(MAP_INFO.btfValueTypeId, m.valueTypeId);
  set(MAP_INFO.btfVmlinuxValueTypeId, m.vmlinuxValueTypeId);
  view.setBigUint64(MAP_INFO.mapExtra, BigInt(m.mapExtra), true);
  return info;
}

/**
 * Map types libbpf (1.1, bpf_object__create_map) creates without the BTF key and value types
 * the object gives them: the kernel keeps no BTF for them.
 */
const CREATED_WITHOUT_BTF = new Set<number>([
  MapType.perfEventArray, MapType.cgroupArray, MapType.stackTrace, MapType.arrayOfMaps, MapType.hashOfMaps,
  MapType.devmap, MapType.devmapHash, MapType.cpumap, MapType.xskmap, MapType.sockmap, MapType.sockhash,
  MapType.queue, MapType.stack, MapType.ringbuf,
]);
const PAGE_SIZE = 4096;

/** libbpf's adjust_ringbuf_sz: a ring buffer's size made a power-of-2 multiple of the page size. */
function ringbufSize(size: number): number {
  const pages = size / PAGE_SIZE;
  if (size === 0 || (Number.isInteger(pages) && (pages & (pages - 1)) === 0)) return size;
  for (let bytes = PAGE_SIZE; bytes <= 0xffffffff; bytes *= 2) if (bytes > size) return bytes;
  return size;
}

function definedMap(id: number, m: ObjectMap, possibleCpus: number | undefined): LoadedMap {
  // Map-in-map values are map fds (libbpf sets value_size 4).
  const valueSize = m.innerMap || m.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || m.type === BPF_MAP_TYPE_HASH_OF_MAPS ? 4 : m.valueSize ?? 0;
  // libbpf sizes a perf event array without max_entries to the possible CPUs of where it loads.
  const maxEntries = m.type === BPF_MAP_TYPE_PERF_EVENT_ARRAY && !m.maxEntries && possibleCpus ? possibleCpus
    : m.type === MapType.ringbuf || m.type === MapType.userRingbuf ? ringbufSize(m.maxEntries ?? 0)
      : m.maxEntries ?? 0;
  // The kernel makes devmaps read-only to programs (a lookup returns a pointer to the ifindex).
  const kernelFlags = m.type === MapType.devmap || m.type === MapType.devmapHash ? BPF_F_RDONLY_PROG : 0;
  const withBtf = !CREATED_WITHOUT_BTF.has(m.type);
  const fields: MapFields = {
    type: m.type, keySize: m.keySize ?? 0, valueSize, maxEntries, flags: (m.flags ?? 0) | kernelFlags,
    name: m.name, keyTypeId: withBtf ? m.keyTypeId ?? 0 : 0, valueTypeId: withBtf ? m.valueTypeId ?? 0 : 0, vmlinuxValueTypeId: 0, mapExtra: m.mapExtra ?? 0,
  };
  return { id, info: mapInfo(id, fields), fdinfo: '', keySize: fields.keySize, valueSize: fields.valueSize, definition: m };
}

/**
 * A struct_ops map as the kernel creates it: libbpf gives the value as the kernel's
 * `struct bpf_struct_ops_NAME` (refcount and state, then the ops, aligned as the kernel aligns
 * them) by its vmlinux id, and no value type of the object's own.
 */
function structOpsMap(obj: BpfObject, id: number, m: ObjectMap, kernelValue: StructOpsValueLookup | undefined): LoadedMap {
  const loaded = definedMap(id, m, undefined);
  const ops = m.valueTypeId === undefined ? undefined : obj.btf?.type(m.valueTypeId);
  const value = ops?.kind === 'struct' && ops.name ? kernelValue?.(ops.name) : undefined;
  if (!value) return loaded;
  const fields: MapFields = {
    type: m.type, keySize: m.keySize ?? 0, valueSize: value.size, maxEntries: m.maxEntries ?? 0, flags: m.flags ?? 0,
    name: m.name, keyTypeId: 0, valueTypeId: 0, vmlinuxValueTypeId: value.id, mapExtra: 0,
  };
  return { ...loaded, info: mapInfo(id, fields), valueSize: value.size };
}

/** libbpf's map_is_mmapable: a data section is mapped only when it holds a non-static variable. */
function isMmapable(obj: BpfObject, datasec: Datasec | undefined): boolean {
  return datasec?.vars.some((v) => {
    const t = obj.btf!.type(v.type);
    return t.kind === 'var' && t.linkage !== 'static';
  }) ?? false;
}

function dataMap(obj: BpfObject, id: number, section: GlobalDataSection, objectName: string): LoadedMap {
  const found = obj.btf?.findByName(section.name, 'datasec')[0];
  const datasec = found?.kind === 'datasec' ? found : undefined;
  const fields: MapFields = {
    type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: section.size, maxEntries: 1,
    flags: (isMmapable(obj, datasec) ? BPF_F_MMAPABLE : 0) | (section.readonly ? BPF_F_RDONLY_PROG : 0),
    name: internalMapName(objectName, section.name), keyTypeId: 0, valueTypeId: datasec?.id ?? 0, vmlinuxValueTypeId: 0, mapExtra: 0,
  };
  return { id, info: mapInfo(id, fields), fdinfo: `frozen:\t${section.readonly ? 1 : 0}\n`, keySize: 4, valueSize: section.size, data: section };
}

/**
 * The object as a host would show it after loading. `fileName` gives the object name that
 * prefixes global data map names; `tagger` hashes what the kernel hashes for program tags;
 * `possibleCpus`, of the machine it would load on, sizes perf event arrays as libbpf does, and
 * `structOpsValue`, from that machine's kernel BTF, sizes struct_ops maps as the kernel does.
 */
export function loadedForm(obj: BpfObject, fileName: string, tagger: ProgramTagger, possibleCpus?: number, structOpsValue?: StructOpsValueLookup): LoadedObject {
  const objectName = libbpfObjectName(fileName);
  const defined = obj.maps.filter((m) => m.type !== BPF_MAP_TYPE_STRUCT_OPS);
  const structOps = obj.maps.filter((m) => m.type === BPF_MAP_TYPE_STRUCT_OPS);
  const data = obj.globals.filter((g) => g.size > 0);
  const maps: LoadedMap[] = [];
  for (const m of defined) maps.push(definedMap(maps.length + 1, m, possibleCpus));
  for (const g of data) maps.push(dataMap(obj, maps.length + 1, g, objectName));
  for (const m of structOps) maps.push(structOpsMap(obj, maps.length + 1, m, structOpsValue));
  const byName = new Map(maps.flatMap((m) => (m.definition ? [[m.definition.name, m.id] as const] : [])));
  const bySection = new Map(maps.flatMap((m) => (m.data ? [[m.data.name, m.id] as const] : [])));
  const ids: MapIdLookup = { map: (name) => byName.get(name), dataSection: (section) => bySection.get(section) };
  const readOnlyData = maps.flatMap((m) => (m.data?.readonly ? [m.id] : []));
  const programs = obj.programs.map((p, i) => loadProgram(obj, i + 1, p, ids, readOnlyData, tagger));
  if (!obj.btf) return { programs, maps };
  const btfData = fixedUpBtf(obj.elf, obj.btf);
  const btfInfo = new Uint8Array(BTF_INFO.size);
  const view = new DataView(btfInfo.buffer);
  view.setUint32(BTF_INFO.btfSize, btfData.length, true);
  view.setUint32(BTF_INFO.id, OBJECT_BTF_ID, true);
  return { programs, maps, btf: { id: OBJECT_BTF_ID, info: btfInfo, data: btfData } };
}
