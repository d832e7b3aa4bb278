// A snapshot file as a read-only Host: every operation answers with the bytes recorded when the
// snapshot was taken, so listings, detail views and BTF work on it unchanged. Live operations
// (stats, ring buffer positions, maps not recorded) throw HostError code 'ESNAPSHOT'.
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  fdinfoPath, hostFilePath, MANIFEST_PATH, mapContentPath, OWNERS_PATH, rawPath,
  parseManifest, type SnapshotKind, type SnapshotManifest, type SnapshotMapContent,
} from '../kernel/snapshot/format.js';
import { decodeTar } from '../kernel/snapshot/tar.js';
import type {
  Host, HostClocks, MapReader, MapReadMode, ObjectKind, RawBtfInfo, RawInfo, RawLinkInfo, RawMapPage, RawOwnerFd,
  RawCgroupQuery, RawMapPages, RawMapPeek, RawNetns, RawProgInfo, RawTaskFd, RtnlDumpKind, StatsHold,
} from './host.js';
import { readBoundedFile } from './bounded-file.js';
import { HostError } from './host-error.js';
import { CALLS_PATH, replayCall } from './snapshot-calls.js';
import { SnapshotEntries } from './snapshot-verify.js';

/** Largest snapshot we decompress into memory. */
const MAX_SNAPSHOT_BYTES = 4 * 1024 ** 3;
/** Largest snapshot file we read (compressed), as large as an upload from the UI may be. */
export const MAX_SNAPSHOT_FILE_BYTES = 1024 ** 3;
const gunzipAsync = promisify(gunzip);
const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

function snapshotError(message: string, hint?: string): HostError {
  return new HostError({ code: 'ESNAPSHOT', message, ...(hint ? { hint } : {}) });
}

/** Why a file's first bytes are not a snapshot's, or undefined when they may be. */
export function snapshotHeadProblem(head: Uint8Array): string | undefined {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b ? undefined : 'not a bpfscope snapshot (not gzip data)';
}

/** Decodes a snapshot file's bytes; throws `ESNAPSHOT` errors that say what is wrong with it. */
export async function decodeSnapshot(bytes: Uint8Array, name: string): Promise<{ manifest: SnapshotManifest; files: Map<string, Uint8Array> }> {
  let tar: Uint8Array;
  const wrongHead = snapshotHeadProblem(bytes);
  if (wrongHead) throw snapshotError(`${name}: ${wrongHead}`);
  try {
    // Off the event loop: a server keeps answering while a large snapshot is inflated.
    tar = await gunzipAsync(bytes, { maxOutputLength: MAX_SNAPSHOT_BYTES });
  } catch (error) {
    throw snapshotError(`${name}: truncated or corrupted (gzip: ${(error as Error).message})`);
  }
  try {
    const files = decodeTar(tar);
    const manifest = files.get(MANIFEST_PATH);
    if (!manifest) throw new Error(`no ${MANIFEST_PATH}: not a bpfscope snapshot`);
    return { manifest: parseManifest(decoder.decode(manifest)), files };
  } catch (error) {
    throw snapshotError(`${name}: ${(error as Error).message}`);
  }
}

/** A map's recorded per-slot errnos (u32 little-endian), or undefined where every lookup succeeded. */
function slotErrors(bytes: Uint8Array | undefined, count: number): Int32Array | undefined {
  if (!bytes) return undefined;
  // The snapshot's own checks refuse an errors.bin of another size before it gets here.
  if (bytes.byteLength !== count * 4) throw snapshotError(`map errors: ${bytes.byteLength} bytes for ${count} entries`);
  const errors = new Int32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < errors.length; i++) errors[i] = view.getUint32(i * 4, true);
  return errors;
}

/** A reader over one map's recorded entries: the cursor is the next entry's index (u32). */
export class RecordedMapReader implements MapReader {
  private readonly errors: Int32Array | undefined;

  constructor(private readonly keys: Uint8Array, private readonly values: Uint8Array, private readonly content: SnapshotMapContent, errors?: Uint8Array) {
    this.errors = slotErrors(errors, content.count);
  }

  private indexAfter(mode: MapReadMode, cursor: Uint8Array | null): number {
    if (cursor === null) return 0;
    if (mode === 'batch') return new DataView(cursor.buffer, cursor.byteOffset, 4).getUint32(0, true);
    const { keySize, count } = this.content;
    // next-key: the entry after the given key, in recorded order.
    for (let i = 0; i < count; i++) {
      const key = this.keys.subarray(i * keySize, (i + 1) * keySize);
      if (key.every((b, j) => b === cursor[j])) return i + 1;
    }
    return 0;
  }

