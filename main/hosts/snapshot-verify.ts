// What a snapshot's reader checks before it answers from a file: each archive entry's size (and,
// on first read, its SHA-256) against the manifest's checksums; whatever the snapshot can vouch
// for on its own (each info record names its object and has the length of the others of its
// kind, map contents hold count × size bytes, the JSON files have their shape). A damaged entry
// is an ESNAPSHOT error naming it when it is read; the rest of the snapshot stays usable.
// Snapshots written before checksums were added get the structural checks and a statement of
// what could not be checked.
import { createHash } from 'node:crypto';
import { BTF_INFO, LINK_INFO, MAP_INFO, PROG_INFO } from '../kernel/info/layout.js';
import { MANIFEST_PATH, mapContentPath, OWNERS_PATH, rawPath, type SnapshotKind, type SnapshotManifest } from '../kernel/snapshot/format.js';
import { HostError } from './host-error.js';
import type { RawOwnerFd } from './host.js';
import { CALLS_PATH, callLogProblem, decodeCallLog, type CallLog } from './snapshot-calls.js';

const ID_OFFSET: Record<SnapshotKind, number> = { prog: PROG_INFO.id, map: MAP_INFO.id, link: LINK_INFO.id, btf: BTF_INFO.id };
const decoder = new TextDecoder();

export const NO_CHECKSUMS_NOTE =
  'written without checksums (by a bpfscope older than them): the sizes of map contents, the info records and the JSON files were checked, the bytes themselves could not be';

/** What reading a snapshot's entries must respect. */
export class SnapshotEntries {
  /** Path → why the entry is damaged; thrown when it is read. */
  private readonly damage = new Map<string, string>();
  /** Path → SHA-256 not yet compared with the entry's bytes. */
  private readonly pendingHashes = new Map<string, string>();
  readonly owners: RawOwnerFd[];
  readonly calls: CallLog;
  /** What could not be checked, when something could not. */
  readonly caveat: string | undefined;

  constructor(
    private readonly label: string,
    manifest: SnapshotManifest,
    private readonly files: ReadonlyMap<string, Uint8Array>,
  ) {
    if (manifest.checksums) this.checkSizes(manifest.checksums);
    this.caveat = manifest.checksums ? undefined : NO_CHECKSUMS_NOTE;
    this.checkInfoRecords(manifest);
    this.checkMapContents(manifest);
    this.owners = this.json(OWNERS_PATH, [], ownersProblem) as RawOwnerFd[];
    this.calls = this.json(CALLS_PATH, {}, callLogProblem, decodeCallLog) as CallLog;
  }

  /** An entry's bytes once checked; undefined when the snapshot has no such entry. */
  get(path: string): Uint8Array | undefined {
    const why = this.damage.get(path);
    if (why) throw this.error(path, why);
    const bytes = this.files.get(path);
    const expected = this.pendingHashes.get(path);
    if (bytes && expected) {
      if (createHash('sha256').update(bytes).digest('hex') !== expected) {
        this.damage.set(path, 'its SHA-256 differs from the manifest’s (damaged or altered after it was written)');
        return this.get(path);
      }
      this.pendingHashes.delete(path);
    }
    return bytes;
  }

  /** Records why an entry is damaged; the first reason found (its checksum) stands. */
  private mark(path: string, why: string): void {
    if (!this.damage.has(path)) this.damage.set(path, why);
  }

  private error(path: string, why: string): HostError {
    return new HostError({ code: 'ESNAPSHOT', message: `${this.label}: ${path}: ${why}`, hint: 'the snapshot file was damaged or changed after bpfscope wrote it: take it again' });
  }

  private checkSizes(checksums: NonNullable<SnapshotManifest['checksums']>): void {
    for (const [path, { size, sha256 }] of Object.entries(checksums)) {
      const bytes = this.files.get(path);
      if (!bytes) this.mark(path, 'missing, though the manifest lists it');
      else if (bytes.length !== size) this.mark(path, `${bytes.length} bytes, the manifest records ${size} (truncated or altered)`);
      else this.pendingHashes.set(path, sha256);
    }
    for (const path of this.files.keys()) {
      if (path !== MANIFEST_PATH && !Object.hasOwn(checksums, path)) this.mark(path, 'not in the manifest’s checksums (added after the snapshot was written)');
    }
  }

  /** Each info record names its own object, and the records of one kind share one length (one kernel wrote them). */
  private checkInfoRecords(manifest: SnapshotManifest): void {
    for (const kind of ['prog', 'map', 'link', 'btf'] as const) {
      const lengths = new Map<number, number>();
      const records: Array<[string, Uint8Array]> = [];
      for (const id of manifest.ids[kind]) {
        const path = rawPath(kind, id, 'info');
        const info = this.files.get(path);
        if (!info) {
          this.mark(path, 'missing');
          continue;
        }
        const at = ID_OFFSET[kind];
        if (info.length < at + 4) {
          this.mark(path, `${info.length} bytes, too short for a ${kind} info record (truncated)`);
          continue;
        }
        const named = new DataView(info.buffer, info.byteOffset + at, 4).getUint32(0, true);
        if (named !== id) {
          this.mark(path, `holds the record of ${kind} ${named}, not ${id}`);
          continue;
        }
        lengths.set(info.length, (lengths.get(info.length) ?? 0) + 1);
        records.push([path, info]);
      }
      const [usual, count] = [...lengths].reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0]);
      if (count < 2) continue;
      for (const [path, info] of records) {
        if (info.length !== usual) this.mark(path, `${info.length} bytes where ${count} other ${kind} info records have ${usual} (truncated or altered)`);
      }
    }
  }

  private checkMapContents(manifest: SnapshotManifest): void {
    for (const [id, content] of Object.entries(manifest.mapContents)) {
      for (const [part, size] of [['keys', content.keySize], ['values', content.stride]] as const) {
        const path = mapContentPath(Number(id), part);
        const length = this.files.get(path)?.length ?? 0;
        const need = content.count * size;
        if (length !== need) this.mark(path, `${length} bytes, but ${content.count} entries of ${size} bytes need ${need} (truncated or altered)`);
      }
      if (content.refusedSlots) {
        const path = mapContentPath(Number(id), 'errors');
        const length = this.files.get(path)?.length ?? 0;
        if (length !== content.count * 4) this.mark(path, `${length} bytes, but ${content.count} entries' errnos need ${content.count * 4} (truncated or altered)`);
      }
    }
  }

  /** A JSON entry parsed and shape-checked; `fallback` when the snapshot has none; damage recorded, not thrown. */
  private json(path: string, fallback: unknown, problem: (value: unknown) => string | undefined, parse = (text: string): unknown => JSON.parse(text)): unknown {
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.get(path);
    } catch {
      return fallback;
    }
    if (!bytes) return fallback;
    let value: unknown;
    try {
      value = parse(decoder.decode(bytes));
    } catch (error) {
      this.mark(path, `not JSON (${(error as Error).message})`);
      return fallback;
    }
    const why = problem(value);
    if (why) {
      this.mark(path, `${why} (damaged file)`);
      return fallback;
    }
    return value;
  }
}

const OWNER_FIELDS = { pid: 'number', fd: 'number', comm: 'string', target: 'string', fdinfo: 'string' } as const;

function ownersProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'not a list of owners';
  for (const [i, owner] of value.entries()) {
    if (typeof owner !== 'object' || owner === null) return `owner ${i} is not an object`;
    for (const [field, type] of Object.entries(OWNER_FIELDS)) {
      if (typeof (owner as Record<string, unknown>)[field] !== type) return `owner ${i}: ${field} is not a ${type}`;
    }
  }
  return undefined;
}
