// Host on a remote machine: the agent over an SSH exec channel. A dropped
// connection marks the host 'disconnected' and reconnects with backoff;
// requests meanwhile fail at once (EDISCONNECTED) so no caller hangs on it.
// What callers hold survives a reconnect: a map reader reopens its map on the
// new agent at its next read (batch and next-key cursors are kernel positions,
// valid on any fd; ENOENT if the map vanished meanwhile), and every stats hold
// not yet released is taken again on the new agent as soon as it connects.
import { homedir } from 'node:os';
import type { Client } from 'ssh2';
import type { AgentHello } from './agent-session.js';
import type { BpfStreamId, Host, HostClocks, MapDiffWatch, MapReader, ObjectKind, PinnedObject, RawBtfInfo, RawCgroupQuery, RawInfo, RawLinkInfo, RawNetns, RawOwnerFd, RawProgInfo, RawRingbufPositions, RawTaskFd, RawMapPages, RawMapPeek, RawTraceTail, RtnlDumpKind, StatsHold, TracePipe } from './host.js';
import type { AgentHost } from './agent-host.js';
import { HostError, toHostError } from './host-error.js';
import { startRemoteAgent, type AgentDeployOptions, type RemoteAgent } from './ssh-agent-deploy.js';
import { connectSsh, type SshConnectOptions } from './ssh-connect.js';
import { readSshConfigText } from './ssh-config-file.js';
import { resolveTarget, type SshTarget } from './ssh-target.js';

export type SshHostState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface SshHostStateEvent {
  state: SshHostState;
  error?: HostError;
  hello?: AgentHello;
}

export interface SshHostOptions extends SshConnectOptions, AgentDeployOptions {
  /** ~/.ssh/config text; default: read from home. */
  configText?: string;
  home?: string;
  /** Backoff between reconnects; false: stay disconnected. */
  reconnect?: { initialMs?: number; maxMs?: number } | false;
  onState?: (event: SshHostStateEvent) => void;
}

/** Errors a retry cannot fix: reconnecting stops on them. */
const PERMANENT = new Set(['EHOSTKEY', 'EAUTH', 'EARCH', 'ESUDO', 'EPRIV', 'ENOSYS', 'EINTEGRITY', 'ENOAGENT']);

export class SshHost implements Host {
  readonly label: string;
  readonly target: SshTarget;
  private readonly options: SshHostOptions;
  private stateValue: SshHostState = 'connecting';
  private chain: Client[] = [];
  private agent: RemoteAgent | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  /** Stats holds given out and not released, each with the agent that holds it now. */
  private readonly statsHolds = new Set<{ agent: RemoteAgent | undefined; hold: StatsHold | undefined }>();

  private constructor(target: SshTarget, options: SshHostOptions) {
    this.target = target;
    this.options = options;
    this.label = target.spec;
    this.backoffMs = options.reconnect ? (options.reconnect.initialMs ?? 1000) : 1000;
  }

  /** Connects once; the first failure is thrown (a wrong key, no auth, …). */
  static async connect(spec: string, options: SshHostOptions = {}): Promise<SshHost> {
    const home = options.home ?? homedir();
    let configText = options.configText;
    try {
      configText ??= readSshConfigText(home);
    } catch {
      configText = '';
    }
    const host = new SshHost(resolveTarget(spec, { configText, home }), options);
    await host.establish();
    return host;
  }

  get state(): SshHostState {
    return this.stateValue;
  }

  get hello(): AgentHello | undefined {
    return this.agent?.hello;
  }

  private setState(state: SshHostState, extra: Omit<SshHostStateEvent, 'state'> = {}): void {
    this.stateValue = state;
    this.options.onState?.({ state, ...extra });
  }

  private async establish(): Promise<void> {
    this.setState('connecting');
    const chain = await connectSsh(this.target, this.options);
    const client = chain.at(-1)!;
    try {
      this.agent = await startRemoteAgent(client, { ...this.options, label: this.label });
    } catch (e) {
      for (const c of chain.reverse()) c.end();
      throw e;
    }
    this.chain = chain;
    const agent = this.agent;
    const dropped = (error: HostError) => this.onDropped(agent, error);
    agent.host.session.onClose(dropped);
    for (const c of chain) {
      c.on('close', () => dropped(new HostError({ code: 'EDISCONNECTED', message: `${this.label}: connection closed` })));
      c.on('error', (e: Error) => dropped(new HostError({ code: 'EDISCONNECTED', message: `${this.label}: ${e.message}` })));
    }
    this.backoffMs = this.options.reconnect ? (this.options.reconnect.initialMs ?? 1000) : 1000;
    await this.retakeStatsHolds(agent);
    this.setState('connected', { hello: agent.hello });
  }

