// One read of a map's contents, kept as the pages it was read in (contiguous key and
// value buffers, no object per entry), indexed by key bytes; and the diff of two reads.

export interface MapPage {
  /** `count` keys, keySize bytes each, back to back. */
  keys: Uint8Array;
  /** `count` values, `stride` bytes apart. */
  values: Uint8Array;
  count: number;
  /**
   * Only from a stream opened with slotErrors: per entry, 0 or the errno the kernel refused
   * its lookup with (that entry's value bytes are zeroes). Absent when every lookup succeeded.
   */
  errors?: Int32Array;
}

/** A key as a Map key: a number for keys up to 6 bytes, else a string of its bytes. */
export type KeyId = number | string;

/** Entries per page an entry reference can address (refs are page * PAGE_SPAN + index). */
const PAGE_SPAN = 1 << 24;
const CHUNK = 4096;

export function keyId(keys: Uint8Array, offset: number, size: number): KeyId {
  if (size <= 6) {
    let n = 0;
    for (let i = size - 1; i >= 0; i--) n = n * 256 + keys[offset + i]!;
    return n;
  }
  if (size <= CHUNK) return String.fromCharCode.apply(null, keys.subarray(offset, offset + size) as unknown as number[]);
  let s = '';
  for (let i = 0; i < size; i += CHUNK) {
    s += String.fromCharCode.apply(null, keys.subarray(offset + i, offset + Math.min(size, i + CHUNK)) as unknown as number[]);
  }
  return s;
}

export class MapSnapshot {
  private readonly pages: MapPage[] = [];
  private readonly index = new Map<KeyId, number>();

  constructor(readonly keySize: number, readonly stride: number) {}

  /** Distinct keys. */
  get size(): number {
    return this.index.size;
  }

  /** Appends a page. A key seen twice (a hash map rehashing under us) keeps its latest value. */
  add(page: MapPage): void {
    if (page.count >= PAGE_SPAN) throw new Error(`map page of ${page.count} entries exceeds ${PAGE_SPAN}`);
    const p = this.pages.length;
    this.pages.push(page);
    for (let i = 0; i < page.count; i++) this.index.set(keyId(page.keys, i * this.keySize, this.keySize), p * PAGE_SPAN + i);
  }

  /** Entry reference for key bytes, or undefined. */
  find(key: Uint8Array): number | undefined {
    return key.byteLength === this.keySize ? this.index.get(keyId(key, 0, this.keySize)) : undefined;
  }

  refOf(id: KeyId): number | undefined {
    return this.index.get(id);
  }

  /** [key id, entry reference] for each distinct key, in read order. */
  indexed(): IterableIterator<[KeyId, number]> {
    return this.index.entries();
  }

  key(ref: number): Uint8Array {
    const page = this.pages[Math.floor(ref / PAGE_SPAN)]!;
    const i = ref % PAGE_SPAN;
    return page.keys.subarray(i * this.keySize, (i + 1) * this.keySize);
  }

  value(ref: number): Uint8Array {
    const page = this.pages[Math.floor(ref / PAGE_SPAN)]!;
    const i = ref % PAGE_SPAN;
    return page.values.subarray(i * this.stride, (i + 1) * this.stride);
  }

  /** True when entry `ref` here and entry `otherRef` of `other` hold the same value bytes. */
  sameValue(ref: number, other: MapSnapshot, otherRef: number): boolean {
    const a = this.pages[Math.floor(ref / PAGE_SPAN)]!.values;
    const b = other.pages[Math.floor(otherRef / PAGE_SPAN)]!.values;
    const ao = (ref % PAGE_SPAN) * this.stride;
    const bo = (otherRef % PAGE_SPAN) * other.stride;
    if (this.stride !== other.stride) return false;
    for (let i = 0; i < this.stride; i++) if (a[ao + i] !== b[bo + i]) return false;
    return true;
  }
}

export interface SnapshotDiff {
  /** Refs into the newer snapshot. */
  added: number[];
  /** [ref in newer, ref in older]. */
  changed: Array<[number, number]>;
  /** Refs into the older snapshot. */
  removed: number[];
}

export function diffSnapshots(older: MapSnapshot, newer: MapSnapshot): SnapshotDiff {
  const diff: SnapshotDiff = { added: [], changed: [], removed: [] };
  for (const [id, ref] of newer.indexed()) {
    const old = older.refOf(id);
    if (old === undefined) diff.added.push(ref);
    else if (!newer.sameValue(ref, older, old)) diff.changed.push([ref, old]);
  }
  for (const [id, ref] of older.indexed()) if (newer.refOf(id) === undefined) diff.removed.push(ref);
  return diff;
}
