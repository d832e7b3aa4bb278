// `explain NAME`: what a helper, kfunc or program/map/attach/link type is. Helpers and types
// come from our tables; a kfunc's prototype from the kernel's BTF; the full helper text, where
// wanted, from the uapi header a host has installed (read at run time, never bundled).
import { declarationC, type Btf } from '../btf/index.js';
import { ATTACH_TYPE_REFERENCE, LINK_TYPE_REFERENCE } from './attach-types.js';
import { helperReference, type HelperReference } from './helpers.js';
import { MAP_TYPE_REFERENCE } from './map-types.js';
import { PROG_TYPE_REFERENCE } from './prog-types.js';
import { DETAIL_LABEL, type TypeKind, type TypeReference } from './type-reference.js';

export type Explanation =
  | { kind: 'helper'; helper: HelperReference }
  | { kind: 'kfunc'; name: string; prototype: string }
  | { kind: 'type'; type: TypeReference };

const TYPES: Record<TypeKind, readonly TypeReference[]> = {
  prog: PROG_TYPE_REFERENCE,
  map: MAP_TYPE_REFERENCE,
  attach: ATTACH_TYPE_REFERENCE,
  link: LINK_TYPE_REFERENCE,
};

/** Enum spellings: BPF_FUNC_x, BPF_PROG_TYPE_x, BPF_MAP_TYPE_x (and _DEPRECATED aliases), BPF_LINK_TYPE_x, BPF_x. */
const PREFIXES: ReadonlyArray<readonly [RegExp, TypeKind | 'helper' | undefined]> = [
  [/^bpf_func_/, 'helper'],
  [/^bpf_prog_type_/, 'prog'],
  [/^bpf_map_type_/, 'map'],
  [/^bpf_link_type_/, 'link'],
];

/** Every table entry NAME may mean (a word can be a program, attach and link type at once). */
export function explainName(query: string): Explanation[] {
  let name = query.trim().toLowerCase();
  let only: TypeKind | 'helper' | undefined;
  const scoped = /^(prog|map|attach|link|helper):(.+)$/.exec(name);
  if (scoped) [only, name] = [scoped[1] as TypeKind | 'helper', scoped[2]!];
  for (const [prefix, kind] of PREFIXES) {
    if (prefix.test(name)) {
      only = kind;
      name = name.replace(prefix, '');
    }
  }
  if (only !== 'helper' && /^bpf_/.test(name) && !(only === undefined && helperReference(name))) {
    // An attach type's enum name (BPF_CGROUP_INET_INGRESS) or a helper without its prefix.
    name = name.replace(/^bpf_/, '');
  }
  name = name.replace(/_deprecated$/, '');
  const out: Explanation[] = [];
  if (only === undefined || only === 'helper') {
    const helper = helperReference(name);
    if (helper) out.push({ kind: 'helper', helper });
  }
  for (const kind of ['prog', 'map', 'attach', 'link'] as const) {
    if (only !== undefined && only !== kind) continue;
    const type = TYPES[kind].find((t) => t.name === name);
    if (type) out.push({ kind: 'type', type });
  }
  return out;
}

/** Every type of one kind, in enum order. */
export function typeReferences(kind: TypeKind): readonly TypeReference[] {
  return TYPES[kind];
}

/** A kfunc (a FUNC tagged bpf_kfunc in the kernel's BTF) with its prototype. */
export function kfuncExplanation(btf: Btf, name: string): Explanation | undefined {
  const funcs = btf.findByName(name, 'func');
  if (funcs.length === 0) return undefined;
  const tagged = new Set(btf.findByName('bpf_kfunc', 'decl_tag').map((t) => (t.kind === 'decl_tag' ? t.type : -1)));
  const fn = funcs.find((f) => tagged.has(f.id));
  if (!fn) return undefined;
  if (fn.kind !== 'func') return undefined;
  try {
    return { kind: 'kfunc', name, prototype: declarationC(btf, fn.type, name) };
  } catch {
    return undefined;
  }
}

/**
 * The kernel's own text about a helper, from the uapi header's comment (`include/uapi/linux/bpf.h`):
 * the block from the helper's prototype line to the next prototype, without the comment frame.
 */
export function helperManualText(header: string, name: string): string | undefined {
  const lines = header.split('\n');
  const proto = new RegExp(`^ \\* \\S.*\\b${name}\\(`);
  const start = lines.findIndex((l) => proto.test(l));
  if (start < 0) return undefined;
  const out: string[] = [];
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    if (i > start && (/^ \* \S/.test(line) || /^ \*\//.test(line))) break;
    out.push(line.replace(/^ \* ?/, '').replace(/^\t/, ''));
  }
  while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
  return out.join('\n');
}

/** An explanation as text lines for the terminal. */
export function explanationText(e: Explanation): string {
  switch (e.kind) {
    case 'helper':
      return `helper ${e.helper.name} (id ${e.helper.id})\n\t${e.helper.prototype}\n\t${e.helper.description}\n`;
    case 'kfunc':
      return `kfunc ${e.name} (from this kernel's BTF)\n\t${e.prototype}\n`;
    case 'type': {
      const t = e.type;
      const lines = [`${t.kind} type ${t.name} (Linux ${t.since})`, `\t${t.what}`, `\t${DETAIL_LABEL[t.kind]}: ${t.detail}`];
      if (t.sections.length > 0) lines.push(`\tSEC(): ${t.sections.map((s) => `"${s}"`).join(', ')}`);
      lines.push(`\tneeds: ${t.capabilities}`, `\tdocs: ${t.docs}`);
      return `${lines.join('\n')}\n`;
    }
  }
}

/** Groff of bpf-helpers(7) as plain text: fonts and escapes dropped, requests turned into lines. */
function groffText(lines: readonly string[]): string {
  const out: string[] = [];
  for (const raw of lines) {
    const line = raw.replace(/\\f[BIRP]/g, '').replace(/\\&/g, '').replace(/\\e/g, '\\').replace(/\\\(aq/g, "'").replace(/\\-/g, '-');
    if (line.startsWith('.B ')) out.push(line.slice(3));
    else if (line === '.sp') out.push('');
    else if (!line.startsWith('.')) out.push(line);
  }
  return out.join('\n').trim();
}

/** The helper's section of the bpf-helpers(7) page (its groff source), as plain text. */
export function helperManualFromMan(groff: string, name: string): string | undefined {
  const lines = groff.split('\n');
  const entry = /^\.B \\fB[^(]*\b(bpf_\w+)\(/;
  const start = lines.findIndex((l) => entry.exec(l)?.[1] === name);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && !entry.test(lines[end]!) && lines[end] !== '.SH EXAMPLES') end++;
  return groffText(lines.slice(start, end));
}
