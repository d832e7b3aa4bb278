// The kernel trace log (tracefs `trace`, `per_cpu/cpuN/trace`, `trace_pipe`) as lines, and which
// of them are new. bpf_printk writes through the bpf_trace_printk trace event of the top-level
// trace buffer, so its lines read as the default trace output prints events:
//
//            TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
//            bash-14881   [000] ...21  7869.560931: bpf_trace_printk: hello
//
// (record-tgid adds `(TGID)` after the pid; irq-info off drops the flags.) A non-consuming
// reader sees the whole buffer each time it reads; a per-CPU cursor keeps what it has shown:
// on one CPU events are recorded in timestamp order, so those after the last timestamp shown
// (and, at that timestamp, after as many lines as were shown there) are the new ones.

export interface TraceLine {
  cpu: number;
  /** The timestamp as printed (seconds.micros by default; a counter for counter clocks). */
  timestamp: string;
  /** The same as a number, for ordering. */
  time: number;
  comm: string;
  pid: number;
  tgid?: number;
  flags?: string;
  /** `bpf_trace_printk` for bpf_printk output; other events or tracers write other names. */
  event: string;
  message: string;
  raw: string;
}

const LINE = /^\s*(.+)-(\d+)\s+(?:\(\s*(\d+|-+)\)\s+)?\[(\d+)\]\s+(?:([^\s]{4,6})\s+)?(\d+(?:\.\d+)?):\s(?:([\w:.-]+):\s?)?(.*)$/;

export function parseTraceLine(raw: string): TraceLine | undefined {
  const m = LINE.exec(raw);
  if (!m) return undefined;
  const line: TraceLine = {
    cpu: Number(m[4]),
    timestamp: m[6]!,
    time: Number(m[6]),
    comm: m[1]!.trim(),
    pid: Number(m[2]),
    event: m[7] ?? '',
    message: m[8]!,
    raw,
  };
  if (m[3] !== undefined && /^\d+$/.test(m[3])) line.tgid = Number(m[3]);
  if (m[5] !== undefined) line.flags = m[5];
  return line;
}

/** `CPU:1 [LOST 42 EVENTS]`: events the writer overwrote while an iterator read the buffer. */
export function lostEventsOf(raw: string): { cpu: number; lost: number } | undefined {
  const m = /^CPU:(\d+) \[LOST (\d+) EVENTS\]$/.exec(raw.trim());
  return m ? { cpu: Number(m[1]), lost: Number(m[2]) } : undefined;
}

/** per_cpu/cpuN/stats: entries in the buffer, overwritten, and consumed by trace_pipe readers. */
export interface CpuTraceStats {
  entries: number;
  overrun: number;
  read: number;
  /** Every event written since the buffer was last reset: entries + overrun + read. */
  written: number;
}

export function parseCpuStats(text: string): CpuTraceStats | undefined {
  const value = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const entries = value('entries');
  const overrun = value('overrun');
  const read = value('read events');
  if (entries === undefined || overrun === undefined) return undefined;
  return { entries, overrun, read: read ?? 0, written: entries + overrun + (read ?? 0) };
}

/** Lines of a text, the first dropped when the text is a tail that starts inside a line. */
export function traceTextLines(text: string, startsMidLine: boolean): string[] {
  const lines = text.split('\n');
  if (startsMidLine) lines.shift();
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

interface Mark {
  time: number;
  /** Lines shown at exactly that time. */
  atTime: number;
}

/** What a non-consuming reader has shown, per CPU. */
export class TraceCursor {
  private readonly marks = new Map<number, Mark>();

  /** The lines of one CPU's buffer (oldest first) not shown before; marks them shown. */
  take(cpu: number, lines: readonly TraceLine[]): TraceLine[] {
    const mark = this.marks.get(cpu);
    const fresh: TraceLine[] = [];
    let skip = mark?.atTime ?? 0;
    for (const line of lines) {
      if (line.cpu !== cpu) continue;
      if (mark && line.time < mark.time) continue;
      if (mark && line.time === mark.time && skip > 0) {
        skip--;
        continue;
      }
      fresh.push(line);
    }
    const last = fresh[fresh.length - 1];
    if (last) {
      const atTime = fresh.filter((l) => l.time === last.time).length + (mark && mark.time === last.time ? mark.atTime : 0);
      this.marks.set(cpu, { time: last.time, atTime });
    }
    return fresh;
  }

  /** Forgets every mark (the trace clock changed: timestamps no longer compare). */
  reset(): void {
    this.marks.clear();
  }
}
