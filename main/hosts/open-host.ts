// Turns a host spec into a Host: `local`, `snapshot:FILE`, `objfile:FILE` (a compiled .bpf.o,
// read-only, as if loaded: docs/snapshot-format.md, "Object files as hosts"), or an SSH target
// (`user@host[:port]` or a ~/.ssh/config alias).
import type { Host } from './host.js';
import { requireEnumeration, openLocalHost } from './host-access.js';
import { ObjectFileHost } from './objfile-host.js';
import { SnapshotHost } from './snapshot-host.js';
import { SshHost, type SshHostOptions } from './ssh-host.js';

export const LOCAL_HOST = 'local';
const SNAPSHOT_PREFIX = 'snapshot:';
const OBJFILE_PREFIX = 'objfile:';

/** Splits `--host a,b,c`; empty or absent means the local host. */
export function parseHostList(value: string | undefined): string[] {
  const specs = (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return specs.length > 0 ? [...new Set(specs)] : [LOCAL_HOST];
}

export async function openHost(spec: string, sshOptions: SshHostOptions = {}): Promise<Host> {
  if (spec === LOCAL_HOST) {
    const host = await openLocalHost();
    await requireEnumeration(host);
    return host;
  }
  if (spec.startsWith(SNAPSHOT_PREFIX)) return SnapshotHost.open(spec.slice(SNAPSHOT_PREFIX.length));
  if (spec.startsWith(OBJFILE_PREFIX)) return ObjectFileHost.open(spec.slice(OBJFILE_PREFIX.length));
  // Over SSH the agent checks its own privilege and says what is missing.
  return SshHost.connect(spec, sshOptions);
}
