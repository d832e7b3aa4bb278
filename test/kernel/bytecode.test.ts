// `bpfscope dump prog ID` against `bpftool prog dump xlated id ID` (plain, linum, opcodes)
// for every loaded program, the fixtures' and the machine's own.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtures, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { loadBigProgram } from '../helpers/big-program.js';
import { bpfscope, bpftoolJson, runCommand } from '../helpers/cli.js';
import { asBpftool71, expectBpftoolListingJson } from '../helpers/bpftool-compare.js';
import { expectJitTextLikeObjdump, jitImageOf } from '../helpers/objdump.js';

const skip = ensureKernelEnv();
let fixtures: LoadedFixtures;

describe.skipIf(skip)('dump prog matches bpftool prog dump xlated', () => {
  beforeAll(async () => {
    buildFixtures();
    fixtures = await startFixtures();
  });
  afterAll(async () => {
    await fixtures?.stop();
  });

  it('prints every fixture program line for line as bpftool, plain, linum and opcodes, text and JSON, and its JIT image as objdump', async () => {
    const withSource = fixtures.report.programs;
    expect(withSource.length).toBeGreaterThan(20);
    let sourceLines = 0;
    let jitLines = 0;
    for (const p of withSource) {
      for (const mode of [[], ['linum'], ['opcodes']]) {
        const ours = await bpfscope(['dump', 'prog', String(p.id), ...mode.map((m) => `--${m}`)]);
        expect(ours.code, `${p.name}: ${ours.stderr}`).toBe(0);
        const theirs = await runCommand('bpftool', ['prog', 'dump', 'xlated', 'id', String(p.id), ...mode]);
        expect(asBpftool71(ours.stdout), `${p.name} ${mode.join(' ')}`).toBe(theirs.stdout);
        sourceLines += (ours.stdout.match(/^; /gm) ?? []).length;
        const json = await bpfscope(['dump', 'prog', String(p.id), '--json', ...mode.map((m) => `--${m}`)]);
        expectBpftoolListingJson(JSON.parse(json.stdout) as object[], await bpftoolJson<object[]>(['prog', 'dump', 'xlated', 'id', String(p.id), ...mode]), `${p.name} --json ${mode.join(' ')}`);
      }
      // The JIT image as GNU objdump reads its bytes, line for line.
      const { image, ksyms, funcLens } = jitImageOf(p.id);
      if (image.length === 0) continue;
      const jited = await bpfscope(['dump', 'prog', String(p.id), '--jited', '--opcodes']);
      expect(jited.code, `${p.name}: ${jited.stderr}`).toBe(0);
      jitLines += expectJitTextLikeObjdump(jited.stdout, image, ksyms, funcLens, p.name);
    }
    expect(jitLines).toBeGreaterThan(500);
    // The fixtures carry BTF line info: the listings must show their C source.
    expect(sourceLines).toBeGreaterThan(100);
  }, 600_000);

  it('names bpf-to-bpf calls as kallsyms lists them, and as bpftool does when kallsyms hides BPF functions', async () => {
    const dump = async (id: number) => ({ ours: await bpfscope(['dump', 'prog', String(id)]), theirs: await runCommand('bpftool', ['prog', 'dump', 'xlated', 'id', String(id)]) });
    const sysctl = '/proc/sys/net/core/bpf_jit_kallsyms';
    const listed = readFileSync(sysctl, 'utf8').trim();
    const work = mkdtempSync(join(tmpdir(), 'bpfscope-subprogs-'));
    const chain = loadBigProgram(work, '/sys/fs/bpf/bpfscope-test-subprogs', 4, 3, true);
    try {
      const calling = [chain.id];
      for (const p of fixtures.report.programs) {
        if (/call pc[+-]\d+#bpf_prog_/.test((await dump(p.id)).theirs.stdout)) calling.push(p.id);
      }
      // Our names come from the programs' tags and BTF, without kallsyms: each is the kernel's own.
      const kallsyms = readFileSync('/proc/kallsyms', 'utf8');
      for (const id of calling) {
        const { ours, theirs } = await dump(id);
        expect(asBpftool71(ours.stdout), `prog ${id}`).toBe(theirs.stdout);
        const symbols = [...ours.stdout.matchAll(/call pc[+-]\d+#(\S+)/g)].map((m) => m[1]!);
        expect(symbols.length, `prog ${id}`).toBeGreaterThan(0);
        for (const symbol of symbols) expect(kallsyms, `prog ${id}`).toContain(` ${symbol}\t[bpf]`);
      }
      writeFileSync(sysctl, '0');
      for (const id of calling) {
        const { ours, theirs } = await dump(id);
        expect(theirs.stdout, `prog ${id}`).toMatch(/call pc[+-]\d+#0x[0-9a-f]+/);
        expect(asBpftool71(ours.stdout), `prog ${id}`).toBe(theirs.stdout);
      }
    } finally {
      writeFileSync(sysctl, listed);
      chain.unload();
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);

  it('prints every other loaded program as bpftool does', async () => {
    const ours = new Set(fixtures.report.programs.map((p) => p.id));
    const others = (await bpftoolJson<Array<{ id: number }>>(['prog', 'show'])).filter((p) => !ours.has(p.id)).slice(0, 40);
    for (const { id } of others) {
      const theirs = await runCommand('bpftool', ['prog', 'dump', 'xlated', 'id', String(id)]);
      if (theirs.code !== 0) continue; // gone meanwhile
      const mine = await bpfscope(['dump', 'prog', String(id)]);
      if (mine.code !== 0 && /not loaded/.test(mine.stderr)) continue;
      expect(asBpftool71(mine.stdout), `prog ${id}`).toBe(theirs.stdout);
    }
  }, 300_000);

  it('gives bpftool\'s JSON (plain, linum, opcodes; --json or -j) followed by ours, the CFG as DOT and the JIT as x86-64', async () => {
    const prog = fixtures.program('count_getpid');
    for (const options of [[], ['linum'], ['opcodes']]) {
      const json = JSON.parse((await bpfscope(['dump', 'prog', String(prog.id), '--json', ...options.map((o) => `--${o}`)])).stdout) as object[];
      expectBpftoolListingJson(json, await bpftoolJson<object[]>(['prog', 'dump', 'xlated', 'id', String(prog.id), ...options]), `count_getpid ${options.join(' ')}`);
      if (options[0] === 'linum') expect(json.some((e) => 'line_num' in e)).toBe(true);
    }
    // bpftool's -j is ours too.
    expect((await bpfscope(['dump', 'prog', String(prog.id), '-j'])).stdout).toBe((await bpfscope(['dump', 'prog', String(prog.id), '--json'])).stdout);
    const dot = await bpfscope(['dump', 'prog', String(prog.id), '--cfg']);
    expect(dot.stdout).toMatch(/^digraph /);
    expect(dot.stdout).toMatch(/->/);
    const jited = await bpfscope(['dump', 'prog', String(prog.id), '--jited']);
    expect(jited.code, jited.stderr).toBe(0);
    expect(jited.stdout).toMatch(/^bpf_prog_[0-9a-f]{16}_count_getpid:$/m);
    expect(jited.stdout).toMatch(/^\s+0:\tnopl/m);
  });

  it('says so for a program that is not loaded', async () => {
    const result = await bpfscope(['dump', 'prog', '4294967295']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/prog 4294967295: not loaded on local/);
  });
});
