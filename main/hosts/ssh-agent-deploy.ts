// Puts the agent on a remote host and starts it. One exec runs a bootstrap
// script: it finds a cached agent whose sha256 matches and execs it (as root
// directly or through `sudo -n`), or prints what it found (arch, uid, home).
// In the second case we upload over SFTP to the first usable cache dir and
// run the bootstrap again. Every exec costs a login shell, so the cached path
// is one exec. A noexec dir falls back to the next; sudo wanting a password
// is an error, not a prompt. Hosts that disable the SFTP subsystem (common on hardened boxes) get
// the agent over an exec channel (`cat > file`), checked the same way.
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { agentBinaryFor, type AgentBinary } from './agent-binary.js';
import { AGENT_MAGIC } from './frame.js';
import { AgentHost, type AgentHostOptions } from './agent-host.js';
import type { AgentHello } from './agent-session.js';
import { HostError } from './host-error.js';

export type SudoMode = 'auto' | 'never' | 'always';

export interface AgentDeployOptions extends AgentHostOptions {
  /** Remove the uploaded agent when the session ends (`--no-cache`). */
  noCache?: boolean;
  sudo?: SudoMode;
  agentDirs?: string[];
}

export interface RemoteAgent {
  host: AgentHost;
  hello: AgentHello;
  /** Whether it runs through sudo. */
  viaSudo: boolean;
  /** Removes the uploaded binary when noCache was asked. */
  cleanup(): Promise<void>;
}

const EXEC_TIMEOUT_MS = 15_000;
/** An upload or read-back of the agent (under 1 MB) over a slow link. */
const TRANSFER_TIMEOUT_MS = 120_000;

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How a command on an exec channel ended; stderr's last 64 KiB. */
interface ExecRun {
  code: number | null;
  stderr: string;
}

/** Runs a command with `input` on its stdin (then closed) and its stdout handed to `onStdout`; time bounded. */
function runExec(client: Client, command: string, onStdout: (data: Buffer) => void, timeoutMs: number, input?: Uint8Array): Promise<ExecRun> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) return reject(new HostError({ code: 'ECHANNEL', message: `ssh exec failed: ${err.message}` }));
      let stderr = '';
      let code: number | null = null;
      const timer = setTimeout(() => {
        channel.close();
        reject(new HostError({ code: 'ETIMEDOUT', message: `remote command timed out: ${command.slice(0, 60)}` }));
      }, timeoutMs);
      channel.on('data', onStdout);
      channel.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-65536)));
      channel.on('exit', (c: number | null) => (code = c));
      channel.on('close', () => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
      channel.end(input ? Buffer.from(input.buffer, input.byteOffset, input.byteLength) : undefined);
    });
  });
}

/** Runs a short command; output bounded, time bounded. */
export async function execText(client: Client, command: string): Promise<ExecResult> {
  let stdout = '';
  const run = await runExec(client, command, (d) => (stdout = (stdout + d.toString()).slice(-65536)), EXEC_TIMEOUT_MS);
  return { ...run, stdout };
}

interface Probe {
  machine: string;
  uid: number;
  home: string;
}

const PROBE_TAG = 'bpfscope-probe';
/** Cache dirs in order of preference, as shell words. */
const CACHE_DIRS = ['"$HOME/.cache/bpfscope"', '"/tmp/bpfscope-$(id -u)"', '"/dev/shm/bpfscope-$(id -u)"'];

function cacheDirs(p: Probe): string[] {
  return [`${p.home}/.cache/bpfscope`, `/tmp/bpfscope-${p.uid}`, `/dev/shm/bpfscope-${p.uid}`];
}

function agentFileName(binary: AgentBinary): string {
  return `agent-${binary.arch}-${binary.sha256.slice(0, 16)}`;
}

/** The one-exec bootstrap: run a verified cached agent, or report the host. */
function bootstrapScript(binaries: AgentBinary[], sudo: SudoMode): string {
  const arches = binaries.map((b) => `${b.arch === 'x86_64' ? 'x86_64|amd64' : 'aarch64|arm64'}) n=${agentFileName(b)}; h=${b.sha256};;`).join(' ');
  const run = sudo === 'never' ? 'exec "$f"' : sudo === 'always' ? 'exec sudo -n "$f"' : 'if [ "$(id -u)" = 0 ]; then exec "$f"; else exec sudo -n "$f"; fi';
  return [
    `m=$(uname -m); n=; h=; case "$m" in ${arches} esac`,
    `if [ -n "$n" ]; then for d in ${CACHE_DIRS.join(' ')}; do f="$d/$n";`,
    ` if [ -O "$d" ] && [ ! -L "$d" ] && [ -x "$f" ] && [ "$(sha256sum "$f" 2>/dev/null | cut -d' ' -f1)" = "$h" ] && "$f" --version >/dev/null 2>&1; then ${run}; fi;`,
    'done; fi',
    `printf '${PROBE_TAG} %s %s %s\\n' "$m" "$(id -u)" "$HOME"`,
  ].join('\n');
}

