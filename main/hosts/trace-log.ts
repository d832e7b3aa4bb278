// The kernel trace log of a host, read as it grows. By default nothing is consumed: each CPU's
// `per_cpu/cpuN/trace` is read (an iterator over the ring buffer that leaves it as it is, so
// trace_pipe readers such as `bpftool prog tracelog` still get every line), only for CPUs whose
// `stats` show new events, and a cursor keeps what was shown (trace-log.ts). `consume` reads
// trace_pipe instead, as bpftool does: every line read there is gone for every other reader.
// Nothing here writes to tracefs: no instance is created, no event enabled, no option set.
import { parseMounts } from '../kernel/proc/mounts.js';
import { parsePossibleCpus } from '../kernel/maps/map-kind.js';
import { PrintkAttribution } from '../kernel/trace/printk-format.js';
import { lostEventsOf, parseCpuStats, parseTraceLine, TraceCursor, traceTextLines, type TraceLine } from '../kernel/trace/trace-log.js';
import type { TracePipe } from './host.js';
import { HostError, toHostError } from './host-error.js';
import type { HostSession } from './host-session.js';
import { PrintkFormats } from './printk-formats.js';

export type TraceLogMode = 'tail' | 'consume';

export interface TraceLogEntry extends TraceLine {
  /** bpf_printk lines: the programs whose formats print this message (none known: empty). */
  progIds?: number[];
}

export interface TraceLogBatch {
  lines: TraceLogEntry[];
  /** Events written since the last read that were overwritten before they could be read. */
  lost: number;
}

const SMALL = 4096;
/** Bytes of one CPU's buffer read per poll at most (its newest lines); past it lines count as lost. */
const TAIL_MAX = 8 << 20;
const TAIL_MIN = 64 << 10;
/** Formatted bytes per event assumed when sizing a tail read. */
const BYTES_PER_EVENT = 256;
/** Bytes taken from trace_pipe per poll at most. */
const PIPE_MAX = 8 << 20;
const PIPE_READ = 1 << 20;
const PRINTK_EVENT = 'bpf_trace_printk';
/** How often the programs' printk formats are looked at again (programs come and go). */
const FORMATS_EVERY_MS = 5000;

const decoder = new TextDecoder();

/** Where tracefs is mounted on the host (the first tracefs in its mount table, else debugfs' tracing). */
async function tracefsRoot(session: HostSession): Promise<string> {
  const mounts = parseMounts(decoder.decode(await session.host.readFile('/proc/mounts', 1 << 20)));
  const tracefs = mounts.find((m) => m.type === 'tracefs');
  if (tracefs) return tracefs.target;
  const debugfs = mounts.find((m) => m.type === 'debugfs');
  if (debugfs) return `${debugfs.target}/tracing`;
  throw new HostError({ code: 'ENOENT', message: `${session.label}: tracefs is not mounted, so there is no trace log to read`, hint: 'mount -t tracefs nodev /sys/kernel/tracing (bpfscope reads only; it mounts nothing)' });
}

async function text(session: HostSession, path: string): Promise<string> {
  return decoder.decode((await session.host.tracefsRead!(path, SMALL)).bytes).trim();
}

export class TraceLogReader {
  private readonly cursor = new TraceCursor();
  private readonly written = new Map<number, number>();
  private readonly formats: PrintkFormats;
  private attribution = new PrintkAttribution([]);
  private formatsAt = -Infinity;
  private clock = '';
  private carry = '';

  private constructor(
    private readonly session: HostSession,
    readonly mode: TraceLogMode,
    /** The tracefs mount point. */
    readonly root: string,
    private readonly cpus: number,
    private readonly pipe: TracePipe | undefined,
  ) {
    this.formats = new PrintkFormats(session);
  }

  /** The files read. */
  get source(): string {
    return this.mode === 'tail' ? `${this.root}/per_cpu/cpu*/trace` : `${this.root}/trace_pipe`;
  }

  /** What is read and what it does to other readers, in words (the CLI says it; the dashboard has its own). */
  get description(): string {
    return this.mode === 'tail'
      ? `${this.source}, read without consuming: trace_pipe readers (bpftool prog tracelog) still get every line`
      : `${this.source}, consuming: the lines read here are gone for every other reader`;
  }

