// Integers written as ASCII decimal straight into a byte buffer, without making a string:
// the formatted half of a map dump is mostly numbers, and String(n) plus encoding costs
// more than the digits themselves. Every function writes at `at` and returns the end; the
// caller guarantees room (20 digits and a sign at most), whose bytes past the end may be
// written too (the 64-bit writers store four digits at a time).

const ZERO = 0x30;
const MINUS = 0x2d;

/** "00" … "99": two digits per division. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => ZERO + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

/**
 * The decimal text of every byte value, for writers that inline small integers: entry b is the
 * little-endian 32-bit word of b's digits from the left (padding after them), and U8_LENGTHS[b]
 * their count. A writer stores the word and advances by the count.
 */
export const U8_WORDS = new Uint32Array(256);
export const U8_LENGTHS = new Uint8Array(256);
/** The same for the byte read as a signed char (up to 4 bytes, '-128'). */
export const S8_WORDS = new Uint32Array(256);
export const S8_LENGTHS = new Uint8Array(256);

for (let b = 0; b < 256; b++) {
  U8_LENGTHS[b] = fillDigits(U8_WORDS, b, b);
  S8_LENGTHS[b] = fillDigits(S8_WORDS, b, (b << 24) >> 24);
}

/**
 * "0000" … "9999", each as the little-endian 32-bit word of its four digits: one store writes
 * them. Made from the digit pairs (~0.3 ms when the module loads; through strings, 2 ms).
 */
const FOURS = new Uint32Array(10000);
for (let high = 0, v = 0; high < 100; high++) {
  const left = PAIRS[high * 2]! | (PAIRS[high * 2 + 1]! << 8);
  for (let low = 0; low < 100; low++) FOURS[v++] = left | (PAIRS[low * 2]! << 16) | (PAIRS[low * 2 + 1]! << 24);
}

/** Puts v's digits (at most 4 bytes) as word i of `words`; returns their count. */
function fillDigits(words: Uint32Array, i: number, v: number): number {
  const digits = new Uint8Array(4).fill(0x20);
  const n = writeInt(digits, 0, v);
  words[i] = digits[0]! | (digits[1]! << 8) | (digits[2]! << 16) | (digits[3]! << 24);
  return n;
}

/** v: an integer in [0, 2^32). */
export function writeU32(out: Uint8Array, at: number, v: number): number {
  // The digit count by comparisons written out (a function of its own was a call per number
  // where V8 does not inline: the BTF printers run with inlining off), every one made for every
  // number: a step first taken by a longer number than the optimized code had seen (an array's
  // keys, counting up) threw it, and the writers that inlined it, back to unoptimized code.
  const end = at + 1 + +(v >= 10) + +(v >= 100) + +(v >= 1000) + +(v >= 10000) + +(v >= 100000) +
    +(v >= 1000000) + +(v >= 10000000) + +(v >= 100000000) + +(v >= 1000000000);
  let p = end;
  while (v >= 100) {
    // An unsigned 32-bit division: compiled to a multiply, unlike Math.floor's float divide.
    const q = (v / 100) >>> 0;
    const pair = (v - q * 100) << 1;
    out[--p] = PAIRS[pair + 1]!;
    out[--p] = PAIRS[pair]!;
    v = q;
  }
  if (v >= 10) {
    out[--p] = PAIRS[(v << 1) + 1]!;
    out[--p] = PAIRS[v << 1]!;
  } else {
    out[--p] = ZERO + v;
  }
  return end;
}


/** v in [0, 10^8): exactly 8 digits, in two stores through `view`. */
function writeEight(view: DataView, at: number, v: number): void {
  const high = (v / 10000) | 0;
  view.setUint32(at, FOURS[high]!, true);
  view.setUint32(at + 4, FOURS[v - high * 10000]!, true);
}

