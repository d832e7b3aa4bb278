// The hosts the service knows, kept current by the `hosts` event stream.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import type { HostSummary } from '../../../../main/api/records.js';

export class HostList {
  hosts = $state.raw<HostSummary[]>([]);
  /** The stream to the service ended: the UI shows it is disconnected. */
  disconnected = $state<string | null>(null);

  constructor(api: BpfscopeApi) {
    api.subscribe('hosts', {}, (hosts) => (this.hosts = hosts), (error) => (this.disconnected = error.message));
  }
}

/** What the sidebar says about a host's state. */
export function statusText(host: HostSummary): string {
  if (host.hostKey) return 'waiting for your host key decision';
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
