// SSH faults against a real sshd: host keys, dropped connections, a killed
// agent, a fake agent binary, --no-cache. Each ends in the documented state.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBinaryFor } from '../../main/hosts/agent-binary.js';
import type { HostError } from '../../main/hosts/host-error.js';
import { SshHost, type SshHostOptions, type SshHostStateEvent } from '../../main/hosts/ssh-host.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { agentTestProblem } from './requirements.js';

const problem = agentTestProblem(true);

function until(check: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => (check() ? resolve() : Date.now() - t0 > ms ? reject(new Error('condition not met in time')) : setTimeout(tick, 50));
    tick();
  });
}

describe.skipIf(problem)(`SshHost faults${problem ? ` (skipped: ${problem})` : ''}`, () => {
  let sshd: TestSshd;
  const opts = (extra: SshHostOptions = {}): SshHostOptions => ({
    configText: sshd.sshConfig('box'),
    knownHostsFiles: [sshd.knownHostsFile],
    agentSocket: null,
    home: sshd.dir,
    ...extra,
  });

  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('refuses a changed host key with a clear message', async () => {
    const wrong = join(sshd.dir, 'wrong_known_hosts');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshd.dir, 'other')]);
    const other = readFileSync(join(sshd.dir, 'other.pub'), 'utf8').split(' ');
    writeFileSync(wrong, `[127.0.0.1]:${sshd.port} ${other[0]} ${other[1]}\n`);
    await expect(SshHost.connect('box', opts({ knownHostsFiles: [wrong] }))).rejects.toMatchObject({
      code: 'EHOSTKEY',
      message: expect.stringMatching(/HAS CHANGED/),
    });
  });

  it('asks about an unknown key, refuses without a yes, records it with one', async () => {
    const file = join(sshd.dir, 'fresh_known_hosts');
    const asked: string[] = [];
    await expect(
      SshHost.connect('box', opts({ knownHostsFiles: [file], onUnknownHostKey: async (k) => (asked.push(k.fingerprint), false) })),
    ).rejects.toMatchObject({ code: 'EHOSTKEY', message: expect.stringMatching(/not known/) });
    const host = await SshHost.connect('box', opts({ knownHostsFiles: [file], hashKnownHosts: true, onUnknownHostKey: async () => true }));
    await host.close();
    expect(asked[0]).toMatch(/^SHA256:/);
    expect(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', file]).toString()).toContain('|1|');
    const again = await SshHost.connect('box', opts({ knownHostsFiles: [file] }));
    await again.close();
  });

  it('a killed agent marks the host disconnected, then it reconnects', async () => {
    const events: SshHostStateEvent[] = [];
    const host = await SshHost.connect('box', opts({ reconnect: { initialMs: 100 }, onState: (e) => events.push(e) }));
    const pid = host.hello!.pid;
    process.kill(pid, 'SIGKILL');
    await until(() => host.state === 'disconnected', 5000);
    await expect(host.listIds('prog')).rejects.toMatchObject({ code: 'EDISCONNECTED' });
    await until(() => host.state === 'connected', 30_000);
    expect(host.hello!.pid).not.toBe(pid);
    expect((await host.listIds('prog')).length).toBeGreaterThan(0);
    expect(events.map((e) => e.state)).toEqual(expect.arrayContaining(['disconnected', 'connecting', 'connected']));
    await host.close();
  });

  it('sshd killed mid-request: the request fails, the host is disconnected, nothing crashes', async () => {
    const victim = await startSshd();
    try {
      const host = await SshHost.connect('v', { configText: victim.sshConfig('v'), knownHostsFiles: [victim.knownHostsFile], agentSocket: null, home: victim.dir, reconnect: false });
      const inFlight = Promise.all(Array.from({ length: 200 }, (_, i) => host.progInfo(i, true))).then(
        () => null,
        (e: HostError) => e,
      );
      victim.kill();
      const error = await inFlight;
      if (error) expect(['ECLOSED', 'EDISCONNECTED']).toContain(error.code);
      await until(() => host.state === 'disconnected', 20_000);
      await expect(host.clocks()).rejects.toMatchObject({ code: 'EDISCONNECTED' });
      await host.close();
      expect(host.state).toBe('closed');
    } finally {
      await victim.stop();
    }
  });

  it('a fake agent binary that prints garbage gives a clear protocol error', async () => {
    const fakeDir = join(sshd.dir, 'fake-agents');
    mkdirSync(fakeDir, { recursive: true });
    writeFileSync(join(fakeDir, 'agent-x86_64'), '#!/bin/sh\necho "I am not an agent"\nsleep 5\n', { mode: 0o755 });
    await expect(SshHost.connect('box', opts({ agentDirs: [fakeDir] }))).rejects.toMatchObject({
      code: 'EPROTO',
      message: expect.stringMatching(/I am not an agent/),
    });
  });

  it('--no-cache removes the uploaded agent on disconnect', async () => {
    const host = await SshHost.connect('box', opts({ noCache: true }));
    const { sha256 } = await agentBinaryFor('x86_64');
    const file = join(homedir(), '.cache/bpfscope', `agent-x86_64-${sha256.slice(0, 16)}`);
    expect(existsSync(file)).toBe(true);
    await host.close();
    expect(existsSync(file)).toBe(false);
  });
});
