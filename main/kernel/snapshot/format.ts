// The snapshot file's layout (docs/snapshot-format.md): a gzip'd ustar archive whose
// manifest.json says what was recorded, next to the raw bytes each host operation returned.

export const SNAPSHOT_FORMAT = 'bpfscope-snapshot';
export const SNAPSHOT_VERSION = 1;
export const MANIFEST_PATH = 'manifest.json';

export type SnapshotKind = 'prog' | 'map' | 'link' | 'btf';

/** The byte arrays recorded per object kind: file `<kind>/<id>/<part>.bin`. */
export const RAW_PARTS = {
  prog: ['info', 'map_ids', 'xlated', 'jited', 'jited_ksyms', 'jited_func_lens', 'func_info', 'line_info', 'jited_line_info', 'prog_tags'],
  map: ['info'],
  link: ['info', 'name', 'addrs', 'offsets', 'ref_ctr_offsets', 'cookies'],
  btf: ['info', 'name', 'data'],
} as const satisfies Record<SnapshotKind, readonly string[]>;

export interface SnapshotHostFacts {
  /** The label of the host the snapshot was taken on (`local`, `user@box`). */
  label: string;
  /** /proc/sys/kernel/osrelease. */
  kernelRelease?: string;
  /** /proc/sys/kernel/arch. */
  arch?: string;
  /** /sys/devices/system/cpu/possible, e.g. `0-1`. */
  possibleCpus?: string;
  /** sysctls that change what BPF shows (bpf_jit_enable, kptr_restrict, …), as read. */
  settings: Record<string, string>;
}

export interface SnapshotMapContent {
  /** Entries recorded (keys in `map/<id>/keys.bin`, values in `values.bin`), refused slots included. */
  count: number;
  /**
   * Slots whose lookup the kernel refused (an XSK map's, an empty devmap slot), as bpftool's
   * dump lists them: per entry, 0 or the errno (`map/<id>/errors.bin`, u32 little-endian; a
   * refused slot's value is zeroes). Absent when every lookup succeeded.
   */
  refusedSlots?: number;
  keySize: number;
  /** Bytes between values (per-CPU maps: one 8-byte slot per possible CPU). */
  stride: number;
  /** False when --max-entries cut the read short. */
  complete: boolean;
  /** 'gone': the map vanished while it was read; 'error': the read failed (message in `error`). */
  state: 'done' | 'gone' | 'limit' | 'error';
  error?: string;
}

export interface SnapshotVmlinux {
  id: number;
  size: number;
  sha256: string;
  /** Its bytes are in the file (--with-vmlinux). */
  included: boolean;
}

/** One archive entry's size and SHA-256 (hex), as written. */
export interface SnapshotChecksum {
  size: number;
  sha256: string;
}

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  /** ISO 8601, when the snapshot was finished. */
  createdAt: string;
  host: SnapshotHostFacts;
  /** Decimal nanoseconds (u64 does not fit a JSON number). */
  clocks: { realtimeNs: string; boottimeNs: string };
  options: { maps: 'all' | 'none' | number[]; maxEntries: number; withVmlinux: boolean };
  /** Ids recorded per kind, in the order the host listed them. */
  ids: Record<SnapshotKind, number[]>;
  vmlinux?: SnapshotVmlinux;
  /** By map id, for maps whose contents were read. */
  mapContents: Record<string, SnapshotMapContent>;
  /** Host files recorded (`files/<path>`), e.g. `/proc/kallsyms` (only the entries listings need). */
  files: string[];
  /** By archive path, every entry but the manifest (absent in snapshots written before checksums were added). */
  checksums?: Record<string, SnapshotChecksum>;
}

export function rawPath(kind: SnapshotKind, id: number, part: string): string {
  return `${kind}/${id}/${part}.bin`;
}

export function fdinfoPath(kind: SnapshotKind, id: number): string {
  return `${kind}/${id}/fdinfo.txt`;
}

export function mapContentPath(id: number, part: 'keys' | 'values' | 'errors'): string {
  return `map/${id}/${part}.bin`;
}

