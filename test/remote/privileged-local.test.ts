// The local host without privilege: the agent started through `sudo -n` by a
// real unprivileged user (created here, with a sudoers.d rule for the agent
// binary only), sudo wanting a password, and root with every capability
// dropped (sudo cannot give them back); and through pkexec, with the system
// D-Bus and polkitd running (started by the test helper where they are not),
// our policy installed and a polkit rule allowing or denying that user. The
// code under test runs in a child process under that identity, from the
// compiled tree (npm run build).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../main/hosts/local-host.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { polkitProblem, startPolkit, type TestPolkit } from '../helpers/polkit.js';
import { AGENT_BINARY, agentTestProblem } from './requirements.js';
import { createTestUser, testUserProblem, type TestUser } from './test-user.js';

const SOURCE = resolve('main/hosts/privileged-local.ts');
const COMPILED = resolve('out/node/main/hosts/privileged-local.js');

function compiledProblem(): string | undefined {
  if (!existsSync(COMPILED)) return `${COMPILED} is not built (npm run build)`;
  if (statSync(COMPILED).mtimeMs < statSync(SOURCE).mtimeMs) return `${COMPILED} is older than its source (npm run build)`;
  return undefined;
}

function findProblem(extra?: () => string | undefined): string | undefined {
  const problem = agentTestProblem() ?? testUserProblem() ?? compiledProblem() ?? extra?.();
  if (problem && process.env.CI === 'true') throw new Error(`privileged-local test environment: ${problem}`);
  return problem;
}

const problem = findProblem();
const pkexecProblem = problem ?? findProblem(polkitProblem);

interface Outcome {
  needsElevation: boolean;
  hello?: { euid: number; uid: number; sudoUser: string; bpf: string };
  programIds?: number[];
  error?: { code: string; message: string; hint?: string };
}

const PROBE = `
const { localNeedsElevation, startPrivilegedLocal } = await import(process.argv[2]);
const out = { needsElevation: await localNeedsElevation() };
try {
  const p = await startPrivilegedLocal({ method: process.argv[4], agentPath: process.argv[3], helloTimeoutMs: 10000 });
  out.hello = p.hello;
  out.programIds = await p.host.listIds('prog');
  await p.host.close();
} catch (e) {
  out.error = { code: e.code, message: e.message, hint: e.hint };
}
process.stdout.write(JSON.stringify(out));
`;

/** Writes the probe script where any user can read it; returns its directory. */
function writeProbe(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-privileged-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'probe.mjs'), PROBE, { mode: 0o644 });
  return dir;
}

