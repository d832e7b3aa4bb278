// `bpfscope top` end to end (needs `npx tsc -p tsconfig.json`): the --json sample against
// the loaded fixtures and bpftool's list, and the refreshing table stopped by SIGINT.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, bpfscope, bpftoolJson } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();

interface TopJson {
  host: string;
  intervalMs: number;
  onlineCpus: number;
  stats: { on: boolean; heldByUs: boolean; holders: Array<{ pid: number; self: boolean }>; cost: { perRunNs: { bareMetal: number; measuredVm: number }; text: string } };
  totals: { programs: number; eventsPerSec: number; cpuPercent: number };
  programs: Array<{ id: number; name: string; type: string; eventsPerSec: number; cpuPercent: number; owners: Array<{ pid: number }> }>;
}

describe.skipIf(skip !== undefined)(`bpfscope top${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let fixtures: LoadedFixtures;

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps'] });
  });

  afterAll(async () => {
    await fixtures?.stop();
  });

  it('--json samples every loaded program once, sorted, with the stats holders and cost', async () => {
    const result = await bpfscope(['top', '--json', '--interval', '0.25']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const top = JSON.parse(result.stdout) as TopJson;
    expect(top.host).toBe('local');
    expect(top.intervalMs).toBeGreaterThanOrEqual(200);
    expect(top.stats).toMatchObject({ on: true, heldByUs: true, cost: { perRunNs: { bareMetal: 20, measuredVm: 85 } } });
    expect(top.stats.holders.some((h) => h.self)).toBe(true);
    const ids = new Set(top.programs.map((p) => p.id));
    for (const prog of fixtures.report.programs) expect(ids, prog.name).toContain(prog.id);
    // Every program bpftool still lists and that existed at our baseline (ids only grow) is ours too.
    const peer = await bpftoolJson<Array<{ id: number }>>(['prog', 'show']);
    const newestSampled = Math.max(...top.programs.map((p) => p.id));
    for (const p of peer) if (p.id <= newestSampled) expect(ids.has(p.id), `prog ${p.id}`).toBe(true);
    const getpid = top.programs.find((p) => p.id === fixtures.program('count_getpid').id)!;
    expect(getpid).toMatchObject({ name: 'count_getpid', type: 'tracepoint' });
    expect(getpid.owners.map((o) => o.pid)).toContain(fixtures.report.pid);
    for (let i = 1; i < top.programs.length; i++) expect(top.programs[i - 1]!.cpuPercent).toBeGreaterThanOrEqual(top.programs[i]!.cpuPercent);
  });

  it('--sort name orders by name (unnamed first), then id', async () => {
    const top = JSON.parse((await bpfscope(['top', '--json', '--interval', '0.25', '--sort', 'name'])).stdout) as TopJson;
    const names = top.programs.map((p) => p.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('refreshes a table until interrupted, then releases stats and exits 0', async () => {
    const child = spawn(process.execPath, [BIN, 'top', '--interval', '0.25', '--sort', 'events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    for (let i = 0; i < 100 && (out.match(/EVENTS\/S/g) ?? []).length < 2; i++) {
      await fixtures.trigger('getpid', 1000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const tables = out.split('bpfscope top — ').slice(1);
    expect(tables.length).toBeGreaterThanOrEqual(2);
    expect(tables[0]).toMatch(/^local — \d+ programs, \d+ CPUs, every 0\.\d\d s, sorted by events/);
    expect(tables[1]).toMatch(/ID\s+TYPE\s+NAME\s+EVENTS\/S\s+AVG NS\s+CPU %\s+OWNERS/);
    expect(tables[1]).toMatch(new RegExp(`\\b${fixtures.program('count_getpid').id}\\s+tracepoint\\s+count_getpid\\s+\\d+`));
    expect(tables[1]).toContain('run statistics are on host-wide');
  });

  it('refuses bad --interval and --sort values', async () => {
    expect(await bpfscope(['top', '--interval', '0.1'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--interval 0.1') });
    expect(await bpfscope(['top', '--sort', 'size'])).toMatchObject({ code: 2, stderr: expect.stringContaining('one of cpu, events, avg, name') });
  });
});
