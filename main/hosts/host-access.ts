// Opens the host a command or view asks for and checks up front that it can
// enumerate BPF objects, so no caller ever shows an empty list for lack of
// privilege.
import { parseCapabilities, type Capabilities } from '../kernel/proc/capabilities.js';
import type { Host } from './host.js';
import { HostError, toHostError } from './host-error.js';
import { LocalHost } from './local-host.js';

export async function hostCapabilities(host: Host): Promise<Capabilities> {
  const status = await host.readFile('/proc/self/status', 1 << 16);
  return parseCapabilities(new TextDecoder().decode(status));
}

/** Throws a HostError (code EPRIV) naming what is missing. */
export async function requireEnumeration(host: Host): Promise<Capabilities> {
  const caps = await hostCapabilities(host);
  if (!caps.canEnumerate) {
    const missing = caps.hasBpf ? 'CAP_SYS_ADMIN' : 'CAP_SYS_ADMIN (and CAP_BPF)';
    throw new HostError({
      code: 'EPRIV',
      message: `${host.label}: missing ${missing}: the kernel only lets privileged processes list BPF objects`,
      hint: 'run as root or through sudo (sudo bpfscope …); the desktop app offers pkexec',
    });
  }
  return caps;
}

/** The local host through the in-process addon. */
export async function openLocalHost(): Promise<Host> {
  try {
    return new LocalHost();
  } catch (error) {
    throw toHostError(error);
  }
}
