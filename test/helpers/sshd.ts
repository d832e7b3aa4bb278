// A real OpenSSH server on a free loopback port, with its own host key, user
// key, authorized_keys and known_hosts, for tests. Root may log in (tests run
// as root). Stop it with stop(); kill() drops it and every session at once.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestSshd {
  port: number;
  dir: string;
  userKeyFile: string;
  /** known_hosts holding this server's key, as `[127.0.0.1]:port`. */
  knownHostsFile: string;
  hostPublicKey: string;
  /** An ~/.ssh/config text defining the alias `alias` for this server. */
  sshConfig(alias: string, user?: string): string;
  /** SIGKILLs the server and every process under it (sessions, agents). */
  kill(): void;
  /** Starts the server again on the same port, keys and config (after kill()). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A HOME of its own for a bpfscope under test: ~/.ssh/config naming the server `alias`, known_hosts holding its key. */
export function sshHome(sshd: TestSshd, alias: string): string {
  const home = join(sshd.dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'config'), sshd.sshConfig(alias));
  copyFileSync(sshd.knownHostsFile, join(home, '.ssh', 'known_hosts'));
  return home;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bpfscope-test', '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

/** Signs a host key as ssh-keygen -h does; returns the certificate's path. */
function signHostKey(hostKey: string, ca: string): string {
  const r = spawnSync('ssh-keygen', ['-q', '-s', ca, '-I', 'bpfscope-test-host', '-h', '-n', '127.0.0.1', `${hostKey}.pub`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen -s failed: ${r.stderr}`);
  return `${hostKey}-cert.pub`;
}

/** pid and its descendants: sshd's connection children setsid(), so a
 * process group does not reach them. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Exited while we looked.
    }
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) for (const [pid, ppid] of parent) if (ppid === found[i]) found.push(pid);
  return found;
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${port}: ${stderr()}`);
}

export interface SshdOptions {
  /** A CA private key: the host key is signed with it (principal 127.0.0.1) and served as a host certificate. */
  hostCertificateAuthority?: string;
  /** false: no SFTP subsystem, as on hardened hosts. */
  sftp?: boolean;
}

export async function startSshd(extraConfig = '', options: SshdOptions = {}): Promise<TestSshd> {
  mkdirSync('/run/sshd', { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-sshd-'));
  const port = await freePort();
  const hostKey = join(dir, 'host_key');
  const userKeyFile = join(dir, 'user_key');
  keygen(hostKey);
  keygen(userKeyFile);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${userKeyFile}.pub`));
  const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim();
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostPublicKey.split(' ').slice(0, 2).join(' ')}\n`);
  const certificate = options.hostCertificateAuthority ? signHostKey(hostKey, options.hostCertificateAuthority) : undefined;
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${join(dir, 'sshd.pid')}`,
      options.sftp === false ? '' : 'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      certificate ? `HostCertificate ${certificate}` : '',
      extraConfig,
    ].join('\n'),
  );
  let stderrText = '';
  const serve = async (): Promise<ChildProcess> => {
    const started = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr!.on('data', (d: Buffer) => (stderrText = (stderrText + d.toString()).slice(-4096)));
    await waitForPort(port, started, () => stderrText);
    return started;
  };
  let child = await serve();
  const kill = () => {
    for (const pid of descendants(child.pid!)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const stopped = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    kill();
    await exited;
  };
  return {
    port,
    dir,
    userKeyFile,
    knownHostsFile,
    hostPublicKey,
    sshConfig: (alias, user = 'root') =>
      `Host ${alias}\n  HostName 127.0.0.1\n  Port ${port}\n  User ${user}\n  IdentityFile ${userKeyFile}\n  IdentitiesOnly yes\n`,
    kill,
    restart: async () => {
      await stopped();
      child = await serve();
    },
    stop: async () => {
      await stopped();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