  static async open(session: HostSession, mode: TraceLogMode): Promise<TraceLogReader> {
    const host = session.host;
    if (!host.tracefsRead || !host.openTracePipe) {
      throw new HostError({ code: 'ENOTSUP', message: `${session.label}: has no trace log to read`, hint: 'the trace log lives in a running kernel: a snapshot or an object file holds none' });
    }
    const root = await tracefsRoot(session);
    const cpus = parsePossibleCpus(decoder.decode(await host.readFile('/sys/devices/system/cpu/possible', SMALL)));
    if (mode === 'tail') {
      const option = (name: string): Promise<string> => text(session, `${root}/options/${name}`).catch(() => '');
      if ((await option('pause-on-trace')) === '1') {
        throw new HostError({ code: 'ENOTSUP', message: `${session.label}: tracefs option pause-on-trace is on: reading the trace file would stop tracing while it is read`, hint: 'use --consume (trace_pipe), or turn the option off: echo 0 > options/pause-on-trace' });
      }
      if ((await option('context-info')) === '0' || (await option('latency-format')) === '1') {
        throw new HostError({ code: 'ENOTSUP', message: `${session.label}: the trace output has no CPU and timestamp columns (options context-info off or latency-format on), so new lines cannot be told from old ones without consuming`, hint: 'use --consume (trace_pipe)' });
      }
    }
    const pipe = mode === 'consume' ? await host.openTracePipe(`${root}/trace_pipe`).catch((error: unknown) => Promise.reject(toHostError(error))) : undefined;
    const reader = new TraceLogReader(session, mode, root, cpus, pipe);
    reader.clock = await reader.traceClock();
    return reader;
  }

  private async traceClock(): Promise<string> {
    const clocks = await text(this.session, `${this.root}/trace_clock`).catch(() => '');
    return /\[(\S+)\]/.exec(clocks)?.[1] ?? clocks;
  }

  /** The lines written since the last read (the first read: what the buffer holds now). */
  async read(): Promise<TraceLogBatch> {
    const batch = this.pipe ? await this.readPipe(this.pipe) : await this.readTail();
    const printk = batch.lines.filter((l) => l.event === PRINTK_EVENT);
    if (printk.length > 0) {
      await this.refreshFormats();
      for (const line of printk) line.progIds = this.attribution.programsOf(line.message);
    }
    return batch;
  }

  private async refreshFormats(): Promise<void> {
    if (Date.now() - this.formatsAt < FORMATS_EVERY_MS) return;
    this.formatsAt = Date.now();
    this.attribution = new PrintkAttribution(await this.formats.all().catch(() => []));
  }

  private async readTail(): Promise<TraceLogBatch> {
    const clock = await this.traceClock();
    if (clock !== this.clock) {
      this.clock = clock;
      this.cursor.reset();
    }
    const lines: TraceLogEntry[] = [];
    let lost = 0;
    for (let cpu = 0; cpu < this.cpus; cpu++) {
      const dir = `${this.root}/per_cpu/cpu${cpu}`;
      const stats = parseCpuStats(await text(this.session, `${dir}/stats`).catch(() => ''));
      if (!stats) continue;
      const before = this.written.get(cpu);
      this.written.set(cpu, stats.written);
      // A reset buffer (trace truncated) starts its counts again: all it holds is new.
      const delta = before === undefined || stats.written < before ? stats.entries : stats.written - before;
      if (delta === 0) continue;
      const limit = before === undefined ? TAIL_MAX : Math.min(TAIL_MAX, Math.max(TAIL_MIN, delta * BYTES_PER_EVENT));
      const tail = await this.session.host.tracefsRead!(`${dir}/trace`, limit);
      const raw = traceTextLines(decoder.decode(tail.bytes), tail.total > tail.bytes.byteLength);
      const parsed: TraceLine[] = [];
      for (const line of raw) {
        const parsedLine = parseTraceLine(line);
        if (parsedLine) parsed.push(parsedLine);
        else lost += lostEventsOf(line)?.lost ?? 0;
      }
      const fresh = this.cursor.take(cpu, parsed);
      if (before !== undefined && fresh.length < delta) lost += delta - fresh.length;
      lines.push(...fresh);
    }
    lines.sort((a, b) => a.time - b.time);
    return { lines, lost };
  }

  private async readPipe(pipe: TracePipe): Promise<TraceLogBatch> {
    let text = this.carry;
    for (let taken = 0; taken < PIPE_MAX; ) {
      const bytes = await pipe.read(PIPE_READ);
      if (bytes.byteLength === 0) break;
      taken += bytes.byteLength;
      text += decoder.decode(bytes, { stream: true });
    }
    const end = text.lastIndexOf('\n');
    this.carry = text.slice(end + 1);
    const lines: TraceLogEntry[] = [];
    let lost = 0;
    for (const line of end < 0 ? [] : text.slice(0, end).split('\n')) {
      const parsed = parseTraceLine(line);
      const dropped = parsed ? undefined : lostEventsOf(line);
      if (dropped) lost += dropped.lost;
      // What the pipe gives is shown as it is, like bpftool does, lines of other formats too.
      else lines.push(parsed ?? { cpu: -1, timestamp: '', time: 0, comm: '', pid: 0, event: '', message: line, raw: line });
    }
    return { lines, lost };
  }

  async close(): Promise<void> {
    await this.pipe?.close();
  }
}
