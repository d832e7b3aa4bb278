// How bpftool 7.1 prints each scalar of a map value (btf_dumper.c, json_writer.c), written
// as bytes at `at` in `out`, read from `s` at `o`; each returns the end. One function per
// rule, shared by the JSON and text writers (value-writer.ts) and the UI tree (value-tree.ts
// turns the same bytes into its display strings), so a rule is fixed in one place.
// `text`: bpftool's plain-text mode (is_plain_text), where hex is bare and pointers are %p.

import { writeI64, writeInt, writeU32, writeU64 } from './decimal-bytes.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export const HEX_DIGITS = new TextEncoder().encode('0123456789abcdef');
const TRUE = new TextEncoder().encode('true');
const FALSE = new TextEncoder().encode('false');
const NIL = new TextEncoder().encode('(nil)');

/** Copies a short constant (a loop beats set() below a few dozen bytes). */
export function putBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) out[at + i] = bytes[i]!;
  return at + bytes.length;
}

export function u16(s: Uint8Array, o: number, le: boolean): number {
  return le ? s[o]! | (s[o + 1]! << 8) : (s[o]! << 8) | s[o + 1]!;
}

export function u32(s: Uint8Array, o: number, le: boolean): number {
  return (le ? s[o]! | (s[o + 1]! << 8) | (s[o + 2]! << 16) | (s[o + 3]! << 24) : (s[o]! << 24) | (s[o + 1]! << 16) | (s[o + 2]! << 8) | s[o + 3]!) >>> 0;
}

/** Low and high 32-bit halves of the 64-bit integer at o. */
function lo32(s: Uint8Array, o: number, le: boolean): number {
  return le ? u32(s, o, true) : u32(s, o + 4, false);
}
function hi32(s: Uint8Array, o: number, le: boolean): number {
  return le ? u32(s, o + 4, true) : u32(s, o, false);
}

export const writeLeafU8 = (out: Uint8Array, at: number, s: Uint8Array, o: number): number => writeU32(out, at, s[o]!);
export const writeLeafS8 = (out: Uint8Array, at: number, s: Uint8Array, o: number): number => writeInt(out, at, (s[o]! << 24) >> 24);
export const writeLeafU16 = (out: Uint8Array, at: number, s: Uint8Array, o: number, le: boolean): number => writeU32(out, at, u16(s, o, le));
export const writeLeafS16 = (out: Uint8Array, at: number, s: Uint8Array, o: number, le: boolean): number =>
  writeInt(out, at, (u16(s, o, le) << 16) >> 16);
export const writeLeafU32 = (out: Uint8Array, at: number, s: Uint8Array, o: number, le: boolean): number => writeU32(out, at, u32(s, o, le));
export const writeLeafS32 = (out: Uint8Array, at: number, s: Uint8Array, o: number, le: boolean): number => writeInt(out, at, u32(s, o, le) | 0);
export const writeLeafU64 = (out: Uint8Array, at: number, s: Uint8Array, o: number, le: boolean): number =>
  writeU64(out, at, lo32(s, o, le), hi32(s, o, le));
export const writeLeafS64 = (out: Uint8Array, at: number, s: Uint8Array, o: number, le: boolean): number =>
  writeI64(out, at, lo32(s, o, le), hi32(s, o, le));

