// The byte-writing decimal printers against BigInt's own decimal text: every power of two
// and ten and their neighbours (where carries and digit counts change), and random values
// of every bit length.
import { describe, expect, it } from 'vitest';
import { S8_LENGTHS, S8_WORDS, U8_LENGTHS, U8_WORDS, writeI64, writeInt, writeU32, writeU64 } from '../../../main/kernel/btf/decimal-bytes.js';
import { prng } from '../../helpers/prng.js';

const decoder = new TextDecoder();
const MASK64 = (1n << 64n) - 1n;

/** The room a caller leaves for one number: a sign and 20 digits. */
const ROOM = 21;

/**
 * Writes at offset 3 of a marked buffer, checks nothing before 3 or past the number's room was
 * touched (the room past the number's end is the writers' to use). The buffer is a view 5 bytes
 * into a larger one, as the DataView the 64-bit writers make must see.
 */
function written(write: (out: Uint8Array, at: number) => number): string {
  const out = new Uint8Array(40).subarray(5, 37).fill(0x23);
  const end = write(out, 3);
  expect(end).toBeLessThanOrEqual(3 + ROOM);
  expect(out.subarray(0, 3).every((b) => b === 0x23)).toBe(true);
  expect(out.subarray(3 + ROOM).every((b) => b === 0x23)).toBe(true);
  return decoder.decode(out.subarray(3, end));
}

function halves(v: bigint): [lo: number, hi: number] {
  const u = v & MASK64;
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
}

/** Edge values: 0, ±2^k ± 1 and ±10^k ± 1 within 64 bits. */
function edges(): bigint[] {
  const out = new Set<bigint>([0n]);
  for (let k = 0n; k <= 64n; k++) for (const d of [-1n, 0n, 1n]) out.add((1n << k) + d).add(-(1n << k) + d);
  for (let k = 0n; k <= 20n; k++) for (const d of [-1n, 0n, 1n]) out.add(10n ** k + d).add(-(10n ** k) + d);
  // Around multiples of 10^8 and 10^16, where a quotient by 10^8 taken through a double is off by one.
  const next = prng(20261207);
  for (let i = 0; i < 2000; i++) {
    const k = BigInt(Math.floor(next() * 2 ** 32)) * BigInt(1 + Math.floor(next() * 2 ** 21));
    for (const base of [k * 10n ** 8n, (k % 1845n) * 10n ** 16n, (k % 184467440738n) * 10n ** 8n]) for (const d of [-2n, -1n, 0n, 1n, 2n]) out.add((base + d) & MASK64);
  }
  return [...out];
}

function randomValues(count: number): bigint[] {
  const next = prng(20261126);
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const bits = BigInt(1 + Math.floor(next() * 64));
    const v = (BigInt(Math.floor(next() * 2 ** 32)) << 32n) | BigInt(Math.floor(next() * 2 ** 32));
    out.push(BigInt.asUintN(Number(bits), v));
  }
  return out;
}

const values = [...edges(), ...randomValues(20000)];

describe('decimal bytes', () => {
  it('writeU64 prints every unsigned 64-bit value as BigInt does', () => {
    for (const v of values) {
      const u = v & MASK64;
      const [lo, hi] = halves(u);
      expect(written((out, at) => writeU64(out, at, lo, hi)), `${u}`).toBe(u.toString());
    }
  });

  it('writeI64 prints every signed 64-bit value as BigInt does', () => {
    for (const v of values) {
      const s = BigInt.asIntN(64, v);
      const [lo, hi] = halves(s);
      expect(written((out, at) => writeI64(out, at, lo, hi)), `${s}`).toBe(s.toString());
    }
  });

  it('writeU32 and writeInt print 32-bit values as String does', () => {
    for (const v of values) {
      const u = Number(BigInt.asUintN(32, v));
      const s = Number(BigInt.asIntN(32, v));
      expect(written((out, at) => writeU32(out, at, u))).toBe(String(u));
      expect(written((out, at) => writeInt(out, at, s))).toBe(String(s));
    }
  });

  it('the byte tables hold the digits of every byte value, unsigned and signed, with their count', () => {
    // Each word as a writer stores it: little-endian, then cut at its count.
    const word = (words: Uint32Array, b: number, length: number) => {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, words[b]!, true);
      return decoder.decode(bytes.subarray(0, length));
    };
    for (let b = 0; b < 256; b++) {
      expect(word(U8_WORDS, b, U8_LENGTHS[b]!), `u8 ${b}`).toBe(String(b));
      expect(word(S8_WORDS, b, S8_LENGTHS[b]!), `s8 ${b}`).toBe(String((b << 24) >> 24));
    }
  });
});
