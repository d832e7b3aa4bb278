// A snapshot taken from a remote host over SSH (the loopback test sshd, a ~/.ssh/config alias)
// reopens offline with the listings the remote host gave at that moment.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotHost } from '../../main/hosts/snapshot-host.js';
import { bpfscope, parseJsonExact } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { sshHome, startSshd, type TestSshd } from '../helpers/sshd.js';
import { agentTestProblem } from './requirements.js';

const problem = agentTestProblem(true);
const KINDS = ['progs', 'maps', 'links'] as const;

type Obj = Record<string, unknown> & { id: number };
/** Run statistics move whenever anything on the machine enables stats: live counters, not state. */
const VOLATILE = /"(run_time_ns|run_cnt|recursion_misses)":\d+,?/g;
const parse = (json: string): Obj[] => parseJsonExact<Obj[]>(json);
/** The listing restricted to `ids`, without the live counters. */
const stable = (list: Obj[], ids: Set<number>): string => JSON.stringify(list.filter((o) => ids.has(o.id))).replace(VOLATILE, '');

describe.skipIf(problem)(`bpfscope snapshot --host over loopback sshd${problem ? ` (skipped: ${problem})` : ''}`, () => {
  let sshd: TestSshd;
  let fixtures: LoadedFixtures;
  let env: string[];
  let file: string;
  const remote = new Map<string, { list: Obj[]; ids: Set<number> }>();

  beforeAll(async () => {
    sshd = await startSshd();
    fixtures = await startFixtures({ only: ['maps', 'tracing'] });
    const home = sshHome(sshd, 'box');
    env = ['env', '-u', 'SSH_AUTH_SOCK', `HOME=${home}`];
    file = join(sshd.dir, 'box.bpfsnap');
    // Other processes on this machine load and unload objects all the time (and ids are never
    // reused soon): what both remote listings, before and after the snapshot, saw was there
    // at that moment, and the snapshot must hold it exactly as the later listing shows it.
    const before = new Map<string, Obj[]>();
    for (const kind of KINDS) {
      const r = await bpfscope(['ls', kind, '--json', '--host', 'box'], env);
      expect(r.code, r.stderr).toBe(0);
      before.set(kind, parse(r.stdout));
    }
    const snap = await bpfscope(['snapshot', '--host', 'box', '-o', file], env);
    expect(snap.code, snap.stderr).toBe(0);
    expect(snap.stderr).toMatch(/^snapshot: done: box: \d+ programs/m);
    for (const kind of KINDS) {
      const r = await bpfscope(['ls', kind, '--json', '--host', 'box'], env);
      expect(r.code, r.stderr).toBe(0);
      const after = parse(r.stdout);
      const seen = new Set(before.get(kind)!.map((o) => o.id));
      remote.set(kind, { list: after, ids: new Set(after.map((o) => o.id).filter((id) => seen.has(id))) });
    }
  }, 240_000);

  afterAll(async () => {
    await fixtures?.stop();
    await sshd?.stop();
  });

  for (const kind of KINDS) {
    it(`ls ${kind} --json on the snapshot equals the remote host's listing at that moment`, async () => {
      const offline = await bpfscope(['ls', kind, '--json', '--host', `snapshot:${file}`], env);
      expect(offline.stderr).toBe('');
      expect(offline.code).toBe(0);
      const { list, ids } = remote.get(kind)!;
      const fixtureIds = kind === 'progs' ? fixtures.report.programs : kind === 'maps' ? fixtures.report.maps : fixtures.report.links;
      for (const { id } of fixtureIds) expect(ids.has(id), `fixture ${kind} ${id}`).toBe(true);
      expect(stable(parse(offline.stdout), ids)).toBe(stable(list, ids));
    });
  }

  it('records who it was taken from and the remote maps contents', async () => {
    const host = await SnapshotHost.open(file);
    expect(host.manifest.host.label).toBe('box');
    expect(host.manifest.host.kernelRelease).toMatch(/^\d+\.\d+/);
    const id = String(fixtures.map('hash_map').id);
    expect(host.manifest.mapContents[id]).toMatchObject({ complete: true, state: 'done' });
    const offline = await bpfscope(['dump', 'map', id, '--json', '--host', `snapshot:${file}`], env);
    expect(offline.code, offline.stderr).toBe(0);
    const live = await bpfscope(['dump', 'map', id, '--json', '--host', 'box'], env);
    expect(offline.stdout).toBe(live.stdout);
  });

  it('lists a fixture program from the snapshot as the remote host does', async () => {
    const id = String(fixtures.program('count_getpid').id);
    const offline = await bpfscope(['dump', 'prog', id, '--host', `snapshot:${file}`], env);
    expect(offline.code, offline.stderr).toBe(0);
    const live = await bpfscope(['dump', 'prog', id, '--host', 'box'], env);
    expect(offline.stdout).toBe(live.stdout);
  });
});
