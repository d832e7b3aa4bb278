// The trace log's text as tracefs prints it (lines taken from this kernel's per_cpu/cpu0/trace,
// record-tgid and irq-info variants in the same format), which lines are new to a reader that
// does not consume, and matching bpf_printk messages to the formats that print them.
import { describe, expect, it } from 'vitest';
import { lostEventsOf, parseCpuStats, parseTraceLine, TraceCursor, traceTextLines } from '../../../main/kernel/trace/trace-log.js';
import { PrintkAttribution, formatStringAt, printkPattern } from '../../../main/kernel/trace/printk-format.js';

const LINE = '            bash-14881   [000] ...21  7869.560931: bpf_trace_printk: hello from kexp 5697 pid 14881';

describe('trace lines', () => {
  it('parses the default event line and its variants', () => {
    expect(parseTraceLine(LINE)).toEqual({
      cpu: 0, timestamp: '7869.560931', time: 7869.560931, comm: 'bash', pid: 14881, flags: '...21', event: 'bpf_trace_printk', message: 'hello from kexp 5697 pid 14881', raw: LINE,
    });
    const tgid = parseTraceLine(' kworker/u4:2-ev-77      (     70) [001] d..1.   12.000001: bpf_trace_printk: x');
    expect(tgid).toMatchObject({ comm: 'kworker/u4:2-ev', pid: 77, tgid: 70, cpu: 1, flags: 'd..1.', message: 'x' });
    expect(parseTraceLine('           <...>-9       [001]   12.5: bpf_trace_printk: no flags')).toMatchObject({ comm: '<...>', pid: 9, cpu: 1, message: 'no flags' });
    expect(parseTraceLine('# tracer: nop')).toBeUndefined();
    expect(lostEventsOf('CPU:1 [LOST 42 EVENTS]')).toEqual({ cpu: 1, lost: 42 });
  });

  it('reads per-CPU stats into the count of events ever written', () => {
    expect(parseCpuStats('entries: 118\noverrun: 7\ncommit overrun: 0\nbytes: 5680\noldest event ts:  7242.757947\nnow ts:  7246.047845\ndropped events: 0\nread events: 3\n'))
      .toEqual({ entries: 118, overrun: 7, read: 3, written: 128 });
  });

  it('gives each line once, however often the buffer is read, equal timestamps included', () => {
    const line = (t: string, n: number) => parseTraceLine(`  p-1 [000] ...21 ${t}: bpf_trace_printk: n ${n}`)!;
    const cursor = new TraceCursor();
    expect(cursor.take(0, [line('1.000001', 1), line('1.000002', 2), line('1.000002', 3)]).map((l) => l.message)).toEqual(['n 1', 'n 2', 'n 3']);
    expect(cursor.take(0, [line('1.000001', 1), line('1.000002', 2), line('1.000002', 3)])).toEqual([]);
    // The writer overwrote the oldest line meanwhile and wrote two more, one at the same microsecond.
    expect(cursor.take(0, [line('1.000002', 2), line('1.000002', 3), line('1.000002', 4), line('1.000003', 5)]).map((l) => l.message)).toEqual(['n 4', 'n 5']);
    expect(traceTextLines('ine cut\nwhole\n', true)).toEqual(['whole']);
  });
});

describe('printk formats', () => {
  it('matches the messages a format prints and nothing else', () => {
    const p = printkPattern('bpfscope euid from %s: call %llu\n');
    expect(p.test('bpfscope euid from bpfscope-fixtur: call 12')).toBe(true);
    expect(p.test('bpfscope egid call 12')).toBe(false);
    expect(printkPattern('v=%5d hex %x ptr %pK 100%%').test('v=   -3 hex ff ptr 0000000012345678 100%')).toBe(true);
    expect(printkPattern('a.b(c)').test('aXb(c)')).toBe(false);
  });

  it('attributes a message to every program whose format prints it', () => {
    const attribution = new PrintkAttribution([
      { progId: 1, format: 'bpfscope egid call %llu' },
      { progId: 2, format: 'bpfscope %s call %llu' },
      { progId: 3, format: 'other' },
    ]);
    expect(attribution.programsOf('bpfscope egid call 3')).toEqual([1, 2]);
    expect(attribution.programsOf('bpfscope x call 3')).toEqual([2]);
    expect(attribution.programsOf('nobody')).toEqual([]);
  });

  it('reads a NUL-terminated format out of .rodata', () => {
    const rodata = new TextEncoder().encode('kexp\0\0\0\0\x07\0\0\0hello %d\0');
    expect(formatStringAt(rodata, 12)).toBe('hello %d');
    expect(formatStringAt(rodata, 99)).toBeUndefined();
  });
});
