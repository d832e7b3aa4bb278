// The local host without privilege: the agent started through `sudo -n` by a
// real unprivileged user (created here, with a sudoers.d rule for the agent
// binary only), sudo wanting a password, and root with every capability
// dropped (sudo cannot give them back). The code under test runs in a child
// process under that identity, from the compiled tree (npm run build).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../main/hosts/local-host.js';
import { startPrivilegedLocal } from '../../main/hosts/privileged-local.js';
import { AGENT_BINARY, agentTestProblem } from './requirements.js';
import { createTestUser, testUserProblem, type TestUser } from './test-user.js';

const SOURCE = resolve('main/hosts/privileged-local.ts');
const COMPILED = resolve('out/node/main/hosts/privileged-local.js');

function compiledProblem(): string | undefined {
  if (!existsSync(COMPILED)) return `${COMPILED} is not built (npm run build)`;
  if (statSync(COMPILED).mtimeMs < statSync(SOURCE).mtimeMs) return `${COMPILED} is older than its source (npm run build)`;
  return undefined;
}

function findProblem(): string | undefined {
  const problem = agentTestProblem() ?? testUserProblem() ?? compiledProblem();
  if (problem && process.env.CI === 'true') throw new Error(`privileged-local test environment: ${problem}`);
  return problem;
}

const problem = findProblem();

interface Outcome {
  needsElevation: boolean;
  hello?: { euid: number; uid: number; sudoUser: string; bpf: string };
  programs?: number;
  error?: { code: string; message: string; hint?: string };
}

const PROBE = `
const { localNeedsElevation, startPrivilegedLocal } = await import(process.argv[2]);
const out = { needsElevation: await localNeedsElevation() };
try {
  const p = await startPrivilegedLocal({ method: 'sudo', agentPath: process.argv[3], helloTimeoutMs: 10000 });
  out.hello = p.hello;
  out.programs = (await p.host.listIds('prog')).length;
  await p.host.close();
} catch (e) {
  out.error = { code: e.code, message: e.message, hint: e.hint };
}
process.stdout.write(JSON.stringify(out));
`;

describe.skipIf(problem)(`local agent through sudo -n${problem ? ` (skipped: ${problem})` : ''}`, () => {
  let user: TestUser;
  let dir: string;
  const agent = resolve(AGENT_BINARY);

  beforeAll(() => {
    user = createTestUser('sudo');
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-privileged-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'probe.mjs'), PROBE, { mode: 0o644 });
  });
  afterAll(() => {
    user?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function probeAs(identity: string[]): Outcome {
    const r = spawnSync('setpriv', [...identity, process.execPath, join(dir, 'probe.mjs'), pathToFileURL(COMPILED).href, agent], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: user.home },
    });
    if (r.status !== 0) throw new Error(`probe failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout) as Outcome;
  }
  const asUser = () => ['--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups'];

  it('a user with a NOPASSWD rule for the agent gets a root agent and the same programs', async () => {
    user.allowSudo([agent]);
    const outcome = probeAs(asUser());
    expect(outcome.needsElevation).toBe(true);
    expect(outcome.error).toBeUndefined();
    expect(outcome.hello).toMatchObject({ euid: 0, sudoUser: user.name, bpf: 'ok' });
    const local = (await new LocalHost().listIds('prog')).length;
    expect(Math.abs(outcome.programs! - local)).toBeLessThanOrEqual(2);
  });

  it('sudo wanting a password is a clear ESUDO error, not a prompt or a hang', () => {
    user.allowSudo([]);
    const t0 = performance.now();
    const outcome = probeAs(asUser());
    expect(outcome.error).toMatchObject({ code: 'ESUDO', message: 'sudo needs a password to start the bpfscope agent' });
    expect(outcome.error!.hint).toMatch(/NOPASSWD/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('pkexec: a root agent where polkit runs, else a clear error naming polkit', async () => {
    expect(existsSync('/usr/bin/pkexec'), 'pkexec is installed (Debian package pkexec)').toBe(true);
    try {
      const started = await startPrivilegedLocal({ method: 'pkexec', agentPath: agent, helloTimeoutMs: 10_000 });
      expect(started.hello).toMatchObject({ euid: 0, bpf: 'ok' });
      await started.host.close();
    } catch (e) {
      expect(e).toMatchObject({ code: 'EPRIV', message: expect.stringMatching(/^pkexec cannot reach polkit: /) });
    }
  });

  it('root with every capability dropped cannot regain them through sudo: EPRIV says so', () => {
    const outcome = probeAs(['--inh-caps=-all', '--bounding-set=-all']);
    expect(outcome.needsElevation).toBe(true);
    expect(outcome.error).toMatchObject({ code: 'EPRIV', message: expect.stringMatching(/^sudo cannot raise privileges from this process: .*not permitted/) });
    expect(outcome.error!.hint).toMatch(/bounding set/);
  });
});
