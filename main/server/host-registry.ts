// The hosts one service knows: the local one, any the user adds (SSH targets,
// snapshots), each opened lazily into a HostSession, with its state, privilege
// and kernel in a summary that every `hosts` subscriber receives on change. An
// unknown SSH host key parks the connection until the user answers.
import type { EventData } from '../api/contract.js';
import { ApiError, toErrorData } from '../api/errors.js';
import type { HostKeyQuestion, HostStatus, HostSummary } from '../api/records.js';
import { parseCapabilities } from '../kernel/proc/capabilities.js';
import { toHostError } from '../hosts/host-error.js';
import { HostSession } from '../hosts/host-session.js';
import type { Host } from '../hosts/host.js';
import { ObjectFileHost } from '../hosts/objfile-host.js';
import { SnapshotHost } from '../hosts/snapshot-host.js';
import type { SshHostStateEvent } from '../hosts/ssh-host.js';

/** How to open a host; `hooks` carry SSH state changes and host key questions back. */
export type HostOpener = (hooks: HostOpenHooks) => Promise<HostSession>;

export interface HostOpenHooks {
  onState(event: SshHostStateEvent): void;
  onUnknownHostKey(question: HostKeyQuestion): Promise<boolean>;
}

interface HostEntry {
  open: HostOpener;
  /** Memory the opened host holds (snapshots and object files keep their files), counted against FILE_HOSTS_BYTES. */
  heldBytes?: number;
  session?: Promise<HostSession>;
  /** The session has opened: state changes from now on are drops and reconnects. */
  opened?: boolean;
  summary: HostSummary;
  keyAnswer?: (accept: boolean) => void;
}

const MAX_HOSTS = 64;
/** What open snapshot and object file hosts may hold in memory together. */
export const FILE_HOSTS_BYTES = 4 * 1024 ** 3;

function heldBytes(host: Host): number {
  return host instanceof SnapshotHost || host instanceof ObjectFileHost ? host.heldBytes : 0;
}

type HostDescription = Partial<Pick<HostSummary, 'label' | 'privilege' | 'kernel' | 'snapshot' | 'objectFile'>>;

async function describeHost(host: Host): Promise<HostDescription> {
  if (host instanceof ObjectFileHost) {
    const { license } = host.object;
    const btfId = host.loaded.btf?.id;
    return { label: host.label, objectFile: { file: host.fileName, ...(license !== undefined ? { license } : {}), ...(btfId !== undefined ? { btfId } : {}) } };
  }
  if (host instanceof SnapshotHost) {
    const { manifest } = host;
    return {
      label: host.label,
      snapshot: { source: manifest.host.label, createdAt: manifest.createdAt, ...(host.caveat ? { caveat: host.caveat } : {}) },
      ...(manifest.host.kernelRelease ? { kernel: manifest.host.kernelRelease } : {}),
    };
  }
  const [status, release] = await Promise.all([
    Promise.resolve().then(() => host.readFile('/proc/self/status', 1 << 16)).then((b) => new TextDecoder().decode(b)).catch(() => ''),
    Promise.resolve().then(() => host.readFile('/proc/sys/kernel/osrelease', 4096)).then((b) => new TextDecoder().decode(b).trim()).catch(() => undefined),
  ]);
  const out: HostDescription = {};
  if (release) out.kernel = release;
  const uid = /^Uid:\s*\d+\s+(\d+)/m.exec(status)?.[1];
  if (uid === '0') out.privilege = 'root';
  else if (status) {
    try {
      const caps = parseCapabilities(status).effective.filter((c) => /^cap_(bpf|perfmon|sys_admin|net_admin)$/.test(c));
      out.privilege = `uid ${uid ?? '?'}${caps.length > 0 ? ` with ${caps.map((c) => c.toUpperCase()).join('+')}` : ', unprivileged'}`;
    } catch {
      // No CapEff line: say nothing rather than guess.
    }
  }
  return out;
}

export class HostRegistry {
  private readonly entries = new Map<string, HostEntry>();
  private readonly listeners = new Set<(data: EventData<'hosts'>) => void>();
  private heldTotal = 0;

  /** `fileHostsBytes`: what open snapshot and object file hosts may hold together. */
  constructor(openers: Record<string, HostOpener>, private readonly fileHostsBytes = FILE_HOSTS_BYTES) {
    for (const [id, open] of Object.entries(openers)) this.entries.set(id, { open, summary: { id, label: id, status: 'connecting' } });
  }

  list(): HostSummary[] {
    return [...this.entries.values()].map((entry) => entry.summary);
  }

  watch(emit: (data: EventData<'hosts'>) => void): () => void {
    this.listeners.add(emit);
    emit(this.list());
    return () => this.listeners.delete(emit);
  }

