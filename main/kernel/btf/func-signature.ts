// A function's prototype as bpftool prints it above each function of a listing
// (btf_dumper_type_only): `int count_packets(struct __sk_buff * skb)`.
import type { Btf } from './btf.js';
import type { FuncProto } from './types.js';

/** Pointer and qualifier chains deeper than this are cut (a loop in corrupt BTF). */
const MAX_DEPTH = 32;

function typeOnly(btf: Btf, id: number, depth: number): string {
  if (id === 0) return 'void ';
  if (depth > MAX_DEPTH) throw new Error(`type ${id}: nested too deep`);
  const t = btf.type(id);
  switch (t.kind) {
    case 'int':
    case 'typedef':
    case 'float':
      return `${t.name} `;
    case 'struct':
    case 'union':
      return `${t.kind} ${t.name} `;
    case 'enum':
    case 'enum64':
      return `enum ${t.name} `;
    case 'array':
      return `${typeOnly(btf, t.type, depth + 1)}[${t.nelems}]`;
    case 'ptr':
      return `${typeOnly(btf, t.type, depth + 1)}* `;
    case 'fwd':
      return `${t.union ? 'union' : 'struct'} ${t.name} `;
    case 'volatile':
    case 'const':
    case 'restrict':
      return `${t.kind} ${typeOnly(btf, t.type, depth + 1)}`;
    case 'func_proto':
      return prototype(btf, t, undefined, depth + 1);
    case 'func': {
      const proto = btf.type(t.type);
      if (proto.kind !== 'func_proto') throw new Error(`func ${t.name}: type ${t.type} is not a prototype`);
      return prototype(btf, proto, t.name, depth + 1);
    }
    default:
      throw new Error(`type ${id}: ${t.kind} has no C spelling here`);
  }
}

function prototype(btf: Btf, proto: FuncProto, name: string | undefined, depth: number): string {
  let out = `${typeOnly(btf, proto.returnType, depth)}${name ?? ''}(`;
  proto.params.forEach((param, i) => {
    if (i > 0) out += ', ';
    if (param.type === 0) {
      out += '...';
      return;
    }
    out += typeOnly(btf, param.type, depth);
    if (param.name) out += param.name;
    else if (out.endsWith(' ')) out = out.slice(0, -1);
  });
  return `${out})`;
}

/** The signature of FUNC `id`; '' where bpftool would print nothing (not a function, bad BTF). */
export function bpftoolFuncSignature(btf: Btf, id: number): string {
  try {
    return typeOnly(btf, id, 0);
  } catch {
    return '';
  }
}