/** A DataView of the bytes of `out`, at the same offsets. */
export function viewOf(out: Uint8Array): DataView {
  return new DataView(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * v in [0, 10^8), its digits without leading zeros, through `view` in 32-bit stores of four
 * digits: up to 3 bytes past the last digit are stored too (inside the caller's room for 20
 * digits; what is written next overwrites them).
 */
function writeUpTo8(view: DataView, at: number, v: number): number {
  // Digit counts from sign bits, not comparisons: for values of every length a comparison's
  // branch was mispredicted about every other number (random u64s: 32 -> 21 ns each).
  if (v < 10000) {
    const n = 1 + ((9 - v) >>> 31) + ((99 - v) >>> 31) + ((999 - v) >>> 31);
    view.setUint32(at, FOURS[v]! >>> ((4 - n) << 3), true);
    return at + n;
  }
  const high = (v / 10000) | 0;
  const n = 1 + ((9 - high) >>> 31) + ((99 - high) >>> 31) + ((999 - high) >>> 31);
  view.setUint32(at, FOURS[high]! >>> ((4 - n) << 3), true);
  view.setUint32(at + n, FOURS[v - high * 10000]!, true);
  return at + n + 4;
}

/**
 * The unsigned 64-bit integer hi·2^32 + lo (hi, lo in [0, 2^32)), in groups of up to 8 digits.
 * Writers of many values pass `view` (viewOf(out), made once): its 32-bit stores write four
 * digits at a time.
 */
export function writeU64(out: Uint8Array, at: number, lo: number, hi: number, view: DataView = viewOf(out)): number {
  if (hi === 0) {
    if (lo < 100000000) return writeUpTo8(view, at, lo | 0);
    const top = (lo / 100000000) >>> 0;
    at = writeUpTo8(view, at, top);
    writeEight(view, at, (lo - top * 100000000) | 0);
    return at + 8;
  }
  // The quotient by 10^8, from the value rounded to a double times 10^-8 (a multiply, where a
  // divide took 3-4 times as long), is within one of the true quotient; the true remainder is
  // then small enough that its low 32 bits, from lo and the quotient's product with 10^8
  // modulo 2^32, are all of it.
  let q = Math.floor((hi * 4294967296 + lo) * 1e-8);
  let r = (lo - Math.imul(q >>> 0, 100000000)) | 0;
  // The corrections by one, without branches: a branch taken for the first time after the
  // function was optimized (one value in millions takes it) threw it and every writer that
  // inlined it back to unoptimized code, mid-dump (counters --json: 25 ms).
  const under = r >> 31;
  r += under & 100000000;
  q += under;
  const over = (99999999 - r) >> 31;
  r -= over & 100000000;
  q -= over;
  if (q < 100000000) {
    at = writeUpTo8(view, at, q | 0);
  } else {
    // q < 2^64 / 10^8 < 2^38 is exact in a double, and so is this quotient: 10^-8 as a double
    // lies a little above 10^-8, so a multiple of 10^8 gives at least its quotient, and any other
    // q is at least 10^-8 below the next integer, thousands of doubles apart at these sizes.
    const high = Math.floor(q * 1e-8);
    at = writeUpTo8(view, at, high | 0);
    writeEight(view, at, (q - high * 1e8) | 0);
    at += 8;
  }
  writeEight(view, at, r);
  return at + 8;
}

/** The signed 64-bit integer whose two's complement halves are hi, lo (each in [0, 2^32)); `view` as for writeU64. */
export function writeI64(out: Uint8Array, at: number, lo: number, hi: number, view: DataView = viewOf(out)): number {
  if (hi < 0x80000000) return writeU64(out, at, lo, hi, view);
  out[at] = MINUS;
  const negLo = (~lo + 1) >>> 0;
  const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
  return writeU64(out, at + 1, negLo, negHi, view);
}

/** v: an integer in [-2^31, 2^32). */
export function writeInt(out: Uint8Array, at: number, v: number): number {
  if (v >= 0) return writeU32(out, at, v);
  out[at] = MINUS;
  return writeU32(out, at + 1, -v);
}
