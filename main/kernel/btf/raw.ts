// The listing of `bpftool btf dump … format raw` (bpftool v7.1), line for line.

import type { Btf } from './btf.js';
import type { BtfType } from './types.js';

const KIND_LABEL: Record<BtfType['kind'], string> = {
  void: 'UNKNOWN', int: 'INT', ptr: 'PTR', array: 'ARRAY', struct: 'STRUCT', union: 'UNION', enum: 'ENUM',
  fwd: 'FWD', typedef: 'TYPEDEF', volatile: 'VOLATILE', const: 'CONST', restrict: 'RESTRICT', func: 'FUNC',
  func_proto: 'FUNC_PROTO', var: 'VAR', datasec: 'DATASEC', float: 'FLOAT', decl_tag: 'DECL_TAG',
  type_tag: 'TYPE_TAG', enum64: 'ENUM64',
};

function label(name: string): string {
  return name === '' ? '(anon)' : name;
}

function intEncoding(encoding: number): string {
  switch (encoding) {
    case 0: return '(none)';
    case 1: return 'SIGNED';
    case 2: return 'CHAR';
    case 4: return 'BOOL';
    default: return 'UNKN';
  }
}

function linkageLabel(linkage: string): string {
  return linkage === 'unknown' ? '(unknown)' : linkage;
}

/** One type as bpftool prints it: a header line, then tab-indented member lines. */
export function rawTypeLines(btf: Btf, t: BtfType): string {
  let s = `[${t.id}] ${KIND_LABEL[t.kind]} '${label(t.name)}'`;
  switch (t.kind) {
    case 'int':
      return s + ` size=${t.size} bits_offset=${t.bitOffset} nr_bits=${t.bits} encoding=${intEncoding(t.encoding)}`;
    case 'ptr': case 'const': case 'volatile': case 'restrict': case 'typedef': case 'type_tag':
      return s + ` type_id=${t.type}`;
    case 'array':
      return s + ` type_id=${t.type} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
    case 'struct': case 'union':
      s += ` size=${t.size} vlen=${t.members.length}`;
      for (const m of t.members) {
        s += `\n\t'${label(m.name)}' type_id=${m.type} bits_offset=${m.bitOffset}`;
        if (m.bitfieldSize) s += ` bitfield_size=${m.bitfieldSize}`;
      }
      return s;
    case 'enum': case 'enum64': {
      s += ` encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`;
      const suffix = t.kind === 'enum64' ? (t.signed ? 'LL' : 'ULL') : '';
      for (const v of t.values) s += `\n\t'${label(v.name)}' val=${v.value}${suffix}`;
      return s;
    }
    case 'fwd':
      return s + ` fwd_kind=${t.union ? 'union' : 'struct'}`;
    case 'func':
      return s + ` type_id=${t.type} linkage=${linkageLabel(t.linkage)}`;
    case 'func_proto':
      s += ` ret_type_id=${t.returnType} vlen=${t.params.length}`;
      for (const p of t.params) s += `\n\t'${label(p.name)}' type_id=${p.type}`;
      return s;
    case 'var':
      return s + ` type_id=${t.type}, linkage=${linkageLabel(t.linkage)}`;
    case 'datasec':
      s += ` size=${t.size} vlen=${t.vars.length}`;
      for (const v of t.vars) {
        s += `\n\ttype_id=${v.type} offset=${v.offset} size=${v.size}`;
        if (btf.has(v.type)) {
          const vt = btf.type(v.type);
          s += ` (${KIND_LABEL[vt.kind]} '${label(vt.name)}')`;
        }
      }
      return s;
    case 'float':
      return s + ` size=${t.size}`;
    case 'decl_tag':
      return s + ` type_id=${t.type} component_idx=${t.componentIdx}`;
    case 'void':
      return s;
  }
}

/**
 * The whole listing, newline-terminated. For split BTF only the split's own types are listed,
 * as bpftool does with --base-btf.
 */
export function formatRaw(btf: Btf, ids?: readonly number[]): string {
  const parts: string[] = [];
  if (ids) {
    for (const id of ids) parts.push(rawTypeLines(btf, btf.type(id)));
  } else {
    for (let id = btf.firstId; id < btf.typeCount; id++) parts.push(rawTypeLines(btf, btf.type(id)));
  }
  return parts.length ? parts.join('\n') + '\n' : '';
}
