// `dump map ID [--json]` (bpftool map dump, same JSON) and `watch map ID [--interval MS]
// [--key K] [--json]` (changes as they happen, JSON lines with --json).
import { HostError } from '../hosts/host-error.js';
import type { HostSession } from '../hosts/host-session.js';
import { bpftoolJsonBytes, bpftoolTextBytes, openMapDump, type MapDumpSource } from '../hosts/map-dump.js';
import type { MapStreamOptions } from '../hosts/map-stream.js';
import { writeBytes } from './context.js';
import { UsageError, type CommandContext } from './context.js';
import { objectIdOf, parseObjectRef } from './object-ref.js';
import { BPF_MAP_TYPE_ARENA } from '../kernel/maps/arena.js';
import { mapAccess, MapType } from '../kernel/maps/map-kind.js';
import { mapShape } from '../hosts/map-shape.js';

/**
 * Maps whose dump lists nothing however much they hold (bpftool prints `Found 0 elements` or
 * `[]` too): stderr says why, so an empty listing is not read as an empty map. Perf event and
 * cgroup arrays are not here: their dumps list each slot with the kernel's refusal.
 */
const LISTS_NOTHING = new Set<number>([
  MapType.queue, MapType.stack, MapType.bloomFilter, MapType.userRingbuf,
  MapType.skStorage, MapType.inodeStorage, MapType.taskStorage, MapType.cgrpStorage,
]);

function listsNothingNote(ctx: CommandContext, source: MapDumpSource): void {
  const { type, id } = source.stream.layout.info;
  const access = mapAccess(type);
  if (LISTS_NOTHING.has(type) && access.kind === 'unreadable') ctx.io.err(`bpfscope: map ${id}: its contents are not listed: ${access.reason}\n`);
}

/**
 * A map unloaded while it is read ends `dump map` (and `watch map`) with exit status 1 and
 * this message, after the output printed so far is closed (the JSON stays valid).
 */
export function mapGoneError(session: HostSession, id: number, doing: 'read' | 'watched' = 'read'): HostError {
  const after = doing === 'read' ? '; the output above is incomplete' : '';
  return new HostError({ code: 'EGONE', message: `map ${id}: gone (unloaded on ${session.label} while being ${doing})${after}`, id });
}

/** The map's dump source; EGONE when it is not loaded. */
export async function openLoadedMapDump(session: HostSession, id: number, options: MapStreamOptions = {}): Promise<MapDumpSource> {
  const source = await openMapDump(session, id, options);
  if (!source) throw new HostError({ code: 'EGONE', message: `map ${id}: not loaded on ${session.label}`, id });
  return source;
}

/** `dump WHAT ID`: maps here; other words belong to other commands (prog: bytecode). */
export async function dumpCommand(ctx: CommandContext): Promise<number> {
  const [what] = ctx.args;
  if (what !== 'map') throw new UsageError(`dump ${what ?? ''}: not available; usage: bpfscope dump map ID [--json]`);
  const { ref } = parseObjectRef(ctx.args, 1, 'map');
  const session = await ctx.session();
  const id = await objectIdOf(session, ref, 'map');
  // An arena holds pages, not entries: they are read through a process that mapped it.
  if ((await mapShape(session.host, id))?.type === BPF_MAP_TYPE_ARENA) return (await import('./arena.js')).arenaDumpCommand(ctx, session, id);
  // A dump reads to the end: the host reads the next page while this one is formatted, into
  // the memory of the page before (each page is written out before the next is asked for).
  const source = await openLoadedMapDump(session, id, { prefetch: true, reuseBuffers: true });
  const code = await (ctx.flags.json ? dumpJson(ctx, session, source) : dumpText(ctx, session, source));
  listsNothingNote(ctx, source);
  return code;
}

/**
 * Writes the chunks out, each while the next is made (the dump generators keep a chunk
 * intact until the one after it is asked for); returns how the read ended.
 */
async function writeChunks(ctx: CommandContext, chunks: AsyncGenerator<Uint8Array, 'done' | 'gone'>, first?: IteratorResult<Uint8Array, 'done' | 'gone'>): Promise<'done' | 'gone'> {
  let writing: Promise<void> | undefined;
  try {
    for (let step = first ?? (await chunks.next()); ; step = await chunks.next()) {
      await writing;
      if (step.done) return step.value;
      writing = writeBytes(ctx.io, step.value);
    }
  } finally {
    await writing;
  }
}

const OPEN_ARRAY = new TextEncoder().encode('[');
const CLOSE_ARRAY = new TextEncoder().encode(']\n');

async function dumpJson(ctx: CommandContext, session: HostSession, source: MapDumpSource): Promise<number> {
  const pages = bpftoolJsonBytes(source);
  // The first page is read before anything is printed: a map that cannot be read at all
  // (an object file's map, no permission) then prints only its error.
  const first = await pages.next();
  // As bytes, through the entries' own write path (into a file: writeSync, not the stream).
  await writeBytes(ctx.io, OPEN_ARRAY);
  const end = await writeChunks(ctx, pages, first);
  await writeBytes(ctx.io, CLOSE_ARRAY);
  if (end === 'gone') throw mapGoneError(session, source.stream.id);
  return 0;
}

/** bpftool's text: its pretty JSON writer for maps with BTF, hex blocks for the others. */
async function dumpText(ctx: CommandContext, session: HostSession, source: MapDumpSource): Promise<number> {
  if ((await writeChunks(ctx, bpftoolTextBytes(source))) === 'gone') throw mapGoneError(session, source.stream.id);
  return 0;
}

/** `watch WHAT ID`: maps only. */
export async function watchCommand(ctx: CommandContext): Promise<number> {
  const [what] = ctx.args;
  if (what !== 'map') throw new UsageError(`watch ${what ?? ''}: not available; usage: bpfscope watch map ID [--interval MS] [--key K] [--json]`);
  return (await import('./map-watch.js')).watchMapCommand(ctx);
}
