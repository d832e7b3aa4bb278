// SshHost over a real sshd on loopback gives what LocalHost gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshHost } from '../../main/hosts/ssh-host.js';
import { connectSsh } from '../../main/hosts/ssh-connect.js';
import { execText } from '../../main/hosts/ssh-agent-deploy.js';
import { resolveTarget } from '../../main/hosts/ssh-target.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { agentTestProblem } from './requirements.js';
import { expectSameMapDumps, expectSameObjects } from './same-host.js';

const problem = agentTestProblem(true);

describe.skipIf(problem)(`SshHost over loopback sshd${problem ? ` (skipped: ${problem})` : ''}`, () => {
  let sshd: TestSshd;
  let fixtures: LoadedFixtures;
  let host: SshHost;
  const local = new LocalHost();

  beforeAll(async () => {
    sshd = await startSshd();
    fixtures = await startFixtures({ only: ['maps', 'tracing', 'kprobes'] });
  });
  afterAll(async () => {
    await host?.close();
    await fixtures?.stop();
    await sshd?.stop();
  });

  it('connects by alias, uploads the agent and handshakes', async () => {
    const t0 = performance.now();
    host = await SshHost.connect('box', { configText: sshd.sshConfig('box'), knownHostsFiles: [sshd.knownHostsFile], agentSocket: null, home: sshd.dir });
    console.log(`first connect (upload): ${(performance.now() - t0).toFixed(0)} ms`);
    expect(host.state).toBe('connected');
    expect(host.hello).toMatchObject({ agent: 'bpfscope-agent', euid: 0, bpf: 'ok' });
  });

  it('connects to a cached agent in under a second beyond one bare SSH exec', async () => {
    // One exec pays for the remote login shell (root's .bashrc here runs
    // pyenv init: seconds); the cached path is exactly one exec.
    const target = resolveTarget('box', { configText: sshd.sshConfig('box'), home: sshd.dir });
    const t0 = performance.now();
    const [client] = (await connectSsh(target, { knownHostsFiles: [sshd.knownHostsFile], agentSocket: null })).reverse();
    await execText(client!, 'true');
    const bare = performance.now() - t0;
    client!.end();
    const t1 = performance.now();
    const again = await SshHost.connect('box', { configText: sshd.sshConfig('box'), knownHostsFiles: [sshd.knownHostsFile], agentSocket: null, home: sshd.dir });
    const cached = performance.now() - t1;
    console.log(`bare ssh connect + exec: ${bare.toFixed(0)} ms; cached agent connect + handshake: ${cached.toFixed(0)} ms`);
    await again.close();
    expect(cached - bare).toBeLessThan(1000);
  });

  it('returns the same objects as LocalHost', async () => {
    const { programs, maps, links } = fixtures.report;
    const compared = await expectSameObjects(local, host, { prog: programs.map((p) => p.id), map: maps.map((m) => m.id), link: links.map((l) => l.id) });
    expect(compared).toBeGreaterThan(programs.length + maps.length);
  });

  it('dumps the fixture maps to the same entries', async () => {
    const possible = Number((await local.readFile('/sys/devices/system/cpu/possible', 64)).toString().trim().split('-').at(-1)) + 1;
    expect(await expectSameMapDumps(local, host, fixtures.report.maps, possible)).toBeGreaterThan(4);
  });
});
