// C spellings of types for labels: `u32`, `struct flags`, `const char *`, `int[2][3]`.

import type { Btf } from './btf.js';
import { MAX_RESOLVE_DEPTH } from './types.js';

export class TypeNamer {
  private readonly cache = new Map<number, string>();

  constructor(private readonly btf: Btf) {}

  name(id: number): string {
    let s = this.cache.get(id);
    if (s === undefined) {
      s = this.spell(id, 0);
      this.cache.set(id, s);
    }
    return s;
  }

  private spell(id: number, depth: number): string {
    if (depth > MAX_RESOLVE_DEPTH) return '(cycle)';
    const t = this.btf.type(id);
    const anon = (n: string) => (n === '' ? '(anon)' : n);
    switch (t.kind) {
      case 'void': return 'void';
      case 'int': case 'float': case 'typedef': return t.name;
      case 'struct': case 'union': return `${t.kind} ${anon(t.name)}`;
      case 'enum': case 'enum64': return `enum ${anon(t.name)}`;
      case 'fwd': return `${t.union ? 'union' : 'struct'} ${anon(t.name)}`;
      case 'ptr': {
        const target = this.btf.type(t.type);
        if (target.kind === 'func_proto') {
          return `${this.spell(target.returnType, depth + 1)} (*)(${this.params(target.params, depth)})`;
        }
        const inner = this.spell(t.type, depth + 1);
        return inner.endsWith('*') ? inner + '*' : inner + ' *';
      }
      case 'array': {
        let dims = `[${t.nelems}]`;
        let elem = this.btf.type(t.type);
        for (let d = depth; elem.kind === 'array'; d++) {
          if (d > MAX_RESOLVE_DEPTH) return '(cycle)';
          dims += `[${elem.nelems}]`;
          elem = this.btf.type(elem.type);
        }
        return this.spell(elem.id, depth + 1) + dims;
      }
      case 'const': case 'volatile': case 'restrict': return `${t.kind} ${this.spell(t.type, depth + 1)}`;
      case 'type_tag': return this.spell(t.type, depth + 1);
      case 'func_proto': return `${this.spell(t.returnType, depth + 1)} (${this.params(t.params, depth)})`;
      case 'func': return t.name;
      case 'var': return this.spell(t.type, depth + 1);
      case 'datasec': return `section ${t.name}`;
      case 'decl_tag': return this.spell(t.type, depth + 1);
    }
  }

  private params(params: readonly { type: number }[], depth: number): string {
    return params.map((p) => (p.type === 0 ? '...' : this.spell(p.type, depth + 1))).join(', ');
  }
}