/** How files reach the remote host and are read back from it. */
interface FileTransfer {
  /** Writes a new file, mode 0700. */
  write(path: string, bytes: Uint8Array): Promise<void>;
  /** A file's bytes, at most `limit` of them. */
  read(path: string, limit: number): Promise<Uint8Array>;
  end(): void;
}

function sftpCall<T = void>(run: (done: (e: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((e, value) => (e ? reject(e) : resolve(value as T))));
}

function sftpTransfer(sftp: SFTPWrapper): FileTransfer {
  return {
    async write(path, bytes) {
      await sftpCall((done) => sftp.writeFile(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { mode: 0o700 }, done));
      await sftpCall((done) => sftp.chmod(path, 0o700, done));
    },
    async read(path, limit) {
      const data = await sftpCall<Buffer>((done) => sftp.readFile(path, done));
      return data.subarray(0, limit);
    },
    end: () => sftp.end(),
  };
}

/** Runs `command` with `input` on its stdin; resolves with (at most `limit` bytes of) its stdout once it exits 0. */
async function execBytes(client: Client, command: string, input: Uint8Array | undefined, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  const run = await runExec(client, command, (d) => {
    if (size < limit) chunks.push(d.subarray(0, limit - size));
    size += d.length;
  }, TRANSFER_TIMEOUT_MS, input);
  if (run.code !== 0) {
    throw new HostError({ code: 'EIO', message: `remote command failed (${run.code ?? 'no status'}): ${command.slice(0, 60)}: ${run.stderr.trim().slice(0, 200)}` });
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Without SFTP: the bytes go through `cat` on an exec channel's stdin and come back on its stdout. */
function execTransfer(client: Client): FileTransfer {
  return {
    async write(path, bytes) {
      await execBytes(client, `umask 077 && cat > ${shellQuote(path)} && chmod 700 ${shellQuote(path)}`, bytes, 0);
    },
    read: (path, limit) => execBytes(client, `cat ${shellQuote(path)}`, undefined, limit),
    end: () => undefined,
  };
}

/** SFTP where the server offers it, an exec channel where it does not. */
function transferFor(client: Client): Promise<FileTransfer> {
  return new Promise((resolve) => client.sftp((e, sftp) => resolve(e ? execTransfer(client) : sftpTransfer(sftp))));
}

/** Makes dir (ours, not a symlink) and puts the agent there, verified by
 * sha256 and by running it; false when the dir is unusable or noexec. */
async function install(client: Client, transfer: FileTransfer, binary: AgentBinary, dir: string): Promise<boolean> {
  const d = shellQuote(dir);
  const file = `${dir}/${agentFileName(binary)}`;
  const f = shellQuote(file);
  const made = await execText(client, `mkdir -p -m 700 ${d} && [ -O ${d} ] && [ ! -L ${d} ] && chmod 700 ${d}`);
  if (made.code !== 0) return false;
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await transfer.write(tmp, binary.bytes);
  const r = await execText(client, `mv -f ${shellQuote(tmp)} ${f} && { sha256sum ${f} 2>/dev/null || echo -; } && { ${f} --version >/dev/null 2>&1 || echo noexec; }`);
  const [hash, exec] = r.stdout.split('\n');
  let remoteHash = hash?.split(/\s/)[0];
  if (remoteHash === '-') {
    // No sha256sum there: hash what reads back (one byte more than sent shows a longer file).
    const back = await transfer.read(file, binary.bytes.length + 1);
    remoteHash = createHash('sha256').update(back).digest('hex');
  }
  if (r.code !== 0 || remoteHash !== binary.sha256) {
    throw new HostError({ code: 'EINTEGRITY', message: `uploaded agent ${file} has sha256 ${remoteHash}, expected ${binary.sha256}` });
  }
  if (exec === 'noexec') {
    await execText(client, `rm -f ${f}`);
    return false;
  }
  return true;
}

type Started = { kind: 'agent'; channel: ClientChannel; stdout: PassThrough; exitCode: () => number | null } | { kind: 'probe'; probe: Probe };

/** Runs the bootstrap and tells an agent (the magic) from a probe report. */
function bootstrap(client: Client, script: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    client.exec(script, (e, channel) => {
      if (e) return reject(new HostError({ code: 'ECHANNEL', message: `cannot start the agent: ${e.message}` }));
      let head = Buffer.alloc(0);
      let stderr = '';
      let exitCode: number | null = null;
      channel.on('exit', (c: number | null) => (exitCode = c));
      const onStderr = (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096));
      channel.stderr.on('data', onStderr);
      const onData = (d: Buffer) => {
        head = Buffer.concat([head, d]).subarray(0, 65536);
        if (head.length < AGENT_MAGIC.length) return;
        if (head.subarray(0, AGENT_MAGIC.length).toString('latin1') !== AGENT_MAGIC) return;
        channel.off('data', onData);
        channel.off('close', onClose);
        channel.stderr.off('data', onStderr);
        const stdout = new PassThrough();
        stdout.write(head);
        channel.pipe(stdout);
        resolve({ kind: 'agent', channel, stdout, exitCode: () => exitCode });
      };
      const onClose = () => {
        const line = head.toString('utf8').split('\n')[0]!;
        const [tag, machine, uid, ...home] = line.split(' ');
        if (tag === PROBE_TAG && machine && uid && /^\d+$/.test(uid)) {
          resolve({ kind: 'probe', probe: { machine, uid: Number(uid), home: home.join(' ') || '/tmp' } });
          return;
        }
        reject(explainStartFailure(stderr, exitCode, new HostError({ code: 'EPROTO', message: `the remote host did not start the agent: ${(stderr || line).trim().slice(0, 300)}` })));
      };
      channel.on('data', onData);
      channel.on('close', onClose);
    });
  });
}