  async read(mode: MapReadMode, cursor: Uint8Array | null, keySize: number, valueStride: number, max: number): Promise<RawMapPage> {
    const { count } = this.content;
    if (keySize !== this.content.keySize || valueStride !== this.content.stride) {
      throw snapshotError(`map read: layout ${keySize}/${valueStride} differs from the recorded ${this.content.keySize}/${this.content.stride}`);
    }
    const start = Math.min(this.indexAfter(mode, cursor), count);
    const end = Math.min(count, start + Math.max(0, max));
    const next = new Uint8Array(4);
    new DataView(next.buffer).setUint32(0, end, true);
    const page: RawMapPage = {
      keys: this.keys.slice(start * keySize, end * keySize),
      values: this.values.slice(start * valueStride, end * valueStride),
      count: end - start,
      cursor: next,
      done: end >= count,
    };
    const errors = this.errors?.slice(start, end);
    if (errors?.some((errno) => errno !== 0)) page.errors = errors;
    return page;
  }

  async close(): Promise<void> {}
}

export class SnapshotHost implements Host {
  readonly label: string;
  private readonly ids: Record<ObjectKind, Set<number>>;
  private readonly files: SnapshotEntries;
  /** The decoded archive's bytes, which the host holds while open. */
  readonly heldBytes: number;

  constructor(readonly manifest: SnapshotManifest, files: Map<string, Uint8Array>, name: string) {
    this.label = `snapshot:${name}`;
    this.heldBytes = [...files.values()].reduce((sum, bytes) => sum + bytes.length, 0);
    this.ids = {
      prog: new Set(manifest.ids.prog), map: new Set(manifest.ids.map), link: new Set(manifest.ids.link), btf: new Set(manifest.ids.btf),
    };
    this.files = new SnapshotEntries(this.label, manifest, files);
  }

  /** What the snapshot could not be checked for (one written before checksums). */
  get caveat(): string | undefined {
    return this.files.caveat;
  }

  static async open(path: string): Promise<SnapshotHost> {
    const { bytes } = await readBoundedFile(path, {
      limit: MAX_SNAPSHOT_FILE_BYTES, what: 'a bpfscope snapshot', code: 'ESNAPSHOT', checkHead: snapshotHeadProblem,
    });
    const { manifest, files } = await decodeSnapshot(bytes, basename(path));
    return new SnapshotHost(manifest, files, basename(path));
  }

  private bytes(kind: SnapshotKind, id: number, part: string): Uint8Array {
    return this.files.get(rawPath(kind, id, part)) ?? EMPTY;
  }

  private raw(kind: SnapshotKind, id: number): RawInfo | null {
    if (!this.ids[kind].has(id)) return null;
    const info = this.files.get(rawPath(kind, id, 'info'));
    if (!info) throw snapshotError(`${this.label}: ${kind} ${id}: info missing from the snapshot (damaged file)`);
    return { id, info, fdinfo: decoder.decode(this.files.get(fdinfoPath(kind, id)) ?? EMPTY) };
  }

  async listIds(kind: ObjectKind): Promise<number[]> {
    return [...this.manifest.ids[kind]];
  }

  async progInfo(id: number, detail: boolean): Promise<RawProgInfo | null> {
    const raw = this.raw('prog', id);
    if (!raw) return null;
    const part = (name: string) => (detail ? this.bytes('prog', id, name) : EMPTY);
    return {
      ...raw,
      mapIds: this.bytes('prog', id, 'map_ids'),
      xlated: part('xlated'), jited: part('jited'), jitedKsyms: part('jited_ksyms'), jitedFuncLens: part('jited_func_lens'),
      funcInfo: part('func_info'), lineInfo: part('line_info'), jitedLineInfo: part('jited_line_info'), progTags: part('prog_tags'),
    };
  }

  async mapInfo(id: number): Promise<RawInfo | null> {
    return this.raw('map', id);
  }

  async linkInfo(id: number): Promise<RawLinkInfo | null> {
    const raw = this.raw('link', id);
    if (!raw) return null;
    const part = (name: string) => this.bytes('link', id, name);
    return { ...raw, name: part('name'), addrs: part('addrs'), offsets: part('offsets'), refCtrOffsets: part('ref_ctr_offsets'), cookies: part('cookies') };
  }

