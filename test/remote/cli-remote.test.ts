// The `bpfscope` command over SSH gives what it gives locally, and several hosts answer
// side by side (`--host a,b`) with program drift flagged.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
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
    // A home of its own: ~/.ssh/config with the alias, known_hosts with the test host key.
    const home = join(sshd.dir, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config'), sshd.sshConfig('box'));
    copyFileSync(sshd.knownHostsFile, join(home, '.ssh', 'known_hosts'));
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
      // Other processes may load or unload objects between the two reads: retry until
      // both saw the same ids, then everything must be equal.
      for (let attempt = 1; ; attempt++) {
        const remote = await bpfscope(['ls', kind, '--json', '--host', 'box'], env);
        expect(remote.stderr).toBe('');
        const local = await bpfscope(['ls', kind, '--json'], env);
        const [r, l] = [stable(parseJsonExact<Obj[]>(remote.stdout)), stable(parseJsonExact<Obj[]>(local.stdout))];
        const sameIds = JSON.stringify(r.map((o) => o.id)) === JSON.stringify(l.map((o) => o.id));
        if (sameIds || attempt === 3) {
          expect(r).toEqual(l);
          break;
        }
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
    }
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
