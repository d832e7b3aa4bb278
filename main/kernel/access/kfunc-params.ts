// What a kfunc does with each argument, as far as its BTF prototype says: memory behind a
// pointer to const is only read; a plain pointer may be read or written (not known); scalars
// carry no map.
import type { Btf } from '../btf/btf.js';
import { isModifier } from '../btf/types.js';

export type KfuncParam = 'scalar' | 'reads' | 'pointer';

const MAX_MODIFIERS = 16;

/** The BTF type `id` names once typedefs and qualifiers are seen through; whether a const was among them. */
function resolve(btf: Btf, id: number): { kind: string; type?: number; isConst: boolean } {
  let isConst = false;
  for (let depth = 0; depth < MAX_MODIFIERS; depth++) {
    const t = btf.type(id);
    if (!isModifier(t)) return { kind: t.kind, ...(t.kind === 'ptr' ? { type: t.type } : {}), isConst };
    if (t.kind === 'const') isConst = true;
    id = t.type;
  }
  return { kind: 'cycle', isConst };
}

/** Each parameter of kfunc `name`, or undefined when the BTF has no such function. */
export function kfuncParams(btf: Btf, name: string): KfuncParam[] | undefined {
  const fn = btf.findByName(name, 'func')[0];
  if (!fn || fn.kind !== 'func') return undefined;
  const proto = btf.type(fn.type);
  if (proto.kind !== 'func_proto') return undefined;
  return proto.params.map((param): KfuncParam => {
    const type = resolve(btf, param.type);
    if (type.kind !== 'ptr' || type.type === undefined) return 'scalar';
    return resolve(btf, type.type).isConst ? 'reads' : 'pointer';
  });
}
