// Objects as a command line names them: by id (`5`, or bpftool's `id 5`), or as bpftool finds
// them, by name (programs and maps) or tag (programs). A name or a tag must be one object's: a
// command that shows one object says which ids share it rather than pick one.
import { progFullName } from '../kernel/info/index.js';
import { HostError } from '../hosts/host-error.js';
import type { HostSession } from '../hosts/host-session.js';
import { parseObjectId, UsageError } from './context.js';

export type ObjectRef = { id: number } | { by: 'name' | 'tag'; value: string };

/** The kinds bpftool finds by more than their id, and by what. */
const FOUND_BY: Readonly<Record<string, readonly string[]>> = { prog: ['name', 'tag'], map: ['name'] };
/** bpftool's selectors of an object other than its id. */
const SELECTORS: ReadonlySet<string> = new Set(['name', 'tag', 'pinned']);

/**
 * The object named at args[at] (and the word after it, for `id`, `name` and `tag`): checked
 * before a host is opened. Returns it and the index after its words.
 */
export function parseObjectRef(args: readonly string[], at: number, kind: string): { ref: ObjectRef; next: number } {
  const word = args[at];
  const value = args[at + 1];
  if (word === 'id') return { ref: { id: parseObjectId(value, kind) }, next: at + 2 };
  if (word === undefined || !SELECTORS.has(word)) return { ref: { id: parseObjectId(word, kind) }, next: at + 1 };
  const ways = FOUND_BY[kind] ?? [];
  if (!ways.includes(word)) {
    const other = ways.map((w) => ` or ${w} ${w.toUpperCase()}`).join('');
    throw new UsageError(`${kind} ${word} ${value ?? '…'}: bpfscope names a ${kind} by ID (or id ID)${other}; bpfscope ls ${kind}s lists them`);
  }
  if (value === undefined) throw new UsageError(`${kind} ${word}: which ${word}? (bpfscope ls ${kind}s lists them)`);
  return { ref: word === 'tag' ? { by: 'tag', value: value.toLowerCase() } : { by: 'name', value }, next: at + 2 };
}

/**
 * The id of the object `ref` names on the session's host, found in its listing (as ls reads it:
 * in batches from an agent, with programs' full names); an error when none or several match.
 */
export async function objectIdOf(session: HostSession, ref: ObjectRef, kind: 'prog' | 'map' | 'link' | 'btf'): Promise<number> {
  if ('id' in ref) return ref.id;
  const inventory = await import('../hosts/inventory.js');
  const matches =
    kind === 'prog'
      ? (await inventory.listPrograms(session))
          .filter(({ info, firstFuncName }) => (ref.by === 'tag' ? info.tag === ref.value : info.name === ref.value || progFullName(info, firstFuncName) === ref.value))
          .map(({ info }) => info.id)
      : (await inventory.listMaps(session)).filter(({ info }) => info.name === ref.value).map(({ info }) => info.id);
  if (matches.length === 1) return matches[0]!;
  throw new HostError({
    code: matches.length === 0 ? 'ENOENT' : 'EINVAL',
    message: matches.length === 0 ? `no ${kind} with ${ref.by} ${ref.value} on ${session.label}` : `${matches.length} ${kind}s have ${ref.by} ${ref.value} (ids ${matches.join(', ')})`,
    ...(matches.length > 1 ? { hint: 'name one by its id' } : {}),
  });
}
