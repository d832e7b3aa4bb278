// `dump map ID [--json]` (bpftool map dump, same JSON) and `watch map ID [--interval MS]
// [--key K] [--json]` (changes as they happen, JSON lines with --json).
import { jsonwPretty } from '../kernel/maps/jsonw-pretty.js';
import { plainEntry, plainFooter } from '../kernel/maps/bpftool-text.js';
import { HostError } from '../hosts/host-error.js';
import type { HostSession } from '../hosts/host-session.js';
import { bpftoolJsonBytes, bpftoolJsonPages, openMapDump, type MapDumpSource } from '../hosts/map-dump.js';
import type { MapStreamOptions } from '../hosts/map-stream.js';
import { writeBytes } from './context.js';
import { readMapSpecial, type MapSpecial } from '../hosts/map-special.js';
import { parseObjectId, UsageError, type CommandContext } from './context.js';

const FORMATTED = ',"formatted":';

/** A map unloaded while it was being read. */
export function mapGoneError(session: HostSession, id: number): HostError {
  return new HostError({ code: 'EGONE', message: `map ${id}: gone (unloaded on ${session.label} while being read)`, id });
}

/** The map's dump source; EGONE when it is not loaded. */
export async function openLoadedMapDump(session: HostSession, id: number, options: MapStreamOptions = {}): Promise<MapDumpSource> {
  const source = await openMapDump(session, id, options);
  if (!source) throw new HostError({ code: 'EGONE', message: `map ${id}: not loaded on ${session.label}`, id });
  return source;
}

/** `dump WHAT ID`: maps here; other words belong to other commands (prog: bytecode). */
export async function dumpCommand(ctx: CommandContext): Promise<number> {
  const [what, idWord] = ctx.args;
  if (what !== 'map') throw new UsageError(`dump ${what ?? ''}: not available; usage: bpfscope dump map ID [--json]`);
  const id = parseObjectId(idWord, 'map');
  const session = await ctx.session();
  // A dump reads to the end: the host reads the next page while this one is formatted.
  const source = await openLoadedMapDump(session, id, { prefetch: true });
  if (ctx.flags.json) return dumpJson(ctx, session, source);
  const special = await readMapSpecial(session, id);
  if (special.kind !== 'entries') return printSpecial(ctx, id, special);
  return source.btf ? dumpBtfText(ctx, session, source) : dumpPlainText(ctx, session, source);
}

async function dumpJson(ctx: CommandContext, session: HostSession, source: MapDumpSource): Promise<number> {
  const pages = bpftoolJsonBytes(source);
  // The first page is read before anything is printed: a map that cannot be read at all
  // (an object file's map, no permission) then prints only its error.
  let step = await pages.next();
  ctx.io.out('[');
  for (; ; step = await pages.next()) {
    if (step.done) {
      if (step.value === 'gone') throw mapGoneError(session, source.stream.id);
      break;
    }
    await writeBytes(ctx.io, step.value);
  }
  ctx.io.out(']\n');
  return 0;
}

/** bpftool prints BTF maps as the pretty-printed "formatted" members. */
async function dumpBtfText(ctx: CommandContext, session: HostSession, source: MapDumpSource): Promise<number> {
  const pages = bpftoolJsonPages(source);
  let step = await pages.next();
  ctx.io.out('[');
  let first = true;
  for (; ; step = await pages.next()) {
    if (step.done) {
      if (step.value === 'gone') throw mapGoneError(session, source.stream.id);
      break;
    }
    let text = '';
    for (const entry of step.value) {
      const at = entry.indexOf(FORMATTED);
      text += (first ? '' : ',') + jsonwPretty(entry.slice(at + FORMATTED.length, -1), 1, true);
      first = false;
    }
    ctx.io.out(text);
  }
  ctx.io.out(first ? ']\n' : '\n]\n');
  return 0;
}

async function dumpPlainText(ctx: CommandContext, session: HostSession, source: MapDumpSource): Promise<number> {
  const { stream } = source;
  const { keySize, valueSize, stride, cpus, perCpu } = stream.layout;
  const slot = perCpu ? stride / cpus : valueSize;
  let count = 0;
  for (;;) {
    const step = await stream.next();
    if (step.state === 'gone') throw mapGoneError(session, stream.id);
    if (step.state === 'done') break;
    const { keys, values, count: n } = step.page;
    let text = '';
    for (let i = 0; i < n; i++) {
      const perCpuValues = Array.from({ length: cpus }, (_, cpu) => values.subarray(i * stride + cpu * slot, i * stride + cpu * slot + valueSize));
      text += plainEntry(keys.subarray(i * keySize, (i + 1) * keySize), perCpuValues, perCpu);
    }
    count += n;
    ctx.io.out(text);
  }
  ctx.io.out(plainFooter(count));
  return 0;
}

function hexKey(key: Uint8Array): string {
  return Array.from(key, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function printSpecial(ctx: CommandContext, id: number, special: Exclude<MapSpecial, { kind: 'entries' }>): number {
  const out = (line: string): void => ctx.io.out(`${line}\n`);
  switch (special.kind) {
    case 'gone':
      throw new HostError({ code: 'EGONE', message: `map ${id}: gone`, id });
    case 'unreadable':
      out(`map ${id}: not readable from user space: ${special.reason}`);
      return 0;
    case 'ring-positions': {
      const r = special.ring;
      out(`ringbuf size ${r.size}  producer ${r.producer}  consumer ${r.consumer}  pending ${r.pending}  fill ${(r.fill * 100).toFixed(1)}%`);
      return 0;
    }
    case 'prog-ids':
    case 'map-ids': {
      const what = special.kind === 'prog-ids' ? 'prog' : 'map';
      for (const s of special.slots) out(`key: ${hexKey(s.key)}  ${what} ${s.id}${s.name ? ` ${s.name}` : ''}`);
      out(plainFooter(special.slots.length).trimEnd());
      return 0;
    }
    case 'stack-frames': {
      for (const stack of special.stacks) {
        out(`stack ${stack.stackId}:`);
        for (const f of stack.frames) out(`    0x${f.address.toString(16).padStart(16, '0')}  ${f.symbol ?? '?'}${f.module ? ` [${f.module}]` : ''}`);
      }
      out(plainFooter(special.stacks.length).trimEnd());
      return 0;
    }
  }
}

/** `watch WHAT ID`: maps only. */
export async function watchCommand(ctx: CommandContext): Promise<number> {
  const [what] = ctx.args;
  if (what !== 'map') throw new UsageError(`watch ${what ?? ''}: not available; usage: bpfscope watch map ID [--interval MS] [--key K] [--json]`);
  return (await import('./map-watch.js')).watchMapCommand(ctx);
}
