// Objects as a command line names them: by id (`5`, or bpftool's `id 5`), or as bpftool finds
// them: by the bpffs path pinning them, by name (programs and maps) or by tag (programs). A name
// or a tag must be one object's: a command that shows one object says which ids share it rather
// than pick one.
import { progFullName } from '../kernel/info/index.js';
import { HostError } from '../hosts/host-error.js';
import type { HostSession } from '../hosts/host-session.js';
import { parseObjectId, UsageError } from './context.js';

export type ObjectRef = { id: number } | { by: 'name' | 'tag' | 'pinned'; value: string };

/** The kinds bpftool finds by more than their id, and by what. */
const FOUND_BY: Readonly<Record<string, readonly string[]>> = { prog: ['pinned', 'name', 'tag'], map: ['pinned', 'name'], link: ['pinned'] };
/** bpftool's selectors of an object other than its id. */
const SELECTORS: ReadonlySet<string> = new Set(['name', 'tag', 'pinned']);

/**
 * The object named at args[at] (and the word after it, for `id`, `pinned`, `name` and `tag`):
 * checked before a host is opened. Returns it and the index after its words.
 */
export function parseObjectRef(args: readonly string[], at: number, kind: string): { ref: ObjectRef; next: number } {
  const word = args[at];
  const value = args[at + 1];
  if (word === 'id') return { ref: { id: parseObjectId(value, kind) }, next: at + 2 };
  if (word === undefined || !SELECTORS.has(word)) return { ref: { id: parseObjectId(word, kind) }, next: at + 1 };
  const ways = FOUND_BY[kind] ?? [];
  if (!ways.includes(word)) {
    const other = ways.map((w) => ` or ${w} ${w === 'pinned' ? 'PATH' : w.toUpperCase()}`).join('');
    const listed = kind in FOUND_BY ? `; bpfscope ls ${kind}s lists them` : '';
    throw new UsageError(`${kind} ${word} ${value ?? '…'}: bpfscope names a ${kind} by ID (or id ID)${other}${listed}`);
  }
  if (value === undefined) throw new UsageError(`${kind} ${word}: which ${word}? (bpfscope ls ${kind}s lists them)`);
  return { ref: word === 'tag' ? { by: 'tag', value: value.toLowerCase() } : { by: word === 'pinned' ? 'pinned' : 'name', value }, next: at + 2 };
}

/** What a failed BPF_OBJ_GET of path means, in the user's terms. */
const PIN_ERRORS: Readonly<Record<string, (path: string, label: string) => string>> = {
  ENOENT: (path, label) => `nothing is pinned at ${path} on ${label}`,
  EACCES: (path, label) => `${path} on ${label} is not a BPF pin (pins live in a bpffs, such as /sys/fs/bpf)`,
  EINVAL: (path, label) => `${path} on ${label} pins no prog, map or link`,
};

async function pinnedId(session: HostSession, path: string, kind: string): Promise<number> {
  if (!session.host.pinnedObject) throw new HostError({ code: 'ENOTSUP', message: `${session.label} has no pins: name the ${kind} by its id` });
  const pinned = await session.host.pinnedObject(path).catch((error: unknown) => {
    const code = (error as { code?: unknown }).code;
    const explain = typeof code === 'string' ? PIN_ERRORS[code] : undefined;
    throw explain ? new HostError({ code: code as string, message: explain(path, session.label) }) : error;
  });
  if (pinned.kind !== kind) throw new HostError({ code: 'EINVAL', message: `${path} on ${session.label} pins a ${pinned.kind} (id ${pinned.id}), not a ${kind}` });
  return pinned.id;
}

/**
 * The id of the object `ref` names on the session's host, found in its listing (as ls reads it:
 * in batches from an agent, with programs' full names); an error when none or several match.
 */
export async function objectIdOf(session: HostSession, ref: ObjectRef, kind: 'prog' | 'map' | 'link' | 'btf'): Promise<number> {
  if ('id' in ref) return ref.id;
  if (ref.by === 'pinned') return pinnedId(session, ref.value, kind);
  const inventory = await import('../hosts/inventory.js');
  // Names and tags are all a match needs: no walk of /proc for owners, no reads of metadata maps.
  const reach = { owners: false, metadata: false };
  const matches =
    kind === 'prog'
      ? (await inventory.listPrograms(session, undefined, reach))
          .filter(({ info, firstFuncName }) => (ref.by === 'tag' ? info.tag === ref.value : info.name === ref.value || progFullName(info, firstFuncName) === ref.value))
          .map(({ info }) => info.id)
      : (await inventory.listMaps(session, reach)).filter(({ info }) => info.name === ref.value).map(({ info }) => info.id);
  if (matches.length === 1) return matches[0]!;
  throw new HostError({
    code: matches.length === 0 ? 'ENOENT' : 'EINVAL',
    message: matches.length === 0 ? `no ${kind} with ${ref.by} ${ref.value} on ${session.label}` : `${matches.length} ${kind}s have ${ref.by} ${ref.value} (ids ${matches.join(', ')})`,
    ...(matches.length > 1 ? { hint: 'name one by its id' } : {}),
  });
}
