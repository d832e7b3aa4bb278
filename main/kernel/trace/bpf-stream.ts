// A program's BPF stream (Linux 6.17, kernel/bpf/stream.c) as text: what bpf_stream_printk wrote,
// and the reports the kernel itself writes to stderr when it stops a program: a may_goto loop
// that ran out of time, a bpf_res_spin_lock deadlock or timeout, an arena access to an unmapped
// page. A report is an `ERROR: …` line, lines of detail, `CPU: n UID: n PID: n Comm: …`,
// `Call trace:` and one line per frame (`symbol+0xoff/0xsize`), a frame of a BPF program
// followed by its source line (`  text @ file:line`), then a blank line.

export interface StreamFrame {
  symbol: string;
  offset: number;
  size: number;
  /** Frames of BPF programs: bpf_prog_<tag>_<name>. */
  progTag?: string;
  progName?: string;
  /** The program's source line at that address, from its line info. */
  source?: { text: string; file: string; line: number };
}

export interface StreamReport {
  /** After `ERROR: `, e.g. `Timeout detected for may_goto instruction`. */
  error: string;
  /** Lines between the error and the CPU line (held locks, …). */
  details: string[];
  cpu?: number;
  uid?: number;
  pid?: number;
  comm?: string;
  frames: StreamFrame[];
}

export type StreamEntry = { kind: 'text'; text: string } | { kind: 'report'; report: StreamReport; text: string };

/** Lines decoded at most: a stream holds at most 100,000 bytes (BPF_STREAM_MAX_CAPACITY). */
const MAX_LINES = 200_000;

const FRAME = /^([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+)\/0x([0-9a-f]+)(?: \[[\w-]+\])?$/;
const PROG_SYMBOL = /^bpf_prog_([0-9a-f]{16})(?:_(.*))?$/;
const SOURCE = /^ {2}(.*) @ (.+):(\d+)$/;
const CONTEXT = /^CPU: (\d+) UID: (\d+) PID: (\d+) Comm: (.*)$/;

function frameOf(line: string): StreamFrame | undefined {
  const m = FRAME.exec(line);
  if (!m) return undefined;
  const frame: StreamFrame = { symbol: m[1]!, offset: parseInt(m[2]!, 16), size: parseInt(m[3]!, 16) };
  const prog = PROG_SYMBOL.exec(frame.symbol);
  if (prog) {
    frame.progTag = prog[1]!;
    if (prog[2]) frame.progName = prog[2];
  }
  return frame;
}

/** The stream's text in order: plain output, and the kernel's reports decoded. */
export function decodeBpfStream(text: string): StreamEntry[] {
  const lines = text.split('\n').slice(0, MAX_LINES);
  const entries: StreamEntry[] = [];
  let plain: string[] = [];
  const flushPlain = (): void => {
    if (plain.length > 0) entries.push({ kind: 'text', text: plain.join('\n') });
    plain = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('ERROR: ')) {
      plain.push(line);
      continue;
    }
    flushPlain();
    const start = i;
    const report: StreamReport = { error: line.slice('ERROR: '.length), details: [], frames: [] };
    for (i++; i < lines.length && !CONTEXT.test(lines[i]!) && lines[i] !== 'Call trace:' && lines[i] !== '' && !lines[i]!.startsWith('ERROR: '); i++) report.details.push(lines[i]!);
    const context = i < lines.length ? CONTEXT.exec(lines[i]!) : null;
    if (context) {
      report.cpu = Number(context[1]);
      report.uid = Number(context[2]);
      report.pid = Number(context[3]);
      report.comm = context[4]!;
      i++;
    }
    if (lines[i] === 'Call trace:') {
      for (i++; i < lines.length; i++) {
        const source = SOURCE.exec(lines[i]!);
        const last = report.frames[report.frames.length - 1];
        if (source && last && !last.source) {
          last.source = { text: source[1]!, file: source[2]!, line: Number(source[3]) };
          continue;
        }
        const frame = frameOf(lines[i]!);
        if (!frame) break;
        report.frames.push(frame);
      }
    }
    // The blank line that ends a report belongs to it.
    if (lines[i] === '') i++;
    entries.push({ kind: 'report', report, text: lines.slice(start, i).join('\n') });
    i--;
  }
  // The text after the last newline is what a line not yet ended holds; an empty one is nothing.
  if (plain.length > 0 && plain[plain.length - 1] === '') plain.pop();
  flushPlain();
  return entries;
}
