// The kernel trace log on real bpf_printk output (the printk fixture: two programs, two formats,
// printing only for the loader), against the kernel's own `trace` file as the reference, and
// bpftool prog tracelog (trace_pipe) to show what the default read leaves for other readers.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, bpfscope, runCommand } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
let fixtures: LoadedFixtures;
let egid: number;
let euid: number;

/** The fixture loader's lines of the kernel's own trace file (all CPUs, time order) whose message matches. */
function kernelTrace(message: RegExp): string[] {
  return readFileSync('/sys/kernel/tracing/trace', 'utf8').split('\n').filter((l) => ours(l) && message.test(l.replace(/^.*bpf_trace_printk: /, '')));
}

/** A bpf_printk line of this test's loader (other runs may load the fixture meanwhile). */
function ours(line: string): boolean {
  return line.includes('bpf_trace_printk: ') && line.includes(`-${fixtures.report.pid} `);
}

const EGID = /^bpfscope egid call \d+$/;
const EUID = /^bpfscope euid from bpfscope-fixtur: call \d+$/;

async function tracelog(args: string[]): Promise<{ out: string[]; err: string }> {
  const result = await bpfscope(['tracelog', '--once', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return { out: result.stdout.split('\n').filter((l) => l !== ''), err: result.stderr };
}

/** What bpftool prog tracelog (trace_pipe, consuming) gets in `ms`. */
async function bpftoolPipe(ms: number): Promise<string> {
  const result = await runCommand('timeout', ['-s', 'INT', String(ms / 1000), 'bpftool', 'prog', 'tracelog']);
  return result.stdout;
}

describe.skipIf(skip)('tracelog (real bpf_printk output)', () => {
  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['printk'] });
    egid = fixtures.program('printk_getegid', 'printk').id;
    euid = fixtures.program('printk_geteuid', 'printk').id;
    // Whatever an earlier run left in the pipe is taken now, so the checks below see only this run's lines there.
    await bpftoolPipe(500);
  }, 120_000);
  afterAll(async () => {
    await fixtures?.stop();
  });

  it('shows the lines the kernel trace holds, each program by its own format, and says it does not consume', async () => {
    await fixtures.trigger('printk', 5);
    const mine = await tracelog(['--prog', String(egid)]);
    expect(mine.err).toContain('read without consuming');
    expect(mine.out.length).toBeGreaterThanOrEqual(5);
    expect(mine.out).toEqual(kernelTrace(EGID));
    const byName = await tracelog(['--prog', String(euid)]);
    expect(byName.out).toEqual(kernelTrace(EUID));
    expect(byName.out.every((l) => !EGID.test(l.replace(/^.*bpf_trace_printk: /, '')))).toBe(true);
  });

  it('leaves every line to trace_pipe readers, and --consume takes them', async () => {
    await fixtures.trigger('printk', 3);
    const seen = (await tracelog(['--prog', String(egid)])).out.length;
    expect(seen).toBeGreaterThanOrEqual(8);
    const pipe = (await bpftoolPipe(1000)).split('\n').filter((l) => ours(l) && l.includes('bpfscope egid call'));
    expect(pipe.length).toBe(8);
    await fixtures.trigger('printk', 2);
    const consumed = await tracelog(['--consume', '--prog', String(egid)]);
    expect(consumed.err).toContain('consuming');
    expect(consumed.out.map((l) => l.replace(/^.*bpf_trace_printk: /, ''))).toEqual(['bpfscope egid call 9', 'bpfscope egid call 10']);
    expect((await bpftoolPipe(1000)).split('\n').some((l) => ours(l) && l.includes('bpfscope egid call'))).toBe(false);
  });

  it('filters by comm and pid', async () => {
    const byPid = await tracelog(['--pid', String(fixtures.report.pid)]);
    expect(byPid.out.length).toBe(kernelTrace(EGID).length + kernelTrace(EUID).length);
    expect((await tracelog(['--comm', 'no-such-comm'])).out).toEqual([]);
    expect((await tracelog(['--comm', 'bpfscope-fixtur', '--prog', String(euid)])).out).toEqual(kernelTrace(EUID));
  });

  it('follows the log as it grows, in bpftool’s JSON form', async () => {
    const child = spawn(process.execPath, [BIN, 'tracelog', '--json', '--prog', String(egid), '--interval', '200'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await fixtures.trigger('printk', 4);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    const lines = JSON.parse(out) as string[];
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
    const messages = lines.map((l) => l.trim().replace(/^.*bpf_trace_printk: /, ''));
    expect(messages.slice(-4)).toEqual(['bpfscope egid call 11', 'bpfscope egid call 12', 'bpfscope egid call 13', 'bpfscope egid call 14']);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('reads a program’s BPF streams and says when they are empty', async () => {
    const result = await bpfscope(['tracelog', 'stderr', String(egid)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`bpfscope: prog ${egid}: the stderr stream is empty (reading takes the bytes out of the stream: the kernel keeps no copy)\n`);
    const json = JSON.parse((await bpfscope(['tracelog', 'stdout', 'id', String(egid), '--json'])).stdout) as Record<string, unknown>;
    expect(json).toEqual({ prog_id: egid, stream: 'stdout', bytes: 0, text: '', entries: [] });
    const gone = await bpfscope(['tracelog', 'stdout', '999999999']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('prog 999999999: not loaded');
  });
});
