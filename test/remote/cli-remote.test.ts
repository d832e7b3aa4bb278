// The `bpfscope` command over SSH gives what it gives locally, and several hosts answer
// side by side (`--host a,b`) with program drift flagged.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { sshHome, startSshd, type TestSshd } from '../helpers/sshd.js';
import { bpfscope, parseJsonExact } from '../helpers/cli.js';
import { agentTestProblem } from './requirements.js';

const problem = agentTestProblem(true);

type Obj = Record<string, unknown> & { id: number };

describe.skipIf(problem)(`bpfscope --host over loopback sshd${problem ? ` (skipped: ${problem})` : ''}`, { timeout: 180_000 }, () => {
  let sshd: TestSshd;
  let fixtures: LoadedFixtures;
  let env: string[];

  beforeAll(async () => {
    sshd = await startSshd();
    fixtures = await startFixtures({ only: ['maps', 'tracing'] });
    const home = sshHome(sshd, 'box');
    env = ['env', '-u', 'SSH_AUTH_SOCK', `HOME=${home}`];
  });
  afterAll(async () => {
    await fixtures?.stop();
    await sshd?.stop();
  });

  /** Drops what two reads a moment apart may differ in. */
  const stable = (list: Obj[]): Obj[] => list.map(({ loaded_at: _l, run_time_ns: _r, run_cnt: _c, ...rest }) => rest as Obj);

  for (const kind of ['progs', 'maps', 'links'] as const) {
    it(`ls ${kind} --json over SSH equals the local listing`, async () => {
      // Other processes (other test files, run alongside) may load or unload objects, or hold
      // one's fd for a moment, between the two reads: a difference must last five tries in a row.
      for (let attempt = 1; ; attempt++) {
        const remote = await bpfscope(['ls', kind, '--json', '--host', 'box'], env);
        expect(remote.stderr).toBe('');
        const local = await bpfscope(['ls', kind, '--json'], env);
        const [r, l] = [stable(parseJsonExact<Obj[]>(remote.stdout)), stable(parseJsonExact<Obj[]>(local.stdout))];
        if (attempt === 5 || JSON.stringify(r) === JSON.stringify(l)) {
          expect(r).toEqual(l);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
  }

  it('dumps a fixture map over SSH exactly as locally', async () => {
    for (const name of ['hash_map', 'percpu_hash', 'array_map']) {
      const id = String(fixtures.map(name).id);
      const remote = await bpfscope(['dump', 'map', id, '--json', '--host', 'box'], env);
      expect(remote.code, remote.stderr).toBe(0);
      const local = await bpfscope(['dump', 'map', id, '--json'], env);
      expect(remote.stdout).toBe(local.stdout);
    }
  });

  it('dumps maps whose slots refuse lookups over SSH as locally and as bpftool, text and --json', async () => {
    for (const name of ['xsk_slots', 'dev_slots', 'jump_table', 'perf_events']) {
      const id = String(fixtures.map(name).id);
      for (const mode of [[], ['--json']]) {
        const remote = await bpfscope(['dump', 'map', id, ...mode, '--host', 'box'], env);
        expect(remote.code, remote.stderr).toBe(0);
        expect(remote.stdout, `${name} ${mode.join(' ')} local`).toBe((await bpfscope(['dump', 'map', id, ...mode], env)).stdout);
        const peer = spawnSync('bpftool', ['map', 'dump', 'id', id, ...(mode.length ? ['-j'] : [])], { encoding: 'utf8' });
        expect(remote.stdout, `${name} ${mode.join(' ')} bpftool`).toBe(peer.stdout);
      }
    }
  });

  it('lists a fixture program over SSH exactly as locally', async () => {
    for (const name of ['count_getpid', 'emit_getppid']) {
      const id = String(fixtures.program(name).id);
      for (const mode of [[], ['--json'], ['--cfg']]) {
        const remote = await bpfscope(['dump', 'prog', id, ...mode, '--host', 'box'], env);
        expect(remote.code, remote.stderr).toBe(0);
        const local = await bpfscope(['dump', 'prog', id, ...mode], env);
        expect(remote.stdout, `${name} ${mode.join(' ')}`).toBe(local.stdout);
      }
      // Found by name in the remote host's listing, the same program.
      const byName = await bpfscope(['dump', 'prog', 'name', name, '--host', 'box'], env);
      expect(byName.code, byName.stderr).toBe(0);
      expect(byName.stdout, `${name} by name`).toBe((await bpfscope(['dump', 'prog', id], env)).stdout);
    }
  });

  it('finds an object by its pin over SSH (the agent opens the pin), and says when nothing is pinned there', async () => {
    const pin = `/sys/fs/bpf/bpfscope-remote-pin-${process.pid}`;
    const id = String(fixtures.program('count_getpid').id);
    expect(spawnSync('bpftool', ['prog', 'pin', 'id', id, pin]).status).toBe(0);
    try {
      const remote = await bpfscope(['show', 'prog', 'pinned', pin, '--host', 'box'], env);
      expect(remote.code, remote.stderr).toBe(0);
      expect(remote.stdout).toBe((await bpfscope(['show', 'prog', id], env)).stdout);
      const none = await bpfscope(['show', 'map', 'pinned', `${pin}-none`, '--host', 'box'], env);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/^bpfscope: nothing is pinned at \S+-none on \S+/);
    } finally {
      spawnSync('rm', ['-f', pin]);
    }
  });

  it('summaries, the host graph and stacks over SSH equal the local ones', async () => {
    interface Summary { runs_on: unknown[]; held_by: Array<{ pid: number; command_line?: string; place?: string }>; reads: unknown[]; writes: unknown[]; emits: unknown[]; jumps: unknown[]; untracked: unknown[] }
    const pid = fixtures.report.pid;
    // What does not move between two reads: where it runs, the loader holding it (its command line and place), its maps.
    const steady = (s: Summary) => ({ ...s, held_by: s.held_by.filter((h) => h.pid === pid), sentence: undefined, facts: undefined, busy: undefined });
    for (const name of ['count_getpid', 'emit_getppid', 'tail_a']) {
      const id = String(fixtures.program(name).id);
      const remote = await bpfscope(['show', 'prog', id, '--json', '--host', 'box'], env);
      expect(remote.code, remote.stderr).toBe(0);
      const local = await bpfscope(['show', 'prog', id, '--json'], env);
      const [r, l] = [JSON.parse(remote.stdout) as { summary: Summary }, JSON.parse(local.stdout) as { summary: Summary }];
      expect(steady(r.summary), name).toEqual(steady(l.summary));
      expect(r.summary.held_by.find((h) => h.pid === pid)?.command_line, name).toMatch(/bpfscope-fixtures/);
    }
    type Graph = { nodes: Array<{ id: string }>; edges: Array<{ from: string; to: string; access: string[] }> };
    // Processes come and go between two reads (the agent itself holds what it reads): objects, attach points and their edges.
    const objects = (g: Graph) => ({
      nodes: g.nodes.map((n) => n.id).filter((id) => !id.startsWith('proc:')).sort(),
      edges: g.edges.filter((e) => !e.from.startsWith('proc:')).map((e) => `${e.from}>${e.to} ${e.access.join(',')}`).sort(),
    });
    for (let attempt = 1; ; attempt++) {
      const remote = await bpfscope(['graph', '--json', '--host', 'box'], env);
      expect(remote.code, remote.stderr).toBe(0);
      const [r, l] = [objects(JSON.parse(remote.stdout) as Graph), objects(JSON.parse((await bpfscope(['graph', '--json'], env)).stdout) as Graph)];
      if (JSON.stringify(r.nodes) === JSON.stringify(l.nodes) || attempt === 3) {
        expect(r).toEqual(l);
        break;
      }
    }
    await fixtures.trigger('getppid', 3);
    const stackMap = String(fixtures.map('user_stacks').id);
    const remote = await bpfscope(['stacks', stackMap, '--json', '--host', 'box'], env);
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stdout).toBe((await bpfscope(['stacks', stackMap, '--json'], env)).stdout);
  });

  it('answers for several hosts side by side, a failing host beside the others', async () => {
    const result = await bpfscope(['ls', 'progs', '--json', '--host', 'local,box,nosuchhost.invalid'], env);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as { hosts: Record<string, unknown>; drift: unknown[] };
    expect(Object.keys(parsed.hosts)).toEqual(['local', 'box', 'nosuchhost.invalid']);
    expect(Array.isArray(parsed.hosts.local)).toBe(true);
    expect((parsed.hosts.box as Obj[]).map((p) => p.id)).toEqual((parsed.hosts.local as Obj[]).map((p) => p.id));
    expect(parsed.hosts['nosuchhost.invalid']).toMatchObject({ error: expect.stringMatching(/nosuchhost\.invalid/) });
    // The same kernel seen twice: no program differs.
    expect(parsed.drift).toEqual([]);
  });

  it('refuses a host whose key is unknown, without a terminal to ask', async () => {
    const home = join(sshd.dir, 'stranger');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config'), sshd.sshConfig('box'));
    const result = await bpfscope(['ls', 'progs', '--host', 'box'], ['env', '-u', 'SSH_AUTH_SOCK', `HOME=${home}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/host key/i);
  });
});