  add(id: string, open: HostOpener): HostSummary {
    if (this.entries.has(id)) throw new ApiError({ code: 'EEXIST', message: `host '${id}' is already open` });
    if (this.entries.size >= MAX_HOSTS) throw new ApiError({ code: 'EMFILE', message: `at most ${MAX_HOSTS} hosts at once` });
    const entry: HostEntry = { open, summary: { id, label: id, status: 'connecting', removable: true } };
    this.entries.set(id, entry);
    this.publish();
    // Connect now so the sidebar shows the outcome without anyone asking for data.
    this.session(id).catch(() => {});
    return entry.summary;
  }

  async remove(id: string): Promise<void> {
    const entry = this.entry(id);
    if (!entry.summary.removable) throw new ApiError({ code: 'EPERM', message: `host '${id}' cannot be removed` });
    entry.keyAnswer?.(false);
    this.entries.delete(id);
    this.release(entry);
    this.publish();
    await entry.session?.then((s) => s.close()).catch(() => {});
  }

  async reconnect(id: string): Promise<HostSummary> {
    const entry = this.entry(id);
    // Asked for: a refused host key is asked again too.
    if (entry.summary.status === 'failed') entry.session = undefined;
    if (!entry.session) await this.session(id).catch(() => {});
    return this.entry(id).summary;
  }

  answerHostKey(id: string, accept: boolean): void {
    const entry = this.entry(id);
    if (!entry.keyAnswer) throw new ApiError({ code: 'ENOENT', message: `host '${id}' has no host key question pending` });
    entry.keyAnswer(accept);
  }

  session(id: string): Promise<HostSession> {
    const entry = this.entry(id);
    if (entry.session) return entry.session;
    const opened = entry.open({
      onState: (event) => this.onSshState(entry, event),
      onUnknownHostKey: (question) =>
        new Promise<boolean>((resolve) => {
          entry.keyAnswer = (accept) => {
            entry.keyAnswer = undefined;
            this.update(entry, { hostKey: undefined });
            resolve(accept);
          };
          this.update(entry, { status: 'connecting', hostKey: question });
        }),
    });
    const session = opened.then(async (s) => {
      const held = heldBytes(s.host);
      if (this.heldTotal + held > this.fileHostsBytes) {
        await s.close().catch(() => {});
        const mib = (n: number) => `${Math.ceil(n / 1024 ** 2)} MiB`;
        throw new ApiError({ code: 'EBUSY', message: `${s.label} holds ${mib(held)}; open snapshots and object files may hold ${mib(this.fileHostsBytes)} and ${mib(this.heldTotal)} are taken`, hint: 'remove a snapshot or object file host first' });
      }
      this.heldTotal += held;
      entry.heldBytes = held;
      return s;
    });
    entry.session = session;
    this.update(entry, { status: 'connecting', error: undefined });
    session.then(
      async (s) => {
        entry.opened = true;
        const described = await describeHost(s.host);
        if (this.entries.get(entry.summary.id) === entry) this.update(entry, { status: 'connected', error: undefined, ...described });
      },
      (error: unknown) => {
        const failure = toHostError(error);
        // Forget the failure so the next call tries again (privilege granted, agent back), but
        // not a host key refused: a view opening next asked the user again at once. Retry does.
        if (entry.session === session && failure.code !== 'EHOSTKEY') entry.session = undefined;
        this.update(entry, { status: 'failed', error: toErrorData(failure) });
      },
    );
    return session;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const opened = [...this.entries.values()].flatMap((entry) => {
      entry.keyAnswer?.(false);
      return entry.session ? [entry.session] : [];
    });
    this.entries.clear();
    this.heldTotal = 0;
    // Closing a session releases its fds, stats holds and agent process.
    await Promise.all(opened.map((p) => p.then((s) => s.close()).catch(() => {})));
  }

  private release(entry: HostEntry): void {
    this.heldTotal -= entry.heldBytes ?? 0;
    entry.heldBytes = undefined;
  }

  private entry(id: string): HostEntry {
    const entry = this.entries.get(id);
    if (!entry) throw new ApiError({ code: 'ENOHOST', message: `no host '${id}'`, hint: 'ask listHosts for the hosts this bpfscope knows' });
    return entry;
  }

  private onSshState(entry: HostEntry, event: SshHostStateEvent): void {
    // The first connect's outcome is reported by session(); later drops and reconnects here
    // (a reconnect goes through 'connecting' too, so the first connect is told by the session).
    if (!entry.opened && event.state !== 'disconnected') return;
    const status: HostStatus = event.state;
    this.update(entry, { status, error: event.error ? toErrorData(event.error) : undefined });
  }

  private update(entry: HostEntry, change: Partial<HostSummary>): void {
    const next: HostSummary = { ...entry.summary, ...change };
    for (const key of Object.keys(next) as (keyof HostSummary)[]) if (next[key] === undefined) delete next[key];
    entry.summary = next;
    this.publish();
  }

  private publish(): void {
    const list = this.list();
    for (const listener of this.listeners) listener(list);
  }
}
