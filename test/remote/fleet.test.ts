// Many hosts at once over a real sshd (the same server under 48 aliases, as a
// test user with /bin/sh and sudo -n), plus a refusing and a hung "host":
// failures stay on their member, per-host timeouts hold, and after an agent
// is killed its host reconnects with map readers reopened and stats retaken.
import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBinaryFor } from '../../main/hosts/agent-binary.js';
import { Fleet } from '../../main/hosts/fleet.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { SshHost } from '../../main/hosts/ssh-host.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { agentTestProblem } from './requirements.js';
import { createTestUser, testUserProblem, type TestUser } from './test-user.js';

function findProblem(): string | undefined {
  const problem = agentTestProblem(true) ?? testUserProblem();
  if (problem && process.env.CI === 'true') throw new Error(`fleet test environment: ${problem}`);
  return problem;
}
const problem = findProblem();
// 48 reachable hosts plus a refused and a hung one: the 50 the issue asks for.
const ALIASES = Array.from({ length: 48 }, (_, i) => `box${i + 1}`);

function until(check: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => (check() ? resolve() : Date.now() - t0 > ms ? reject(new Error('condition not met in time')) : setTimeout(tick, 50));
    tick();
  });
}

describe.skipIf(problem)(`Fleet of SSH hosts${problem ? ` (skipped: ${problem})` : ''}`, () => {
  let sshd: TestSshd;
  let user: TestUser;
  let fixtures: LoadedFixtures;
  let silent: Server;
  const sockets: Socket[] = [];
  let configText = '';

  beforeAll(async () => {
    sshd = await startSshd('MaxStartups 100\nMaxSessions 100');
    chmodSync(sshd.dir, 0o755);
    chmodSync(join(sshd.dir, 'authorized_keys'), 0o644);
    user = createTestUser('fleet');
    user.allowSudo([`${user.home}/.cache/bpfscope/agent-x86_64-${(await agentBinaryFor('x86_64')).sha256.slice(0, 16)}`]);
    // Accepts and never speaks: a hung host.
    silent = createServer((s) => {
      // The client gives up on the hung host by resetting the connection: expected here.
      s.on('error', () => {});
      sockets.push(s);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as { port: number }).port;
    configText = [
      ...ALIASES.map((a) => sshd.sshConfig(a, user.name)),
      sshd.sshConfig('refused', user.name).replace(`Port ${sshd.port}`, 'Port 1'),
      sshd.sshConfig('hung', user.name).replace(`Port ${sshd.port}`, `Port ${silentPort}`),
    ].join('');
    fixtures = await startFixtures({ only: ['maps'] });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    silent?.close();
    await fixtures?.stop();
    await sshd?.stop();
    user?.remove();
  });

  const options = () => ({ configText, knownHostsFiles: [sshd.knownHostsFile], agentSocket: null, home: sshd.dir, connectTimeoutMs: 8000, readyTimeoutMs: 60_000 });

  it('connects 50 hosts at once; a refused and a hung host fail alone, within their timeouts', async () => {
    await (await SshHost.connect('box1', options())).close(); // the upload, once
    const t0 = performance.now();
    const fleet = await Fleet.connect([...ALIASES, 'refused', 'hung'], options());
    const elapsed = performance.now() - t0;
    try {
      const states = Object.fromEntries(fleet.members.map((m) => [m.spec, m.state === 'connected' ? 'connected' : m.error.code]));
      console.log(`fleet of ${fleet.members.length}: ${elapsed.toFixed(0)} ms; connect ms ${fleet.members.map((m) => m.connectMs.toFixed(0)).join(' ')}`);
      expect(fleet.hosts).toHaveLength(48);
      expect(states.refused).toBe('ECONNREFUSED');
      expect(states.hung).toBe('ETIMEDOUT');
      expect(elapsed).toBeLessThan(40_000);
      const local = await new LocalHost().listIds('map');
      const answers = await fleet.each((h) => h.listIds('map'), 10_000);
      for (const a of answers.filter((x) => ALIASES.includes(x.spec))) {
        expect(a.ok, a.spec).toBe(true);
        if (a.ok) expect(a.value).toEqual(expect.arrayContaining(fixtures.report.maps.map((m) => m.id).filter((id) => local.includes(id))));
      }
      // One host's agent dies: only that host's answer fails.
      const victim = fleet.hosts[3]!;
      process.kill(victim.hello!.pid, 'SIGKILL');
      await until(() => victim.state !== 'connected', 5000);
      const after = await fleet.each((h) => h.clocks(), 10_000);
      expect(after.filter((a) => a.ok)).toHaveLength(47);
      expect(after.find((a) => a.spec === victim.label)).toMatchObject({ ok: false, error: { code: 'EDISCONNECTED' } });
    } finally {
      await fleet.close();
    }
  });

  it('after a reconnect, an open map reader reopens its map and a stats hold is taken again', async () => {
    const host = await SshHost.connect('box2', { ...options(), reconnect: { initialMs: 100 } });
    try {
      const map = fixtures.report.maps.find((m) => m.type === 'hash')!;
      const reader = (await host.openMap(map.id))!;
      const info = (await host.mapInfo(map.id))!;
      const view = new DataView(info.info.buffer, info.info.byteOffset);
      const [keySize, valueSize] = [view.getUint32(8, true), view.getUint32(12, true)];
      const first = await reader.read('batch', null, keySize, valueSize, 1000);
      const hold = await host.enableStats();
      const pid = host.hello!.pid;
      const holders = async () => (await new LocalHost().owners()).filter((o) => o.target === 'anon_inode:bpf-stats').map((o) => o.pid);
      expect(await holders()).toContain(pid);
      process.kill(pid, 'SIGKILL');
      await until(() => host.state === 'disconnected', 5000);
      await expect(reader.read('batch', null, keySize, valueSize, 1000)).rejects.toMatchObject({ code: 'EDISCONNECTED' });
      await until(() => host.state === 'connected', 30_000);
      const again = await reader.read('batch', null, keySize, valueSize, 1000);
      expect(Buffer.from(again.keys).toString('hex')).toBe(Buffer.from(first.keys).toString('hex'));
      expect(await holders()).toContain(host.hello!.pid);
      await hold.release();
      expect(await holders()).not.toContain(host.hello!.pid);
      await reader.close();
    } finally {
      await host.close();
    }
  });
});
