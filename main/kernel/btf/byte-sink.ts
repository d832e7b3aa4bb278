// A growable byte buffer for writing large JSON documents without building strings: the
// hex arrays of a map dump are most of its bytes, and copying them from a table is cheaper
// than concatenating and then encoding text.

const encoder = new TextEncoder();

/** `"0x00"` … `"0xff"` as bytes. */
const HEX_ITEMS: readonly Uint8Array[] = Array.from({ length: 256 }, (_, i) => encoder.encode(`"0x${i.toString(16).padStart(2, '0')}"`));
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;

export class ByteSink {
  private buffer: Uint8Array;
  private length = 0;

  constructor(initialCapacity = 1 << 16) {
    this.buffer = new Uint8Array(initialCapacity);
  }

  get size(): number {
    return this.length;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  /** Appends text (UTF-8). */
  text(s: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    this.reserve(s.length * 3);
    this.length += encoder.encodeInto(s, this.buffer.subarray(this.length)).written;
  }

  /** Appends bpftool's `["0x01","0x02",…]` for bytes[offset, offset+length). */
  hexArray(bytes: Uint8Array, offset: number, length: number): void {
    const end = Math.min(bytes.length, offset + length);
    this.reserve(2 + Math.max(0, end - offset) * 7);
    const buf = this.buffer;
    let at = this.length;
    buf[at++] = OPEN;
    for (let i = offset; i < end; i++) {
      if (i > offset) buf[at++] = COMMA;
      const item = HEX_ITEMS[bytes[i]!]!;
      for (let j = 0; j < 6; j++) buf[at + j] = item[j]!;
      at += 6;
    }
    buf[at++] = CLOSE;
    this.length = at;
  }

  /** The bytes written so far, and a fresh start (the view stays valid). */
  take(): Uint8Array {
    const out = this.buffer.subarray(0, this.length);
    this.buffer = new Uint8Array(this.buffer.length);
    this.length = 0;
    return out;
  }
}
