// Maps and global data of an object file, read the way libbpf reads them: BTF-defined maps
// from the `.maps` DATASEC (`__uint(x, N)` is `int (*x)[N]`, `__type(x, T)` is `T *x`), and
// .data/.bss/.rodata sections whose variables the compiler left at offset 0 in BTF — their
// offsets come from the ELF symbols, as libbpf's DATASEC fixup does.

import { type Btf, type BtfType, type Datasec, formatValue, TypeNamer, type ValueNode } from '../btf/index.js';
import { SHT, STT, type ElfFile, type ElfSection } from '../elf/index.js';
import { mapTypeName } from '../names/index.js';

export interface ObjectMap {
  readonly name: string;
  /** enum bpf_map_type, 0 when the definition leaves it out. */
  readonly type: number;
  readonly typeName: string;
  readonly keySize?: number;
  readonly valueSize?: number;
  readonly maxEntries?: number;
  readonly flags?: number;
  readonly pinning?: number;
  readonly mapExtra?: number;
  readonly numaNode?: number;
  /** BTF ids and C spellings of `__type(key, …)` / `__type(value, …)`. */
  readonly keyTypeId?: number;
  readonly keyType?: string;
  readonly valueTypeId?: number;
  readonly valueType?: string;
  /** The map-in-map `values` member, when present. */
  readonly innerMap?: boolean;
  /** The variable's type: the anonymous struct of the definition. */
  readonly btfTypeId: number;
}

export interface GlobalVariable {
  readonly name: string;
  readonly typeId: number;
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  /** The initial value (zeros for .bss), decoded through BTF. */
  readonly value: ValueNode;
}

export interface GlobalDataSection {
  /** `.data`, `.bss`, `.rodata`, `.rodata.str1.1`, `.data.custom`, … */
  readonly name: string;
  readonly sectionIndex: number;
  readonly size: number;
  readonly readonly: boolean;
  /** Initial bytes: the section's contents, zeros for NOBITS (.bss). */
  readonly bytes: Uint8Array;
  readonly variables: readonly GlobalVariable[];
}

const MAP_INT_FIELDS = ['type', 'max_entries', 'map_flags', 'numa_node', 'key_size', 'value_size', 'pinning', 'map_extra'] as const;
/** A zero-filled section is materialised to decode it; larger than this is damage. */
const MAX_BSS = 64 << 20;
type MapIntField = (typeof MAP_INT_FIELDS)[number];

/** Skips typedefs and qualifiers (bounded by the BTF resolver). */
function resolved(btf: Btf, id: number): BtfType {
  return btf.resolve(id);
}

/** `int (*name)[N]` → N. */
function intField(btf: Btf, typeId: number, what: string): number {
  const ptr = resolved(btf, typeId);
  if (ptr.kind !== 'ptr') throw new Error(`${what}: not a pointer (__uint expected)`);
  const array = resolved(btf, ptr.type);
  if (array.kind !== 'array') throw new Error(`${what}: not a pointer to an array (__uint expected)`);
  return array.nelems;
}

/** `T *name` → T. */
function typeField(btf: Btf, typeId: number, what: string): number {
  const ptr = resolved(btf, typeId);
  if (ptr.kind !== 'ptr') throw new Error(`${what}: not a pointer (__type expected)`);
  return ptr.type;
}

function mapFromVar(btf: Btf, namer: TypeNamer, name: string, varTypeId: number): ObjectMap {
  const what = `map '${name}'`;
  const def = resolved(btf, varTypeId);
  if (def.kind !== 'struct') throw new Error(`${what}: definition is a ${def.kind}, not a struct`);
  const ints: Partial<Record<MapIntField, number>> = {};
  let keyTypeId: number | undefined;
  let valueTypeId: number | undefined;
  let innerMap = false;
  for (const m of def.members) {
    const field = `${what}: ${m.name}`;
    if ((MAP_INT_FIELDS as readonly string[]).includes(m.name)) ints[m.name as MapIntField] = intField(btf, m.type, field);
    else if (m.name === 'key') keyTypeId = typeField(btf, m.type, field);
    else if (m.name === 'value') valueTypeId = typeField(btf, m.type, field);
    else if (m.name === 'values') innerMap = true;
  }
  const type = ints.type ?? 0;
  const map: { -readonly [K in keyof ObjectMap]: ObjectMap[K] } = {
    name, type, typeName: mapTypeName(type) ?? String(type), btfTypeId: varTypeId,
  };
  const keySize = ints.key_size ?? (keyTypeId === undefined ? undefined : btf.sizeOf(keyTypeId));
  const valueSize = ints.value_size ?? (valueTypeId === undefined ? undefined : btf.sizeOf(valueTypeId));
  if (keySize !== undefined) map.keySize = keySize;
  if (valueSize !== undefined) map.valueSize = valueSize;
  if (ints.max_entries !== undefined) map.maxEntries = ints.max_entries;
  if (ints.map_flags !== undefined) map.flags = ints.map_flags;
  if (ints.pinning !== undefined) map.pinning = ints.pinning;
  if (ints.map_extra !== undefined) map.mapExtra = ints.map_extra;
  if (ints.numa_node !== undefined) map.numaNode = ints.numa_node;
  if (keyTypeId !== undefined) { map.keyTypeId = keyTypeId; map.keyType = namer.name(keyTypeId); }
  if (valueTypeId !== undefined) { map.valueTypeId = valueTypeId; map.valueType = namer.name(valueTypeId); }
  if (innerMap) map.innerMap = true;
  return map;
}

