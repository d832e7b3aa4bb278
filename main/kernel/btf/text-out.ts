// Text written as bytes into one reused buffer and handed out a chunk at a time: the C and
// raw printers write all of vmlinux (MBs) through it, with no whole-document string and
// memory bounded by the chunk size (or the largest single declaration).

import { writeI64, writeInt, writeU32, writeU64 } from './decimal-bytes.js';

// Local bindings: the bundler reads an import from another chunk through a getter at every use.
const u32 = writeU32;
const int = writeInt;
const i64 = writeI64;
const u64 = writeU64;

const TAB = 0x09;
/** Strings up to this long are copied in one pass; longer ones are measured first. */
const SHORT_STRING = 64;
const encoder = new TextEncoder();
/** The most text one piece (a declaration, a type's raw lines) may take before a chunk is taken. */
const MAX_PIECE_BYTES = 64 << 20;

export class TextOut {
  buf: Uint8Array;
  pos = 0;

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
  }

  /** Room for `n` more bytes. */
  need(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    // Chunks are taken between declarations; one declaration this long is damaged BTF (an
    // anonymous type written out in place again and again), not C to print.
    if (this.pos + n > MAX_PIECE_BYTES) throw new Error(`one declaration is over ${MAX_PIECE_BYTES >> 20} MiB of text: the BTF nests or repeats its types beyond any real program's (damaged?)`);
    let capacity = this.buf.length * 2;
    while (capacity < this.pos + n) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** An ASCII literal. */
  ascii(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    this.need(s.length * 3);
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  byte(c: number): void {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** The NUL-terminated string at `off` in `strings`, copied byte for byte; up to `max` bytes. */
  cstring(strings: Uint8Array, off: number, max = Infinity): void {
    const n = strings.length;
    if (this.pos + SHORT_STRING > this.buf.length) this.grow(SHORT_STRING);
    const buf = this.buf;
    let p = this.pos;
    // Copied as the NUL is looked for, in one pass, up to SHORT_STRING bytes (nearly every name).
    let i = off;
    for (const stop = Math.min(n, off + Math.min(max, SHORT_STRING)); i < stop; i++) {
      const c = strings[i]!;
      if (c === 0) break;
      buf[p++] = c;
    }
    this.pos = p;
    if (i === off + SHORT_STRING && max > SHORT_STRING) {
      let end = i;
      while (end < n && strings[end] !== 0) end++;
      this.bytes(strings, i, Math.min(end, off + max));
    }
  }

  /** Bytes `start` … `end` of `from`. */
  bytes(from: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) buf[p++] = from[i]!;
    this.pos = p;
  }

  /** A newline and `n` tabs. */
  newline(n: number): void {
    if (this.pos + n + 1 > this.buf.length) this.grow(n + 1);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x0a;
    for (let i = 0; i < n; i++) buf[p++] = TAB;
    this.pos = p;
  }

  /** v in [0, 2^32). */
  u32(v: number): void {
    if (this.pos + 10 > this.buf.length) this.grow(10);
    this.pos = u32(this.buf, this.pos, v);
  }

  /** v in [-2^31, 2^32). */
  int(v: number): void {
    if (this.pos + 11 > this.buf.length) this.grow(11);
    this.pos = int(this.buf, this.pos, v);
  }

  /** hi·2^32 + lo, unsigned or as two's complement. */
  u64(lo: number, hi: number, signed: boolean): void {
    if (this.pos + 21 > this.buf.length) this.grow(21);
    this.pos = signed ? i64(this.buf, this.pos, lo, hi) : u64(this.buf, this.pos, lo, hi);
  }

  /** The bytes written since the last take (valid until the next write), and a start over. */
  take(): Uint8Array {
    const chunk = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return chunk;
  }
}

/** Every chunk of a printer, joined into one string of at most `maxBytes` (for small outputs and tests). */
export function joinChunks(chunks: Iterable<Uint8Array>, maxBytes = Infinity): string {
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (const chunk of chunks) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw new Error(`text longer than ${maxBytes} bytes`);
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