/** Runs the probe under `identity` (setpriv options), optionally inside `wrapper` (a command prefix). */
function runProbe(dir: string, home: string, method: 'sudo' | 'pkexec', identity: string[], wrapper: string[] = []): Outcome {
  const argv = [...wrapper, 'setpriv', ...identity, process.execPath, join(dir, 'probe.mjs'), pathToFileURL(COMPILED).href, resolve(AGENT_BINARY), method];
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: home },
  });
  if (r.status !== 0) throw new Error(`probe failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Outcome;
}

const identityOf = (user: TestUser) => ['--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups'];

describe.skipIf(problem)(`local agent through sudo -n${problem ? ` (skipped: ${problem})` : ''}`, () => {
  let user: TestUser;
  let dir: string;
  const agent = resolve(AGENT_BINARY);

  beforeAll(() => {
    user = createTestUser('sudo');
    dir = writeProbe();
  });
  afterAll(() => {
    user?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a user with a NOPASSWD rule for the agent gets a root agent and the same programs', async () => {
    user.allowSudo([agent]);
    const outcome = runProbe(dir, user.home, 'sudo', identityOf(user));
    expect(outcome.needsElevation).toBe(true);
    expect(outcome.error).toBeUndefined();
    expect(outcome.hello).toMatchObject({ euid: 0, sudoUser: user.name, bpf: 'ok' });
    const local = (await new LocalHost().listIds('prog')).length;
    expect(Math.abs(outcome.programIds!.length - local)).toBeLessThanOrEqual(2);
  });

  it('sudo wanting a password is a clear ESUDO error, not a prompt or a hang', () => {
    user.allowSudo([]);
    const t0 = performance.now();
    const outcome = runProbe(dir, user.home, 'sudo', identityOf(user));
    expect(outcome.error).toMatchObject({ code: 'ESUDO', message: 'sudo needs a password to start the bpfscope agent' });
    expect(outcome.error!.hint).toMatch(/NOPASSWD/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('root with every capability dropped cannot regain them through sudo: EPRIV says so', () => {
    const outcome = runProbe(dir, user.home, 'sudo', ['--inh-caps=-all', '--bounding-set=-all']);
    expect(outcome.needsElevation).toBe(true);
    expect(outcome.error).toMatchObject({ code: 'EPRIV', message: expect.stringMatching(/^sudo cannot raise privileges from this process: .*not permitted/) });
    expect(outcome.error!.hint).toMatch(/bounding set/);
  });
});

const ACTION = 'io.github.bpfscope.agent';
/** Where the deb installs the agents; the test's policy names the built ones instead. */
const PACKAGED_AGENT_DIR = '/opt/bpfscope/resources/agent/';

describe.skipIf(pkexecProblem)(`local agent through pkexec${pkexecProblem ? ` (skipped: ${pkexecProblem})` : ''}`, () => {
  let user: TestUser;
  let dir: string;
  let polkit: TestPolkit;
  let fixtures: LoadedFixtures;

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps'] });
    polkit = await startPolkit();
    user = createTestUser('pkexec');
    dir = writeProbe();
    const policy = readFileSync('build/polkit/io.github.bpfscope.policy', 'utf8');
    expect(policy).toContain(`${PACKAGED_AGENT_DIR}agent-x86_64`);
    polkit.installPolicy('io.github.bpfscope.policy', policy.replaceAll(PACKAGED_AGENT_DIR, `${dirname(resolve(AGENT_BINARY))}/`));
  });
  afterAll(async () => {
    await polkit?.stop();
    user?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await fixtures?.stop();
  });

  const allow = (result: 'YES' | 'NO') =>
    `polkit.addRule(function (action, subject) {\n  if (action.id == "${ACTION}" && subject.user == "${user.name}") return polkit.Result.${result};\n});\n`;

  it('a user polkit allows gets a root agent that lists the programs loaded here', async () => {
    polkit.setRule(allow('YES'));
    await polkit.waitForVerdict(ACTION, user.uid, user.gid, true);
    const outcome = runProbe(dir, user.home, 'pkexec', identityOf(user));
    expect(outcome.needsElevation).toBe(true);
    expect(outcome.error).toBeUndefined();
    expect(outcome.hello).toMatchObject({ euid: 0, uid: 0, bpf: 'ok' });
    const fixtureIds = fixtures.report.programs.map((p) => p.id);
    expect(fixtureIds.length).toBeGreaterThan(0);
    expect(outcome.programIds).toEqual(expect.arrayContaining(fixtureIds));
  });

  it('a user polkit denies gets a clear EPRIV error, not an empty list', async () => {
    polkit.setRule(allow('NO'));
    await polkit.waitForVerdict(ACTION, user.uid, user.gid, false);
    const outcome = runProbe(dir, user.home, 'pkexec', identityOf(user));
    expect(outcome.programIds).toBeUndefined();
    expect(outcome.error).toMatchObject({ code: 'EPRIV', message: 'pkexec refused: Not authorized' });
    expect(outcome.error!.hint).toMatch(/authentication agent/);
  });

  it('where no system bus runs, the error names polkit', () => {
    // A mount namespace whose /run/dbus is empty: pkexec finds no bus socket.
    const noBus = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs none /run/dbus && exec "$@"', 'sh'];
    const outcome = runProbe(dir, user.home, 'pkexec', identityOf(user), noBus);
    expect(outcome.programIds).toBeUndefined();
    expect(outcome.error).toMatchObject({ code: 'EPRIV', message: expect.stringMatching(/^pkexec cannot reach polkit: .*Could not connect/) });
    expect(outcome.error!.hint).toMatch(/system D-Bus/);
  });
});
