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

let byName: Map<string, HelperReference> | undefined;
let byId: HelperReference[] | undefined;

function table(): { byName: Map<string, HelperReference>; byId: HelperReference[] } {
  if (!byName || !byId) {
    byId = [];
    byName = new Map();
    HELPER_REFERENCE.forEach(([prototype, description], id) => {
      if (id === 0) return;
      const pointerArgs = pointerParams(prototype);
      const entry: HelperReference = { id, name: nameOf(prototype), prototype, description, arity: pointerArgs.length, pointerArgs };
      byId![id] = entry;
      byName!.set(entry.name, entry);
    });
  }
  return { byName, byId };
}

/** A helper by id (1…211) or by name, with or without the `bpf_` prefix. */
export function helperReference(key: number | string): HelperReference | undefined {
  if (typeof key === 'number') return table().byId[key];
  const name = key.startsWith('bpf_') ? key : `bpf_${key}`;
  return table().byName.get(name);
}

/** Every helper, by id. */
export function allHelpers(): readonly HelperReference[] {
  return table().byId.filter((h) => h !== undefined);
}
