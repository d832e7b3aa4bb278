// Host backed by the agent over any pair of pipes: a local child process
// (`new AgentHost(spawn('native/build/agent-x86_64'))`) or an SSH channel.
// Returns the same bytes LocalHost returns; map pages are trimmed to count.
import type { Host, HostClocks, MapReader, ObjectKind, RawBtfInfo, RawInfo, RawLinkInfo, RawMapPage, RawOwnerFd, RawProgInfo, StatsHold } from './host.js';
import { MAX_OBJECTS_PER_KIND, OBJECT_KIND_CODE } from './host.js';
import { HostError } from './host-error.js';
import { AgentSession, type AgentHello, type AgentReply, type AgentSessionOptions, type AgentStreams } from './agent-session.js';

export interface AgentHostOptions extends AgentSessionOptions {
  label?: string;
}

const PROG_AUX = ['mapIds', 'xlated', 'jited', 'jitedKsyms', 'jitedFuncLens', 'funcInfo', 'lineInfo', 'jitedLineInfo', 'progTags'] as const;
const LINK_AUX = ['name', 'addrs', 'offsets', 'refCtrOffsets', 'cookies'] as const;

function buf(bytes: Uint8Array | undefined): Buffer {
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : Buffer.alloc(0);
}

function expectBlobs(reply: AgentReply, n: number, op: string): void {
  if (reply.blobs.length !== n) throw new HostError({ code: 'EPROTO', message: `agent: ${op} sent ${reply.blobs.length} blobs, expected ${n}` });
}

function fdinfoOf(reply: AgentReply): string {
  const fdinfo = (reply.result as { fdinfo?: unknown }).fdinfo;
  return typeof fdinfo === 'string' ? fdinfo : '';
}

function handleOf(reply: AgentReply, op: string): number {
  const handle = (reply.result as { handle?: unknown } | null)?.handle;
  if (typeof handle !== 'number') throw new HostError({ code: 'EPROTO', message: `agent: ${op} returned no handle` });
  return handle;
}

export class AgentHost implements Host {
  readonly label: string;
  readonly session: AgentSession;

  constructor(streams: AgentStreams, options: AgentHostOptions = {}) {
    this.label = options.label ?? 'agent';
    this.session = new AgentSession(streams, options);
  }

  /** The handshake; rejects when the agent does not start or is not ours. */
  ready(): Promise<AgentHello> {
    return this.session.hello;
  }

  private async call(op: string, args: Record<string, unknown> = {}, blobs: Uint8Array[] = []): Promise<AgentReply> {
    await this.session.hello;
    return this.session.request(op, args, blobs);
  }

  async listIds(kind: ObjectKind): Promise<number[]> {
    const reply = await this.call('listIds', { kind: OBJECT_KIND_CODE[kind], max: MAX_OBJECTS_PER_KIND });
    expectBlobs(reply, 1, 'listIds');
    const bytes = reply.blobs[0]!;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ids: number[] = [];
    for (let at = 0; at + 4 <= bytes.byteLength; at += 4) ids.push(view.getUint32(at, true));
    return ids;
  }

  async progInfo(id: number, detail: boolean): Promise<RawProgInfo | null> {
    const reply = await this.call('progInfo', { obj: id, detail });
    if (reply.result === null) return null;
    expectBlobs(reply, 1 + PROG_AUX.length, 'progInfo');
    const info: Partial<RawProgInfo> = { id, info: buf(reply.blobs[0]), fdinfo: fdinfoOf(reply) };
    PROG_AUX.forEach((name, i) => (info[name] = buf(reply.blobs[i + 1])));
    return info as RawProgInfo;
  }

  async mapInfo(id: number): Promise<RawInfo | null> {
    const reply = await this.call('mapInfo', { obj: id });
    if (reply.result === null) return null;
    expectBlobs(reply, 1, 'mapInfo');
    return { id, info: buf(reply.blobs[0]), fdinfo: fdinfoOf(reply) };
  }

  async linkInfo(id: number): Promise<RawLinkInfo | null> {
    const reply = await this.call('linkInfo', { obj: id });
    if (reply.result === null) return null;
    expectBlobs(reply, 1 + LINK_AUX.length, 'linkInfo');
    const info: Partial<RawLinkInfo> = { id, info: buf(reply.blobs[0]), fdinfo: fdinfoOf(reply) };
    LINK_AUX.forEach((name, i) => (info[name] = buf(reply.blobs[i + 1])));
    return info as RawLinkInfo;
  }

  async btfInfo(id: number): Promise<RawBtfInfo | null> {
    const reply = await this.call('btfInfo', { obj: id });
    if (reply.result === null) return null;
    expectBlobs(reply, 3, 'btfInfo');
    return { id, info: buf(reply.blobs[0]), fdinfo: fdinfoOf(reply), data: buf(reply.blobs[1]), name: buf(reply.blobs[2]) };
  }

  async owners(): Promise<RawOwnerFd[]> {
    const reply = await this.call('owners');
    if (!Array.isArray(reply.result)) throw new HostError({ code: 'EPROTO', message: 'agent: owners is not a list' });
    return reply.result as RawOwnerFd[];
  }

  async readFile(path: string, limit: number): Promise<Uint8Array> {
    const reply = await this.call('readFile', { path, limit });
    expectBlobs(reply, 1, 'readFile');
    return buf(reply.blobs[0]);
  }

  async openMap(id: number): Promise<MapReader | null> {
    const reply = await this.call('mapOpen', { obj: id });
    if (reply.result === null) return null;
    const handle = handleOf(reply, 'mapOpen');
    const session = this.session;
    return {
      async read(mode, cursor, keySize, valueStride, max): Promise<RawMapPage> {
        const page = await session.request('mapRead', { handle, mode, keySize, valueStride, max }, cursor ? [cursor] : []);
        expectBlobs(page, 3, 'mapRead');
        const { count, done } = page.result as { count: number; done: boolean };
        return { keys: buf(page.blobs[0]), values: buf(page.blobs[1]), count, cursor: buf(page.blobs[2]), done };
      },
      async close() {
        if (!session.closed) await session.request('close', { handle });
      },
    };
  }

  async enableStats(): Promise<StatsHold> {
    const handle = handleOf(await this.call('enableStats'), 'enableStats');
    const session = this.session;
    return {
      async release() {
        if (!session.closed) await session.request('close', { handle });
      },
    };
  }

  async clocks(): Promise<HostClocks> {
    const { realtimeNs, boottimeNs } = (await this.call('clocks')).result as Record<string, unknown>;
    if (typeof realtimeNs !== 'string' || typeof boottimeNs !== 'string') throw new HostError({ code: 'EPROTO', message: 'agent: bad clocks' });
    return { realtimeNs: BigInt(realtimeNs), boottimeNs: BigInt(boottimeNs) };
  }

  async close(): Promise<void> {
    this.session.close();
  }
}
