// Integers written as ASCII decimal straight into a byte buffer, without making a string:
// the formatted half of a map dump is mostly numbers, and String(n) plus encoding costs
// more than the digits themselves. Every function writes at `at` and returns the end; the
// caller guarantees room (20 digits and a sign at most).

const ZERO = 0x30;
const MINUS = 0x2d;

/** "00" … "99": two digits per division. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => ZERO + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

function digitCount(v: number): number {
  if (v < 10) return 1;
  if (v < 100) return 2;
  if (v < 1000) return 3;
  if (v < 10000) return 4;
  if (v < 100000) return 5;
  if (v < 1000000) return 6;
  if (v < 10000000) return 7;
  if (v < 100000000) return 8;
  if (v < 1000000000) return 9;
  return 10;
}

/** v: an integer in [0, 2^32). */
export function writeU32(out: Uint8Array, at: number, v: number): number {
  const end = at + digitCount(v);
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

/** v in [0, 10^width), width at most 9: exactly `width` digits, zero-padded. */
function writePadded(out: Uint8Array, at: number, v: number, width: number): number {
  for (let p = at + width - 1; p >= at; p--) {
    const q = (v / 10) >>> 0;
    out[p] = ZERO + (v - q * 10);
    v = q;
  }
  return at + width;
}

/** v: an integer in [0, 2^53). */
function writeSafe(out: Uint8Array, at: number, v: number): number {
  if (v < 4294967296) return writeU32(out, at, v);
  let high = Math.floor(v / 1e8);
  let low = v - high * 1e8;
  // The division rounds: correct a quotient one too high.
  if (low < 0) {
    high -= 1;
    low += 1e8;
  }
  return writePadded(out, writeU32(out, at, high), low, 8);
}

/** The unsigned 64-bit integer hi·2^32 + lo (hi, lo in [0, 2^32)). */
export function writeU64(out: Uint8Array, at: number, lo: number, hi: number): number {
  if (hi < 0x200000) return writeSafe(out, at, hi * 4294967296 + lo);
  // One long division by 10^4 over 16-bit limbs (every step exact in a double) leaves a
  // quotient below 2^51.
  let r = hi >>> 16;
  const q3 = Math.floor(r / 10000);
  r = (r - q3 * 10000) * 65536 + (hi & 0xffff);
  const q2 = Math.floor(r / 10000);
  r = (r - q2 * 10000) * 65536 + (lo >>> 16);
  const q1 = Math.floor(r / 10000);
  r = (r - q1 * 10000) * 65536 + (lo & 0xffff);
  const q0 = Math.floor(r / 10000);
  r -= q0 * 10000;
  const quotient = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0;
  return writePadded(out, writeSafe(out, at, quotient), r, 4);
}

/** The signed 64-bit integer whose two's complement halves are hi, lo (each in [0, 2^32)). */
export function writeI64(out: Uint8Array, at: number, lo: number, hi: number): number {
  if (hi < 0x80000000) return writeU64(out, at, lo, hi);
  out[at] = MINUS;
  const negLo = (~lo + 1) >>> 0;
  const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
  return writeU64(out, at + 1, negLo, negHi);
}

/** v: an integer in [-2^31, 2^32). */
export function writeInt(out: Uint8Array, at: number, v: number): number {
  if (v >= 0) return writeU32(out, at, v);
  out[at] = MINUS;
  return writeU32(out, at + 1, -v);
}