/** isprint() in the C locale. */
function printable(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** CHAR ints: `"%c"` when printable, else `"\u00%02hhx"` (JSON) or `0x%hhx` (text). */
export function writeLeafChar(out: Uint8Array, at: number, s: Uint8Array, o: number, text: boolean): number {
  const c = s[o]!;
  if (printable(c)) {
    out[at] = QUOTE;
    out[at + 1] = c;
    out[at + 2] = QUOTE;
    return at + 3;
  }
  if (text) {
    out[at] = 0x30;
    out[at + 1] = 0x78;
    if (c < 16) {
      out[at + 2] = HEX_DIGITS[c]!;
      return at + 3;
    }
    out[at + 2] = HEX_DIGITS[c >> 4]!;
    out[at + 3] = HEX_DIGITS[c & 15]!;
    return at + 4;
  }
  at = putBytes(out, at, UNICODE_ESCAPE);
  out[at] = HEX_DIGITS[c >> 4]!;
  out[at + 1] = HEX_DIGITS[c & 15]!;
  out[at + 2] = QUOTE;
  return at + 3;
}
const UNICODE_ESCAPE = new TextEncoder().encode('"\\u00');

/** BOOL ints: bpftool reads one byte (`*(bool *)data`), whatever the int's size. */
export function writeLeafBool(out: Uint8Array, at: number, s: Uint8Array, o: number): number {
  return putBytes(out, at, s[o] !== 0 ? TRUE : FALSE);
}

/** Pointers: `%lu` in JSON, `%p` in text (glibc: `(nil)` for 0, else 0x and lowercase hex). */
export function writeLeafPtr(out: Uint8Array, at: number, s: Uint8Array, o: number, le: boolean, text: boolean): number {
  const lo = lo32(s, o, le);
  const hi = hi32(s, o, le);
  if (!text) return writeU64(out, at, lo, hi);
  if (lo === 0 && hi === 0) return putBytes(out, at, NIL);
  out[at] = 0x30;
  out[at + 1] = 0x78;
  return writeHex64(out, at + 2, lo, hi);
}

/** v (an unsigned 32-bit integer) in lowercase hex without leading zeros. */
export function writeHex32(out: Uint8Array, at: number, v: number): number {
  let digits = 1;
  while (digits < 8 && v >>> (digits * 4) !== 0) digits++;
  for (let d = digits - 1; d >= 0; d--) out[at++] = HEX_DIGITS[(v >>> (d * 4)) & 15]!;
  return at;
}

/** v (an unsigned 32-bit integer) as exactly 8 hex digits. */
function writeHex32Padded(out: Uint8Array, at: number, v: number): number {
  for (let d = 7; d >= 0; d--) out[at++] = HEX_DIGITS[(v >>> (d * 4)) & 15]!;
  return at;
}

/** hi·2^32 + lo in lowercase hex without leading zeros (at least one digit). */
function writeHex64(out: Uint8Array, at: number, lo: number, hi: number): number {
  return hi ? writeHex32Padded(out, writeHex32(out, at, hi), lo) : writeHex32(out, at, lo);
}

/** Enumerator names, quoted as bpftool prints them, by the value they match. */
export type EnumNameBytes<K> = ReadonlyMap<K, Uint8Array>;

/** ENUM: read signed; the matching name, else the value (`%lld`). `view`: as for writeI64. */
export function writeLeafEnum(out: Uint8Array, at: number, s: Uint8Array, o: number, le: boolean, size: number, names: EnumNameBytes<number>, view?: DataView): number {
  if (size === 8) {
    const lo = lo32(s, o, le);
    const hi = hi32(s, o, le);
    // Only a sign-extended 32-bit value can equal an enumerator's s32 value.
    if (hi !== (lo >= 0x80000000 ? 0xffffffff : 0)) return writeI64(out, at, lo, hi, view);
    const name = names.get(lo | 0);
    return name ? putBytes(out, at, name) : writeI64(out, at, lo, hi, view);
  }
  const v = size === 1 ? (s[o]! << 24) >> 24 : size === 2 ? (u16(s, o, le) << 16) >> 16 : u32(s, o, le) | 0;
  const name = names.get(v);
  return name ? putBytes(out, at, name) : writeInt(out, at, v);
}

/** ENUM64: both halves must match an enumerator; else the value as s64. `view`: as for writeI64. */
export function writeLeafEnum64(out: Uint8Array, at: number, s: Uint8Array, o: number, le: boolean, names: EnumNameBytes<bigint>, view?: DataView): number {
  const lo = lo32(s, o, le);
  const hi = hi32(s, o, le);
  if (names.size > 0) {
    const name = names.get((BigInt(hi) << 32n) | BigInt(lo));
    if (name) return putBytes(out, at, name);
  }
  return writeI64(out, at, lo, hi, view);
}

/** The unsigned value of bits [bitOffset, bitOffset + bits) of the bytes at o (little-endian bit order). */
export function readBits(s: Uint8Array, o: number, bitOffset: number, bits: number, le: boolean): bigint | number {
  const nbytes = (bitOffset + bits + 7) >>> 3;
  if (le && nbytes <= 4 && bits < 32) {
    let acc = 0;
    for (let i = nbytes - 1; i >= 0; i--) acc = acc * 256 + s[o + i]!;
    return Math.floor(acc / 2 ** bitOffset) % 2 ** bits;
  }
  let raw = 0n;
  if (le) {
    for (let i = nbytes - 1; i >= 0; i--) raw = (raw << 8n) | BigInt(s[o + i]!);
    raw >>= BigInt(bitOffset);
  } else {
    // Big-endian bitfields count from the most significant bit.
    for (let i = 0; i < nbytes; i++) raw = (raw << 8n) | BigInt(s[o + i]!);
    raw >>= BigInt(nbytes * 8 - bitOffset - bits);
  }
  return BigInt.asUintN(bits, raw);
}

/** Bytes o..o+n-1 (n <= 4) as a little-endian unsigned integer. */
function littleWord(s: Uint8Array, o: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = (v << 8) | s[o + i]!;
  return v >>> 0;
}

/**
 * Bits [bitOffset, bitOffset + bits) of the little-endian bytes at o, as minimal hex
 * (bits <= 128): four 32-bit words, shifted and masked, the top nonzero one unpadded.
 */
function writeBitsLittle(out: Uint8Array, at: number, s: Uint8Array, o: number, bitOffset: number, bits: number): number {
  const nbytes = (bitOffset + bits + 7) >>> 3;
  let w0 = littleWord(s, o, Math.min(nbytes, 4));
  let w1 = nbytes > 4 ? littleWord(s, o + 4, Math.min(nbytes - 4, 4)) : 0;
  let w2 = nbytes > 8 ? littleWord(s, o + 8, Math.min(nbytes - 8, 4)) : 0;
  let w3 = nbytes > 12 ? littleWord(s, o + 12, Math.min(nbytes - 12, 4)) : 0;
  if (bitOffset) {
    // A 17th byte holds the top bits of a 128-bit field that starts mid-byte.
    const w4 = nbytes > 16 ? s[o + 16]! : 0;
    const back = 32 - bitOffset;
    w0 = ((w0 >>> bitOffset) | (w1 << back)) >>> 0;
    w1 = ((w1 >>> bitOffset) | (w2 << back)) >>> 0;
    w2 = ((w2 >>> bitOffset) | (w3 << back)) >>> 0;
    w3 = ((w3 >>> bitOffset) | (w4 << back)) >>> 0;
  }
  // Keep `bits` bits: whole words below, a mask on the word holding the top bit, zeros above.
  const top = (bits - 1) >>> 5;
  const mask = bits & 31 ? (1 << (bits & 31)) - 1 : -1;
  if (top === 0) return writeHex32(out, at, (w0 & mask) >>> 0);
  if (top === 1) w1 = (w1 & mask) >>> 0;
  else if (top === 2) w2 = (w2 & mask) >>> 0;
  else w3 = (w3 & mask) >>> 0;
  if (top < 2) w2 = 0;
  if (top < 3) w3 = 0;
  if (w3) return writeHex32Padded(out, writeHex32Padded(out, writeHex32Padded(out, writeHex32(out, at, w3), w2), w1), w0);
  if (w2) return writeHex32Padded(out, writeHex32Padded(out, writeHex32(out, at, w2), w1), w0);
  if (w1) return writeHex32Padded(out, writeHex32(out, at, w1), w0);
  return writeHex32(out, at, w0);
}

/** Bitfields and integers bpftool prints as hex (btf_dumper_bitfield, btf_int128_print). */
export function writeLeafBits(out: Uint8Array, at: number, s: Uint8Array, o: number, le: boolean, bitOffset: number, bits: number, text: boolean): number {
  if (!text) out[at++] = QUOTE;
  out[at++] = 0x30;
  out[at++] = 0x78;
  if (le && bits <= 128) {
    at = writeBitsLittle(out, at, s, o, bitOffset, bits);
  } else {
    const hex = readBits(s, o, bitOffset, bits, le).toString(16);
    for (let i = 0; i < hex.length; i++) out[at++] = hex.charCodeAt(i);
  }
  if (!text) out[at++] = QUOTE;
  return at;
}

/**
 * is_str_array's test on the bytes and jsonw_string's output: a printable string ending in
 * a NUL within `n` bytes is written (after `prefix`, 0 for none) and the end returned; -1 otherwise.
 */
export function writeLeafString(out: Uint8Array, at: number, s: Uint8Array, o: number, n: number, prefix: number): number {
  let end = -1;
  for (let i = 0; i < n; i++) {
    const c = s[o + i]!;
    if (c === 0) {
      end = o + i;
      break;
    }
    if (!printable(c)) return -1;
  }
  if (end < 0) return -1;
  if (prefix) out[at++] = prefix;
  out[at++] = QUOTE;
  for (let i = o; i < end; i++) {
    const c = s[i]!;
    // jsonw_puts: '\\' is written as "\n" (a bpftool quirk), '"' escaped, '\'' raw.
    if (c === BACKSLASH) {
      out[at++] = BACKSLASH;
      out[at++] = 0x6e;
    } else if (c === QUOTE) {
      out[at++] = BACKSLASH;
      out[at++] = c;
    } else {
      out[at++] = c;
    }
  }
  out[at++] = QUOTE;
  return at;
}

/** A string as jsonw_string writes it (names of members and enumerators). */
export function jsonwString(s: string): string {
  let out = '"';
  for (const c of s) {
    switch (c) {
      case '\t': out += '\\t'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\f': out += '\\f'; break;
      case '\b': out += '\\b'; break;
      case '\\': out += '\\n'; break;
      case '"': out += '\\"'; break;
      default: out += c;
    }
  }
  return out + '"';
}