/** Why the agent did not start, from what the remote side printed. */
function explainStartFailure(stderr: string, exitCode: number | null, cause: HostError): HostError {
  if (/password is required|terminal is required|askpass/i.test(stderr)) {
    return new HostError({ code: 'ESUDO', message: 'sudo needs a password on the remote host', hint: 'allow the agent with NOPASSWD in sudoers, or connect as root' });
  }
  if (/not in the sudoers|not allowed to execute|may not run sudo|sudo: .*not found/i.test(stderr)) {
    return new HostError({ code: 'ESUDO', message: `sudo refused: ${stderr.trim().split('\n').at(-1)}`, hint: 'connect as root or grant sudo for the agent' });
  }
  if (/exec format error/i.test(stderr) || exitCode === 126) {
    return new HostError({ code: 'EARCH', message: `the remote host cannot run the agent: ${stderr.trim().slice(0, 200)}` });
  }
  return cause;
}

function checkHello(hello: AgentHello, viaSudo: boolean): void {
  if (hello.bpf === 'ENOSYS') throw new HostError({ code: 'ENOSYS', message: `kernel ${hello.kernel} has no bpf() syscall (CONFIG_BPF_SYSCALL off)` });
  if (hello.bpf === 'EPERM' || hello.bpf === 'EACCES') {
    throw new HostError({
      code: 'EPRIV',
      message: `the agent runs as uid ${hello.euid} without CAP_BPF/CAP_SYS_ADMIN (CapEff ${hello.capEff})`,
      hint: viaSudo ? 'sudo did not grant the capabilities: check lockdown and LSM policy' : 'connect as root, or as a user allowed to run the agent with sudo -n',
    });
  }
}

async function loadBinaries(dirs: string[] | undefined): Promise<AgentBinary[]> {
  const found = await Promise.allSettled(['x86_64', 'aarch64'].map((arch) => agentBinaryFor(arch, dirs)));
  return found.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

/** Uploads the agent for the probed arch to the first cache dir that can run it. */
async function installForProbe(client: Client, probe: Probe, dirs: string[] | undefined): Promise<void> {
  const binary = await agentBinaryFor(probe.machine, dirs);
  const transfer = await transferFor(client);
  try {
    for (const dir of cacheDirs(probe)) if (await install(client, transfer, binary, dir)) return;
  } finally {
    transfer.end();
  }
  throw new HostError({ code: 'ENOEXEC', message: 'no cache dir on the remote host can hold and run the agent', hint: 'bpfscope tries ~/.cache/bpfscope, /tmp and /dev/shm; all are read-only or mounted noexec' });
}

export async function startRemoteAgent(client: Client, options: AgentDeployOptions = {}): Promise<RemoteAgent> {
  const binaries = await loadBinaries(options.agentDirs);
  if (binaries.length === 0) await agentBinaryFor('x86_64', options.agentDirs);
  const script = bootstrapScript(binaries, options.sudo ?? 'auto');
  let started = await bootstrap(client, script);
  if (started.kind === 'probe') {
    await installForProbe(client, started.probe, options.agentDirs);
    started = await bootstrap(client, script);
  }
  if (started.kind !== 'agent') throw new HostError({ code: 'ENOEXEC', message: 'the uploaded agent was not found by the bootstrap' });
  const { channel, stdout, exitCode } = started;
  const host = new AgentHost({ stdin: channel, stdout, stderr: channel.stderr, kill: () => channel.close() }, options);
  try {
    const hello = await host.ready();
    const viaSudo = hello.sudoUser !== '';
    checkHello(hello, viaSudo);
    const cleanup = async () => {
      if (!options.noCache) return;
      const names = binaries.map((b) => agentFileName(b)).join(' ');
      await execText(client, `for d in ${CACHE_DIRS.join(' ')}; do for n in ${names}; do rm -f "$d/$n"; done; done`).catch(() => undefined);
    };
    return { host, hello, viaSudo, cleanup };
  } catch (e) {
    await host.close();
    // Let the exit status and stderr arrive before reading them.
    await new Promise((r) => setTimeout(r, 50));
    throw explainStartFailure(host.session.stderr, exitCode(), e as HostError);
  }
}
