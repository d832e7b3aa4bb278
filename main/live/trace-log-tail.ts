// The trace log of each host for any number of viewers: one reader per host and mode (tail or
// consume), started with the first viewer and stopped with the last, polling every 500 ms. A
// viewer joining is given the lines kept so far (the last MAX_KEPT), then each poll's new ones.
import type { HostSession } from '../hosts/host-session.js';
import { toHostError } from '../hosts/host-error.js';
import { TraceLogReader, type TraceLogEntry, type TraceLogMode } from '../hosts/trace-log.js';
import { PollLoop } from './poll-loop.js';

export const TRACE_LOG_INTERVAL_MS = 500;
/** Lines kept per host for viewers that join later (and the most one push carries). */
export const MAX_KEPT = 2000;
/** Hosts × modes read at once over the server: each is a reader polling its host. */
export const MAX_TAILS = 32;

export interface TraceLogLine {
  /** Position in this host's log since its reader started: each line's is one more. */
  seq: number;
  cpu: number;
  timestamp: string;
  comm: string;
  pid: number;
  tgid?: number;
  event: string;
  message: string;
  progIds?: number[];
}

export type TraceLogUpdate =
  | { kind: 'lines'; mode: TraceLogMode; source: string; lines: TraceLogLine[]; lost: number; skipped: number }
  | { kind: 'error'; code: string; message: string; hint?: string };

type Listener = (update: TraceLogUpdate) => void;

class Tail {
  private readonly loop: PollLoop;
  private readonly kept: TraceLogLine[] = [];
  private seq = 0;
  readonly listeners = new Set<Listener>();
  reader: TraceLogReader | undefined;

  constructor(private readonly open: () => Promise<TraceLogReader>, readonly mode: TraceLogMode) {
    this.loop = new PollLoop(TRACE_LOG_INTERVAL_MS, () => this.poll());
    this.loop.onError((error) => this.emit(errorUpdate(error)));
  }

  private stopped = false;

  async start(): Promise<void> {
    await this.loop.start(async () => {
      const reader = await this.open();
      // Stopped while opening: nobody will close it later.
      if (this.stopped) await reader.close();
      else this.reader = reader;
    });
  }

  private async poll(): Promise<void> {
    const reader = this.reader;
    if (!reader) return;
    const batch = await reader.read();
    const lines = batch.lines.map((l) => wireLine(l, ++this.seq));
    this.kept.push(...lines);
    if (this.kept.length > MAX_KEPT) this.kept.splice(0, this.kept.length - MAX_KEPT);
    if (lines.length > 0 || batch.lost > 0) this.emit(this.update(lines.slice(-MAX_KEPT), batch.lost, Math.max(0, lines.length - MAX_KEPT)));
  }

  update(lines: TraceLogLine[], lost: number, skipped: number): TraceLogUpdate {
    return { kind: 'lines', mode: this.mode, source: this.reader?.source ?? '', lines, lost, skipped };
  }

  backlog(): TraceLogUpdate {
    return this.update([...this.kept], 0, 0);
  }

  private emit(update: TraceLogUpdate): void {
    for (const listener of this.listeners) listener(update);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.loop.stop();
    await this.reader?.close();
  }
}

function wireLine(l: TraceLogEntry, seq: number): TraceLogLine {
  const out: TraceLogLine = { seq, cpu: l.cpu, timestamp: l.timestamp, comm: l.comm, pid: l.pid, event: l.event, message: l.message };
  if (l.tgid !== undefined) out.tgid = l.tgid;
  if (l.progIds !== undefined) out.progIds = l.progIds;
  return out;
}

function errorUpdate(error: unknown): TraceLogUpdate {
  const e = toHostError(error);
  return { kind: 'error', code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
}

export class TraceLogTails {
  private readonly tails = new Map<string, { tail: Tail; started: Promise<void> }>();

  constructor(private readonly session: (host: string) => Promise<HostSession>) {}

  /** Sends the host's log to `listener` until the returned function is called. */
  watch(host: string, mode: TraceLogMode, listener: Listener): () => void {
    const key = `${host}|${mode}`;
    let entry = this.tails.get(key);
    if (!entry) {
      if (this.tails.size >= MAX_TAILS) {
        listener({ kind: 'error', code: 'EBUSY', message: `the server reads ${MAX_TAILS} trace logs already, its limit`, hint: 'close a trace log view on another host' });
        return () => undefined;
      }
      const tail = new Tail(async () => TraceLogReader.open(await this.session(host), mode), mode);
      entry = { tail, started: tail.start() };
      this.tails.set(key, entry);
      const started = entry;
      started.started.catch(() => {
        if (this.tails.get(key) === started) this.tails.delete(key);
      });
    }
    const { tail, started } = entry;
    let closed = false;
    // Joined once started: what was read before is in the backlog, what comes after in the pushes.
    started.then(
      () => {
        if (closed) return;
        tail.listeners.add(listener);
        listener(tail.backlog());
      },
      (error: unknown) => !closed && listener(errorUpdate(error)),
    );
    return () => {
      if (closed) return;
      closed = true;
      tail.listeners.delete(listener);
      if (tail.listeners.size === 0 && this.tails.get(key)?.tail === tail) {
        this.tails.delete(key);
        void tail.stop();
      }
    };
  }

  async close(): Promise<void> {
    const all = [...this.tails.values()];
    this.tails.clear();
    await Promise.all(all.map((e) => e.tail.stop()));
  }
}
