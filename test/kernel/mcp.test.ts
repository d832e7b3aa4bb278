// `bpfscope mcp` driven by the MCP SDK's own client over stdio, against the loaded
// fixtures: every tool answers with what `bpfscope … --json` prints (the CLI is the
// reference here; the CLI itself is checked against bpftool elsewhere), page by page,
// within the bounds it promises, and refuses what it must.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN, bpfscope } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { startMcp, type McpSession } from '../helpers/mcp-client.js';

const skip = ensureKernelEnv();
const MAX_ANSWER_BYTES = 256 << 10;

type Obj = Record<string, unknown> & { id: number };

/** What two reads a moment apart may differ in: run statistics (the summary's too) and owners. */
function stable<T extends Record<string, unknown>>(o: T): Record<string, unknown> {
  const { run_time_ns: _t, run_cnt: _c, recursion_misses: _r, pids: _p, summary, ...rest } = o;
  if (summary === undefined) return rest;
  const { busy: _b, sentence: _s, ...still } = summary as Record<string, unknown>;
  return { ...rest, summary: still };
}

async function cliJson<T>(args: string[]): Promise<T> {
  const result = await bpfscope([...args, '--json']);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as T;
}

describe.skipIf(skip !== undefined)(`bpfscope mcp${skip ? ` (skipped: ${skip})` : ''}`, { timeout: 180_000 }, () => {
  let fixtures: LoadedFixtures;
  let mcp: McpSession;

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps', 'big'], bigHash: 3000 });
    mcp = await startMcp();
  });

  afterAll(async () => {
    await mcp?.close();
    await fixtures?.stop();
  });

  it('offers the eight read-only tools, each with an optional host among those it was started with', async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['dump_map', 'dump_program', 'list_links', 'list_maps', 'list_programs', 'show_map', 'show_program', 'top']);
    for (const tool of tools) {
      expect(tool.annotations, tool.name).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      expect(tool.inputSchema.properties?.host, tool.name).toMatchObject({ enum: ['local'] });
      expect(tool.inputSchema.required ?? [], tool.name).not.toContain('host');
    }
  });

  for (const [tool, kind] of [['list_programs', 'progs'], ['list_maps', 'maps'], ['list_links', 'links']] as const) {
    it(`${tool}, page by page, lists what ls ${kind} --json lists`, async () => {
      // Other processes may load or unload objects between the two reads: retry until both
      // saw the same ids, then every object must be equal.
      for (let attempt = 1; ; attempt++) {
        const listed = await mcp.pages<Obj>(tool, { limit: 50 }, 'items');
        const cli = await cliJson<Obj[]>(['ls', kind]);
        if (attempt === 3 || JSON.stringify(listed.map((o) => o.id)) === JSON.stringify(cli.map((o) => o.id))) {
          expect(listed.map(stable)).toEqual(cli.map(stable));
          break;
        }
      }
    });
  }

  it('show_program and show_map answer as show prog|map ID --json, attach points included', async () => {
    const prog = fixtures.program('count_getpid');
    const shown = JSON.parse((await mcp.call('show_program', { id: prog.id })).text) as Obj;
    expect(stable(shown)).toEqual(stable(await cliJson<Obj>(['show', 'prog', String(prog.id)])));
    expect(shown.attach_points).toEqual([expect.objectContaining({ mechanism: 'link', kind: 'tracepoint', target: 'sys_enter_getpid' })]);
    for (const name of ['hash_map', 'ring', 'percpu_hash']) {
      const map = fixtures.map(name);
      expect(JSON.parse((await mcp.call('show_map', { id: map.id })).text)).toEqual(await cliJson(['show', 'map', String(map.id)]));
    }
  });

  it('dump_program pages add up to dump prog ID --json, with --linum and --opcodes', async () => {
    const prog = fixtures.program('count_getpid');
    for (const flags of [{}, { linum: true }, { opcodes: true }]) {
      const insns = await mcp.pages('dump_program', { id: prog.id, limit: 7, ...flags }, 'insns');
      const cli = await cliJson<unknown[]>(['dump', 'prog', String(prog.id), ...Object.keys(flags).map((f) => `--${f}`)]);
      expect(insns, JSON.stringify(flags)).toEqual(cli);
    }
  });

  it('dump_map pages add up to dump map ID --json, for plain, per-CPU, special and large maps', async () => {
    for (const name of ['hash_map', 'percpu_hash', 'array_map', 'lpm_trie', 'jump_table', 'ring', 'big_hash']) {
      const map = fixtures.map(name);
      const entries = await mcp.pages('dump_map', { id: map.id, limit: 37 }, 'entries');
      expect(entries, name).toEqual(await cliJson<unknown[]>(['dump', 'map', String(map.id)]));
    }
  });

  it(`bounds every answer: limits are checked, and a page stops at ${MAX_ANSWER_BYTES} bytes saying where to go on`, async () => {
    const big = fixtures.map('big_hash');
    const answer = await mcp.call('dump_map', { id: big.id, limit: 1000 });
    const page = JSON.parse(answer.text) as { entries: unknown[]; next_offset?: number };
    expect(answer.text.length).toBeLessThanOrEqual(MAX_ANSWER_BYTES + 1024);
    expect(page.entries.length).toBeGreaterThan(0);
    expect(page.entries.length).toBeLessThan(1000);
    expect(page.next_offset).toBe(page.entries.length);
    const refused = await mcp.call('dump_map', { id: big.id, limit: 100_000 });
    expect(refused).toMatchObject({ isError: true, text: expect.stringContaining('limit') });
    const insns = await mcp.call('dump_program', { id: fixtures.program('count_getpid').id, limit: 5000 });
    expect(insns.isError).toBe(true);
  });

  it('top samples run statistics over the interval and lists the busiest programs first, within the limit', async () => {
    const prog = fixtures.program('count_getpid');
    const [answer] = await Promise.all([mcp.call('top', { interval_ms: 1000, sort: 'events', limit: 200 }), fixtures.trigger('getpid', 200_000)]);
    type Top = { host: string; programs: Array<{ id: number; eventsPerSec: number }>; programs_total: number; stats: { heldByUs: boolean } };
    const top = JSON.parse(answer.text) as Top;
    expect(top.host).toBe('local');
    expect(top.stats.heldByUs).toBe(true);
    expect(top.programs_total).toBeGreaterThanOrEqual(fixtures.report.programs.length);
    expect(top.programs).toHaveLength(Math.min(200, top.programs_total));
    for (let i = 1; i < top.programs.length; i++) expect(top.programs[i - 1]!.eventsPerSec).toBeGreaterThanOrEqual(top.programs[i]!.eventsPerSec);
    // Every getpid runs it: it is among the busiest.
    expect(top.programs.find((p) => p.id === prog.id)?.eventsPerSec).toBeGreaterThan(0);
    const few = JSON.parse((await mcp.call('top', { interval_ms: 250, limit: 3 })).text) as Top;
    expect(few.programs).toHaveLength(Math.min(3, few.programs_total));
  });

  it('answers a missing object or a host it was not given with an error, and goes on serving', async () => {
    expect(await mcp.call('show_program', { id: 0x7ffffffe })).toEqual({ isError: true, text: `EGONE: prog ${0x7ffffffe}: not loaded on local` });
    expect(await mcp.call('dump_map', { id: 0x7ffffffe })).toEqual({ isError: true, text: `EGONE: map ${0x7ffffffe}: not loaded on local` });
    expect(await mcp.call('dump_program', { id: 0x7ffffffe })).toEqual({ isError: true, text: `EGONE: prog ${0x7ffffffe}: not loaded on local` });
    expect(await mcp.call('list_maps', { host: 'user@elsewhere' })).toMatchObject({ isError: true, text: expect.stringContaining('host') });
    expect((await mcp.call('list_maps', { limit: 1 })).isError).toBe(false);
  });

  it('exits by itself, with 0, when its client closes stdin', async () => {
    const child = spawn(process.execPath, [BIN, 'mcp'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    expect(await exited).toBe(0);
    clearTimeout(timer);
  });
});

