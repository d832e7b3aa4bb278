// polkit for the pkexec tests: the system D-Bus and polkitd are started here
// when this machine runs neither (a container or a CI VM without systemd) and
// stopped again by stop(); action policies and a JavaScript rule are installed
// where polkitd reads them and removed by stop(). No human can type a
// password in a test, so the rule decides instead of an authentication agent.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BUS_SOCKET = '/run/dbus/system_bus_socket';
const POLKITD_PATHS = ['/usr/lib/polkit-1/polkitd', '/usr/libexec/polkitd'];
const ACTIONS_DIR = '/usr/share/polkit-1/actions';
const RULES_DIR = '/etc/polkit-1/rules.d';

export interface TestPolkit {
  /** Installs a .policy file (polkit actions) as ACTIONS_DIR/name; refuses to replace one it did not write. */
  installPolicy(name: string, xml: string): void;
  /** Replaces this helper's rule file with `js` (polkit.addRule(...) calls). */
  setRule(js: string): void;
  /** Waits until polkit gives `uid` the verdict for `actionId` (rules reload asynchronously). */
  waitForVerdict(actionId: string, uid: number, gid: number, authorized: boolean): Promise<void>;
  stop(): Promise<void>;
}

function tool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

function polkitdPath(): string | undefined {
  return POLKITD_PATHS.find((p) => existsSync(p));
}

/** What this machine lacks to run polkit for a test, or undefined. */
export function polkitProblem(): string | undefined {
  if (!existsSync('/usr/bin/pkexec')) return 'pkexec tests need /usr/bin/pkexec (Debian package pkexec)';
  if (!polkitdPath()) return `pkexec tests need polkitd (${POLKITD_PATHS.join(' or ')}, Debian package polkitd)`;
  for (const name of ['dbus-daemon', 'dbus-send', 'pkcheck']) {
    if (!tool(name)) return `pkexec tests need ${name} (Debian packages dbus, polkitd)`;
  }
  if (process.getuid?.() !== 0) return 'pkexec tests install a polkit rule: run as root';
  return undefined;
}

function busAnswers(): boolean {
  return spawnSync('dbus-send', ['--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetId'], {
    timeout: 5000,
  }).status === 0;
}

function polkitOnBus(): boolean {
  const r = spawnSync(
    'dbus-send',
    ['--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.PolicyKit1'],
    { encoding: 'utf8', timeout: 5000 },
  );
  return r.status === 0 && /boolean true/.test(r.stdout);
}

async function until(what: string, check: () => boolean, stderr: () => string, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`${what} within ${ms} ms: ${stderr() || 'no output'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startDaemon(argv: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr!.on('data', (d: Buffer) => (text = (text + d.toString()).slice(-4096)));
  return { child, stderr: () => (child.exitCode !== null ? `exited ${child.exitCode}: ${text}` : text) };
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export async function startPolkit(): Promise<TestPolkit> {
  const started: ChildProcess[] = [];
  const written: string[] = [];
  const ruleFile = join(RULES_DIR, `10-bpfscope-test-${process.pid}.rules`);
  let startedBus = false;
  const stop = async (): Promise<void> => {
    for (const file of written.splice(0)) rmSync(file, { force: true });
    for (const child of started.splice(0).reverse()) await stopDaemon(child);
    // dbus-daemon leaves its socket behind; a later connect would get ECONNREFUSED instead of ENOENT.
    if (startedBus) rmSync(BUS_SOCKET, { force: true });
  };
  try {
    if (!busAnswers()) {
      mkdirSync('/run/dbus', { recursive: true });
      rmSync(BUS_SOCKET, { force: true });
      const bus = startDaemon(['dbus-daemon', '--system', '--nofork', '--nopidfile']);
      started.push(bus.child);
      startedBus = true;
      await until('the system D-Bus did not answer', busAnswers, bus.stderr);
    }
    if (!polkitOnBus()) {
      const polkitd = startDaemon([polkitdPath()!, '--no-debug']);
      started.push(polkitd.child);
      await until('polkitd did not take its name on the system bus', polkitOnBus, polkitd.stderr);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    installPolicy(name, xml) {
      const file = join(ACTIONS_DIR, name);
      if (existsSync(file) && !written.includes(file)) throw new Error(`${file} exists (an installed bpfscope?): the test will not replace it`);
      writeFileSync(file, xml, { mode: 0o644 });
      if (!written.includes(file)) written.push(file);
    },
    setRule(js) {
      writeFileSync(ruleFile, js, { mode: 0o644 });
      if (!written.includes(ruleFile)) written.push(ruleFile);
    },
    async waitForVerdict(actionId, uid, gid, authorized) {
      // pkcheck asks about a live process of that user, as pkexec asks about its parent.
      const subject = spawn('setpriv', ['--reuid', String(uid), '--regid', String(gid), '--init-groups', 'sleep', '60'], { stdio: 'ignore' });
      let last = '';
      try {
        // Until setpriv has switched, the subject is root, whom polkit always allows.
        const runsAsUser = (): boolean => {
          try {
            return new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(readFileSync(`/proc/${subject.pid}/status`, 'utf8'));
          } catch {
            return false;
          }
        };
        await until(`the polkit subject process did not switch to uid ${uid}`, runsAsUser, () => '');
        await until(
          `polkit did not ${authorized ? 'allow' : 'deny'} ${actionId} for uid ${uid}`,
          () => {
            const r = spawnSync('pkcheck', ['--action-id', actionId, '--process', String(subject.pid)], { encoding: 'utf8', timeout: 5000 });
            last = `pkcheck exit ${r.status}: ${r.stdout}${r.stderr}`;
            return r.status === (authorized ? 0 : 1);
          },
          () => last,
        );
      } finally {
        subject.kill('SIGKILL');
      }
    },
    stop,
  };
}
