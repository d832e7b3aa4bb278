// Snapshots in the service: files uploaded from the UI (snapshots, or BPF object files told
// apart by their ELF magic) opened as read-only hosts, and the
// compare method (any two hosts it knows, snapshots or live, read through the same Host
// operations as `bpfscope diff` and diffed with the maps' BTF).
import { randomUUID } from 'node:crypto';
import type { Params, Result } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import type { HostSession } from '../hosts/host-session.js';
import { BtfEntryRenderer, readHostState } from '../hosts/snapshot-compare.js';
import { ObjectFileHost } from '../hosts/objfile-host.js';
import { isElf } from '../kernel/objfile/magic.js';
import { decodeSnapshot, SnapshotHost } from '../hosts/snapshot-host.js';
import { diffStates } from '../kernel/snapshot/diff.js';

/** Entries read per map and side when the caller names no limit: a UI answer, not an export. */
const DEFAULT_MAX_ENTRIES = 10_000;
/** Entries read per side over all maps: what one comparison may hold. */
const MAX_TOTAL_ENTRIES = 2_000_000;
/** Comparisons running at once over all clients: each reads two hosts whole. */
const MAX_COMPARES = 2;

/** The compare method: any two hosts the service knows, read through the Host operations and diffed. */
export class Comparisons {
  private running = 0;

  constructor(private readonly session: (host: string) => Promise<HostSession>) {}

  async compare(params: Params<'compareHosts'>): Promise<Result<'compareHosts'>> {
    if (this.running >= MAX_COMPARES) throw new ApiError({ code: 'EBUSY', message: `${MAX_COMPARES} comparisons are running, the server's limit`, hint: 'try again when they finish' });
    this.running++;
    try {
      const maxEntries = params.maxEntries ?? DEFAULT_MAX_ENTRIES;
      const [before, after] = await Promise.all([this.session(params.before), this.session(params.after)]);
      const [beforeState, afterState] = await Promise.all([
        readHostState(before, maxEntries, MAX_TOTAL_ENTRIES), readHostState(after, maxEntries, MAX_TOTAL_ENTRIES),
      ]);
      const renderer = await BtfEntryRenderer.load({ before: [before, beforeState], after: [after, afterState] });
      return diffStates(beforeState, afterState, renderer);
    } finally {
      this.running--;
    }
  }
}

/** Uploads in progress at once; each holds its whole file in memory until opened. */
const MAX_UPLOADS = 4;
/** Their announced sizes together. */
const MAX_UPLOAD_BYTES = 1024 ** 3;
const UPLOAD_IDLE_MS = 5 * 60_000;

interface Upload {
  name: string;
  bytes: Uint8Array;
  received: number;
  timer: NodeJS.Timeout;
}

/** Files sent in order, chunk by chunk, then decoded into a host (never written to disk). */
export class SnapshotUploads {
  private readonly uploads = new Map<string, Upload>();

  begin({ name, size }: Params<'beginSnapshotUpload'>): Result<'beginSnapshotUpload'> {
    if (this.uploads.size >= MAX_UPLOADS) throw new ApiError({ code: 'EBUSY', message: `at most ${MAX_UPLOADS} snapshot uploads at once` });
    const pending = [...this.uploads.values()].reduce((sum, u) => sum + u.bytes.length, 0);
    if (pending + size > MAX_UPLOAD_BYTES) {
      throw new ApiError({ code: 'EBUSY', message: `uploads in progress take ${pending} of ${MAX_UPLOAD_BYTES} bytes: a ${size}-byte file does not fit until they finish` });
    }
    const upload = randomUUID();
    const forget = setTimeout(() => this.uploads.delete(upload), UPLOAD_IDLE_MS);
    forget.unref();
    this.uploads.set(upload, { name: name.replace(/[/\\]/g, '_'), bytes: new Uint8Array(size), received: 0, timer: forget });
    return { upload };
  }

  chunk({ upload, offset, data }: Params<'uploadSnapshotChunk'>): Result<'uploadSnapshotChunk'> {
    const entry = this.entry(upload);
    const bytes = Buffer.from(data, 'base64');
    if (offset !== entry.received) throw new ApiError({ code: 'EINVAL', message: `upload ${entry.name}: chunk at ${offset}, expected ${entry.received}` });
    if (offset + bytes.length > entry.bytes.length) throw new ApiError({ code: 'EINVAL', message: `upload ${entry.name}: more bytes than announced (${entry.bytes.length})` });
    entry.bytes.set(bytes, offset);
    entry.received += bytes.length;
    entry.timer.refresh();
    return { received: entry.received };
  }

  /**
   * The uploaded file as a host: an ELF file is an object file, anything else must be a snapshot
   * (whose decoder says what is wrong with it). The upload is forgotten whatever the outcome.
   */
  async finish({ upload }: Params<'openUploadedSnapshot'>): Promise<SnapshotHost | ObjectFileHost> {
    const entry = this.entry(upload);
    this.uploads.delete(upload);
    clearTimeout(entry.timer);
    if (entry.received !== entry.bytes.length) {
      throw new ApiError({ code: 'EINVAL', message: `upload ${entry.name}: ${entry.received} of ${entry.bytes.length} bytes received` });
    }
    if (isElf(entry.bytes)) return ObjectFileHost.fromBytes(entry.bytes, entry.name, Date.now());
    if (entry.bytes[0] !== 0x1f || entry.bytes[1] !== 0x8b) {
      throw new ApiError({ code: 'ESNAPSHOT', message: `${entry.name}: neither a bpfscope snapshot (gzip) nor a BPF object file (ELF)` });
    }
    const { manifest, files } = await decodeSnapshot(entry.bytes, entry.name);
    return new SnapshotHost(manifest, files, entry.name);
  }

  close(): void {
    for (const entry of this.uploads.values()) clearTimeout(entry.timer);
    this.uploads.clear();
  }

  private entry(upload: string): Upload {
    const entry = this.uploads.get(upload);
    if (!entry) throw new ApiError({ code: 'ENOENT', message: `no snapshot upload '${upload}' (finished, or idle for too long)` });
    return entry;
  }
}

/** The host's label (`snapshot:NAME`, `objfile:NAME`), or `LABEL (2)` … when that host id is taken. */
export function uploadedHostId(label: string, taken: ReadonlySet<string>): string {
  const base = label;
  if (!taken.has(base)) return base;
  for (let n = 2; n < 1000; n++) if (!taken.has(`${base} (${n})`)) return `${base} (${n})`;
  throw new ApiError({ code: 'EEXIST', message: `${base}: opened too many times` });
}
