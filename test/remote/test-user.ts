// A throwaway local account for the sudo tests: /bin/sh as its shell (no
// .bashrc: root's here runs pyenv and costs seconds per SSH exec), a usable
// but unknown password ('*', so sshd with UsePAM no accepts its key) and an
// optional sudoers.d rule naming exactly the commands it may run as root
// without a password. remove() deletes the rule, the account and its home.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** Replaces the user's sudoers rule: NOPASSWD for exactly these commands (none: no rule). */
  allowSudo(commands: string[]): void;
  remove(): void;
}

function run(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

export function testUserProblem(): string | undefined {
  for (const tool of ['useradd', 'userdel', 'usermod', 'sudo', 'visudo', 'setpriv']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `sudo tests need ${tool} (Debian packages passwd, sudo, util-linux)`;
  }
  if (process.getuid?.() !== 0) return 'sudo tests create a user: run as root';
  return undefined;
}

export function createTestUser(tag: string): TestUser {
  const name = `bpfs-${tag}-${process.pid}`.slice(0, 31);
  const sudoers = `/etc/sudoers.d/bpfscope-test-${name}`;
  run(['useradd', '--create-home', '--shell', '/bin/sh', '--user-group', name]);
  run(['usermod', '--password', '*', name]);
  const [uid, gid] = [Number(run(['id', '-u', name])), Number(run(['id', '-g', name]))];
  const home = run(['sh', '-c', `getent passwd ${name} | cut -d: -f6`]).trim();
  return {
    name,
    uid,
    gid,
    home,
    allowSudo(commands) {
      rmSync(sudoers, { force: true });
      if (commands.length === 0) return;
      // Debian's /etc/sudoers reads this directory (@includedir), which a machine may lack.
      mkdirSync(dirname(sudoers), { recursive: true, mode: 0o750 });
      const tmp = `${sudoers}.tmp`;
      writeFileSync(tmp, `${name} ALL=(root) NOPASSWD: ${commands.join(', ')}\n`, { mode: 0o440 });
      run(['visudo', '-c', '-q', '-f', tmp]);
      run(['mv', tmp, sudoers]);
    },
    remove() {
      rmSync(sudoers, { force: true });
      spawnSync('userdel', ['--force', '--remove', name]);
    },
  };
}
