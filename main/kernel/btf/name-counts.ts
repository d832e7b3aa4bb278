// How many times each name has been claimed, for names that are NUL-terminated byte strings
// of a BTF string table: an open-addressing hash table over the bytes themselves, in typed
// arrays, so that counting the 30 k names of vmlinux makes no strings and no garbage (equal
// names at different offsets count as one).

const EMPTY = -1;

export class NameCounts {
  /** Slot → string offset of the name held there, or EMPTY. */
  private offsets: Int32Array;
  private counts: Int32Array;
  private hashes: Int32Array;
  private used = 0;

  constructor(private readonly strings: Uint8Array, capacity = 1024) {
    this.offsets = new Int32Array(capacity).fill(EMPTY);
    this.counts = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
  }

  /** One more use of the name at `off`: how many uses it has now, this one included. */
  claim(off: number): number {
    const s = this.strings;
    let h = 0x811c9dc5;
    for (let i = off; i < s.length && s[i] !== 0; i++) h = Math.imul(h ^ s[i]!, 0x01000193);
    const mask = this.offsets.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const held = this.offsets[slot]!;
      if (held === EMPTY) {
        this.offsets[slot] = off;
        this.hashes[slot] = h;
        this.counts[slot] = 1;
        if (++this.used * 2 > this.offsets.length) this.grow();
        return 1;
      }
      if (this.hashes[slot] === h && this.sameName(held, off)) return ++this.counts[slot]!;
    }
  }

  private sameName(a: number, b: number): boolean {
    if (a === b) return true;
    const s = this.strings;
    for (;;) {
      const c = s[a++];
      if (c !== s[b++]) return false;
      if (c === 0 || c === undefined) return true;
    }
  }

  /** Twice the slots, every name placed again (the table stays at most half full). */
  private grow(): void {
    const { offsets, counts, hashes } = this;
    const capacity = offsets.length * 2;
    this.offsets = new Int32Array(capacity).fill(EMPTY);
    this.counts = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < offsets.length; i++) {
      if (offsets[i] === EMPTY) continue;
      let slot = hashes[i]! & mask;
      while (this.offsets[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.offsets[slot] = offsets[i]!;
      this.counts[slot] = counts[i]!;
      this.hashes[slot] = hashes[i]!;
    }
  }
}
