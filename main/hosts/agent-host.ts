// Host backed by the agent over any pair of pipes: a local child process
// (`new AgentHost(spawn('native/build/agent-x86_64'))`) or an SSH channel.
// Returns the same bytes LocalHost returns; map pages are trimmed to count.
import type { BpfStreamId, Host, HostClocks, MapDiffWatch, MapReader, ObjectKind, PinnedObject, RawBtfInfo, RawCgroupQuery, RawInfo, RawLinkInfo, RawMapDiff, RawMapPage, RawNetns, RawOwnerFd, RawProgInfo, RawRingbufPositions, RawTaskFd, RawMapPages, RawMapPeek, RawTraceTail, RtnlDumpKind, StatsHold, TracePipe } from './host.js';
import { RTNL_DUMP_CODES } from './host.js';
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

/** The agent's per-entry lookup errors: little-endian int32s. */
function errnosOf(bytes: Uint8Array): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int32Array.from({ length: bytes.length >>> 2 }, (_, i) => view.getInt32(i * 4, true));
}

function fdinfoOf(reply: AgentReply): string {
  const fdinfo = (reply.result as { fdinfo?: unknown }).fdinfo;
  return typeof fdinfo === 'string' ? fdinfo : '';
}

/** Attach types as the agent takes them: blob of u32 LE. */
function u32Blob(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v, true));
  return bytes;
}

function listOf<T>(reply: AgentReply, op: string): T[] {
  if (!Array.isArray(reply.result)) throw new HostError({ code: 'EPROTO', message: `agent: ${op} is not a list` });
  return reply.result as T[];
}

/** Splits one blob into consecutive slices of the given lengths. */
function slices(blob: Uint8Array, lengths: readonly number[], op: string): Buffer[] {
  const whole = buf(blob);
  let at = 0;
  const out = lengths.map((n) => whole.subarray(at, (at += n)));
  if (at !== whole.byteLength) throw new HostError({ code: 'EPROTO', message: `agent: ${op} lengths do not add up to its blob` });
  return out;
}

