// Helpers by name or id, with their prototype, arity and description.
import { HELPER_REFERENCE } from './helper-table.js';

export interface HelperReference {
  readonly id: number;
  readonly name: string;
  readonly prototype: string;
  readonly description: string;
  /** Arguments in r1..r5 (a variadic helper counts all five). */
  readonly arity: number;
  /** Which of r1..r5 (index 0 for r1) are pointers; variadic arguments count as pointers. */
  readonly pointerArgs: readonly boolean[];
}

/** The helper's name as it appears in its prototype: `bpf_map_lookup_elem`. */
function nameOf(prototype: string): string {
  return /(bpf_\w+)\(/.exec(prototype)?.[1] ?? '';
}

/** Whether each parameter is a pointer; `...` stands for the rest of r1..r5. */
function pointerParams(prototype: string): boolean[] {
  const params = prototype.slice(prototype.indexOf('(') + 1, prototype.lastIndexOf(')')).trim();
  if (params === 'void' || params === '') return [];
  const out: boolean[] = [];
  for (const param of params.split(',')) {
    if (param.trim() === '...') while (out.length < 5) out.push(true);
    else out.push(param.includes('*'));
  }
  return out;
}

/**
 * Entries made when first asked for: a program's summary names a handful of its calls, and making
 * all 211 (a regular expression and a split each) was 1.5 ms of a show prog's thread.
 */
const byId: (HelperReference | undefined)[] = [];
let idsByName: Map<string, number> | undefined;

function entryOf(id: number): HelperReference | undefined {
  if (!Number.isInteger(id) || id <= 0 || id >= HELPER_REFERENCE.length) return undefined;
  let entry = byId[id];
  if (!entry) {
    const [prototype, description] = HELPER_REFERENCE[id]!;
    const pointerArgs = pointerParams(prototype);
    entry = byId[id] = { id, name: nameOf(prototype), prototype, description, arity: pointerArgs.length, pointerArgs };
  }
  return entry;
}

/** A helper by id (1…211) or by name, with or without the `bpf_` prefix. */
export function helperReference(key: number | string): HelperReference | undefined {
  if (typeof key === 'number') return entryOf(key);
  const name = key.startsWith('bpf_') ? key : `bpf_${key}`;
  // The last of a name wins, as when every entry was made at once.
  idsByName ??= new Map(HELPER_REFERENCE.map(([prototype], id) => [nameOf(prototype), id] as const).filter(([, id]) => id > 0));
  const id = idsByName.get(name);
  return id === undefined ? undefined : entryOf(id);
}

/** Every helper, by id. */
export function allHelpers(): readonly HelperReference[] {
  return HELPER_REFERENCE.flatMap((_, id) => entryOf(id) ?? []);
}
