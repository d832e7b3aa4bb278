// `bpfscope tracelog`: the kernel trace log (bpf_printk output) as it grows, like `bpftool prog
// tracelog` but without consuming trace_pipe unless --consume says so; filtered by program
// (through its printk formats), comm or pid. `bpfscope tracelog stdout|stderr PROG`: what a
// program's BPF stream holds, taken out of it (as bpftool prog tracelog stdout|stderr does).
import { stringifyJson } from '../kernel/info/index.js';
import type { StreamEntry } from '../kernel/trace/bpf-stream.js';
import { readProgramStream } from '../hosts/bpf-streams.js';
import type { HostSession } from '../hosts/host-session.js';
import { TraceLogReader, type TraceLogEntry } from '../hosts/trace-log.js';
import { UsageError, type CommandContext } from './context.js';
import { objectIdOf, parseObjectRef } from './object-ref.js';

const USAGE = 'bpfscope tracelog [--consume] [--prog ID|NAME] [--comm COMM] [--pid PID] [--interval MS] [--once] [--json] | tracelog stdout|stderr PROG [--json]';
const DEFAULT_INTERVAL_MS = 500;

/** PROG as bpftool takes it: ID, `id ID`, `name NAME` or `tag TAG`; a name or tag must be one program's. */
async function programOf(session: HostSession, words: string[]): Promise<number> {
  if (words.length === 0) throw new UsageError(`tracelog: which program? ${USAGE}`);
  const { ref, next } = parseObjectRef(words, 0, 'prog');
  if (next < words.length) throw new UsageError(`tracelog: unexpected '${words.slice(next).join(' ')}': ${USAGE}`);
  return objectIdOf(session, ref, 'prog');
}

function entryJson(entry: StreamEntry): unknown {
  return entry.kind === 'text' ? { text: entry.text } : { report: entry.report };
}

async function streamCommand(ctx: CommandContext, stream: 'stdout' | 'stderr'): Promise<number> {
  const session = await ctx.session();
  const id = await programOf(session, ctx.args.slice(1));
  const read = await readProgramStream(session, id, stream);
  if (ctx.flags.json) {
    ctx.io.out(`${JSON.stringify({ prog_id: id, stream, bytes: read.bytes, text: read.text, entries: read.entries.map(entryJson) })}\n`);
    return 0;
  }
  // As bpftool: the stdout stream to stdout, the stderr stream to stderr.
  (stream === 'stdout' ? ctx.io.out : ctx.io.err)(read.text);
  const taken = 'reading takes the bytes out of the stream: the kernel keeps no copy';
  ctx.io.err(read.bytes === 0 ? `bpfscope: prog ${id}: the ${stream} stream is empty (${taken})\n` : `bpfscope: prog ${id}: ${read.bytes} bytes taken from the ${stream} stream (${taken})\n`);
  return 0;
}

interface Filters {
  progs?: Set<number>;
  comm?: string;
  pid?: number;
}

async function filtersOf(ctx: CommandContext, session: HostSession): Promise<Filters> {
  const filters: Filters = {};
  const { prog, comm, pid } = ctx.flags;
  if (typeof prog === 'string') filters.progs = new Set([await programOf(session, /^\d+$/.test(prog) ? [prog] : ['name', prog])]);
  if (typeof comm === 'string') filters.comm = comm;
  if (typeof pid === 'string') {
    if (!/^\d+$/.test(pid)) throw new UsageError(`--pid ${pid}: a process id is a whole number`);
    filters.pid = Number(pid);
  }
  return filters;
}

function wanted(line: TraceLogEntry, f: Filters): boolean {
  if (f.comm !== undefined && line.comm !== f.comm) return false;
  if (f.pid !== undefined && line.pid !== f.pid && line.tgid !== f.pid) return false;
  return !f.progs || (line.progIds ?? []).some((id) => f.progs!.has(id));
}

function intervalOf(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_INTERVAL_MS;
  const ms = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(ms >= 100 && ms <= 60_000)) throw new UsageError(`--interval ${String(value)}: milliseconds between 100 and 60000`);
  return ms;
}

async function logCommand(ctx: CommandContext): Promise<number> {
  if (ctx.args.length > 0) throw new UsageError(`tracelog: unexpected '${ctx.args.join(' ')}': ${USAGE}`);
  const interval = intervalOf(ctx.flags.interval);
  const session = await ctx.session();
  const filters = await filtersOf(ctx, session);
  const reader = await TraceLogReader.open(session, ctx.flags.consume ? 'consume' : 'tail');
  const json = ctx.flags.json === true;
  ctx.io.err(`bpfscope: trace log of ${session.label}: ${reader.description}${ctx.flags.once ? '' : '; Ctrl-C stops'}\n`);
  // bpftool's JSON is one array of the lines as read, each with its newline.
  let first = true;
  if (json) ctx.io.out('[');
  const print = (lines: TraceLogEntry[], lost: number): void => {
    for (const line of lines) {
      if (!wanted(line, filters)) continue;
      if (json) ctx.io.out(`${first ? '' : ','}${stringifyJson(`${line.raw}\n`)}`);
      else ctx.io.out(`${line.raw}\n`);
      first = false;
    }
    if (lost > 0) ctx.io.err(`bpfscope: ${lost} trace events were overwritten before they could be read (a busy writer or a small buffer: buffer_size_kb)\n`);
  };
  try {
    if (ctx.flags.once) {
      const { lines, lost } = await reader.read();
      print(lines, lost);
      return 0;
    }
    await new Promise<void>((resolve, reject) => {
      let stopped = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stop = (): void => {
        stopped = true;
        clearTimeout(timer);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      const tick = (): void => {
        reader.read().then(({ lines, lost }) => {
          print(lines, lost);
          if (!stopped) timer = setTimeout(tick, interval);
        }, (error: unknown) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          reject(error);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      tick();
    });
    return 0;
  } finally {
    if (json) ctx.io.out(']\n');
    await reader.close();
  }
}

export async function tracelogCommand(ctx: CommandContext): Promise<number> {
  const [what] = ctx.args;
  if (what === 'stdout' || what === 'stderr') return streamCommand(ctx, what);
  return logCommand(ctx);
}
