// How many times each name has been claimed, for names that are NUL-terminated byte strings
// of a BTF string table: an open-addressing hash table over the bytes themselves, in a typed
// array, so that counting the 30 k names of vmlinux makes no strings and no garbage (equal
// names at different offsets count as one). A slot's offset, hash and count sit side by side:
// one cache line per probe, where three arrays cost three misses in a table of MBs.

const EMPTY = -1;
/** Slot i is table[3i] (string offset or EMPTY), table[3i + 1] (hash), table[3i + 2] (count). */
const SLOT = 3;

export class NameCounts {
  private table: Int32Array;
  private capacity: number;
  private used = 0;

  constructor(private readonly strings: Uint8Array, capacity = 1024) {
    this.capacity = capacity;
    this.table = new Int32Array(capacity * SLOT).fill(EMPTY);
  }

  /** One more use of the name at `off`: how many uses it has now, this one included. */
  claim(off: number): number {
    const s = this.strings;
    const n = s.length;
    let h = 0x811c9dc5;
    for (let i = off; i < n; i++) {
      const c = s[i]!;
      if (c === 0) break;
      h = Math.imul(h ^ c, 0x01000193);
    }
    const table = this.table;
    const mask = this.capacity - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT;
      const held = table[at]!;
      if (held === EMPTY) {
        table[at] = off;
        table[at + 1] = h;
        table[at + 2] = 1;
        if (++this.used * 2 > this.capacity) this.grow();
        return 1;
      }
      if (table[at + 1] === h && this.sameName(held, off)) return ++table[at + 2]!;
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
    const old = this.table;
    this.capacity *= 2;
    const table = new Int32Array(this.capacity * SLOT).fill(EMPTY);
    const mask = this.capacity - 1;
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at] === EMPTY) continue;
      let slot = old[at + 1]! & mask;
      while (table[slot * SLOT] !== EMPTY) slot = (slot + 1) & mask;
      table.set(old.subarray(at, at + SLOT), slot * SLOT);
    }
    this.table = table;
  }
}