  /** After a reconnect: stats stay on for whoever asked before the drop. */
  private async retakeStatsHolds(agent: RemoteAgent): Promise<void> {
    for (const entry of this.statsHolds) {
      if (entry.agent === agent) continue;
      entry.hold = await agent.host.enableStats().catch(() => undefined);
      entry.agent = entry.hold ? agent : undefined;
    }
  }

  private onDropped(agent: RemoteAgent, error: HostError): void {
    if (agent !== this.agent || this.stateValue === 'closed') return;
    this.agent = undefined;
    agent.host.session.close();
    for (const c of this.chain.reverse()) c.end();
    this.chain = [];
    this.setState('disconnected', { error });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.options.reconnect === false || this.stateValue === 'closed' || this.retryTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(delay * 2, this.options.reconnect?.maxMs ?? 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stateValue === 'closed') return;
      this.establish().catch((e: unknown) => {
        const error = toHostError(e);
        if (this.stateValue === 'closed') return;
        this.setState('disconnected', { error });
        if (!PERMANENT.has(error.code)) this.scheduleReconnect();
      });
    }, delay);
    this.retryTimer.unref();
  }

  private live(): RemoteAgent {
    if (this.agent) return this.agent;
    throw new HostError({
      code: this.stateValue === 'closed' ? 'ECLOSED' : 'EDISCONNECTED',
      message: `${this.label} is ${this.stateValue}`,
      hint: this.stateValue === 'closed' ? undefined : 'reconnecting in the background',
    });
  }

  listIds(kind: ObjectKind): Promise<number[]> {
    return this.run((h) => h.listIds(kind));
  }
  progInfo(id: number, detail: boolean): Promise<RawProgInfo | null> {
    return this.run((h) => h.progInfo(id, detail));
  }
  mapInfo(id: number): Promise<RawInfo | null> {
    return this.run((h) => h.mapInfo(id));
  }
  linkInfo(id: number): Promise<RawLinkInfo | null> {
    return this.run((h) => h.linkInfo(id));
  }
  btfInfo(id: number): Promise<RawBtfInfo | null> {
    return this.run((h) => h.btfInfo(id));
  }
  owners(): Promise<RawOwnerFd[]> {
    return this.run((h) => h.owners());
  }
  readFile(path: string, limit: number): Promise<Uint8Array> {
    return this.run((h) => h.readFile(path, limit));
  }

  pinnedObject(path: string): Promise<PinnedObject> {
    return this.run((h) => h.pinnedObject(path));
  }
  async openMap(id: number): Promise<MapReader | null> {
    let agent = this.live();
    let reader = await agent.host.openMap(id);
    if (!reader) return null;
    /** The reader on the current agent, reopened after a reconnect. */
    const current = async (): Promise<MapReader> => {
      if (agent === this.agent) return reader!;
      const now = this.live();
      const fresh = await now.host.openMap(id);
      if (!fresh) throw new HostError({ code: 'ENOENT', message: `${this.label}: map ${id} vanished while reconnecting`, id });
      [agent, reader] = [now, fresh];
      return fresh;
    };
    return {
      read: async (mode, cursor, keySize, valueStride, max) => (await current()).read(mode, cursor, keySize, valueStride, max),
      mmap: async (pageIndex, length) => (await current()).mmap!(pageIndex, length),
      close: async () => {
        if (agent === this.agent) await reader!.close();
      },
    };
  }
  /** A watch re-created on the new agent after a reconnect: its next diff is fresh. */
  async watchMap(mapId: number, keySize: number, valueStride: number): Promise<MapDiffWatch> {
    let agent = this.live();
    let watch = await agent.host.watchMap(mapId, keySize, valueStride);
    const current = async (): Promise<MapDiffWatch> => {
      if (agent === this.agent) return watch;
      const now = this.live();
      [agent, watch] = [now, await now.host.watchMap(mapId, keySize, valueStride)];
      return watch;
    };
    return {
      diff: async (max) => (await current()).diff(max),
      close: async () => {
        if (agent === this.agent) await watch.close();
      },
    };
  }
  async enableStats(): Promise<StatsHold> {
    const agent = this.live();
    const entry = { agent: agent as RemoteAgent | undefined, hold: (await agent.host.enableStats()) as StatsHold | undefined };
    this.statsHolds.add(entry);
    return {
      release: async () => {
        this.statsHolds.delete(entry);
        if (entry.agent === this.agent) await entry.hold?.release();
      },
    };
  }
  clocks(): Promise<HostClocks> {
    return this.run((h) => h.clocks());
  }
  progInfoAll(maxProgs: number, knownIds?: Uint32Array): Promise<Uint8Array> {
    return this.run((h) => h.progInfoAll(maxProgs, knownIds));
  }
  progInfoBatch(afterId: number, max: number): Promise<Uint8Array> {
    return this.run((h) => h.progInfoBatch(afterId, max));
  }

  mapInfoBatch(afterId: number, max: number): Promise<Uint8Array> {
    return this.run((h) => h.mapInfoBatch(afterId, max));
  }
  progArrayBatch(afterId: number, max: number): Promise<Uint8Array> {
    return this.run((h) => h.progArrayBatch(afterId, max));
  }
  ringbufPositions(mapId: number): Promise<RawRingbufPositions | null> {
    return this.run((h) => h.ringbufPositions(mapId));
  }
  progStreamRead(progId: number, stream: BpfStreamId, max: number): Promise<Uint8Array | null> {
    return this.run((h) => h.progStreamRead(progId, stream, max));
  }
  tracefsRead(path: string, limit: number): Promise<RawTraceTail> {
    return this.run((h) => h.tracefsRead(path, limit));
  }
  /** A pipe on the agent of the moment: after a reconnect it is reopened (what the dropped agent had read is lost with it). */
  async openTracePipe(path: string): Promise<TracePipe> {
    let agent = this.live();
    let pipe = await agent.host.openTracePipe(path);
    const current = async (): Promise<TracePipe> => {
      if (agent === this.agent) return pipe;
      const now = this.live();
      [agent, pipe] = [now, await now.host.openTracePipe(path)];
      return pipe;
    };
    return {
      read: async (max) => (await current()).read(max),
      close: async () => {
        if (agent === this.agent) await pipe.close();
      },
    };
  }
  mapHash(id: number): Promise<Uint8Array | null> {
    return this.run((h) => h.mapHash(id));
  }
  mapPeek(id: number): Promise<RawMapPeek | null> {
    return this.run((h) => h.mapPeek(id));
  }
  procMapPages(pid: number, addr: bigint, pages: number): Promise<RawMapPages> {
    return this.run((h) => h.procMapPages(pid, addr, pages));
  }
  netnsList(): Promise<RawNetns[]> {
    return this.run((h) => h.netnsList());
  }
  rtnlDump(netnsPath: string | null, kind: RtnlDumpKind, ifindex: number, parent: number): Promise<Uint8Array> {
    return this.run((h) => h.rtnlDump(netnsPath, kind, ifindex, parent));
  }
  netProgQuery(netnsPath: string | null, ifindex: number, attachTypes: number[], queryFlags: number): Promise<Uint8Array> {
    return this.run((h) => h.netProgQuery(netnsPath, ifindex, attachTypes, queryFlags));
  }
  cgroupQuery(root: string, attachTypes: number[]): Promise<RawCgroupQuery[]> {
    return this.run((h) => h.cgroupQuery(root, attachTypes));
  }
  taskFds(): Promise<RawTaskFd[]> {
    return this.run((h) => h.taskFds());
  }

  private async run<T>(op: (host: AgentHost) => Promise<T>): Promise<T> {
    return op(this.live().host);
  }

  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    clearTimeout(this.retryTimer);
    const agent = this.agent;
    this.agent = undefined;
    this.setState('closed');
    if (agent) {
      await agent.host.close();
      await agent.cleanup();
    }
    for (const c of this.chain.reverse()) c.end();
    this.chain = [];
  }
}