  async btfInfo(id: number): Promise<RawBtfInfo | null> {
    const raw = this.raw('btf', id);
    if (!raw) return null;
    const data = this.files.get(rawPath('btf', id, 'data'));
    if (!data) {
      const v = this.manifest.vmlinux;
      throw snapshotError(
        `${this.label}: btf ${id} (vmlinux) is recorded by hash only${v ? ` (sha256 ${v.sha256.slice(0, 16)}…, ${v.size} bytes)` : ''}`,
        'take the snapshot with --with-vmlinux to browse kernel types offline',
      );
    }
    return { ...raw, data, name: this.bytes('btf', id, 'name') };
  }

  async owners(): Promise<RawOwnerFd[]> {
    this.files.get(OWNERS_PATH);
    return this.files.owners;
  }

  async readFile(path: string, limit: number): Promise<Uint8Array> {
    const bytes = this.files.get(hostFilePath(path));
    if (!bytes) {
      const hint = path === '/sys/kernel/btf/vmlinux' ? 'take the snapshot with --with-vmlinux to browse kernel types offline' : undefined;
      throw snapshotError(`${this.label}: ${path} was not recorded in the snapshot`, hint);
    }
    return bytes.subarray(0, limit);
  }

  async openMap(id: number): Promise<MapReader | null> {
    if (!this.ids.map.has(id)) return null;
    const content = this.manifest.mapContents[String(id)];
    if (!content) throw snapshotError(`${this.label}: map ${id}: contents were not recorded (snapshot option --maps)`);
    const errors = content.refusedSlots ? this.files.get(mapContentPath(id, 'errors')) : undefined;
    return new RecordedMapReader(this.files.get(mapContentPath(id, 'keys')) ?? EMPTY, this.files.get(mapContentPath(id, 'values')) ?? EMPTY, content, errors);
  }

  /** A queue's or stack's head changes with every push and pop: no snapshot records it. */
  async mapPeek(id: number): Promise<RawMapPeek | null> {
    if (!this.ids.map.has(id)) return null;
    throw snapshotError(`${this.label} is a snapshot: map ${id}'s head element is live data, which a snapshot does not record`,
      'open the host itself to see what the queue or stack holds at its head');
  }

  async enableStats(): Promise<StatsHold> {
    throw snapshotError(`${this.label} is a snapshot: run statistics are live data, which a snapshot has none of`,
      'live views (statistics, charts, map watch) need a live host: open the host itself, or compare it with this snapshot');
  }

  netnsList(): Promise<RawNetns[]> {
    return this.replay('netnsList', []) as Promise<RawNetns[]>;
  }

  rtnlDump(netnsPath: string | null, kind: RtnlDumpKind, ifindex: number, parent: number): Promise<Uint8Array> {
    return this.replay('rtnlDump', [netnsPath, kind, ifindex, parent]) as Promise<Uint8Array>;
  }

  netProgQuery(netnsPath: string | null, ifindex: number, attachTypes: number[], queryFlags: number): Promise<Uint8Array> {
    return this.replay('netProgQuery', [netnsPath, ifindex, attachTypes, queryFlags]) as Promise<Uint8Array>;
  }

  cgroupQuery(root: string, attachTypes: number[]): Promise<RawCgroupQuery[]> {
    return this.replay('cgroupQuery', [root, attachTypes]) as Promise<RawCgroupQuery[]>;
  }

  taskFds(): Promise<RawTaskFd[]> {
    return this.replay('taskFds', []) as Promise<RawTaskFd[]>;
  }

  /** An arena's pages as its holder had them when the snapshot was taken (read through it then). */
  procMapPages(pid: number, addr: bigint, pages: number): Promise<RawMapPages> {
    return this.replay('procMapPages', [pid, addr, pages]) as Promise<RawMapPages>;
  }

  private replay(method: Parameters<typeof replayCall>[2], args: unknown[]): Promise<unknown> {
    try {
      this.files.get(CALLS_PATH);
    } catch (error) {
      return Promise.reject(error);
    }
    return replayCall(this.files.calls, this.label, method, args);
  }

  async clocks(): Promise<HostClocks> {
    return { realtimeNs: BigInt(this.manifest.clocks.realtimeNs), boottimeNs: BigInt(this.manifest.clocks.boottimeNs) };
  }

  async close(): Promise<void> {}
}
