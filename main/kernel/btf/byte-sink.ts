// A growable byte buffer for writing large JSON documents without building strings: the
// writers of a map dump write straight into its buffer after asking for room.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ByteSink {
  private buffer: Uint8Array;
  /** The buffer's bytes as a DataView (for writers that store several bytes at once). */
  private bufferView: DataView;
  private length = 0;

  constructor(initialCapacity = 1 << 16) {
    this.buffer = new Uint8Array(initialCapacity);
    this.bufferView = new DataView(this.buffer.buffer);
  }

  get size(): number {
    return this.length;
  }

  /** Room for `extra` more bytes: the buffer to write them into from `size` on (then commit). */
  room(extra: number): Uint8Array {
    if (this.length + extra > this.buffer.length) {
      let capacity = Math.max(64, this.buffer.length * 2);
      while (capacity < this.length + extra) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
      this.bufferView = new DataView(grown.buffer);
    }
    return this.buffer;
  }

  /** room()'s buffer as a DataView, at the same offsets. */
  get view(): DataView {
    return this.bufferView;
  }

  /** Marks the bytes written into room()'s buffer up to `end` as part of the output. */
  commit(end: number): void {
    this.length = end;
  }

  /** Appends text (UTF-8). */
  text(s: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const buffer = this.room(s.length * 3);
    this.length += encoder.encodeInto(s, buffer.subarray(this.length)).written;
  }

  /**
   * The bytes written so far, and a start over in the same buffer: the view is valid until
   * the next write (reusing one buffer spares a fresh, page-faulting allocation per chunk).
   */
  drain(): Uint8Array {
    const out = this.buffer.subarray(0, this.length);
    this.length = 0;
    return out;
  }

  /** The text written so far, and a start over. */
  drainText(): string {
    return decoder.decode(this.drain());
  }
}
