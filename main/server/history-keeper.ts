// `serve` and the desktop app keep every live host sampling from the moment it connects
// (program run statistics and the lifecycle timeline), so a chart opened later starts full
// instead of empty. Offline hosts (snapshots, object files) have nothing to sample. A host
// whose sampling cannot start (no privilege to turn run statistics on) is tried again the
// next time it connects; a removed host is released.
import type { HostSummary } from '../api/records.js';

export type HoldHost = (hostId: string) => Promise<() => Promise<void>>;

export class HistoryKeeper {
  /** Host id → its release, once holding (undefined while the hold is starting). */
  private readonly held = new Map<string, (() => Promise<void>) | undefined>();
  private closed = false;

  constructor(private readonly hold: HoldHost) {}

  /** The host list changed: hold hosts newly connected, release those gone. */
  update(hosts: readonly HostSummary[]): void {
    if (this.closed) return;
    const ids = new Set(hosts.map((h) => h.id));
    for (const id of [...this.held.keys()]) if (!ids.has(id)) this.release(id);
    for (const host of hosts) {
      if (host.status !== 'connected' || host.snapshot || host.objectFile || this.held.has(host.id)) continue;
      this.start(host.id);
    }
  }

  /** Hosts held now. */
  holding(): string[] {
    return [...this.held].filter(([, release]) => release).map(([id]) => id);
  }

  async close(): Promise<void> {
    this.closed = true;
    const releases = [...this.held.values()];
    this.held.clear();
    await Promise.all(releases.map((release) => release?.()));
  }

  private start(id: string): void {
    this.held.set(id, undefined);
    this.hold(id).then(
      (release) => {
        if (this.held.has(id) && !this.closed) this.held.set(id, release);
        else void release();
      },
      // Nothing held: the next connect of this host tries again.
      () => this.held.delete(id),
    );
  }

  private release(id: string): void {
    const release = this.held.get(id);
    this.held.delete(id);
    void release?.();
  }
}
