// Turns a host spec into a Host: `local`, `snapshot:FILE`, `objfile:FILE` (a compiled .bpf.o,
// read-only, as if loaded: docs/snapshot-format.md, "Object files as hosts"), or an SSH target
// (`user@host[:port]` or a ~/.ssh/config alias).
// The other kinds load only when named: the SSH client alone costs a local one-shot command
// (`dump map` into a file) a large share of its run time.
import type { Host } from './host.js';
import { requireEnumeration, openLocalHost } from './host-access.js';
import { LOCAL_HOST } from './host-list.js';
import type { SshHostOptions } from './ssh-host.js';

const SNAPSHOT_PREFIX = 'snapshot:';
const OBJFILE_PREFIX = 'objfile:';

export async function openHost(spec: string, sshOptions: SshHostOptions = {}): Promise<Host> {
  if (spec === LOCAL_HOST) {
    const host = await openLocalHost();
    await requireEnumeration(host);
    return host;
  }
  if (spec.startsWith(SNAPSHOT_PREFIX)) return (await import('./snapshot-host.js')).SnapshotHost.open(spec.slice(SNAPSHOT_PREFIX.length));
  if (spec.startsWith(OBJFILE_PREFIX)) return (await import('./objfile-host.js')).ObjectFileHost.open(spec.slice(OBJFILE_PREFIX.length));
  // Over SSH the agent checks its own privilege and says what is missing.
  return (await import('./ssh-host.js')).SshHost.connect(spec, sshOptions);
}
