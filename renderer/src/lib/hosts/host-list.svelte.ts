// The hosts the service knows, kept current by the `hosts` event stream.
import type { BpfscopeApi, Result } from '../../../../main/api/contract.js';
import type { HostSummary } from '../../../../main/api/records.js';

export type SshConfigHost = Result<'listSshConfigHosts'>[number];

export class HostList {
  hosts = $state.raw<HostSummary[]>([]);
  /** The stream to the service ended: the UI shows it is disconnected. */
  disconnected = $state<string | null>(null);

  /** ~/.ssh/config aliases of the machine bpfscope runs on, offered until connected. */
  sshAliases = $state.raw<SshConfigHost[]>([]);
  /** The aliases not yet added as hosts (a host added by alias has the alias as its id). */
  readonly unconnected = $derived(this.sshAliases.filter((a) => !this.hosts.some((h) => h.id === a.alias)));

  constructor(api: BpfscopeApi) {
    api.subscribe('hosts', {}, (hosts) => (this.hosts = hosts), (error) => (this.disconnected = error.message));
    // Without the list the sidebar still offers typing a host: nothing to report.
    api.listSshConfigHosts({}).then((aliases) => (this.sshAliases = aliases), () => {});
  }
}

/** What the sidebar says about a host's state. */
export function statusText(host: HostSummary): string {
  if (host.hostKey) return 'waiting for your host key decision';
  if (host.objectFile && host.status === 'connected') return `object file ${host.objectFile.file}, not loaded${host.objectFile.license ? `, license ${host.objectFile.license}` : ''}`;
  if (host.snapshot && host.status === 'connected') {
    return `snapshot of ${host.snapshot.source}, taken ${snapshotTime(host.snapshot.createdAt)}${host.snapshot.caveat ? ' (no checksums: contents not verified)' : ''}`;
  }
  switch (host.status) {
    case 'connected':
      return `connected${host.privilege ? ` as ${host.privilege}` : ''}`;
    case 'disconnected':
      return `disconnected, retrying${host.error ? `: ${host.error.message}` : ''}`;
    case 'failed':
      return `failed: ${host.error?.message ?? 'unknown error'}`;
    default:
      return host.status;
  }
}

/** A snapshot's time as `2025-01-31 03:12:00 UTC`: the same text wherever the file is opened. */
export function snapshotTime(iso: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

/** Why the live views show nothing on a snapshot. */
export const SNAPSHOT_LIVE_NOTE = 'Read-only snapshot: live views (run statistics, charts, map watch) need a live host.';

/** Why an object file shows no live data, and what its ids are. */
export const OBJECT_FILE_NOTE = 'BPF object file, shown as if loaded (ids are positions in the file): no links, statistics or map contents beyond global data.';
