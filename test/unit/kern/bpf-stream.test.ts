// BPF stream text as the kernel writes it (kernel/bpf/stream.c, core.c, rqspinlock.c, arena.c of
// Linux 6.17/6.18). This kernel does not fill streams (bpf_stream_vprintk answers -ENOMEM, a
// may_goto loop running out of time reports nothing: its page allocator refuses the stream's
// no-lock allocation), so the texts here are recorded in the kernel's format: its format
// strings ("CPU: %d UID: %d PID: %d Comm: %s", "Call trace:", "%pS" and "  %s @ %s:%d" per
// frame) with values of an x86-64 run.
import { describe, expect, it } from 'vitest';
import { decodeBpfStream } from '../../../main/kernel/trace/bpf-stream.js';

const MAY_GOTO = [
  'ERROR: Timeout detected for may_goto instruction',
  'CPU: 1 UID: 0 PID: 4242 Comm: loader',
  'Call trace:',
  'bpf_stream_stage_dump_stack+0xb0/0xd0',
  'bpf_prog_report_may_goto_violation+0x7e/0xa0',
  'bpf_check_timed_may_goto+0x5d/0x70',
  'arch_bpf_timed_may_goto+0x21/0x40',
  'bpf_prog_45a4fb1c3e1e28d7_spin+0x3c/0x58',
  '  while (can_loop) @ spin.bpf.c:14',
  'bpf_prog_test_run_xdp+0x31c/0x560',
  '__sys_bpf+0xd68/0x2bf0',
  '',
].join('\n');

const DEADLOCK = [
  'ERROR: AA or ABBA deadlock detected for bpf_res_spin_lock',
  'Attempted lock   = 0xff11000108f3a5e0',
  'Total held locks = 1',
  'Held lock[ 0] = 0xff11000108f3a5e0',
  'CPU: 0 UID: 0 PID: 77 Comm: test_progs',
  'Call trace:',
  'bpf_res_spin_lock+0x8c/0xa0',
  'bpf_prog_3699ea119d1f6ed8_foo+0xe5/0x140',
  '  if (!bpf_res_spin_lock(&v2->lock)) @ locks.bpf.c:62',
  'bpf_prog_9b324ec4a1b2a5c0_caller+0x7e/0x2d0',
  '  foo(stream); @ locks.bpf.c:93',
  '',
].join('\n');

describe('BPF stream text', () => {
  it('decodes the kernel’s reports with their context, frames and source lines', () => {
    const [report] = decodeBpfStream(MAY_GOTO);
    expect(report).toEqual({ kind: 'report', text: MAY_GOTO, report: expect.objectContaining({ error: 'Timeout detected for may_goto instruction', details: [], cpu: 1, uid: 0, pid: 4242, comm: 'loader' }) });
    const frames = report!.kind === 'report' ? report!.report.frames : [];
    expect(frames).toHaveLength(7);
    expect(frames[4]).toEqual({ symbol: 'bpf_prog_45a4fb1c3e1e28d7_spin', offset: 0x3c, size: 0x58, progTag: '45a4fb1c3e1e28d7', progName: 'spin', source: { text: 'while (can_loop)', file: 'spin.bpf.c', line: 14 } });
    expect(frames[0]).toEqual({ symbol: 'bpf_stream_stage_dump_stack', offset: 0xb0, size: 0xd0 });
  });

  it('keeps details between the error and the context, and plain output around reports', () => {
    const entries = decodeBpfStream(`hello from bpf_stream_printk\n${DEADLOCK}${MAY_GOTO}partial line`);
    expect(entries.map((e) => e.kind)).toEqual(['text', 'report', 'report', 'text']);
    expect(entries[0]).toEqual({ kind: 'text', text: 'hello from bpf_stream_printk' });
    const deadlock = entries[1]!.kind === 'report' ? entries[1]!.report : undefined;
    expect(deadlock?.details).toEqual(['Attempted lock   = 0xff11000108f3a5e0', 'Total held locks = 1', 'Held lock[ 0] = 0xff11000108f3a5e0']);
    expect(deadlock?.frames.map((f) => f.progName ?? f.symbol)).toEqual(['bpf_res_spin_lock', 'foo', 'caller']);
    expect(deadlock?.frames[2]?.source).toEqual({ text: 'foo(stream);', file: 'locks.bpf.c', line: 93 });
    expect(entries[3]).toEqual({ kind: 'text', text: 'partial line' });
  });

  it('takes an empty stream as nothing and a report cut short as what it holds', () => {
    expect(decodeBpfStream('')).toEqual([]);
    const [cut] = decodeBpfStream('ERROR: Arena READ access at unmapped address 0xdeadbeef\nCPU: 3 UID: 0 PID: 9 Comm: x');
    expect(cut?.kind === 'report' && cut.report).toEqual({ error: 'Arena READ access at unmapped address 0xdeadbeef', details: [], cpu: 3, uid: 0, pid: 9, comm: 'x', frames: [] });
  });
});
