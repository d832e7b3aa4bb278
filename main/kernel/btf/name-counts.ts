// How many times each name has been claimed, for names that are NUL-terminated byte strings
// of a BTF string table: a hash table over the bytes themselves, so that counting the 30 k
// names of vmlinux makes no strings (equal names at different offsets count as one).

export class NameCounts {
  /** Hash → first entry with that hash; entries chain through `next` (-1 ends). */
  private readonly buckets = new Map<number, number>();
  private readonly offsets: number[] = [];
  private readonly counts: number[] = [];
  private readonly next: number[] = [];

  constructor(private readonly strings: Uint8Array) {}

  /** One more use of the name at `off`: how many uses it has now, this one included. */
  claim(off: number): number {
    const s = this.strings;
    let h = 0x811c9dc5;
    for (let i = off; i < s.length && s[i] !== 0; i++) h = Math.imul(h ^ s[i]!, 0x01000193);
    h &= 0x3fffffff;
    const first = this.buckets.get(h);
    if (first !== undefined) {
      for (let e = first; e !== -1; e = this.next[e]!) {
        if (this.sameName(this.offsets[e]!, off)) return ++this.counts[e]!;
      }
    }
    this.offsets.push(off);
    this.counts.push(1);
    this.next.push(first ?? -1);
    this.buckets.set(h, this.offsets.length - 1);
    return 1;
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
}
