// bpfscope stacks on the fixture's user stacks (recorded by bpf_get_stackid with
// BPF_F_USER_STACK in the loader's getppid calls): the pid comes from the BTF key of the map
// beside it, frames are named from the loader's own files and agree with addr2line; a pid that
// is gone says so; the dashboard's API answers the same.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfscope } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
let fixtures: LoadedFixtures;

interface Frame { address: string; kernel: boolean; symbol?: string; module?: string; note?: string }
interface View { stacks: Array<{ stackId: number; pid?: number; frames: Frame[] }>; notes: string[] }

async function stacks(args: string[]): Promise<View> {
  const result = await bpfscope(['stacks', ...args, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as View;
}

/** addr2line's function for an address of process `pid`, from its own /proc/PID/maps. */
function addr2line(pid: number, address: bigint): { file: string; name: string } {
  for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) \S+ \d+\s+(\/\S+)$/.exec(line);
    if (!m || address < BigInt(`0x${m[1]}`) || address >= BigInt(`0x${m[2]}`)) continue;
    // gcc's executables and Debian's libraries load text at vaddr = file offset.
    const vaddr = address - BigInt(`0x${m[1]}`) + BigInt(`0x${m[3]}`);
    // -i lists the inlined chain, the function holding the code last: the one its symbol names.
    const lines = execFileSync('addr2line', ['-f', '-i', '-e', m[4]!, `0x${vaddr.toString(16)}`], { encoding: 'utf8' }).trim().split('\n');
    return { file: m[4]!, name: lines[lines.length - 2]! };
  }
  throw new Error(`0x${address.toString(16)} not mapped in ${pid}`);
}

describe.skipIf(skip)('stacks: user frames in the process\'s own terms', () => {
  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps'] });
    await fixtures.trigger('getppid', 5);
  });
  afterAll(async () => {
    await fixtures?.stop();
  });

  it('names the loader\'s getppid stacks from its files, the pid read from the map beside it', async () => {
    const view = await stacks([String(fixtures.map('user_stacks').id)]);
    expect(view.notes.some((n) => /pids from the keys of map \d+/.test(n))).toBe(true);
    expect(view.stacks.length).toBeGreaterThan(0);
    const pid = fixtures.report.pid;
    for (const stack of view.stacks) {
      expect(stack.pid).toBe(pid);
      const [first] = stack.frames;
      expect(first).toMatchObject({ kernel: false, module: 'libc.so.6', symbol: expect.stringMatching(/^(syscall|getppid)\+0x/) });
      const own = stack.frames.filter((f) => f.module === 'bpfscope-fixtures');
      expect(own.length, JSON.stringify(stack.frames)).toBeGreaterThan(0);
      for (const frame of stack.frames.filter((f) => f.symbol)) {
        const theirs = addr2line(pid, BigInt(frame.address));
        expect(frame.symbol!.replace(/\+0x[0-9a-f]+$/, ''), frame.address).toBe(theirs.name);
      }
    }
    const text = await bpfscope(['stacks', String(fixtures.map('user_stacks').id)]);
    expect(text.stdout).toMatch(new RegExp(`^stack \\d+ \\(pid ${pid}\\):\\n +0x[0-9a-f]+  (syscall|getppid)\\+0x[0-9a-f]+ \\[libc\\.so\\.6\\]$`, 'm'));
  });

  it('says when the process is gone, and what a kernel stack map holds', async () => {
    const gone = await stacks([String(fixtures.map('user_stacks').id), '--pid', '999999']);
    expect(gone.stacks[0]!.frames.every((f) => f.note === 'process 999999 is gone')).toBe(true);
    await fixtures.trigger('getppid', 2);
    const kernel = await stacks([String(fixtures.map('stacks').id)]);
    const frames = kernel.stacks.flatMap((s) => s.frames);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.kernel && f.symbol)).toBe(true);
    const refused = await bpfscope(['stacks', String(fixtures.map('hash_map').id)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not a stack_trace map/);
  });
});
