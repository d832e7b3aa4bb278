// BTF as compilable C declarations, in the spirit of `bpftool btf dump … format c`
// (libbpf's btf_dump.c): dependency order, forward declarations, anonymous types inline,
// bitfields, explicit padding, packed structs, ___N suffixes for clashing names.
// Simplification: every named struct/union that is mentioned is forward-declared up front,
// so only by-value uses need ordering.

import type { Btf } from './btf.js';
import type { BtfType, Composite, Enum, Member } from './types.js';

/** Recursion limit for ordering and declarators; generous because real nesting is deep. */
const MAX_DEPTH = 512;

const enum State { None, Weak, Done }

export interface FormatCOptions {
  /** Only these types (and what they need); default: every type. */
  ids?: readonly number[];
}

class CWriter {
  private readonly state: Uint8Array;
  private readonly names = new Map<number, string>();
  private readonly enumConstNames = new Map<string, number>();
  private readonly referenced: Uint8Array;
  private readonly mentionedTags = new Map<string, string>();
  private readonly out: string[] = [];

  constructor(private readonly btf: Btf) {
    this.state = new Uint8Array(btf.typeCount);
    this.referenced = new Uint8Array(btf.typeCount);
    this.assignNames();
  }

  /** Distinct types sharing a name get ___2, ___3 … like libbpf; forwards share their struct's name. */
  private assignNames(): void {
    const tagSeen = new Map<string, number>();
    const ordinarySeen = new Map<string, number>();
    for (let id = 1; id < this.btf.typeCount; id++) {
      const t = this.btf.type(id);
      this.markReferences(t);
      if (t.name === '') continue;
      let seen: Map<string, number>;
      if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'enum' || t.kind === 'enum64') seen = tagSeen;
      else if (t.kind === 'typedef') seen = ordinarySeen;
      else continue;
      const n = (seen.get(t.name) ?? 0) + 1;
      seen.set(t.name, n);
      this.names.set(id, n === 1 ? t.name : `${t.name}___${n}`);
    }
  }

  private markReferences(t: BtfType): void {
    const mark = (id: number) => {
      if (id > 0 && id < this.referenced.length) this.referenced[id] = 1;
    };
    switch (t.kind) {
      case 'struct': case 'union': for (const m of t.members) mark(m.type); break;
      case 'func_proto': mark(t.returnType); for (const p of t.params) mark(p.type); break;
      case 'ptr': case 'typedef': case 'const': case 'volatile': case 'restrict': case 'type_tag': case 'array':
      case 'var': case 'func':
        mark(t.type);
        break;
      default:
        break;
    }
  }

  private nameOf(t: BtfType): string {
    return this.names.get(t.id) ?? t.name;
  }

  /** Emit the types `id` needs by value, then `id` itself. */
  order(id: number, throughPtr: boolean, depth: number): void {
    if (depth > MAX_DEPTH) throw new Error(`type ${id}: nesting too deep for C output`);
    if (!this.btf.has(id)) throw new Error(`type id ${id} out of range`);
    const t = this.btf.type(id);
    const st = this.state[id]!;
    switch (t.kind) {
      case 'struct': case 'union':
        if ((throughPtr && t.name !== '') || st !== State.None) return;
        this.state[id] = State.Weak;
        for (const m of t.members) this.order(m.type, false, depth + 1);
        this.state[id] = State.Done;
        if (t.name !== '') this.emitComposite(t);
        return;
      case 'typedef': {
        if (st === State.Done || (st === State.Weak && throughPtr)) return;
        // The compiler's own va_list must not be redefined (libbpf skips it too).
        if (t.name === '__builtin_va_list') return;
        // A typedef of a named struct needs only the struct's (up-front) declaration, so it
        // is written first: members of the struct may use it.
        const declOnly = this.onlyNeedsDeclaration(t.type);
        this.state[id] = throughPtr && declOnly ? State.Weak : State.Done;
        if (declOnly && st === State.None) this.out.push(`typedef ${this.decl(t.type, this.nameOf(t), 0, depth)};\n\n`);
        this.order(t.type, throughPtr && declOnly, depth + 1);
        if (!declOnly && st === State.None) this.out.push(`typedef ${this.decl(t.type, this.nameOf(t), 0, depth)};\n\n`);
        return;
      }
      case 'enum': case 'enum64':
        if (st !== State.None) return;
        this.state[id] = State.Done;
        // Anonymous enums are written inline where used; unused ones are constant sets.
        if (t.name !== '' || !this.referenced[id]) this.out.push(this.enumBody(t, 0) + ';\n\n');
        return;
      case 'ptr':
        this.order(t.type, true, depth + 1);
        return;
      case 'array': case 'const': case 'volatile': case 'restrict': case 'type_tag':
        this.order(t.type, throughPtr, depth + 1);
        return;
      case 'func_proto':
        this.order(t.returnType, throughPtr, depth + 1);
        for (const p of t.params) this.order(p.type, throughPtr, depth + 1);
        return;
      default:
        return;
    }
  }

  /** A typedef of a named struct or union is fine with just a forward declaration. */
  private onlyNeedsDeclaration(id: number): boolean {
    const t = this.btf.type(id);
    return t.kind === 'fwd' || ((t.kind === 'struct' || t.kind === 'union') && t.name !== '');
  }

  private emitComposite(t: Composite): void {
    this.out.push(this.compositeBody(t, 0, 0) + ';\n\n');
  }

  private compositeBody(t: Composite, level: number, depth: number): string {
    const name = t.name === '' ? '' : ' ' + this.nameOf(t);
    if (name) this.mentionedTags.set(this.nameOf(t), t.kind);
    const ind = '\t'.repeat(level + 1);
    let s = `${t.kind}${name} {\n`;
    const packed = t.kind === 'struct' && this.isPacked(t);
    let pos = 0;
    for (const m of t.members) {
      if (t.kind === 'struct') {
        s += this.padding(pos, m, packed, ind);
        pos = m.bitOffset + (m.bitfieldSize || this.sizeBits(m.type));
      }
      s += ind + this.decl(m.type, m.name, level + 1, depth + 1) + (m.bitfieldSize ? `: ${m.bitfieldSize}` : '') + ';\n';
    }
    if (t.kind === 'struct' && t.size * 8 > pos) {
      const align = packed ? 8 : this.btf.alignOf(t.id) * 8;
      if (Math.ceil(pos / align) * align < t.size * 8) s += this.padBits(pos, t.size * 8 - pos, ind);
    }
    return s + '\t'.repeat(level) + '}' + (packed ? ' __attribute__((packed))' : '');
  }

  private sizeBits(id: number): number {
    try {
      return this.btf.sizeOf(id) * 8;
    } catch {
      return 0;
    }
  }

  private isPacked(t: Composite): boolean {
    try {
      return this.btf.alignOf(t.id) === 1 && t.members.some((m) => this.btf.alignOf(m.type) > 1);
    } catch {
      return false;
    }
  }

  /** Unnamed bitfields filling the gap before a member that natural alignment would not place there. */
  private padding(pos: number, m: Member, packed: boolean, ind: string): string {
    let align = 8;
    try {
      align = packed ? 8 : this.btf.alignOf(m.type) * 8;
    } catch {
      align = 8;
    }
    const natural = m.bitfieldSize ? pos : Math.ceil(pos / align) * align;
    return m.bitOffset > natural ? this.padBits(pos, m.bitOffset - pos, ind) : '';
  }

  private padBits(pos: number, bits: number, ind: string): string {
    let s = '';
    for (let guard = 0; bits > 0 && guard < 4096; guard++) {
      let chunk: number;
      let type: string;
      if (pos % 64 === 0 && bits >= 64) [chunk, type] = [64, 'long'];
      else if (pos % 32 === 0 && bits >= 32) [chunk, type] = [32, 'int'];
      else {
        // Fill up to the next 32-bit boundary (or what is left) with an int bitfield.
        chunk = Math.min(bits, 32 - (pos % 32));
        type = 'int';
      }
      s += `${ind}${type}: ${chunk};\n`;
      pos += chunk;
      bits -= chunk;
    }
    return s;
  }

  private enumBody(t: Enum, level: number): string {
    const name = t.name === '' ? '' : ' ' + this.nameOf(t);
    const ind = '\t'.repeat(level + 1);
    let s = `enum${name} {\n`;
    for (const v of t.values) {
      const n = (this.enumConstNames.get(v.name) ?? 0) + 1;
      this.enumConstNames.set(v.name, n);
      const suffix = t.kind === 'enum64' ? (t.signed ? 'LL' : 'ULL') : '';
      s += `${ind}${n === 1 ? v.name : `${v.name}___${n}`} = ${v.value}${suffix},\n`;
    }
    // Enums narrower or wider than int keep their BTF size (as libbpf does with mode()).
    const mode = t.size === 1 ? 'byte' : t.size === 2 ? 'HI' : t.size === 8 ? 'DI' : '';
    return s + '\t'.repeat(level) + '}' + (mode ? ` __attribute__((mode(${mode})))` : '');
  }

  /** The C declaration of `inner` having type `id` (inner may be '' for abstract declarators). */
  decl(id: number, inner: string, level: number, depth: number): string {
    if (depth > MAX_DEPTH) throw new Error(`type ${id}: declarator too deep`);
    const t = this.btf.type(id);
    const join = (base: string) => (inner === '' ? base : `${base} ${inner}`);
    switch (t.kind) {
      case 'void': return join('void');
      case 'int': case 'float': return join(t.name);
      case 'typedef': return join(this.nameOf(t));
      case 'struct': case 'union':
        if (t.name === '') return join(this.compositeBody(t, level, depth + 1));
        this.mentionedTags.set(this.nameOf(t), t.kind);
        return join(`${t.kind} ${this.nameOf(t)}`);
      case 'enum': case 'enum64':
        return join(t.name === '' ? this.enumBody(t, level) : `enum ${this.nameOf(t)}`);
      case 'fwd': {
        const kind = t.union ? 'union' : 'struct';
        if (!this.mentionedTags.has(t.name)) this.mentionedTags.set(t.name, kind);
        return join(`${kind} ${t.name}`);
      }
      case 'ptr': {
        const target = this.btf.type(t.type);
        const wrap = target.kind === 'array' || target.kind === 'func_proto';
        return this.decl(t.type, wrap ? `(*${inner})` : `*${inner}`, level, depth + 1);
      }
      case 'array':
        return this.decl(t.type, `${inner}[${t.nelems}]`, level, depth + 1);
      case 'const': case 'volatile': case 'restrict': {
        // A qualified pointer is written after the star; anything else before the type.
        let target = this.btf.type(t.type);
        for (let d = 0; target.kind === 'type_tag' && d < MAX_DEPTH; d++) target = this.btf.type(target.type);
        if (target.kind === 'ptr') return this.decl(t.type, inner === '' ? t.kind : `${t.kind} ${inner}`, level, depth + 1);
        if (target.kind === 'array' || target.kind === 'func_proto') return this.decl(t.type, inner, level, depth + 1);
        return `${t.kind} ${this.decl(t.type, inner, level, depth + 1)}`;
      }
      case 'type_tag': case 'var': case 'decl_tag':
        return this.decl(t.type, inner, level, depth + 1);
      case 'func_proto': {
        const params = t.params.map((p, i) =>
          p.type === 0 && i === t.params.length - 1 ? '...' : this.decl(p.type, p.name, level, depth + 1));
        return this.decl(t.returnType, `${inner}(${params.length ? params.join(', ') : 'void'})`, level, depth + 1);
      }
      case 'func': return this.decl(t.type, t.name, level, depth + 1);
      case 'datasec': return join(`/* section ${t.name} */ char`);
    }
  }

  render(): string {
    const fwd = [...this.mentionedTags].map(([name, kind]) => `${kind} ${name};\n`).join('');
    return '#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n' +
      '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n' +
      '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n' +
      (fwd ? fwd + '\n' : '') + this.out.join('') +
      '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n';
  }
}

/** BTF (or some of its types, with what they need) as a C header. */
export function formatC(btf: Btf, options: FormatCOptions = {}): string {
  const w = new CWriter(btf);
  if (options.ids) {
    for (const id of options.ids) w.order(id, false, 0);
  } else {
    for (let id = 1; id < btf.typeCount; id++) w.order(id, false, 0);
  }
  return w.render();
}

/** A single type's declaration as C text (`struct foo *`, `int (*)(int, char *)`). */
export function declarationC(btf: Btf, id: number, name = ''): string {
  return new CWriter(btf).decl(id, name, 0, 0);
}