export function hostFilePath(path: string): string {
  return `files${path}`;
}

export const OWNERS_PATH = 'owners.json';

const MAP_CONTENT_STATES: ReadonlySet<string> = new Set(['done', 'gone', 'limit', 'error']);

function isCount(value: unknown, max = 0xffffffff): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;
}

/** Why a mapContents entry is malformed, or undefined. */
function mapContentProblem(value: unknown): string | undefined {
  const c = value as Partial<SnapshotMapContent> | null;
  if (typeof c !== 'object' || c === null) return 'not an object';
  if (!isCount(c.count)) return `count ${String(c.count)}`;
  if (!isCount(c.keySize, 1 << 16)) return `keySize ${String(c.keySize)}`;
  if (!isCount(c.stride, 1 << 30)) return `stride ${String(c.stride)}`;
  if (typeof c.complete !== 'boolean') return 'complete is not a boolean';
  if (typeof c.state !== 'string' || !MAP_CONTENT_STATES.has(c.state)) return `state ${String(c.state)}`;
  if (c.refusedSlots !== undefined && (!isCount(c.refusedSlots) || c.refusedSlots > c.count)) return `refusedSlots ${String(c.refusedSlots)}`;
  return undefined;
}

function isChecksum(value: unknown): value is SnapshotChecksum {
  const c = value as Partial<SnapshotChecksum> | null;
  return typeof c === 'object' && c !== null && isCount(c.size, Number.MAX_SAFE_INTEGER) && typeof c.sha256 === 'string' && /^[0-9a-f]{64}$/.test(c.sha256);
}

function isIdList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isInteger(v) && v > 0 && v <= 0xffffffff);
}

/** Parses and checks a manifest; a newer format version is refused with both versions named. */
export function parseManifest(text: string): SnapshotManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`manifest: not JSON (${(error as Error).message})`);
  }
  const m = value as Partial<SnapshotManifest> | null;
  if (typeof m !== 'object' || m === null || m.format !== SNAPSHOT_FORMAT) throw new Error('manifest: not a bpfscope snapshot');
  if (typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1) throw new Error(`manifest: bad version ${String(m.version)}`);
  if (m.version > SNAPSHOT_VERSION) {
    throw new Error(`manifest: snapshot format version ${m.version} is newer than this bpfscope reads (${SNAPSHOT_VERSION}): upgrade bpfscope`);
  }
  const ids = m.ids as Partial<Record<SnapshotKind, unknown>> | undefined;
  for (const kind of ['prog', 'map', 'link', 'btf'] as const) {
    if (!isIdList(ids?.[kind])) throw new Error(`manifest: ids.${kind} missing or not a list of ids`);
  }
  if (typeof m.host !== 'object' || m.host === null || typeof m.host.label !== 'string') throw new Error('manifest: host facts missing');
  if (!m.clocks || !/^\d+$/.test(String(m.clocks.realtimeNs)) || !/^\d+$/.test(String(m.clocks.boottimeNs))) {
    throw new Error('manifest: clocks missing');
  }
  if (typeof m.mapContents !== 'object' || m.mapContents === null) throw new Error('manifest: mapContents missing');
  for (const [id, content] of Object.entries(m.mapContents)) {
    const problem = mapContentProblem(content);
    if (problem) throw new Error(`manifest: mapContents.${id}: ${problem}`);
    if (!m.ids!.map!.includes(Number(id))) throw new Error(`manifest: mapContents.${id}: no such map in ids.map`);
  }
  if (m.checksums !== undefined) {
    if (typeof m.checksums !== 'object' || m.checksums === null) throw new Error('manifest: checksums is not an object');
    for (const [path, checksum] of Object.entries(m.checksums)) {
      if (!isChecksum(checksum)) throw new Error(`manifest: checksums of ${path}: want { size, sha256 }`);
    }
  }
  if (!Array.isArray(m.files) || !m.files.every((f) => typeof f === 'string')) throw new Error('manifest: files missing');
  return m as SnapshotManifest;
}
