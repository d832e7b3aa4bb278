// bpfscope stacks on the fixture's user stacks (recorded by bpf_get_stackid with
// BPF_F_USER_STACK in the loader's getppid calls): the pid comes from the BTF key of the map
// beside it, frames are named from the loader's own files and agree with addr2line; a pid that
// is gone says so; the dashboard's API answers the same.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfscope, bpftoolJson } from '../helpers/cli.js';
import { startBpftrace } from '../helpers/corpus.js';
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

// A process spinning in a function of its own, sampled by bpftrace's profile probe
// (@ustacks[ustack] = count(), as the corpus's `stacks` tool, kept to that process so bpftrace's
// own printing at exit stays short), which keys each user stack by its stack id and the pid in
// one u64. Its frames are named as addr2line names them, and as bpftrace itself prints them.
const SPINNER = `
volatile unsigned long sink;
__attribute__((noinline)) void bpfscope_spin_here(void) { for (;;) sink++; }
int main(void) { bpfscope_spin_here(); return 0; }
`;

describe.skipIf(skip)('stacks of a tool this suite did not write', () => {
  it('bpftrace\'s user stacks: the pid from its packed keys, frames named as addr2line and bpftrace name them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-spin-'));
    writeFileSync(join(dir, 'spin.c'), SPINNER);
    execFileSync('gcc', ['-O1', '-g', '-fno-omit-frame-pointer', '-o', join(dir, 'spin'), join(dir, 'spin.c')]);
    const spinner = spawn(join(dir, 'spin'), { stdio: 'ignore' });
    const tool = await startBpftrace('stacks', `profile:hz:99 /pid == ${spinner.pid}/ { @ustacks[ustack] = count(); }`);
    try {
      const maps = await bpftoolJson<Array<{ id: number; type: string }>>(['map', 'show']);
      const stackMap = maps.find((m) => tool.mapIds.includes(m.id) && m.type === 'stack_trace');
      expect(stackMap, 'bpftrace\'s stack map').toBeDefined();
      let spun: View['stacks'] = [];
      let view: View | undefined;
      for (let tries = 0; tries < 50 && spun.length === 0; tries++) {
        await new Promise((r) => setTimeout(r, 200));
        view = await stacks([String(stackMap!.id)]);
        spun = view.stacks.filter((st) => st.pid === spinner.pid);
      }
      expect(view!.notes.some((n) => /pids from the keys of map \d+ \(AT_ustacks\) \(bpftrace's stack id and pid in one u64\)/.test(n)), view!.notes.join('; ')).toBe(true);
      expect(spun.length, 'a stack of the spinner').toBeGreaterThan(0);
      for (const stack of spun) {
        const [first] = stack.frames;
        expect(first).toMatchObject({ kernel: false, module: 'spin', symbol: expect.stringMatching(/^bpfscope_spin_here\+0x[0-9a-f]+$/) });
        for (const frame of stack.frames.filter((f) => f.symbol && !f.kernel)) {
          expect(frame.symbol!.replace(/\+0x[0-9a-f]+$/, ''), frame.address).toBe(addr2line(spinner.pid!, BigInt(frame.address)).name);
        }
      }
      // bpftrace prints its maps when interrupted: the spinner's stack, named by bpftrace, and
      // every frame we name is one bpftrace names alike (it prints offsets in decimal).
      tool.child.kill('SIGINT');
      await new Promise((r) => tool.child.once('exit', r));
      expect(tool.stdout()).toMatch(/@ustacks\[\n(?:\s+\S+\n)*?\s+bpfscope_spin_here\+\d+\n/);
      const theirs = new Set([...tool.stdout().matchAll(/^\s+(\S+)\+(\d+)$/gm)].map((m) => `${m[1]}+${m[2]}`));
      const ours = spun.flatMap((st) => st.frames.flatMap((f) => {
        const m = f.symbol === undefined ? null : /^(.*)\+0x([0-9a-f]+)$/.exec(f.symbol);
        return m ? [`${m[1]}+${parseInt(m[2]!, 16)}`] : [];
      }));
      expect(ours.length).toBeGreaterThan(0);
      expect(ours.filter((frame) => !theirs.has(frame)), 'frames bpftrace names otherwise').toEqual([]);
    } finally {
      tool.child.kill('SIGKILL');
      spinner.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