function datasecNamed(btf: Btf, name: string): Datasec | undefined {
  const found = btf.findByName(name, 'datasec');
  const sec = found[0];
  return sec?.kind === 'datasec' ? sec : undefined;
}

const BPF_MAP_TYPE_STRUCT_OPS = 26;

/** Variables of `.struct_ops` / `.struct_ops.link`: libbpf makes each a struct_ops map. */
function structOpsMaps(elf: ElfFile, btf: Btf | undefined): ObjectMap[] {
  if (!btf) return [];
  const namer = new TypeNamer(btf);
  return elf.sections.filter((s) => s.name === '.struct_ops' || s.name === '.struct_ops.link').flatMap((section) => {
    const sec = datasecNamed(btf, section.name);
    return (sec?.vars ?? []).flatMap((v) => {
      const variable = btf.type(v.type);
      if (variable.kind !== 'var') return [];
      return [{
        name: variable.name, type: BPF_MAP_TYPE_STRUCT_OPS, typeName: 'struct_ops', keySize: 4,
        valueSize: btf.sizeOf(variable.type), maxEntries: 1, valueTypeId: variable.type, valueType: namer.name(variable.type),
        btfTypeId: v.type,
      }];
    });
  });
}

/** BTF-defined maps of the `.maps` section in declaration order, then struct_ops maps. */
export function objectMaps(elf: ElfFile, btf: Btf | undefined): ObjectMap[] {
  return [...btfDefinedMaps(elf, btf), ...structOpsMaps(elf, btf)];
}

function btfDefinedMaps(elf: ElfFile, btf: Btf | undefined): ObjectMap[] {
  const section = elf.sections.find((s) => s.name === '.maps');
  if (!section) return [];
  if (!btf) throw new Error('.maps: object has no .BTF to describe its maps');
  const sec = datasecNamed(btf, '.maps');
  if (!sec) throw new Error('.maps: no .maps DATASEC in .BTF');
  const namer = new TypeNamer(btf);
  return sec.vars.map((v) => {
    const variable = btf.type(v.type);
    if (variable.kind !== 'var') throw new Error(`.maps: member type ${v.type} is a ${variable.kind}, not a var`);
    return mapFromVar(btf, namer, variable.name, variable.type);
  });
}

/** Sections libbpf turns into internal array maps. */
export function isGlobalDataSection(section: ElfSection): boolean {
  if (section.type !== SHT.PROGBITS && section.type !== SHT.NOBITS) return false;
  return /^\.(data|bss|rodata)(\..+)?$/.test(section.name);
}

function sectionVariables(elf: ElfFile, btf: Btf, section: ElfSection, bytes: Uint8Array): GlobalVariable[] {
  const sec = datasecNamed(btf, section.name);
  if (!sec) return [];
  const namer = new TypeNamer(btf);
  const offsets = new Map<string, number>();
  for (const s of elf.symbols) if (s.sectionIndex === section.index && s.type === STT.OBJECT) offsets.set(s.name, s.value);
  const variables: GlobalVariable[] = [];
  for (const v of sec.vars) {
    const variable = btf.type(v.type);
    if (variable.kind !== 'var') continue;
    const offset = offsets.get(variable.name) ?? v.offset;
    const size = btf.sizeOf(variable.type);
    variables.push({
      name: variable.name, typeId: variable.type, type: namer.name(variable.type), offset, size,
      value: formatValue(btf, variable.type, bytes, offset),
    });
  }
  return variables.sort((a, b) => a.offset - b.offset);
}

/** .data, .bss, .rodata (and their `.name` variants) with decoded initial values. */
export function globalDataSections(elf: ElfFile, btf: Btf | undefined): GlobalDataSection[] {
  return elf.sections.filter(isGlobalDataSection).map((section) => {
    if (section.type === SHT.NOBITS && section.size > MAX_BSS) throw new Error(`${section.name}: ${section.size} bytes, more than ${MAX_BSS}`);
    const bytes = section.type === SHT.NOBITS ? new Uint8Array(section.size) : section.data;
    return {
      name: section.name,
      sectionIndex: section.index,
      size: section.size,
      readonly: section.name.startsWith('.rodata'),
      bytes,
      variables: btf ? sectionVariables(elf, btf, section, bytes) : [],
    };
  });
}
