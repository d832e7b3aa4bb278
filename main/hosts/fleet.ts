// Many remote hosts at once (up to FLEET_MAX_HOSTS): connected in parallel
// with a bound on concurrent handshakes, each with its own timeout, and asked
// the same question with a per-host timeout. One host's failure (refused, hung,
// wrong key, dropped) is recorded on that member and never reaches another.
import type { Host } from './host.js';
import { HostError, toHostError } from './host-error.js';
import { SshHost, type SshHostOptions } from './ssh-host.js';

export const FLEET_MAX_HOSTS = 50;

export interface FleetOptions extends SshHostOptions {
  /** Whole connect (SSH, upload, sudo, handshake) per host. */
  connectTimeoutMs?: number;
  /** Handshakes in flight at once: sshd's MaxStartups and our CPU both bound it. */
  concurrency?: number;
}

export type FleetMember =
  | { spec: string; state: 'connected'; host: SshHost; connectMs: number }
  | { spec: string; state: 'failed'; error: HostError; connectMs: number };

export type FleetAnswer<T> = { spec: string; ok: true; value: T; ms: number } | { spec: string; ok: false; error: HostError; ms: number };

function withTimeout<T>(work: Promise<T>, ms: number, what: string, onLate: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new HostError({ code: 'ETIMEDOUT', message: `${what} timed out after ${ms} ms` }));
    }, ms);
    work.then(
      (value) => (done ? onLate(value) : (clearTimeout(timer), resolve(value))),
      (error: unknown) => {
        if (done) return;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export class Fleet {
  readonly members: FleetMember[];

  private constructor(members: FleetMember[]) {
    this.members = members;
  }

  /** Connects every spec; never rejects for a host's failure (see members). */
  static async connect(specs: readonly string[], options: FleetOptions = {}): Promise<Fleet> {
    const unique = [...new Set(specs)];
    if (unique.length > FLEET_MAX_HOSTS) {
      throw new HostError({ code: 'E2BIG', message: `${unique.length} hosts asked for, at most ${FLEET_MAX_HOSTS} at once` });
    }
    const timeoutMs = options.connectTimeoutMs ?? 20_000;
    const members: FleetMember[] = new Array(unique.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < unique.length; i = next++) {
        const spec = unique[i]!;
        const t0 = performance.now();
        try {
          // The SSH handshake gives up by itself too, so a hung host leaves nothing behind for long.
          const connecting = SshHost.connect(spec, { readyTimeoutMs: timeoutMs, ...options });
          const host = await withTimeout(connecting, timeoutMs, `${spec}: connect`, (late) => void late.close());
          members[i] = { spec, state: 'connected', host, connectMs: performance.now() - t0 };
        } catch (e) {
          members[i] = { spec, state: 'failed', error: toHostError(e), connectMs: performance.now() - t0 };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, unique.length) }, worker));
    return new Fleet(members);
  }

  /** The members that connected (they may have dropped since: see SshHost.state). */
  get hosts(): SshHost[] {
    return this.members.flatMap((m) => (m.state === 'connected' ? [m.host] : []));
  }

  /** Runs op on every connected host at once; each answer or error is its host's alone. */
  async each<T>(op: (host: Host) => Promise<T>, timeoutMs = 30_000): Promise<FleetAnswer<T>[]> {
    return Promise.all(
      this.members.map(async (m): Promise<FleetAnswer<T>> => {
        const t0 = performance.now();
        if (m.state === 'failed') return { spec: m.spec, ok: false, error: m.error, ms: 0 };
        try {
          const value = await withTimeout(op(m.host), timeoutMs, m.spec, () => undefined);
          return { spec: m.spec, ok: true, value, ms: performance.now() - t0 };
        } catch (e) {
          return { spec: m.spec, ok: false, error: toHostError(e), ms: performance.now() - t0 };
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.close().catch(() => undefined)));
  }
}
