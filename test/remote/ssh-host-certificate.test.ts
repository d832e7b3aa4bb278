// A real sshd serving a host certificate signed by a CA made here, and a
// known_hosts that trusts the host only through `@cert-authority`. OpenSSH
// accepts it; ssh2 cannot negotiate certificates, so bpfscope refuses with a
// message saying so and how to add the plain key, instead of treating the
// host as unknown. Doing what the hint says then lets it connect.
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type SshConnectOptions } from '../../main/hosts/ssh-connect.js';
import { resolveTarget } from '../../main/hosts/ssh-target.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { agentTestProblem } from './requirements.js';
import { createTestUser, testUserProblem, type TestUser } from './test-user.js';

function findProblem(): string | undefined {
  const problem = agentTestProblem(true) ?? testUserProblem() ?? (spawnSync('ssh', ['-V']).error ? 'the test compares with OpenSSH: ssh (openssh-client)' : undefined);
  if (problem && process.env.CI === 'true') throw new Error(`ssh test environment: ${problem}`);
  return problem;
}
const problem = findProblem();

function keygen(file: string): string {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bpfscope-test-ca', '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  return file;
}

describe.skipIf(problem)(`host certificates${problem ? ` (skipped: ${problem})` : ''}`, () => {
  let caDir: string;
  let ca: string;
  let otherCa: string;
  let sshd: TestSshd;
  let user: TestUser;

  beforeAll(async () => {
    caDir = mkdtempSync(join(tmpdir(), 'bpfscope-ca-'));
    ca = keygen(join(caDir, 'ca'));
    otherCa = keygen(join(caDir, 'other_ca'));
    sshd = await startSshd('', { hostCertificateAuthority: ca });
    // sshd reads authorized_keys as the user logging in.
    chmodSync(sshd.dir, 0o755);
    chmodSync(join(sshd.dir, 'authorized_keys'), 0o644);
    user = createTestUser('cert');
  });
  afterAll(async () => {
    await sshd?.stop();
    user?.remove();
    if (caDir) rmSync(caDir, { recursive: true, force: true });
  });

  const caLine = (caKey: string) => `@cert-authority [127.0.0.1]:${sshd.port} ${readFileSync(`${caKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
  const knownHosts = (name: string, text: string) => {
    const file = join(caDir, name);
    writeFileSync(file, text);
    return file;
  };
  const connect = (file: string, onUnknownHostKey?: SshConnectOptions['onUnknownHostKey']) =>
    connectSsh(resolveTarget('box', { configText: sshd.sshConfig('box', user.name), home: sshd.dir }), { knownHostsFiles: [file], agentSocket: null, onUnknownHostKey });

  /** OpenSSH, strict, with only `file` as known_hosts: runs `command` as the test user. */
  function openssh(file: string, command: string) {
    const options = ['BatchMode=yes', 'StrictHostKeyChecking=yes', `UserKnownHostsFile=${file}`, 'GlobalKnownHostsFile=/dev/null', 'IdentitiesOnly=yes', 'IdentityAgent=none', 'LogLevel=ERROR'];
    return spawnSync(
      'ssh',
      ['-F', '/dev/null', ...options.flatMap((o) => ['-o', o]), '-i', sshd.userKeyFile, '-p', String(sshd.port), `${user.name}@127.0.0.1`, command],
      { encoding: 'utf8', timeout: 30_000 },
    );
  }

  it('OpenSSH trusts the host through the @cert-authority line, and only for the right CA', () => {
    expect(openssh(knownHosts('ca_known_hosts', caLine(ca)), 'echo certified')).toMatchObject({ status: 0, stdout: 'certified\n' });
    const wrong = openssh(knownHosts('other_ca_known_hosts', caLine(otherCa)), 'true');
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/Host key verification failed/);
  });

  it('bpfscope refuses a host known only by @cert-authority, saying certificates are unsupported and how to add the plain key', async () => {
    const file = knownHosts('ca_only', `# the fleet CA\n${caLine(ca)}`);
    const asked: string[] = [];
    await expect(connect(file, async (k) => (asked.push(k.fingerprint), true))).rejects.toMatchObject({
      code: 'EHOSTKEY',
      message: expect.stringMatching(/^127\.0\.0\.1:\d+ is vouched for only by a @cert-authority line \(known_hosts line 2\); bpfscope cannot check SSH host certificates .*plain ssh-ed25519 key SHA256:/),
      hint: expect.stringContaining(`[127.0.0.1]:${sshd.port} ssh-ed25519 AAAA`),
    });
    // Not a stranger to accept on sight: the CA was meant to decide.
    expect(asked).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(`# the fleet CA\n${caLine(ca)}`);
  });

  it('a @cert-authority line for other hosts leaves the host plainly unknown', async () => {
    const file = knownHosts('ca_elsewhere', caLine(ca).replace(`[127.0.0.1]:${sshd.port}`, '*.example.com'));
    await expect(connect(file)).rejects.toMatchObject({ code: 'EHOSTKEY', message: expect.stringMatching(/is not known/) });
  });

  it('with the plain key fetched over the certificate-checked OpenSSH connection beside the CA line, it connects', async () => {
    const file = knownHosts('ca_and_key', caLine(ca));
    const fetched = openssh(file, `cat ${join(sshd.dir, 'host_key.pub')}`);
    expect(fetched.status).toBe(0);
    const [type, key] = fetched.stdout.split(' ');
    appendFileSync(file, `[127.0.0.1]:${sshd.port} ${type} ${key}\n`);
    const clients = await connect(file);
    for (const client of clients) client.end();
    expect(clients.length).toBe(1);
  });
});