const TASK_FD_ATTR_SIZE = 48;

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

  async pinnedObject(path: string): Promise<PinnedObject> {
    const reply = await this.call('pinnedObject', { path });
    const { kind, id } = (reply.result ?? {}) as Record<string, unknown>;
    if ((kind !== 'prog' && kind !== 'map' && kind !== 'link') || typeof id !== 'number' || !Number.isInteger(id) || id <= 0) {
      throw new HostError({ code: 'EPROTO', message: 'agent: pinnedObject is not a kind and an id' });
    }
    return { kind, id };
  }

  async openMap(id: number): Promise<MapReader | null> {
    const reply = await this.call('mapOpen', { obj: id });
    if (reply.result === null) return null;
    const handle = handleOf(reply, 'mapOpen');
    const session = this.session;
    return {
      async read(mode, cursor, keySize, valueStride, max): Promise<RawMapPage> {
        const page = await session.request('mapRead', { handle, mode, keySize, valueStride, max }, cursor ? [cursor] : []);
        expectBlobs(page, 4, 'mapRead');
        const { count, done } = page.result as { count: number; done: boolean };
        const read: RawMapPage = { keys: buf(page.blobs[0]), values: buf(page.blobs[1]), count, cursor: buf(page.blobs[2]), done };
        const errors = buf(page.blobs[3]);
        if (errors.length) read.errors = errnosOf(errors);
        return read;
      },
      async mmap(pageIndex, length): Promise<Uint8Array> {
        const reply = await session.request('mapMmap', { handle, page: pageIndex, length });
        expectBlobs(reply, 1, 'mapMmap');
        return buf(reply.blobs[0]);
      },
      async close() {
        if (!session.closed) await session.request('close', { handle });
      },
    };
  }

  async watchMap(mapId: number, keySize: number, valueStride: number): Promise<MapDiffWatch> {
    const reply = await this.call('mapWatch', { obj: mapId, keySize, valueStride });
    const watch = (reply.result as { watch?: unknown } | null)?.watch;
    if (typeof watch !== 'number') throw new HostError({ code: 'EPROTO', message: 'agent: mapWatch returned no watch' });
    const session = this.session;
    return {
      async diff(max): Promise<RawMapDiff | null> {
        const reply = await session.request('mapDiff', { watch, max });
        if (reply.result === null) return null;
        expectBlobs(reply, 3, 'mapDiff');
        const { count, removed, entries, more, fresh } = reply.result as Record<string, unknown>;
        if (typeof count !== 'number' || typeof removed !== 'number' || typeof entries !== 'number' || typeof more !== 'boolean' || typeof fresh !== 'boolean') {
          throw new HostError({ code: 'EPROTO', message: 'agent: bad mapDiff result' });
        }
        return { keys: buf(reply.blobs[0]), values: buf(reply.blobs[1]), count, removed: buf(reply.blobs[2]), removedCount: removed, entries, more, fresh };
      },
      async close() {
        if (!session.closed) await session.request('mapUnwatch', { watch });
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

  async progInfoAll(maxProgs: number, knownIds?: Uint32Array): Promise<Uint8Array> {
    const reply = await this.call('progInfoAll', { max: maxProgs }, knownIds ? [u32Blob(Array.from(knownIds))] : []);
    expectBlobs(reply, 1, 'progInfoAll');
    return buf(reply.blobs[0]);
  }

  async progInfoBatch(afterId: number, max: number): Promise<Uint8Array> {
    const reply = await this.call('progInfoBatch', { after: afterId, max });
    expectBlobs(reply, 1, 'progInfoBatch');
    return buf(reply.blobs[0]);
  }

  async mapInfoBatch(afterId: number, max: number): Promise<Uint8Array> {
    const reply = await this.call('mapInfoBatch', { after: afterId, max });
    expectBlobs(reply, 1, 'mapInfoBatch');
    return buf(reply.blobs[0]);
  }

  async progArrayBatch(afterId: number, max: number): Promise<Uint8Array> {
    const reply = await this.call('progArrayBatch', { after: afterId, max });
    expectBlobs(reply, 1, 'progArrayBatch');
    return buf(reply.blobs[0]);
  }

  async ringbufPositions(mapId: number): Promise<RawRingbufPositions | null> {
    const reply = await this.call('ringbufPositions', { obj: mapId });
    if (reply.result === null) return null;
    const { consumerPos, producerPos, dataSize, mapType } = reply.result as Record<string, unknown>;
    if (typeof consumerPos !== 'string' || typeof producerPos !== 'string' || typeof dataSize !== 'number' || typeof mapType !== 'number') {
      throw new HostError({ code: 'EPROTO', message: 'agent: bad ring buffer positions' });
    }
    return { consumerPos: BigInt(consumerPos), producerPos: BigInt(producerPos), dataSize, mapType };
  }

  async progStreamRead(progId: number, stream: BpfStreamId, max: number): Promise<Uint8Array | null> {
    try {
      const reply = await this.call('progStreamRead', { obj: progId, stream, max });
      expectBlobs(reply, 1, 'progStreamRead');
      return buf(reply.blobs[0]);
    } catch (error) {
      if (error instanceof HostError && error.code === 'ENOENT') return null;
      throw error;
    }
  }

  async tracefsRead(path: string, limit: number): Promise<RawTraceTail> {
    const reply = await this.call('tracefsRead', { path, limit });
    expectBlobs(reply, 1, 'tracefsRead');
    const total = (reply.result as { total?: unknown } | null)?.total;
    if (typeof total !== 'number') throw new HostError({ code: 'EPROTO', message: 'agent: tracefsRead returned no total' });
    return { bytes: buf(reply.blobs[0]), total };
  }

  async openTracePipe(path: string): Promise<TracePipe> {
    const handle = handleOf(await this.call('tracePipeOpen', { path }), 'tracePipeOpen');
    const session = this.session;
    return {
      async read(max): Promise<Uint8Array> {
        const reply = await session.request('tracePipeRead', { handle, max });
        expectBlobs(reply, 1, 'tracePipeRead');
        return buf(reply.blobs[0]);
      },
      async close() {
        if (!session.closed) await session.request('close', { handle });
      },
    };
  }

  async mapHash(id: number): Promise<Uint8Array | null> {
    try {
      const reply = await this.call('mapHash', { obj: id });
      expectBlobs(reply, 1, 'mapHash');
      return buf(reply.blobs[0]);
    } catch (error) {
      if (error instanceof HostError && error.code === 'ENOENT') return null;
      throw error;
    }
  }

  async mapPeek(id: number): Promise<RawMapPeek | null> {
    try {
      const reply = await this.call('mapPeek', { obj: id });
      expectBlobs(reply, 1, 'mapPeek');
      const empty = (reply.result as { empty?: unknown } | null)?.empty;
      if (typeof empty !== 'boolean') throw new HostError({ code: 'EPROTO', message: 'agent: mapPeek returned no empty flag' });
      return { value: empty ? null : buf(reply.blobs[0]) };
    } catch (error) {
      if (error instanceof HostError && error.code === 'ENOENT') return null;
      throw error;
    }
  }

  async procMapPages(pid: number, addr: bigint, pages: number): Promise<RawMapPages> {
    const reply = await this.call('procMapPages', { pid, addr: addr.toString(), pages });
    expectBlobs(reply, 2, 'procMapPages');
    const pageSize = (reply.result as { pageSize?: unknown } | null)?.pageSize;
    if (typeof pageSize !== 'number') throw new HostError({ code: 'EPROTO', message: 'agent: procMapPages returned no page size' });
    return { present: buf(reply.blobs[0]), bytes: buf(reply.blobs[1]), pageSize };
  }

  async netnsList(): Promise<RawNetns[]> {
    return listOf<RawNetns>(await this.call('netnsList'), 'netnsList');
  }

  async rtnlDump(netnsPath: string | null, kind: RtnlDumpKind, ifindex: number, parent: number): Promise<Uint8Array> {
    const reply = await this.call('rtnlDump', { ns: netnsPath, kind: RTNL_DUMP_CODES[kind], ifindex, parent });
    expectBlobs(reply, 1, 'rtnlDump');
    return buf(reply.blobs[0]);
  }

  async netProgQuery(netnsPath: string | null, ifindex: number, attachTypes: number[], queryFlags: number): Promise<Uint8Array> {
    const reply = await this.call('netProgQuery', { ns: netnsPath, ifindex, queryFlags }, [u32Blob(attachTypes)]);
    expectBlobs(reply, 1, 'netProgQuery');
    return buf(reply.blobs[0]);
  }

  async cgroupQuery(root: string, attachTypes: number[]): Promise<RawCgroupQuery[]> {
    const reply = await this.call('cgroupQuery', { root }, [u32Blob(attachTypes)]);
    expectBlobs(reply, 1, 'cgroupQuery');
    const cgroups = listOf<{ path: string; id: number; attached: number; effective: number }>(reply, 'cgroupQuery');
    const records = slices(reply.blobs[0]!, cgroups.flatMap((c) => [c.attached, c.effective]), 'cgroupQuery');
    return cgroups.map((c, i) => ({ path: c.path, id: c.id, attached: records[2 * i]!, effective: records[2 * i + 1]! }));
  }

  async taskFds(): Promise<RawTaskFd[]> {
    const reply = await this.call('taskFds');
    expectBlobs(reply, 2, 'taskFds');
    const fds = listOf<{ pid: number; fd: number; error?: number; comm: string; name: number }>(reply, 'taskFds');
    const attrs = slices(reply.blobs[0]!, fds.map(() => TASK_FD_ATTR_SIZE), 'taskFds');
    const names = slices(reply.blobs[1]!, fds.map((f) => f.name), 'taskFds');
    return fds.map((f, i) => ({ pid: f.pid, fd: f.fd, ...(f.error ? { error: f.error } : {}), comm: f.comm, attr: attrs[i]!, name: names[i]! }));
  }

  async close(): Promise<void> {
    this.session.close();
  }
}
