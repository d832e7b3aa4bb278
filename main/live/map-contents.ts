// What a map watch knows of a map's contents: entries kept in the pages they arrived in
// (contiguous key and value buffers, no object per entry), indexed by key bytes. A
// changed entry is stored again in a newer page and its old slot becomes garbage;
// pages are compacted when garbage outweighs live entries, so memory stays within about
// twice the map's current contents.
import { keyId, type KeyId, type MapPage } from '../kernel/maps/snapshot.js';

/** Entries per page an entry reference can address (refs are page * PAGE_SPAN + index). */
const PAGE_SPAN = 1 << 24;
/** Garbage slots tolerated before compacting, besides one per live entry. */
const COMPACT_SLACK = 4096;
/**
 * Pages (live or emptied) tolerated before compacting: each poll with changes adds one, and a
 * page emptied by later changes still takes a slot, so a small map changing every poll would
 * otherwise grow the page list by one slot per poll for as long as it is watched.
 */
const COMPACT_PAGES = 1024;

export class MapContents {
  private pages: Array<MapPage | undefined> = [];
  private liveInPage: number[] = [];
  private index = new Map<KeyId, number>();
  private slots = 0;

  constructor(
    readonly keySize: number,
    readonly stride: number,
  ) {}

  get size(): number {
    return this.index.size;
  }

  /** Page slots held, emptied ones included (bounded by compaction). */
  get pageSlots(): number {
    return this.pages.length;
  }

  refOf(id: KeyId): number | undefined {
    return this.index.get(id);
  }

  /** [key id, entry reference] of every entry. */
  indexed(): IterableIterator<[KeyId, number]> {
    return this.index.entries();
  }

  key(ref: number): Uint8Array {
    const i = ref % PAGE_SPAN;
    return this.pages[Math.floor(ref / PAGE_SPAN)]!.keys.subarray(i * this.keySize, (i + 1) * this.keySize);
  }

  value(ref: number): Uint8Array {
    const i = ref % PAGE_SPAN;
    return this.pages[Math.floor(ref / PAGE_SPAN)]!.values.subarray(i * this.stride, (i + 1) * this.stride);
  }

  /** True when entry `ref` holds the value at `offset` of `values`. */
  sameValue(ref: number, values: Uint8Array, offset: number): boolean {
    const i = ref % PAGE_SPAN;
    const own = this.pages[Math.floor(ref / PAGE_SPAN)]!.values;
    const at = i * this.stride;
    for (let b = 0; b < this.stride; b++) if (own[at + b] !== values[offset + b]) return false;
    return true;
  }

  /** Takes the page (not copied: the caller hands it over) as the entries' current values. */
  put(page: MapPage): void {
    if (page.count === 0) return;
    if (page.count >= PAGE_SPAN) throw new RangeError(`map page of ${page.count} entries exceeds ${PAGE_SPAN}`);
    const p = this.pages.length;
    this.pages.push(page);
    this.liveInPage.push(0);
    this.slots += page.count;
    for (let i = 0; i < page.count; i++) {
      const id = keyId(page.keys, i * this.keySize, this.keySize);
      const old = this.index.get(id);
      if (old !== undefined) this.release(old);
      this.index.set(id, p * PAGE_SPAN + i);
      this.liveInPage[p]!++;
    }
    this.compactIfSparse();
  }

  delete(id: KeyId): void {
    const ref = this.index.get(id);
    if (ref === undefined) return;
    this.index.delete(id);
    this.release(ref);
    this.compactIfSparse();
  }

  private release(ref: number): void {
    const p = Math.floor(ref / PAGE_SPAN);
    // A page with no live entry left is dropped at once.
    if (--this.liveInPage[p]! === 0) {
      this.slots -= this.pages[p]!.count;
      this.pages[p] = undefined;
    }
  }

  private compactIfSparse(): void {
    if (this.slots <= 2 * this.index.size + COMPACT_SLACK && this.pages.length <= COMPACT_PAGES) return;
    const count = this.index.size;
    const keys = new Uint8Array(count * this.keySize);
    const values = new Uint8Array(count * this.stride);
    const index = new Map<KeyId, number>();
    let i = 0;
    for (const [id, ref] of this.index) {
      keys.set(this.key(ref), i * this.keySize);
      values.set(this.value(ref), i * this.stride);
      index.set(id, i++);
    }
    this.pages = [{ keys, values, count }];
    this.liveInPage = [count];
    this.index = index;
    this.slots = count;
  }
}
