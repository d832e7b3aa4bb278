// The local machine when this process lacks CAP_SYS_ADMIN: instead of an empty
// list, the same static agent the SSH hosts use is started through pkexec (a
// polkit prompt; policy in build/polkit/) or `sudo -n` (a NOPASSWD rule for
// the agent binary), and spoken to as an AgentHost over the child's stdio.
// sudo is never asked for a password here: that would need a terminal.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { arch } from 'node:os';
import { parseCapabilities, type Capabilities } from '../kernel/proc/capabilities.js';
import { agentBinaryFor } from './agent-binary.js';
import { AgentHost, type AgentHostOptions } from './agent-host.js';
import type { AgentHello } from './agent-session.js';
import { HostError } from './host-error.js';

export type ElevationMethod = 'pkexec' | 'sudo';

export interface PrivilegedLocalOptions extends AgentHostOptions {
  method: ElevationMethod;
  /** Default: the built or packaged agent for this machine. With pkexec, the
   * path the polkit policy names gets its message; any other path gets
   * polkit's generic "run a program as root" prompt. */
  agentPath?: string;
}

export interface PrivilegedLocal {
  host: AgentHost;
  hello: AgentHello;
  method: ElevationMethod;
}

/** This process's own capabilities, from /proc/self/status. */
export async function ownCapabilities(): Promise<Capabilities> {
  return parseCapabilities(await readFile('/proc/self/status', 'utf8'));
}

/** Whether the in-process addon would see nothing (the app should offer elevation). */
export async function localNeedsElevation(): Promise<boolean> {
  return !(await ownCapabilities()).canEnumerate;
}

const ELEVATORS: Record<ElevationMethod, string> = { pkexec: '/usr/bin/pkexec', sudo: '/usr/bin/sudo' };

/** The methods installed here, pkexec first (it can prompt; sudo -n cannot). */
export async function elevationMethods(): Promise<ElevationMethod[]> {
  const found: ElevationMethod[] = [];
  for (const method of ['pkexec', 'sudo'] as const) {
    if (await readFile(ELEVATORS[method]).then(() => true, () => false)) found.push(method);
  }
  return found;
}

/** Why the elevated agent did not start, from the elevator's words and exit code. */
function explainFailure(method: ElevationMethod, stderr: string, exitCode: number | null, cause: HostError): HostError {
  if (method === 'sudo' && /password is required|terminal is required|askpass/i.test(stderr)) {
    return new HostError({
      code: 'ESUDO',
      message: 'sudo needs a password to start the bpfscope agent',
      hint: 'allow the agent binary with NOPASSWD in /etc/sudoers.d, use pkexec, or run bpfscope as root',
    });
  }
  if (method === 'sudo' && /not in the sudoers|not allowed to execute|may not run sudo/i.test(stderr)) {
    return new HostError({ code: 'ESUDO', message: `sudo refused: ${stderr.trim().split('\n').at(-1)}`, hint: 'grant sudo for the agent binary, or use pkexec' });
  }
  if (/Operation not permitted|effective uid is not 0|no new privileges/i.test(stderr)) {
    return new HostError({
      code: 'EPRIV',
      message: `${method} cannot raise privileges from this process: ${stderr.trim().split('\n')[0]}`,
      hint: 'the capability bounding set is empty or no_new_privs is set (a container, setpriv, systemd sandboxing): start bpfscope with CAP_SYS_ADMIN instead',
    });
  }
  if (method === 'pkexec' && /Error getting authority|Could not connect/i.test(stderr)) {
    return new HostError({
      code: 'EPRIV',
      message: `pkexec cannot reach polkit: ${stderr.trim().split('\n')[0]}`,
      hint: 'polkitd and the system D-Bus must run (they do on a desktop); otherwise use sudo or run bpfscope as root',
    });
  }
  if (method === 'pkexec' && exitCode === 126) {
    return new HostError({ code: 'EPRIV', message: 'the administrator authentication was dismissed', hint: 'bpfscope shows no objects without it' });
  }
  if (method === 'pkexec' && (exitCode === 127 || /not authorized|no authentication agent/i.test(stderr))) {
    // pkexec: "Error executing command as another user: Not authorized\n\nThis incident has been reported."
    const reason = /as another user: (.+)/.exec(stderr)?.[1]?.trim() ?? 'Not authorized';
    return new HostError({
      code: 'EPRIV',
      message: `pkexec refused: ${reason}`,
      hint: 'polkit did not allow running the agent as root: without a polkit authentication agent in the desktop session nobody can be asked for the password, or a local polkit rule denies it; otherwise use sudo or run bpfscope as root',
    });
  }
  return cause;
}

/** Starts the agent as root through pkexec or sudo -n; rejects with a HostError that says why not. */
export async function startPrivilegedLocal(options: PrivilegedLocalOptions): Promise<PrivilegedLocal> {
  const { method } = options;
  const agentPath = options.agentPath ?? (await agentBinaryFor(arch() === 'arm64' ? 'aarch64' : 'x86_64')).path;
  const argv = method === 'sudo' ? ['-n', agentPath] : [agentPath];
  const child = spawn(ELEVATORS[method], argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) => child.once('exit', (code) => ((exitCode = code), resolve())));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) => reject(new HostError({ code: 'ENOENT', message: `cannot run ${method}: ${e.message}` }))),
  );
  const host = new AgentHost(child, { ...options, label: options.label ?? `local (${method})` });
  try {
    const hello = await Promise.race([host.ready(), spawnError]);
    if (hello.bpf !== 'ok') {
      throw new HostError({ code: 'EPRIV', message: `the agent started through ${method} runs as uid ${hello.euid} without CAP_SYS_ADMIN (CapEff ${hello.capEff})` });
    }
    return { host, hello, method };
  } catch (e) {
    await host.close();
    // The exit status and last words arrive after stdout ends.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 500))]);
    throw explainFailure(method, host.session.stderr, exitCode, e instanceof HostError ? e : new HostError({ code: 'EPROTO', message: String(e) }));
  }
}
